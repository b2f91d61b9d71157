/**
 * The demo's workspace: a copy of examples/orders-service in its own git repository, the service
 * in one commit and `shipping.js` in a second whose `Co-Authored-By: Claude` trailer says an AI
 * wrote it (what the Production risk view reads). The copy lives inside this repository, so the
 * service resolves its packages from the root node_modules; its own repository makes the revision
 * the service reports equal the workspace's HEAD.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** The file the demo commits as written by an AI. */
export const AI_FILE = 'shipping.js';

const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'orders-service');
const IDENTITY = ['-c', 'user.name=Runtime Lens demo', '-c', 'user.email=demo@runtime-lens.invalid'];

/** Creates (or recreates) the demo repository at `dir`; `settings` are added to its .vscode/settings.json. */
export function createDemoRepo(dir: string, settings: Record<string, unknown> = {}): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  cpSync(EXAMPLE, dir, { recursive: true });
  const settingsFile = path.join(dir, '.vscode', 'settings.json');
  const current = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(settingsFile, `${JSON.stringify({ ...current, ...settings }, null, 2)}\n`);
  // No global or system git configuration: the commits are the same on every machine.
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]) => execFileSync('git', [...IDENTITY, ...args], { cwd: dir, env, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '--all', '--', '.', `:!${AI_FILE}`);
  git('commit', '-q', '-m', 'Orders service: quotes, orders, stock checks');
  git('add', AI_FILE);
  git('commit', '-q', '-m', 'Add shipping quotes from the carrier\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
}
