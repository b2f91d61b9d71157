/**
 * Helpers for the wire-compatibility suites: start the real CLI receiver (dist/cli.js) and
 * other child processes on loopback, wait for asynchronous ingest, read the signals API.
 * Every child started here is killed when the test process exits, whatever happened.
 */
import { spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SignalsResponse, StatusResponse } from '../../src/core/api/signals';

/** The repository root (this file lives in test/support). */
export const repoRoot = resolve(__dirname, '..', '..');

/** The bundled CLI the suites run, as a user would. */
export const cliPath = resolve(repoRoot, 'dist', 'cli.js');

const live = new Set<ChildProcess>();
// A failed assertion or a thrown hook must never leave a server or an app behind.
function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  // Kill the children, then die of the same signal as if no handler were installed.
  process.once(signal, () => {
    killAll();
    process.kill(process.pid, signal);
  });
}

/** A child process that announced it was ready on its stdout. */
export interface StartedChild {
  child: ChildProcess;
  /** The match of the `ready` pattern against the first stdout line. */
  match: RegExpMatchArray;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the child has exited. */
  stop(): Promise<void>;
  stdout(): string;
  stderr(): string;
}

/** Options for `startChild`. */
export interface StartChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Must match the child's first stdout line. */
  ready: RegExp;
  /** How long to wait for that line (default 20 s). */
  timeoutMs?: number;
}

/** Spawns `command`, waits for a first stdout line matching `ready`, or fails with its stderr. */
export function startChild(command: string, args: string[], opts: StartChildOptions): Promise<StartedChild> {
  const label = `${command} ${args.join(' ')}`;
  const child = spawn(command, args, { cwd: opts.cwd ?? repoRoot, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<void>((done) => {
    child.once('exit', () => {
      live.delete(child);
      done();
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise<StartedChild>((resolveStart, rejectStart) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      rejectStart(new Error(`${label}: ${why}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`));
    };
    const timer = setTimeout(() => fail(`no ready line within ${opts.timeoutMs ?? 20_000} ms`), opts.timeoutMs ?? 20_000);
    child.once('error', (e) => fail(`could not start: ${e.message}`));
    // 'close' rather than 'exit': by then all of the child's stderr has been read.
    child.once('close', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    child.stdout!.on('data', (chunk: string) => {
      const before = out;
      out += chunk;
      if (settled || before.includes('\n') || !out.includes('\n')) return;
      const first = out.slice(0, out.indexOf('\n')).replace(/\r$/, '');
      const match = first.match(opts.ready);
      if (!match) return fail(`unexpected first stdout line: ${JSON.stringify(first)}`);
      settled = true;
      clearTimeout(timer);
      resolveStart({ child, match, stop, stdout: () => out, stderr: () => err });
    });
  });
}

/** A running receiver started through the CLI. */
export interface StartedServer {
  /** `http://127.0.0.1:PORT`, from the CLI's first stdout line. */
  url: string;
  port: number;
  stop(): Promise<void>;
  stdout(): string;
  stderr(): string;
}

/** Options for `startServer`. */
export interface StartServerOptions {
  workspace: string;
  /** Extra CLI arguments, e.g. `['--snapshot', file]`. */
  args?: string[];
}

const listening = /^Runtime Lens (?:receiver|read API) listening on (http:\/\/127\.0\.0\.1:(\d+))(?: \(receiver off\))?$/;

/** Starts `node dist/cli.js serve` on a free loopback port and waits until it listens. */
export async function startServer(opts: StartServerOptions): Promise<StartedServer> {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: build it with \`node esbuild.config.mjs\``);
  const args = [cliPath, 'serve', '--host', '127.0.0.1', '--port', '0', '--workspace', opts.workspace, ...(opts.args ?? [])];
  const started = await startChild(process.execPath, args, { ready: listening });
  const port = Number(started.match[2]);
  if (!(port > 0)) {
    await started.stop();
    throw new Error(`receiver announced port ${started.match[2]}; --port 0 must announce the real port`);
  }
  return { url: started.match[1]!, port, stop: started.stop, stdout: started.stdout, stderr: started.stderr };
}

/** `GET /api/status`. */
export async function getStatus(url: string): Promise<StatusResponse> {
  return getJson<StatusResponse>(`${url}/api/status`);
}

/** Polls `/api/status` until `done` holds; throws with the last status after `timeoutMs`. */
export async function waitForStatus(url: string, done: (s: StatusResponse) => boolean, timeoutMs: number): Promise<StatusResponse> {
  const deadline = Date.now() + timeoutMs;
  let last = await getStatus(url);
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`receiver status did not converge within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await getStatus(url);
  }
  return last;
}

/** Waits until the receiver has processed at least `n` spans (ingest is asynchronous). */
export function waitForProcessed(url: string, n: number, timeoutMs = 15_000): Promise<StatusResponse> {
  return waitForStatus(url, (s) => s.spansProcessed >= n, timeoutMs);
}

/** `GET /api/signals` with the given query (`window` defaults to `5m`). */
export function getSignals(url: string, query: Record<string, string> = {}): Promise<SignalsResponse> {
  const params = new URLSearchParams({ window: '5m', ...query });
  return getJson<SignalsResponse>(`${url}/api/signals?${params}`);
}

async function getJson<T>(target: string): Promise<T> {
  const res = await fetch(target);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${target} -> ${res.status}: ${text}`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`GET ${target} -> ${res.status}, not JSON: ${text.slice(0, 500)}`);
  }
}

/** What a finished CLI run left behind. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI to completion, as a user would. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: options.env, encoding: 'utf8', timeout: options.timeoutMs ?? 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A usage error as the CLI contract has it: exit 2, one line on stderr matching `pattern`, no stack trace. */
export function assertUsageError(r: CliRun, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line, got: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}
