/**
 * Starts a local build for a shadow run with the configured command (through the shell, as a user
 * types it), on a port of its own, exporting its spans to the run's receiver, and waits until its
 * health URL answers. Stopping kills the whole process group: `npm start` leaves children behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** How to start one side. */
export interface LocalBuildSpec {
  /** Shell command, e.g. `node server.js` or `npm start`. */
  command: string;
  cwd: string;
  /** Where the build's OTLP exporter sends (`http://127.0.0.1:PORT`). */
  otlpEndpoint: string;
  /** `deployment.environment.name` of its spans: `shadow`, `shadow-baseline`. */
  environment: string;
  /** A path (`/health`) or a full URL with `{port}`; the build is ready when it answers 2xx/3xx. */
  health: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** How long it may take to answer its health URL. */
  startTimeoutMs: number;
}

/** A started build. */
export interface LocalBuild {
  url: URL;
  /** Its last output lines, for the error when it fails. */
  output(): string;
  stop(): Promise<void>;
}

/** A free loopback port (the build is told it in PORT). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts the build and waits for its health URL; rejects with one line and its last output when it cannot. */
export async function startLocalBuild(spec: LocalBuildSpec, signal?: AbortSignal): Promise<LocalBuild> {
  const port = await freePort();
  const url = new URL(`http://127.0.0.1:${port}`);
  const resourceAttributes = [process.env.OTEL_RESOURCE_ATTRIBUTES, `deployment.environment.name=${spec.environment}`].filter(Boolean).join(',');
  const child = spawn(spec.command, {
    cwd: spec.cwd,
    shell: true,
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...spec.env,
      PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: spec.otlpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_RESOURCE_ATTRIBUTES: resourceAttributes,
      DEPLOYMENT_ENVIRONMENT: spec.environment,
      // Spans of a replayed request should arrive within the run, not after the SDK's 5 s batch delay.
      OTEL_BSP_SCHEDULE_DELAY: process.env.OTEL_BSP_SCHEDULE_DELAY ?? '25',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    },
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (tail.length > 20) tail.splice(0, tail.length - 20);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const build: LocalBuild = { url, output: () => tail.join('\n'), stop: () => stopTree(child) };
  const health = spec.health.includes('://') ? spec.health.replace('{port}', String(port)) : new URL(spec.health, url).toString();
  try {
    await waitHealthy(health, child, spec.startTimeoutMs, signal);
    return build;
  } catch (err) {
    await build.stop();
    const last = tail.slice(-3).join(' | ');
    throw new Error(`"${spec.command}" in ${spec.cwd}: ${(err as Error).message}${last ? `; its last output: ${last}` : ''}`);
  }
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${url} answered`);
    if (signal?.aborted) throw new Error('cancelled');
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status < 400) return;
      last = `answered ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${Math.round(timeoutMs / 1000)} s (${last})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function stopTree(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = (sig: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      // Already gone.
    }
  };
  kill('SIGTERM');
  const forced = setTimeout(() => kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(forced);
}
