// `runtime-lens shadow --from URL` end to end: the shop service (OpenTelemetry Node SDK) runs at its
// base revision as "production", exporting to a real `runtime-lens serve`; real requests are made
// to it; then regressions are planted in the working tree and the built CLI reads the production
// traces back through `GET /api/traffic`, picks first the requests whose traces ran through the
// functions changed since `base` (under a budget too small for every route), replays them to the
// working tree and to `base` in a worktree, and must find the planted regressions on those routes,
// the changed downstream calls also against each request's own production trace.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RouteDelta, ShadowReport } from '../../src/core/api/shadowReport';
import { ReadApiClient } from '../../src/core/client/readApiClient';
import { freePort } from '../../src/core/shadow/localBuild';
import { trafficFromTraces } from '../../src/core/shadow/traceTraffic';
import { assertUsageError, runCli, type StartedServer, startServer } from '../support/harness';
import { createShadowServiceRepo, REGRESSIONS, type ShadowServiceRepo } from '../support/shadowService';
import { shopPaths, startShop, runShadowCli } from '../support/shadowTraffic';

/**
 * Five times the shop's route mix, without the item in stock: one request per route is replayed,
 * and the stock regression (404 for an item out of stock) shows only on one that is not.
 */
const PATHS = shopPaths(70).filter((p) => p !== '/api/stock/apple');
/** The routes that run code the planted regressions change: a function each, and the stock route's own (anonymous) handler. */
const TOUCHED = ['GET /api/orders/:id', 'GET /api/orders/:id/receipt', 'GET /api/profile/:user', 'GET /api/quote', 'GET /api/shipping', 'GET /api/stock/:sku'];

let repo: ShadowServiceRepo;
let serve: StartedServer;

const shadow = (args: string[]) => runShadowCli(args);

/** How many of the requests made to the shop `serve` holds the traces of. */
async function heldRequests(): Promise<number> {
  const { traces } = await new ReadApiClient({ server: serve.url }).traffic({ limit: 5000 });
  const wanted = new Set(PATHS);
  return trafficFromTraces(traces).requests.filter((r) => wanted.has(r.target)).length;
}

before(async () => {
  repo = createShadowServiceRepo();
  serve = await startServer({ workspace: repo.dir });
  const shop = await startShop(repo.dir, await freePort(), { OTEL_EXPORTER_OTLP_ENDPOINT: serve.url, OTEL_BSP_SCHEDULE_DELAY: '100' });
  try {
    for (const p of PATHS) await (await fetch(`${shop.url}${p}`)).text();
  } finally {
    // Stopping flushes the SDK's last batch.
    await shop.stop();
  }
  const deadline = Date.now() + 30_000;
  while ((await heldRequests()) < PATHS.length) {
    if (Date.now() > deadline) throw new Error(`serve holds ${await heldRequests()} of the ${PATHS.length} requests made`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

after(async () => {
  await serve?.stop();
  repo?.dispose();
});

describe('runtime-lens shadow --from (traces of a runtime-lens serve)', () => {
  it('refuses --from with --traffic, --changed-since without traces, an unreachable server and a ref naming nothing, each in one line', () => {
    assertUsageError(runCli(['shadow', '--from', serve.url, '--traffic', 'x.har', '--target', 'http://127.0.0.1:9']), /--traffic FILE or --from URL, not both/);
    assertUsageError(runCli(['shadow', '--traffic', 'x.har', '--changed-since', 'base', '--target', 'http://127.0.0.1:9']), /--changed-since needs --from URL/);
    assertUsageError(runCli(['shadow', '--from', 'http://127.0.0.1:9', '--target', 'http://127.0.0.1:9']), /^runtime-lens: --from http:\/\/127\.0\.0\.1:9: cannot reach/);
    assertUsageError(runCli(['shadow', '--from', serve.url, '--window', '2x', '--target', 'http://127.0.0.1:9']), /--window: invalid window "2x"/);
    assertUsageError(runCli(['shadow', '--from', serve.url, '--start', 'node server.js', '--baseline-ref', 'no-such-ref', '--workspace', repo.dir]), /--baseline-ref no-such-ref: no-such-ref names no commit/);
  });

  it('replays first the requests whose production traces ran through the changed functions, and finds their regressions', async () => {
    repo.plantRegressions();
    const r = await shadow(['--from', serve.url, '--start', 'node server.js', '--health', '/health', '--baseline-ref', 'base', '--workspace', repo.dir, '--budget', String(TOUCHED.length), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as ShadowReport;
    assert.equal(report.run.traffic, `traces of ${serve.url}`);
    assert.ok(report.requests >= PATHS.length, `read ${report.requests} requests`);
    assert.equal(report.replayed, TOUCHED.length);
    assert.equal(report.skipped['over-budget'], report.requests - TOUCHED.length);
    // One changed unit per regression: five functions and the stock route's handler.
    assert.deepEqual(report.run.changedCode, { since: 'base', functions: REGRESSIONS.length, replayed: TOUCHED.length });
    assert.match(r.stderr, new RegExp(`${REGRESSIONS.length} functions changed since base; \\d+ of the \\d+ requests ran through them in production`));

    // The budget went to the routes running changed code, one request each: not to the others.
    const replayedRoutes = report.routes.filter((x) => x.requests > 0).map((x) => `${x.method} ${x.route}`);
    assert.deepEqual(replayedRoutes.sort(), TOUCHED);

    const route = (name: string): RouteDelta => report.routes.find((x) => `${x.method} ${x.route}` === name)!;
    assert.deepEqual(
      route('GET /api/profile/:user')
        .shapeChanges.map((c) => [c.path, c.change])
        .sort(),
      [
        ['$.loyaltyTier', 'removed'],
        ['$.points', 'retyped'],
      ],
    );
    const stock = route('GET /api/stock/:sku');
    assert.deepEqual([stock.statusMismatches, stock.examples[0]?.baseline, stock.examples[0]?.candidate], [1, 200, 404]);
    const fn = (name: string) => report.functions.find((f) => f.function === name);
    assert.ok(
      fn('loadOrder')?.calls.some((c) => c.change === 'repeated' && c.candidatePerRequest > c.baselinePerRequest),
      JSON.stringify(fn('loadOrder')?.calls),
    );
    assert.ok(
      fn('quoteShipping')?.calls.some((c) => c.change === 'added' && /\/internal\/carrier$/.test(c.target)),
      JSON.stringify(fn('quoteShipping')?.calls),
    );
    // Against the production trace of each request too: production called itself at its own port,
    // which reads as the candidate's, so the per-item price calls are repeated (not added and missing).
    const againstProduction = (name: string) => fn(name)?.productionCalls ?? [];
    assert.ok(
      againstProduction('loadOrder').some((c) => c.change === 'repeated' && /\/internal\/prices$/.test(c.target) && c.candidatePerRequest > c.baselinePerRequest),
      JSON.stringify(fn('loadOrder')?.productionCalls),
    );
    assert.deepEqual(
      againstProduction('loadOrder').map((c) => c.change),
      ['repeated'],
    );
    assert.ok(
      againstProduction('quoteShipping').some((c) => c.change === 'added' && /\/internal\/carrier$/.test(c.target) && c.baselinePerRequest === 0),
      JSON.stringify(fn('quoteShipping')?.productionCalls),
    );
    // Functions the planted edits left alone call what production called.
    assert.deepEqual(againstProduction('computeQuote'), []);
    const receipt = route('GET /api/orders/:id/receipt');
    assert.ok(
      [...receipt.newErrors, ...(fn('formatReceipt')?.newErrors ?? [])].some((e) => e.type === 'TypeError'),
      JSON.stringify(receipt.newErrors),
    );
    // formatReceipt now throws where production's did not: against production as well as the baseline.
    const receiptErrors = fn('formatReceipt')?.productionErrorSpans;
    assert.ok(receiptErrors && receiptErrors.candidate > 0 && receiptErrors.production === 0, JSON.stringify(receiptErrors));
    assert.deepEqual(fn('computeQuote')?.productionErrorSpans?.candidate, 0);
    assert.equal(fn('computeQuote')?.file, 'pricing.js');
    assert.ok(fn('computeQuote')?.latency, 'computeQuote was timed on both sides');
  });
});
