/**
 * The comparator over simulated runs of the conformance app (simulatedService.ts): an identical
 * build with noisy fields shows no difference over 500 requests; each regression planted on
 * purpose is found, on the right route and tied to the right function and line, and nothing else
 * is reported with it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShadowReport } from '../../../src/core/api/shadowReport';
import { buildShadowReport, type ReportContext } from '../../../src/core/shadow/shadowReportBuilder';
import { callLineOf, type Planted, simulateRun } from './simulatedService';

const CONTEXT: ReportContext = {
  requests: 520,
  skipped: { 'method-not-allowed': 20 },
  warnings: ['POST /api/quotes skipped: not opted in'],
  run: { candidate: 'http://127.0.0.1:3001', baseline: 'main', traffic: 'traffic.har', startedAt: 1_764_000_000_000, durationMs: 12_000 },
};

function run(planted: Planted[], n = 500): ShadowReport {
  return buildShadowReport(simulateRun(n, planted), CONTEXT, { callLineOf });
}

function route(report: ShadowReport, name: string) {
  const r = report.routes.find((x) => x.route === name);
  assert.ok(r, `route ${name} reported`);
  return r;
}

function fn(report: ShadowReport, name: string) {
  const f = report.functions.find((x) => x.function === name);
  assert.ok(f, `function ${name} reported`);
  return f;
}

/** Everything but `except` is quiet: no status, shape, value, call or error difference. */
function assertQuietExcept(report: ShadowReport, except: { routes?: string[]; functions?: string[] } = {}): void {
  for (const r of report.routes) {
    if (except.routes?.includes(r.route)) continue;
    assert.equal(r.statusMismatches, 0, `${r.route}: status mismatches`);
    assert.deepEqual(r.shapeChanges, [], `${r.route}: shape changes`);
    assert.equal(r.valueChanges, 0, `${r.route}: value changes`);
    assert.deepEqual(r.newErrors, [], `${r.route}: new errors`);
  }
  for (const f of report.functions) {
    if (except.functions?.includes(f.function)) continue;
    assert.deepEqual(f.calls, [], `${f.function}: calls`);
    assert.deepEqual(f.newErrors, [], `${f.function}: new errors`);
    assert.ok(f.errorSpans.candidate <= f.errorSpans.baseline + 5, `${f.function}: error spans ${JSON.stringify(f.errorSpans)}`);
  }
}

describe('shadow report over a simulated run', () => {
  it('finds no difference between identical builds over 500 requests with noisy fields', () => {
    const exchanges = simulateRun(500);
    const report = buildShadowReport(exchanges, CONTEXT, { callLineOf });
    assert.equal(report.replayed, 500);
    assert.equal(report.requests, 520);
    assert.deepEqual(report.skipped, { 'method-not-allowed': 20 });
    assert.deepEqual(report.routes.map((r) => r.route).sort(), ['/inventory/:sku', '/orders/:id', '/price/:item', '/quote']);
    assert.equal(
      report.routes.reduce((n, r) => n + r.requests, 0),
      500,
    );
    assertQuietExcept(report);
    assert.deepEqual({ ...report.summary, p95Ratio: null }, { statusMismatches: 0, newErrors: 0, shapeChanges: 0, newCalls: 0, p95Ratio: null, valueChanges: 0, slower: false });
    assert.equal(typeof report.summary.p95Ratio, 'number');
    // The flaky downstream answered 502 now and then: production said 200, so those are production mismatches, raw.
    const flakes = exchanges.filter((e) => e.candidate.status === 502).length;
    assert.ok(flakes > 0, 'the simulation flaked at least once');
    assert.equal(route(report, '/quote').productionMismatches, flakes);
    assert.equal(report.warnings[0], 'POST /api/quotes skipped: not opted in');
    assert.equal(report.functions.length, 4);
    for (const f of report.functions) assert.ok(f.latency !== null && f.requests > 0);
  });

  it('finds a changed status on its route, with examples naming both statuses and production', () => {
    const report = run(['status']);
    const r = route(report, '/inventory/:sku');
    assert.ok(r.statusMismatches > 30, `mismatches: ${r.statusMismatches}`);
    assert.equal(r.productionMismatches, r.statusMismatches);
    assert.ok(r.examples.length > 0 && r.examples.length <= 3);
    assert.deepEqual({ ...r.examples[0], requestId: '' }, { requestId: '', request: 'GET /inventory/zz9', candidate: 400, baseline: 404, production: 404 });
    assert.equal(report.summary.statusMismatches, r.statusMismatches);
    assertQuietExcept(report, { routes: ['/inventory/:sku'] });
  });

  it('finds a removed field and a retyped field as shape changes of their route', () => {
    const removed = route(run(['removedField']), '/price/:item');
    assert.deepEqual(
      removed.shapeChanges.map((s) => [s.path, s.change, s.from]),
      [['$.currency', 'removed', 'string']],
    );
    assert.ok(removed.shapeChanges[0]!.requests > 100);
    const retypedReport = run(['retypedField']);
    const retyped = route(retypedReport, '/price/:item');
    assert.deepEqual(
      retyped.shapeChanges.map((s) => [s.path, s.change, s.from, s.to]),
      [['$.price', 'retyped', 'number', 'string']],
    );
    assert.equal(retypedReport.summary.shapeChanges, 1);
    assertQuietExcept(retypedReport, { routes: ['/price/:item'] });
  });

  it('finds a slower function: its p95 ratio and its route p95 ratio grow', () => {
    const report = run(['slower']);
    const f = fn(report, 'quote');
    assert.ok(f.latency !== null && f.latency.p95Ratio > 1.5, JSON.stringify(f.latency));
    assert.ok(fn(report, 'price').latency!.p95Ratio < 1.3);
    assert.ok(route(report, '/quote').latency!.p95Ratio > 1.5);
    assert.ok(report.summary.p95Ratio! > 1.2);
    assertQuietExcept(report);
  });

  it('finds an added N+1 as a repeated call with the line inside the loop', () => {
    const report = run(['nPlusOne']);
    const f = fn(report, 'orderLines');
    assert.equal(f.file, 'src/orders.ts');
    assert.equal(f.line, 12);
    assert.deepEqual(f.calls, [{ target: '127.0.0.1:5432', line: 17, change: 'repeated', candidatePerRequest: 11, baselinePerRequest: 1, requests: route(report, '/orders/:id').requests }]);
    assert.equal(report.summary.newCalls, 1);
    assertQuietExcept(report, { functions: ['orderLines'] });
  });

  it('finds a new downstream call and a missing one, each tied to its function and line', () => {
    const added = run(['newCall']);
    assert.deepEqual(
      fn(added, 'quote').calls.map((c) => [c.target, c.change, c.line, c.candidatePerRequest, c.baselinePerRequest]),
      [['127.0.0.1:41000/fx', 'added', 29, 1, 0]],
    );
    assertQuietExcept(added, { functions: ['quote'] });
    const missing = run(['missingCall']);
    assert.deepEqual(
      fn(missing, 'inventory').calls.map((c) => [c.target, c.change, c.line, c.candidatePerRequest, c.baselinePerRequest]),
      [['127.0.0.1:41001/audit', 'missing', 19, 0, 1]],
    );
    assert.equal(missing.summary.newCalls, 0);
    assertQuietExcept(missing, { functions: ['inventory'] });
  });

  it('finds a new error group on its route and function, with the status it caused', () => {
    const report = run(['newError']);
    const r = route(report, '/price/:item');
    assert.equal(r.newErrors.length, 1);
    const e = r.newErrors[0]!;
    assert.deepEqual({ ...e, candidate: 0 }, { type: 'TypeError', message: "Cannot read properties of undefined (reading 'amount')", candidate: 0, baseline: 0, file: 'src/routes.ts', line: 7, function: 'price' });
    assert.ok(e.candidate > 20);
    assert.equal(r.statusMismatches, e.candidate);
    const f = fn(report, 'price');
    assert.equal(f.newErrors.length, 1);
    assert.deepEqual(f.errorSpans, { candidate: e.candidate, baseline: 0 });
    assert.equal(report.summary.newErrors, 1);
    assert.equal(report.functions[0]!.function, 'price', 'the changed function comes first');
    assertQuietExcept(report, { routes: ['/price/:item'], functions: ['price'] });
  });

  it('counts a field whose value changed in every request as a value change, not a shape change', () => {
    const exchanges = simulateRun(300).map((e) => (e.request.target.startsWith('/orders/') ? { ...e, candidate: { ...e.candidate, body: e.candidate.body.replace('"total":2.25', '"total":2.5') } } : e));
    const report = buildShadowReport(exchanges, CONTEXT, { callLineOf });
    const r = route(report, '/orders/:id');
    assert.equal(r.valueChanges, r.requests);
    assert.deepEqual(r.shapeChanges, []);
    assert.equal(report.summary.valueChanges, r.requests);
    assert.equal(report.summary.shapeChanges, 0);
  });

  it('warns of unanswered requests and of calls to hosts that are not loopback', () => {
    const exchanges = simulateRun(40);
    const first = exchanges[0]!;
    exchanges[0] = { ...first, candidate: { ...first.candidate, status: 0, error: 'timeout', body: '', spans: [] } };
    const client = exchanges[1]!.candidate.spans[0]!;
    exchanges[1]!.candidate.spans.push({ ...client, spanId: 'f'.repeat(16), parentSpanId: client.spanId, kind: 3, name: 'GET', peer: 'https://api.stripe.com/v1/charges' });
    const report = buildShadowReport(exchanges, { ...CONTEXT, warnings: [] }, { callLineOf });
    assert.deepEqual(report.warnings, ['candidate: 1 request got no answer (timeout: 1)', 'the local build called hosts that are not loopback: api.stripe.com (1)']);
  });

  it('without a baseline compares nothing but production statuses', () => {
    const exchanges = simulateRun(50, ['status']).map(({ request, candidate }) => ({ request, candidate }));
    const report = buildShadowReport(exchanges, CONTEXT);
    assert.equal(report.summary.p95Ratio, null);
    assert.equal(report.summary.statusMismatches, 0);
    assert.deepEqual(report.functions, []);
    assert.ok(route(report, '/inventory/:sku').productionMismatches > 0);
    for (const r of report.routes) assert.equal(r.latency, null);
  });
});
