/**
 * Runs `cli.js shadow … --json --progress json` as a child process, off the extension host (as the
 * receiver runs `cli.js serve`): progress from its stderr JSON lines, the report from its stdout.
 * Cancelling sends SIGINT, which makes the CLI stop sending and still print the report of what was
 * replayed. The editor's Shadow Run… and the agents' shadow-run tool both run it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { ShadowReport } from '../api/shadowReport';
import { parseShadowReport } from '../shadow/parseShadowReport';
import { parseProgressLine, type ShadowProgress } from '../shadow/shadowProgress';
import { streamLines } from './streamLines';

/** How to run the CLI and where its output goes. */
export interface ShadowCliRun {
  /** The bundled CLI (dist/cli.js). */
  cliPath: string;
  /** Defaults to process.execPath, run as Node through ELECTRON_RUN_AS_NODE. */
  execPath?: string;
  /** Node flags before the CLI path (tests run src/cli.ts through `--import tsx`). */
  execArgv?: string[];
  /** The CLI's arguments (shadowCliArgs). */
  args: string[];
  /** The read token of the server `--from` names, passed as RUNTIME_LENS_TOKEN (never on the command line). */
  token?: string;
  /** Environment variables with this prefix (backend secrets the run does not need) are not passed on. */
  dropEnvPrefix?: string;
  cwd: string;
  onProgress(p: ShadowProgress): void;
  /** Every other stderr line (the CLI's notes and errors), for the log. */
  onStderrLine(line: string): void;
  /** Aborting cancels the run: SIGINT, then SIGKILL when it has not ended within `killAfterMs`. */
  signal?: AbortSignal;
  killAfterMs?: number;
}

/** A run's end: a report (complete, or partial when cancelled), or why there is none. */
export type ShadowCliOutcome =
  | { kind: 'report'; report: ShadowReport; cancelled: boolean; exitCode: number; dropped: number }
  | { kind: 'failed'; message: string; stderr: string; cancelled: boolean; exitCode: number | null };

/** stdout above this is not a report anyone can read: the child is stopped. */
const MAX_STDOUT = 64 * 1024 * 1024;
/** The stderr kept for the log when a run fails. */
const MAX_STDERR = 256 * 1024;

/** Runs one shadow run to its end; never rejects. */
export function runShadowCli(run: ShadowCliRun): Promise<ShadowCliOutcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  if (run.dropEnvPrefix) for (const name of Object.keys(env)) if (name.startsWith(run.dropEnvPrefix)) delete env[name];
  delete env.RUNTIME_LENS_TOKEN;
  if (run.token) env.RUNTIME_LENS_TOKEN = run.token;
  let child: ChildProcess;
  try {
    child = spawn(run.execPath ?? process.execPath, [...(run.execArgv ?? []), run.cliPath, ...run.args], { cwd: run.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  } catch (err) {
    return Promise.resolve({ kind: 'failed', message: `could not start the shadow run: ${(err as Error).message}`, stderr: '', cancelled: false, exitCode: null });
  }
  const killOnExit = (): void => void child.kill('SIGKILL');
  // A closed window or agent host must not leave a run (and the builds it started) behind.
  process.on('exit', killOnExit);
  let cancelled = false;
  let killer: NodeJS.Timeout | undefined;
  const cancel = (): void => {
    if (cancelled || child.exitCode !== null) return;
    cancelled = true;
    child.kill('SIGINT');
    killer = setTimeout(() => child.kill('SIGKILL'), run.killAfterMs ?? 30_000);
  };
  if (run.signal?.aborted) cancel();
  run.signal?.addEventListener('abort', cancel, { once: true });

  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let stderr = '';
  let lastError = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    if (stdoutBytes > MAX_STDOUT) child.kill('SIGKILL');
    else stdout.push(chunk);
  });
  streamLines(child.stderr!, (line) => {
    const progress = parseProgressLine(line);
    if (progress) return run.onProgress(progress);
    if (stderr.length < MAX_STDERR) stderr += `${line}\n`;
    const text = line.replace(/^runtime-lens: /, '');
    if (!text.startsWith('warning: ') && text !== line) lastError = text;
    run.onStderrLine(line);
  });

  return new Promise((resolve) => {
    let spawnError = '';
    child.once('error', (err) => (spawnError = err.message));
    child.once('close', (code, signal) => {
      process.off('exit', killOnExit);
      clearTimeout(killer);
      run.signal?.removeEventListener('abort', cancel);
      const out = Buffer.concat(stdout).toString('utf8').trim();
      // Exit 1 is a --fail-if verdict, not a failure; the editor passes none, but a report is a report.
      if ((code === 0 || code === 1) && out !== '') {
        const parsed = parseShadowReport(out);
        if (parsed.ok) return resolve({ kind: 'report', report: parsed.report, cancelled, exitCode: code, dropped: parsed.dropped });
        return resolve({ kind: 'failed', message: `the shadow run printed no readable report: ${parsed.error}`, stderr, cancelled, exitCode: code });
      }
      const how = spawnError ? `could not start: ${spawnError}` : signal ? `was stopped by ${signal}` : `exited with code ${code}`;
      const message = cancelled ? 'cancelled before any request was compared' : stdoutBytes > MAX_STDOUT ? 'its report was larger than 64 MB' : lastError || `the shadow run ${how}`;
      resolve({ kind: 'failed', message, stderr, cancelled, exitCode: code });
    });
  });
}
