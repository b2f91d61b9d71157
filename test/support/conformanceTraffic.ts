/**
 * What the conformance tier (issue 10 §5) does the same for every stack: the fixed traffic script,
 * the flaky loopback downstream /quote calls, sending the script to an app and checking each answer,
 * counting what was sent, and finding lines in an app's sources. The per-stack runners
 * (test/support/*Conformance*.ts) keep only how their app is configured, started and stopped.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './harness';

/** The deployment environment every conformance app reports. */
export const CONFORMANCE_ENVIRONMENT = 'conformance';

/** The folder of a conformance app (test/fixtures/conformance/<name>): the receiver's workspace. */
export function conformanceAppDir(name: string): string {
  return join(repoRoot, 'test', 'fixtures', 'conformance', name);
}

/** One request of the traffic script and the status it must get. */
export interface TrafficRequest {
  path: string;
  status: number;
}

// The downstream's calls (1-based) that answer 503; /quote turns them into 502.
const DOWNSTREAM_FAILS = new Set([3, 6]);

const repeat = (times: number, path: string, status: (i: number) => number): TrafficRequest[] => Array.from({ length: times }, (_, i) => ({ path, status: status(i) }));

/** The fixed traffic, in order; `panic` adds Go's two recovered-panic requests at the end. */
export function conformanceTraffic(opts: { panic?: boolean } = {}): readonly TrafficRequest[] {
  return [
    ...repeat(6, '/price/apple', () => 200),
    ...repeat(3, '/price/durian', () => 500),
    ...repeat(2, '/slow', () => 200),
    ...repeat(3, '/inventory/a1', () => 200),
    ...repeat(2, '/inventory/zz', () => 404),
    ...repeat(6, '/quote', (i) => (DOWNSTREAM_FAILS.has(i + 1) ? 502 : 200)),
    ...(opts.panic ? repeat(2, '/panic', () => 500) : []),
  ];
}

/** The traffic script of every stack but Go. */
export const TRAFFIC = conformanceTraffic();

/** How many requests of `traffic` went to paths starting with `prefix`, and how many of them failed (5xx). */
export function sent(traffic: readonly TrafficRequest[], prefix: string): { count: number; errors: number } {
  const mine = traffic.filter((r) => r.path.startsWith(prefix));
  return { count: mine.length, errors: mine.filter((r) => r.status >= 500).length };
}

/** A plain, uninstrumented loopback server: the flaky dependency /quote calls. */
export interface Downstream {
  /** `http://127.0.0.1:<port>`; any path is answered alike. */
  origin: string;
  calls(): number;
}

/**
 * Runs `body` with a downstream that answers 503 on its 3rd and 6th call and 200 with
 * `{"rate":1.25}` otherwise, and closes it afterwards.
 */
export async function withDownstream<T>(body: (downstream: Downstream) => Promise<T>): Promise<T> {
  let calls = 0;
  const server = createServer((req, res) => {
    calls++;
    req.resume();
    if (DOWNSTREAM_FAILS.has(calls)) res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"busy"}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"rate":1.25}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  try {
    return await body({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls });
  } finally {
    await new Promise<void>((done) => server.close(() => done()));
  }
}

/**
 * Sends `traffic` in order to the app at `base`, asserting each status (the message carries the
 * body and the tail of `appStderr()`); returns how many requests were sent.
 */
export async function sendTraffic(base: string, traffic: readonly TrafficRequest[], appStderr: () => string): Promise<number> {
  for (const [i, r] of traffic.entries()) {
    const res = await fetch(`${base}${r.path}`);
    const body = await res.text();
    assert.equal(res.status, r.status, `request ${i + 1} GET ${r.path}: ${body.slice(0, 300)}\n--- app stderr ---\n${appStderr().slice(-3000)}`);
  }
  return traffic.length;
}

/** How often the apps export metrics. */
export const METRIC_EXPORT_INTERVAL_MS = 1000;

/**
 * The environment every conformance app starts with: the parent's, minus every OTEL_* variable and
 * the names in `drop` (nothing inherited may redirect or rename its telemetry), plus the port, the
 * downstream, and the service, resource, endpoint and export intervals of the tier.
 */
export function conformanceEnv(opts: { service: string; endpoint: string; downstream: string; drop?: string[] }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('OTEL_') && !opts.drop?.includes(key)) env[key] = value;
  return {
    ...env,
    PORT: '0',
    DOWNSTREAM_URL: opts.downstream,
    OTEL_SERVICE_NAME: opts.service,
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${CONFORMANCE_ENVIRONMENT},deployment.environment=${CONFORMANCE_ENVIRONMENT}`,
    OTEL_EXPORTER_OTLP_ENDPOINT: opts.endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_BLRP_SCHEDULE_DELAY: '100',
    OTEL_METRIC_EXPORT_INTERVAL: String(METRIC_EXPORT_INTERVAL_MS),
  };
}

/** 1-based number of the only line of `file` (relative to `appDir`) containing `needle`. */
export function lineOf(appDir: string, file: string, needle: string): number {
  const lines = readFileSync(join(appDir, file), 'utf8').split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  assert.equal(hits.length, 1, `${file} should contain "${needle}" exactly once`);
  return hits[0]!;
}
