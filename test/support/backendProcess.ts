/**
 * Runs one real backend binary (Jaeger, the collector, Prometheus) for the tests: its stdout and
 * stderr go to a log file in its own temp folder, readiness is a poll of an HTTP endpoint, and the
 * process is killed on stop() and when the test process exits. Every error names the log file.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

// A test run that crashes or is interrupted must not leave backends listening.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of live) child.kill('SIGKILL');
      process.exit(130);
    });
  }
}

/** A free TCP port on 127.0.0.1 (the OS picks it; released before the backend binds it). */
export async function freeLoopbackPort(): Promise<number> {
  return (await freeLoopbackPorts(1))[0];
}

/**
 * `n` distinct free TCP ports on 127.0.0.1. Each is held until all are picked: picked one after the
 * other, a port released by the first pick can be handed out again by the next (a Jaeger got the same
 * port for its OTLP receiver and its query server, and exited "address already in use").
 */
export async function freeLoopbackPorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            if (typeof address === 'object' && address) resolve(address.port);
            else reject(new Error('no free loopback port'));
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}

/** A temp folder for one backend's config, data and log. */
export function backendTempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `runtime-lens-${name}-`));
}

/** What `startBackendProcess` needs. */
export interface BackendProcessOptions {
  /** Names the backend in errors, e.g. 'jaeger'. */
  name: string;
  binary: string;
  args: string[];
  /** The temp folder from `backendTempDir` (holds the log; removed on a clean stop). */
  dir: string;
  /** Polled every 150 ms until it resolves; its rejection message says what is not ready yet. */
  ready: () => Promise<void>;
  timeoutMs?: number;
}

/** A running backend process. */
export interface BackendProcess {
  readonly logFile: string;
  readonly pid: number;
  /** SIGTERM, SIGKILL after 5 s; removes the temp folder unless RUNTIME_LENS_KEEP_BACKEND_LOGS is set. */
  stop(): Promise<void>;
  /** The log so far. */
  log(): string;
}

/** Starts `binary` and waits until `ready` resolves; throws one line (plus the log's tail) naming the log file. */
export async function startBackendProcess(options: BackendProcessOptions): Promise<BackendProcess> {
  installExitHook();
  if (!existsSync(options.binary)) {
    rmSync(options.dir, { recursive: true, force: true });
    throw new Error(`${options.name}: ${options.binary} is missing: run \`bash scripts/setup-backends.sh\``);
  }
  const logFile = join(options.dir, `${options.name}.log`);
  const fd = openSync(logFile, 'a');
  writeFileSync(fd, `$ ${options.binary} ${options.args.join(' ')}\n`);
  const child = spawn(options.binary, options.args, { cwd: options.dir, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.add(child);
  let exitInfo: string | undefined;
  const exited = new Promise<void>((done) => {
    child.once('exit', (code, signal) => {
      exitInfo = `exited (code ${code}, signal ${signal})`;
      live.delete(child);
      done();
    });
  });
  child.once('error', (e) => {
    exitInfo = `could not start: ${e.message}`;
  });
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    if (!process.env['RUNTIME_LENS_KEEP_BACKEND_LOGS']) rmSync(options.dir, { recursive: true, force: true });
  };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    if (exitInfo) break;
    try {
      await options.ready();
      return { logFile, pid: child.pid ?? -1, stop, log };
    } catch (e) {
      lastError = (e as Error).message;
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 150));
  }
  const why = exitInfo ?? `not ready within ${timeoutMs} ms (${lastError})`;
  child.kill('SIGKILL');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
  const tail = log().split('\n').slice(-15).join('\n');
  throw new Error(`${options.name}: ${why}; log: ${logFile}\n${tail}`);
}

/** Resolves when `url` answers 2xx (with `init`), else rejects with the status or network error. */
export async function expectHttpOk(url: string, init: RequestInit = {}): Promise<void> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
}
