/**
 * The Python peers the analysis benchmark compares with: for missing-timeout Bandit (B113), Ruff
 * (S113) and Semgrep (its requests use-timeout rule); for swallowed-error Bandit (B110/B112) and
 * Ruff (S110/S112, BLE001). Installed pinned into a venv of the bench's own and run on an explicit
 * list of files, one process per row (start-up included, as a CI step pays it).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One peer row: the tool, the pinned version the bench installs, our rule it stands beside and the tool's own rule ids it selects. */
export interface PeerSpec {
  id: 'bandit' | 'ruff' | 'semgrep';
  label: string;
  pip: string;
  rule: 'missing-timeout' | 'swallowed-error';
  /** Bandit test ids or Ruff rule codes (Semgrep runs its one local rule file). */
  select: readonly string[];
}

const BANDIT = 'bandit==1.9.4';
const RUFF = 'ruff==0.17.6';

/** Pinned missing-timeout peers (bench:analysis times these). Semgrep 1.182.0: later releases need a certifi newer than the package index serves here. */
export const PEERS: readonly PeerSpec[] = [
  { id: 'bandit', label: 'Bandit B113', pip: BANDIT, rule: 'missing-timeout', select: ['B113'] },
  { id: 'ruff', label: 'Ruff S113', pip: RUFF, rule: 'missing-timeout', select: ['S113'] },
  { id: 'semgrep', label: 'Semgrep use-timeout', pip: 'semgrep==1.182.0', rule: 'missing-timeout', select: [] },
];

/** Pinned swallowed-error peers, default options (same installs as PEERS, other rule ids). */
export const SWALLOWED_ERROR_PEERS: readonly PeerSpec[] = [
  { id: 'bandit', label: 'Bandit B110/B112', pip: BANDIT, rule: 'swallowed-error', select: ['B110', 'B112'] },
  { id: 'ruff', label: 'Ruff S110/S112', pip: RUFF, rule: 'swallowed-error', select: ['S110', 'S112'] },
  { id: 'ruff', label: 'Ruff BLE001', pip: RUFF, rule: 'swallowed-error', select: ['BLE001'] },
];

/** The local stand-in for Semgrep's registry rule (the registry is not reachable here). */
export const SEMGREP_RULE_FILE = path.join(__dirname, 'semgrepUseTimeout.yaml');

/** One finding a peer reported, on a corpus-relative posix path. */
export interface PeerFinding {
  file: string;
  line: number;
  endLine: number;
  message: string;
}

/** What one peer run produced. */
export interface PeerRun {
  spec: PeerSpec;
  version: string;
  /** Null when the peer could not be installed or run; `error` says why. */
  findings: PeerFinding[] | null;
  ms: number;
  error?: string;
  /** Files the peer says it read, when it says (Semgrep does). */
  scanned?: number;
  notes: string[];
}

/** The venv's status: which peers are installed, and the install errors of the others. */
export interface PeerInstall {
  bin: string;
  errors: Map<PeerSpec['id'], string>;
}

/** Creates the venv if needed and installs each pinned peer not yet there (one by one, so one failure does not hide the others). */
export function installPeers(venv: string, log: (line: string) => void): PeerInstall {
  const bin = path.join(venv, 'bin');
  const errors = new Map<PeerSpec['id'], string>();
  if (!existsSync(path.join(bin, 'python'))) {
    try {
      execFileSync('python3', ['-m', 'venv', venv], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const why = `python3 -m venv failed: ${(e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}`;
      for (const p of PEERS) errors.set(p.id, why);
      return { bin, errors };
    }
  }
  for (const p of PEERS) {
    if (installedVersion(bin, p) === p.pip.split('==')[1]) continue;
    log(`  installing ${p.pip} into ${venv}`);
    try {
      execFileSync(path.join(bin, 'pip'), ['install', '--quiet', '--disable-pip-version-check', p.pip], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(-2).join(' ') ?? '';
      errors.set(p.id, `pip install ${p.pip} failed: ${stderr || (e as Error).message}`);
    }
  }
  return { bin, errors };
}

function installedVersion(bin: string, p: PeerSpec): string | null {
  try {
    const out = execFileSync(path.join(bin, 'pip'), ['show', p.pip.split('==')[0]], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return /^Version: (.+)$/m.exec(out)?.[1].trim() ?? null;
  } catch {
    return null;
  }
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 512 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

const rel = (root: string, file: string) => path.relative(root, path.resolve(root, file)).split(path.sep).join('/');

/** Runs one installed peer on `files` (paths relative to `root`); never throws. */
export async function runPeer(spec: PeerSpec, install: PeerInstall, root: string, files: readonly string[]): Promise<PeerRun> {
  const failed = (error: string, ms = 0): PeerRun => ({ spec, version: spec.pip.split('==')[1], findings: null, ms, error, notes: [] });
  const installError = install.errors.get(spec.id);
  if (installError) return failed(installError);
  const exe = path.join(install.bin, spec.id);
  const version = spec.pip.split('==')[1];
  // every tool gets the same explicit file list (no tool-specific excludes decide what is read)
  const tmp = mkdtempSync(path.join(os.tmpdir(), `rl-bench-${spec.id}-`));
  try {
    if (spec.id === 'bandit') {
      const out = path.join(tmp, 'bandit.json');
      const r = await run(exe, ['-q', '-t', spec.select.join(','), '-f', 'json', '-o', out, ...files], root);
      if (r.code !== 0 && r.code !== 1) return failed(`bandit exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`, r.ms);
      const doc = JSON.parse(readFileSync(out, 'utf8')) as { results: { filename: string; line_number: number; line_range: number[]; issue_text: string; test_id: string }[]; errors: unknown[] };
      const findings = doc.results
        .filter((x) => spec.select.includes(x.test_id))
        .map((x) => ({ file: rel(root, x.filename), line: x.line_number, endLine: Math.max(...x.line_range, x.line_number), message: x.issue_text }));
      return { spec, version, findings, ms: r.ms, notes: doc.errors.length ? [`${doc.errors.length} file(s) Bandit could not read`] : [] };
    }
    if (spec.id === 'ruff') {
      const r = await run(exe, ['check', '--isolated', '--no-cache', '--select', spec.select.join(','), '--output-format', 'json', '--exit-zero', ...files], root);
      if (r.code !== 0) return failed(`ruff exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`, r.ms);
      const doc = JSON.parse(r.stdout) as { filename: string; code: string; message: string; location: { row: number }; end_location: { row: number } }[];
      const unreadable = r.stderr.split('\n').filter((l) => /Failed to lint/.test(l)).length;
      const findings = doc.filter((x) => spec.select.includes(x.code)).map((x) => ({ file: rel(root, x.filename), line: x.location.row, endLine: x.end_location.row, message: x.message }));
      return { spec, version, findings, ms: r.ms, notes: unreadable ? [`${unreadable} file(s) Ruff could not read (not UTF-8)`] : [] };
    }
    // explicit targets, no ignore files, no size cap, no network (metrics and version check off)
    const env = { ...process.env, SEMGREP_ENABLE_VERSION_CHECK: '0', SEMGREP_SEND_METRICS: 'off' };
    const r = await run(exe, ['scan', '--config', SEMGREP_RULE_FILE, '--metrics=off', '--disable-version-check', '--json', '--quiet', '--max-target-bytes=0', '--no-git-ignore', ...files], root, env);
    if (r.code !== 0 && r.code !== 1) return failed(`semgrep exited ${r.code}: ${r.stderr.trim().slice(-300)}`, r.ms);
    const doc = JSON.parse(r.stdout) as { results: { path: string; start: { line: number }; end: { line: number }; extra: { message: string } }[]; errors: unknown[]; paths?: { scanned?: string[] } };
    const findings = doc.results.map((x) => ({ file: rel(root, x.path), line: x.start.line, endLine: x.end.line, message: x.extra.message.trim() }));
    return {
      spec,
      version,
      findings,
      ms: r.ms,
      scanned: doc.paths?.scanned?.length,
      notes: [
        'rule written locally (bench/analysis/semgrepUseTimeout.yaml) to match the registry rule python.requests.best-practice.use-timeout; the registry is not reachable here',
        ...(doc.errors.length ? [`${doc.errors.length} Semgrep error(s)`] : []),
      ],
    };
  } catch (e) {
    return failed(`${spec.id}: ${(e as Error).message}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
