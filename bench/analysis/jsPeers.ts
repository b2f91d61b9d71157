/**
 * The JavaScript/TypeScript swallowed-error peer of the precision bench: ESLint's `no-empty`
 * (default options), installed pinned with its TypeScript parser into the cache outside the clone
 * (`<cache>/bench-eslint-<version>`, a stamp makes it idempotent), run once on an explicit file list
 * with a flat config written to a temp file that enables only that rule.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PeerFinding } from './peers';

/** Pinned: the parser reads .ts without type information; typescript is its peer dependency. */
export const ESLINT_PINS = { eslint: '9.39.5', '@typescript-eslint/parser': '8.74.0', typescript: '5.9.3' } as const;

/** The row label of the ESLint peer. */
export const ESLINT_PEER_LABEL = 'ESLint no-empty';

/** One ESLint run: catch-clause findings only, with corpus-relative paths. */
export interface JsPeerRun {
  version: string;
  findings: PeerFinding[] | null;
  error?: string;
  notes: string[];
}

/** The folder the pinned ESLint installs into. */
export function eslintDir(cache: string): string {
  return path.join(cache, `bench-eslint-${ESLINT_PINS.eslint}`);
}

/** Installs the pinned ESLint and parser unless the stamp says they are there; throws one line on failure. */
export function installEslint(cache: string, log: (line: string) => void): string {
  const dir = eslintDir(cache);
  const stamp = path.join(dir, '.installed');
  const pins = JSON.stringify(ESLINT_PINS);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === pins) return dir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'runtime-lens-bench-eslint', private: true, dependencies: ESLINT_PINS }, null, 2)}\n`);
  log(
    `  installing ${Object.entries(ESLINT_PINS)
      .map(([n, v]) => `${n}@${v}`)
      .join(', ')} into ${dir}`,
  );
  try {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', '--save-exact'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const why = (e as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(-2).join(' ') || (e as Error).message;
    throw new Error(`npm install of ESLint ${ESLINT_PINS.eslint} into ${dir} failed: ${why}`);
  }
  writeFileSync(stamp, pins);
  return dir;
}

/** A flat config that turns on `no-empty` alone, parsing TypeScript with the pinned parser. */
function flatConfig(dir: string): string {
  const parser = JSON.stringify(path.join(dir, 'node_modules', '@typescript-eslint', 'parser', 'dist', 'index.js'));
  return [
    `import * as tsParser from ${parser};`,
    'export default [',
    "  { files: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.jsx'], languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } }, rules: { 'no-empty': 'error' } },",
    "  { files: ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.tsx'], languageOptions: { parser: tsParser }, rules: { 'no-empty': 'error' } },",
    '];',
    '',
  ].join('\n');
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 512 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// no-empty also reports empty if/else/function/switch blocks; only an empty catch is a swallowed error
const CATCH_LINE = /\bcatch\b/;

/** Runs the installed ESLint on `files` (relative to `root`); never throws. */
export async function runEslintPeer(dir: string, root: string, files: readonly string[]): Promise<JsPeerRun> {
  const version = ESLINT_PINS.eslint;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-bench-eslint-'));
  try {
    const config = path.join(tmp, 'eslint.config.mjs');
    writeFileSync(config, flatConfig(dir));
    const list = path.join(tmp, 'out.json');
    const bin = path.join(dir, 'node_modules', 'eslint', 'bin', 'eslint.js');
    // inline `eslint-disable` comments are honoured, as where ESLint runs in a project's CI
    const r = await run(process.execPath, [bin, '--config', config, '--no-warn-ignored', '--format', 'json', '--output-file', list, ...files], root);
    if (r.code !== 0 && r.code !== 1) return { version, findings: null, error: `eslint exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`, notes: [] };
    type Message = { ruleId: string | null; fatal?: boolean; line: number; endLine?: number; message: string };
    const doc = JSON.parse(readFileSync(list, 'utf8')) as { filePath: string; messages: Message[]; suppressedMessages?: Message[] }[];
    const findings: PeerFinding[] = [];
    let unparsed = 0;
    let notCatch = 0;
    let suppressed = 0;
    for (const f of doc) {
      suppressed += (f.suppressedMessages ?? []).filter((m) => m.ruleId === 'no-empty').length;
      const file = path.relative(root, f.filePath).split(path.sep).join('/');
      if (f.messages.some((m) => m.fatal)) unparsed++;
      const lines = f.messages.some((m) => m.ruleId === 'no-empty') ? readFileSync(f.filePath, 'utf8').split('\n') : [];
      for (const m of f.messages) {
        if (m.ruleId !== 'no-empty') continue;
        if (!CATCH_LINE.test(lines[m.line - 1] ?? '')) {
          notCatch++;
          continue;
        }
        findings.push({ file, line: m.line, endLine: m.endLine ?? m.line, message: m.message });
      }
    }
    const notes = [`${notCatch} no-empty report(s) on blocks other than catch left out; ${suppressed} suppressed by the projects' own eslint-disable comments (honoured, as ESLint does by default)`];
    if (unparsed) notes.push(`${unparsed} file(s) ESLint could not parse`);
    return { version, findings, notes };
  } catch (e) {
    return { version, findings: null, error: `eslint: ${(e as Error).message}`, notes: [] };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
