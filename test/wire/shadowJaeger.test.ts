// Traffic from Jaeger: the shop service (OpenTelemetry Node SDK) runs as "production" and exports each
// batch through an OTLP tee to both a real `runtime-lens serve` and a real Jaeger v2; a second `serve`
// reads only Jaeger (`--no-receiver --source jaeger=...`). The requests both servers give through
// `GET /api/traffic` must be the same ones, and `runtime-lens shadow --from` the Jaeger-backed server
// must replay them (the production statuses and the code mapping came through Jaeger too).
// Needs `bash scripts/setup-backends.sh`; fails with one line naming it when Jaeger is missing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ShadowReport } from '../../src/core/api/shadowReport';
import { type RunningJaeger, startJaeger } from '../support/backends';
import { type StartedServer, startServer } from '../support/harness';
import { type OtlpTee, startOtlpTee } from '../support/otlpTee';
import { createShadowServiceRepo, type ShadowServiceRepo } from '../support/shadowService';
import { makeShopRequests, readTraffic, requestKey as key, runShadowCli, shopPaths, untilTrafficHeld } from '../support/shadowTraffic';

/** The shop's route mix once: one pull of Jaeger's (20 traces per service) takes them all. */
const PATHS = shopPaths(14);

let jaeger: RunningJaeger;
let repo: ShadowServiceRepo;
let receiver: StartedServer;
let viaJaeger: StartedServer;
let tee: OtlpTee;

const shadow = (args: string[]) => runShadowCli(args);

const traffic = (server: StartedServer) => readTraffic(server.url);

before(async () => {
  jaeger = await startJaeger();
  repo = createShadowServiceRepo();
  receiver = await startServer({ workspace: repo.dir });
  tee = await startOtlpTee([receiver.url, jaeger.otlpHttpUrl]);
  await makeShopRequests(repo.dir, PATHS, tee.url);
  await untilTrafficHeld(receiver.url, PATHS, 'the receiver');
  viaJaeger = await startServer({ workspace: repo.dir, args: ['--no-receiver', '--source', `jaeger=${jaeger.queryUrl}`, '--source-refresh', '5s'] });
  await untilTrafficHeld(viaJaeger.url, PATHS, 'the server reading Jaeger');
});

after(async () => {
  await viaJaeger?.stop();
  await receiver?.stop();
  await tee?.close();
  await jaeger?.stop();
  repo?.dispose();
});

describe('runtime-lens shadow --from a server reading Jaeger', () => {
  it('gives the same requests through Jaeger as through the receiver, with their code mapping', async () => {
    const direct = await traffic(receiver);
    const pulled = await traffic(viaJaeger);
    assert.ok(direct.requests.length >= PATHS.length);
    assert.deepEqual(pulled.requests.map(key).sort(), direct.requests.map(key).sort());
    // The production trace came whole: the order's trace holds loadOrder, mapped to its file, and the call it made.
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
  });

  it('replays what Jaeger holds against the local build, and picks the requests through changed code first', async () => {
    const pulled = await traffic(viaJaeger);
    const r = await shadow(['--from', viaJaeger.url, '--start', 'node server.js', '--health', '/health', '--workspace', repo.dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as ShadowReport;
    assert.equal(report.run.traffic, `traces of ${viaJaeger.url}`);
    assert.equal(report.requests, pulled.requests.length);
    assert.equal(report.replayed, pulled.requests.length);
    // Compared with production only: the same build answers as production did, so the statuses Jaeger kept match.
    for (const route of report.routes) assert.equal(route.productionMismatches, 0, `${route.method} ${route.route}`);
    for (const p of ['/api/items', '/api/orders/:id', '/api/quote', '/api/stock/:sku'])
      assert.ok(
        report.routes.some((x) => x.route === p && x.requests > 0),
        p,
      );

    repo.plantRegressions();
    const picked = await shadow(['--from', viaJaeger.url, '--changed-since', 'base', '--budget', '1', '--start', 'node server.js', '--health', '/health', '--workspace', repo.dir, '--json']);
    assert.equal(picked.code, 0, picked.stderr);
    const one = JSON.parse(picked.stdout) as ShadowReport;
    assert.deepEqual(one.run.changedCode, { since: 'base', functions: 6, replayed: 1 });
  });
});
