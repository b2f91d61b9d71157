/**
 * Real traffic for shadow-run tests: the shop service (test/support/shadowService.ts) runs at its base
 * revision, and headless Chromium (playwright-core's recordHar) fetches a mix of its routes from a page
 * on its origin, so the HAR holds what a browser really sent and what the service really answered.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ShadowReport } from '../../src/core/api/shadowReport';
import type { TraceResponse } from '../../src/core/api/signals';
import { ReadApiClient } from '../../src/core/client/readApiClient';
import { launchChromium } from './browser';
import { freePort as freePortOf } from '../../src/core/shadow/localBuild';
import type { ShadowRequest } from '../../src/core/shadow/shadowRequest';
import { trafficFromTraces } from '../../src/core/shadow/traceTraffic';
import { cliPath } from './harness';
import type { ShadowServiceRepo } from './shadowService';

/** The route mix a user of the shop makes: every route, several ids, a few misses. */
export function shopPaths(total: number): string[] {
  const mix = [
    '/api/items',
    '/api/items/1',
    '/api/items/3',
    '/api/items/99',
    '/api/orders/10',
    '/api/orders/12',
    '/api/orders/11/receipt',
    '/api/quote?sku=apple&qty=3',
    '/api/quote?sku=plum&qty=8',
    '/api/shipping?weight=2',
    '/api/profile/ada',
    '/api/profile/bob',
    '/api/stock/apple',
    '/api/stock/pear',
  ];
  return Array.from({ length: total }, (_, i) => mix[i % mix.length]);
}

/** Starts `node server.js` in `dir` on a free port and waits for /health. */
export async function startShop(dir: string, port: number, env: NodeJS.ProcessEnv = {}): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['server.js'], { cwd: dir, env: { ...process.env, ...env, PORT: String(port) }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the shop service in ${dir} did not answer /health`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Records a HAR of Chromium fetching `paths` (one after another) from the shop at `url`. */
export async function recordShopHar(url: string, paths: string[], harFile: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ recordHar: { path: path.resolve(harFile), content: 'embed' } });
    const page = await context.newPage();
    await page.goto(`${url}/health`);
    await page.evaluate(async (list: string[]) => {
      for (const p of list) await (await fetch(p)).text();
    }, paths);
    // Closing the context writes the HAR.
    await context.close();
  } finally {
    await browser.close();
  }
}

/** Runs the built CLI's `shadow` to its end without blocking the test's process (a run takes seconds). */
export function runShadowCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Every run keeps its report as the workspace's last run under XDG_CACHE_HOME: the tests' own, not the user's.
    const child = spawn(process.execPath, [cliPath, 'shadow', ...args], { env: { ...env, XDG_CACHE_HOME: testCache() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let cacheDir: string | undefined;
/** One cache folder for this test process's shadow runs (temporary, like the repositories they run in). */
function testCache(): string {
  cacheDir ??= mkdtempSync(path.join(os.tmpdir(), 'rl-test-cache-'));
  return cacheDir;
}

/** Runs the shop in `dir` (exporting nowhere unless `env` says), records Chromium fetching `paths` as a HAR, and stops it. */
export async function recordShopTraffic(dir: string, paths: string[], harFile: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const shop = await startShop(dir, await freePortOf(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', ...env });
  try {
    await recordShopHar(shop.url, paths, harFile);
  } finally {
    await shop.stop();
  }
}

/** Runs the shop in `dir` as production exporting to `otlpEndpoint`, makes `paths` to it one after another, and stops it. */
export async function makeShopRequests(dir: string, paths: string[], otlpEndpoint: string): Promise<void> {
  const shop = await startShop(dir, await freePortOf(), { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' });
  try {
    for (const p of paths) await (await fetch(`${shop.url}${p}`)).text();
  } finally {
    // Stopping flushes the SDK's last batch.
    await shop.stop();
  }
}

/** What `GET /api/traffic` of the read API at `server` gives: its traces and the requests read from them (no trace may be rejected). */
export async function readTraffic(server: string): Promise<{ traces: TraceResponse[]; requests: ShadowRequest[] }> {
  const { traces, rejected } = await new ReadApiClient({ server }).traffic({ limit: 5000 });
  if (rejected.length > 0) throw new Error(`${server} /api/traffic rejected traces: ${JSON.stringify(rejected)}`);
  return { traces, requests: trafficFromTraces(traces).requests };
}

/** Polls until the read API at `server` holds every request of `paths` (ingest and pulls are asynchronous). */
export async function untilTrafficHeld(server: string, paths: string[], label: string, timeoutMs = 60_000): Promise<void> {
  const wanted = new Set(paths);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held = (await readTraffic(server)).requests.filter((r) => wanted.has(r.target)).length;
    if (held >= paths.length) return;
    if (Date.now() > deadline) throw new Error(`${label} holds ${held} of the ${paths.length} requests made`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What two reads of the same production request must agree on: its trace, the request, and the status production gave. */
export function requestKey(r: ShadowRequest): string {
  return `${r.recorded.traceId} ${r.method} ${r.target} ${r.route} ${r.recorded.status}`;
}

/** Traffic read from a server: its traces and the requests in them. */
export type ReadTraffic = Awaited<ReturnType<typeof readTraffic>>;

/** The order's production trace came whole through a backend: loadOrder mapped to orders.js, and its call to /internal/prices. */
export function assertOrderTraceWhole(pulled: ReadTraffic): void {
  const order = pulled.requests.find((r) => r.target === '/api/orders/10')!;
  const spans = pulled.traces.find((t) => t.traceId === order.recorded.traceId)!.spans;
  assert.deepEqual(
    spans.filter((s) => s.mapping?.function === 'loadOrder').map((s) => s.mapping?.file),
    ['orders.js'],
  );
  assert.ok(
    spans.some((s) => s.kind === 3 && /\/internal\/prices/.test(s.peer ?? '')),
    JSON.stringify(spans.map((s) => [s.kind, s.peer])),
  );
}

/**
 * `shadow --from server` replays every request the server holds, with no status differing from what
 * production answered (the same build); then, with the regressions planted in `repo`, `--changed-since
 * base --budget 1` picks the one request through changed code.
 */
export async function assertReplaysFrom(server: string, repo: ShadowServiceRepo, pulled: ReadTraffic): Promise<void> {
  const r = await runShadowCli(['--from', server, '--start', 'node server.js', '--health', '/health', '--workspace', repo.dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ShadowReport;
  assert.equal(report.run.traffic, `traces of ${server}`);
  assert.equal(report.requests, pulled.requests.length);
  assert.equal(report.replayed, pulled.requests.length);
  for (const route of report.routes) assert.equal(route.productionMismatches, 0, `${route.method} ${route.route}`);
  for (const p of ['/api/items', '/api/orders/:id', '/api/quote', '/api/stock/:sku']) {
    assert.ok(
      report.routes.some((x) => x.route === p && x.requests > 0),
      p,
    );
  }
  repo.plantRegressions();
  const picked = await runShadowCli(['--from', server, '--changed-since', 'base', '--budget', '1', '--start', 'node server.js', '--health', '/health', '--workspace', repo.dir, '--json']);
  assert.equal(picked.code, 0, picked.stderr);
  const one = JSON.parse(picked.stdout) as ShadowReport;
  assert.deepEqual(one.run.changedCode, { since: 'base', functions: 6, replayed: 1 });
}
