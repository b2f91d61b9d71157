/**
 * The demo's workspace: a copy of examples/orders-service in its own git repository, the service
 * in one commit (shipping quoted at a flat rate, written by a person) and the AI's `shipping.js`
 * in a second whose `Co-Authored-By: Claude` trailer says an AI wrote it (what the Production risk
 * view reads). The first commit runs as well, so a shadow run can replay traffic against it
 * (`--baseline-ref HEAD~1`) and show what the AI's change does differently. The copy lives inside this repository, so the
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

/** shipping.js before the AI's change: a flat rate by weight band, no call to the carrier. */
const FLAT_RATE_SHIPPING = `'use strict';
// Shipping quotes at a flat rate by weight band, until the carrier's API is wired in.

const { traced } = require('./telemetry');

const FLAT_RATES = { small: 4.5, medium: 7.9, large: 12.5 };

/** A flat-rate quote for an order's weight (kg). */
function quoteShipping(order) {
  return traced('quoteShipping', () => {
    const band = order.weight <= 2 ? 'small' : order.weight <= 5 ? 'medium' : 'large';
    return { carrier: 'flat-rate', band, price: FLAT_RATES[band], days: 3 };
  });
}

module.exports = { quoteShipping };
`;

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
  const aiVersion = readFileSync(path.join(dir, AI_FILE), 'utf8');
  writeFileSync(path.join(dir, AI_FILE), FLAT_RATE_SHIPPING);
  git('add', '--all');
  git('commit', '-q', '-m', 'Orders service: quotes, orders, stock checks, flat-rate shipping');
  writeFileSync(path.join(dir, AI_FILE), aiVersion);
  git('add', AI_FILE);
  git('commit', '-q', '-m', 'Quote shipping from the carrier\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
}
