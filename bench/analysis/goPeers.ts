/**
 * The Go peers of the precision bench: noctx (HTTP requests sent without a context) and gosec,
 * installed with `go install module@version` from the Go module proxy into the cache outside the
 * clone (`<cache>/go-tools-<versions>`, a stamp makes it idempotent), run per module on its whole
 * package tree (the analysers type-check, so the module's own dependencies are downloaded too).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PeerFinding } from './peers';

/** A Go analyser the bench runs, pinned. */
export interface GoPeerSpec {
  id: 'noctx' | 'gosec';
  label: string;
  module: string;
  version: string;
}

/** Pinned Go peers. What they flag is said in bench/RESULTS.md: neither has a client-timeout rule. */
export const GO_PEERS: readonly GoPeerSpec[] = [
  { id: 'noctx', label: 'noctx', module: 'github.com/sonatard/noctx/cmd/noctx', version: 'v0.5.0' },
  { id: 'gosec', label: 'gosec', module: 'github.com/securego/gosec/v2/cmd/gosec', version: 'v2.22.11' },
];

/** One Go peer's run over every module: findings with corpus-relative paths and the rule each came from. */
export interface GoPeerRun {
  spec: GoPeerSpec;
  findings: (PeerFinding & { ruleId: string })[] | null;
  error?: string;
  notes: string[];
}

/** The folder the pinned tools install into, keyed by their versions. */
export function goToolsDir(cache: string): string {
  return path.join(cache, `go-tools-${GO_PEERS.map((p) => `${p.id}${p.version}`).join('-')}`);
}

/** Installs the pinned Go peers unless the stamp says they are there; throws one line on failure. */
export function installGoPeers(cache: string, log: (line: string) => void): string {
  const dir = goToolsDir(cache);
  const stamp = path.join(dir, '.installed');
  if (existsSync(stamp)) return dir;
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, GOBIN: dir, GOMODCACHE: path.join(cache, 'gomodcache'), GOFLAGS: '-mod=mod' };
  for (const p of GO_PEERS) {
    log(`  installing ${p.module}@${p.version} into ${dir}`);
    try {
      execFileSync('go', ['install', `${p.module}@${p.version}`], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const why = (e as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop() ?? (e as Error).message;
      throw new Error(`go install ${p.module}@${p.version} failed: ${why}`);
    }
  }
  writeFileSync(stamp, GO_PEERS.map((p) => `${p.module}@${p.version}`).join('\n'));
  return dir;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 256 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs one Go peer on each module folder (corpus-relative); never throws. */
export async function runGoPeer(spec: GoPeerSpec, toolsDir: string, cache: string, root: string, modules: readonly string[]): Promise<GoPeerRun> {
  const env = { ...process.env, GOMODCACHE: path.join(cache, 'gomodcache'), GOFLAGS: '-mod=mod', GOWORK: 'off' };
  const exe = path.join(toolsDir, spec.id);
  const findings: (PeerFinding & { ruleId: string })[] = [];
  const notes: string[] = [];
  for (const mod of modules) {
    const cwd = path.join(root, mod);
    if (spec.id === 'noctx') {
      // a vet analyser: run through `go vet -json`, which type-checks with the module's own deps
      // a fresh build cache: go vet replays a cached run without its -json diagnostics
      const gocache = mkdtempSync(path.join(os.tmpdir(), 'rl-noctx-cache-'));
      const r = await run('go', ['vet', '-json', `-vettool=${exe}`, './...'], cwd, { ...env, GOCACHE: gocache });
      rmSync(gocache, { recursive: true, force: true });
      if (r.code !== 0) return { spec, findings: null, error: `go vet -vettool=noctx in ${mod} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`, notes };
      for (const m of (r.stdout + r.stderr).matchAll(/"posn": "([^"]+\.go):(\d+):\d+",\s*"message": "([^"]*)"/g)) {
        if (m[1].endsWith('_test.go')) continue; // ours runs without tests; so do the peers
        findings.push({ file: path.relative(root, m[1]).split(path.sep).join('/'), line: Number(m[2]), endLine: Number(m[2]), message: m[3], ruleId: 'noctx' });
      }
      continue;
    }
    const r = await run(exe, ['-quiet', '-fmt=json', '-no-fail', '-tests=false', './...'], cwd, env);
    const start = r.stdout.indexOf('{');
    if (start < 0) return { spec, findings: null, error: `gosec in ${mod} exited ${r.code} without a report: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`, notes };
    const doc = JSON.parse(r.stdout.slice(start)) as { Issues: { rule_id: string; file: string; line: string; details: string }[] | null; 'Golang errors'?: Record<string, unknown> };
    for (const i of doc.Issues ?? []) {
      const line = Number(i.line.split('-')[0]);
      findings.push({ file: path.relative(root, i.file).split(path.sep).join('/'), line, endLine: Number(i.line.split('-').pop()), message: i.details, ruleId: i.rule_id });
    }
    const errs = Object.keys(doc['Golang errors'] ?? {}).length;
    if (errs) notes.push(`${mod}: ${errs} package(s) gosec could not type-check`);
  }
  return { spec, findings, notes };
}
