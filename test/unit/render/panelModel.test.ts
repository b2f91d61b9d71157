import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SignalsResponse } from '../../../src/core/api/signals';
import { signalsAnswer } from '../../support/signalsAnswer';
import { buildPanelModel, errorGroupRow, functionKey, mixedQuantile, OTHER_OPERATIONS_HINT, SERVICE_ENDPOINTS, sparkPoints } from '../../../src/core/render/panelModel';
import { DEFAULT_THRESHOLDS } from '../../../src/core/render/severity';
import { SignalStore } from '../../../src/core/signals/signalStore';
import type { CodeLocation } from '../../../src/core/signals/storeTypes';
import { resource, span, TestClock } from '../../support/records';

const loc = (fn: string, line: number, file = 'src/orders.ts'): CodeLocation => ({ file, line, function: fn, mappedBy: 'code-attributes', confidence: 1 });

/** A real store fed like the demo: two services, server spans with nested internal spans, errors, one exception group. */
function demoResponse(): SignalsResponse {
  // 59 s into a minute, so five whole minute buckets hold the five minutes of traffic.
  const clock = new TestClock(Date.UTC(2026, 10, 21, 12, 0, 59));
  const store = new SignalStore({}, clock);
  const orders = resource('orders', 'production');
  const billing = resource('billing', 'production');
  for (let minute = 4; minute >= 0; minute--) {
    for (let i = 0; i < 20; i++) {
      const t = clock.t - minute * 60_000 - 30_000 + i;
      // orders: GET /orders fast and healthy, POST /orders slow.
      store.recordSpan(span({ name: 'GET /orders', kind: 2, resource: orders, startMs: t, durationMs: 10 + i }), loc('listOrders', 10), '');
      store.recordSpan(span({ name: 'listOrders', kind: 1, resource: orders, startMs: t, durationMs: 8 + i }), loc('listOrders', 10), '');
      if (i % 2 === 0) store.recordSpan(span({ name: 'POST /orders', kind: 2, resource: orders, startMs: t, durationMs: 400 + i * 20 }), loc('createOrder', 40), '');
      // billing: a quarter of the charges fail in the last two minutes only.
      const fails = minute < 2 && i % 4 === 0;
      store.recordSpan(span({ name: 'POST /charge', kind: 2, resource: billing, startMs: t, durationMs: 50, error: fails }), loc('charge', 7, 'src/billing.ts'), '');
      if (fails)
        store.recordException(
          billing,
          { type: 'TypeError', message: 'card is undefined', stacktrace: 'at charge', timeMs: t },
          `${minute}${i}`.padStart(32, 'a'),
          loc('charge', 9, 'src/billing.ts'),
          'src/billing.ts:charge',
        );
    }
  }
  store.recordUnmapped(orders, 'GET /health', 'no code attributes', clock.t - 1000);
  return store.query({ windowMs: 5 * 60_000, perMinute: true });
}

test('services add up their entry operations only, busiest first, with per-minute sparklines', () => {
  const res = demoResponse();
  const model = buildPanelModel(res, '5m');
  assert.equal(model.empty, false);
  assert.deepEqual(
    model.services.map((s) => s.service),
    ['orders', 'billing'],
  );
  const orders = model.services[0];
  // 100 GET + 50 POST server spans; the 100 nested internal spans must not count twice.
  assert.equal(orders.count, 150);
  const entryRate = res.operations.filter((o) => o.service === 'orders' && o.kind === 2).reduce((n, o) => n + o.ratePerMin, 0);
  assert.ok(entryRate > 0);
  assert.equal(orders.ratePerMin, entryRate);
  assert.equal(orders.rate, `${Math.round(entryRate)}/min`);
  assert.deepEqual(
    orders.endpoints.map((e) => e.name),
    ['POST /orders', 'GET /orders'],
  );
  // Five minutes of points, less the minute in progress (12:00, whose partial count would look like a drop).
  assert.deepEqual(orders.sparkCounts, [30, 30, 30, 30]);
  const billing = model.services[1];
  assert.equal(billing.errors, 10);
  assert.equal(billing.errorRateText, '10%');
  assert.equal(billing.errorLevel, 'error');
  // The errors of the last two minutes: 11:59 is complete and drawn; 12:00 is in progress and left out.
  assert.deepEqual(billing.sparkErrors, [0, 0, 0, 5]);
});

test('top lists rank by impact, error rate and p95, with bars relative to the first row', () => {
  const model = buildPanelModel(demoResponse(), '5m');
  assert.deepEqual(
    model.top.impact.map((r) => r.function),
    ['createOrder', 'listOrders', 'charge'],
  );
  assert.equal(model.top.impact[0].bar, 1);
  assert.ok(model.top.impact[2].bar > 0 && model.top.impact[2].bar < 1);
  assert.match(model.top.impact[0].impact, /^\d+(\.\d)? (s|min)\/min$/);
  // Only functions that failed are in the error list.
  assert.deepEqual(
    model.top.errors.map((r) => r.function),
    ['charge'],
  );
  assert.deepEqual(
    model.top.p95.map((r) => r.function),
    ['createOrder', 'charge', 'listOrders'],
  );
  assert.equal(model.top.p95[0].latencyLevel, 'warning');
  const create = model.top.p95[0];
  assert.equal(create.key, functionKey({ service: 'orders', environment: 'production', file: 'src/orders.ts', line: 40, function: 'createOrder' }));
});

test('the top option caps every list; error groups come with a trace to open', () => {
  const model = buildPanelModel(demoResponse(), '5m', { top: 1 });
  assert.equal(model.top.impact.length, 1);
  assert.equal(model.top.p95.length, 1);
  assert.equal(model.errors.length, 1);
  const group = model.errors[0];
  assert.equal(group.type, 'TypeError');
  assert.equal(group.count, 10);
  assert.equal(group.file, 'src/billing.ts');
  assert.equal(group.line, 9);
  assert.match(group.traceId ?? '', /^[0-9a]{32}$/);
  assert.equal(model.unmappedSpans, 1);
});

test('no answer, or an answer with nothing in it, is the empty state', () => {
  const none = buildPanelModel(undefined, '5m');
  assert.equal(none.empty, true);
  assert.equal(none.window, '5m');
  const store = new SignalStore({}, new TestClock());
  const blank = buildPanelModel(store.query({ windowMs: 60_000, perMinute: true }), '1m');
  assert.equal(blank.empty, true);
  assert.deepEqual(blank.services, []);
  assert.deepEqual(blank.top.impact, []);
});

test('thresholds decide the levels', () => {
  const strict = { ...DEFAULT_THRESHOLDS, latencyWarningMs: 5, latencyErrorMs: 20, errorRateWarning: 0.05, errorRateError: 0.5 };
  const model = buildPanelModel(demoResponse(), '5m', { thresholds: strict });
  const billing = model.services.find((s) => s.service === 'billing')!;
  assert.equal(billing.latencyLevel, 'error');
  assert.equal(billing.errorLevel, 'warning');
});

test('mixedQuantile: one operation keeps its own p95; a mix lands between and follows the counts', () => {
  const fast = { count: 900, p50Ms: 10, p95Ms: 20, p99Ms: 30 };
  const slow = { count: 100, p50Ms: 500, p95Ms: 900, p99Ms: 1000 };
  assert.ok(Math.abs(mixedQuantile([fast], 0.95) - 20) < 1e-6);
  assert.ok(Math.abs(mixedQuantile([fast, { ...fast }], 0.95) - 20) < 1e-6);
  const mixed = mixedQuantile([fast, slow], 0.95);
  // 10% of requests are slow, so the 95th percentile is inside the slow operation's distribution.
  assert.ok(mixed > 30 && mixed < 900, `mixed p95 ${mixed}`);
  assert.ok(mixedQuantile([fast, { ...slow, count: 10 }], 0.95) < mixed);
  assert.equal(mixedQuantile([], 0.95), 0);
});

test('sparkPoints scales into the box and stretches a single point', () => {
  assert.deepEqual(sparkPoints([0, 5, 10], 100, 20), [
    [0, 20],
    [50, 10],
    [100, 0],
  ]);
  assert.deepEqual(sparkPoints([3], 80, 16), [
    [0, 0],
    [80, 0],
  ]);
  assert.deepEqual(sparkPoints([0, 0], 10, 10), [
    [0, 10],
    [10, 10],
  ]);
  assert.deepEqual(sparkPoints([], 10, 10), []);
  assert.deepEqual(sparkPoints([5], 10, 10, 10), [
    [0, 5],
    [10, 5],
  ]);
});

test('errorGroupRow keeps the newest trace id', () => {
  const row = errorGroupRow({
    service: 's',
    environment: 'e',
    type: 'Error',
    message: 'm',
    count: 2,
    totalCount: 3,
    function: 'f',
    file: 'a.ts',
    line: 3,
    firstSeen: 1,
    lastSeen: 2,
    mappedBy: null,
    stacktrace: '',
    traceIds: ['1'.repeat(32), '2'.repeat(32)],
  });
  assert.equal(row.traceId, '2'.repeat(32));
});

test('a service lists only its busiest endpoints by impact, as many as the panel shows', () => {
  const clock = new TestClock(Date.UTC(2026, 10, 21, 12, 0, 59));
  const store = new SignalStore({}, clock);
  const shop = resource('shop', 'production');
  // five endpoints; impact (rate x p95) grows with the index
  for (let e = 1; e <= 5; e++) {
    for (let i = 0; i < 10 * e; i++) store.recordSpan(span({ name: `GET /e${e}`, kind: 2, resource: shop, startMs: clock.t - 30_000 + i, durationMs: 10 * e }), loc(`e${e}`, e), '');
  }
  const model = buildPanelModel(store.query({ windowMs: 5 * 60_000, perMinute: true }), '5m');
  assert.equal(SERVICE_ENDPOINTS, 3);
  assert.deepEqual(
    model.services[0]!.endpoints.map((e) => e.name),
    ['GET /e5', 'GET /e4', 'GET /e3'],
  );
  assert.equal(model.services[0]!.count, 150, 'the service still adds up every endpoint');
});

test('a service whose operation rates come from sampled traces says so', () => {
  const op = { service: 'shop', environment: 'production', name: 'GET /quote', kind: 2, count: 4, errors: 0, errorRate: 0, ratePerMin: 0.8, p50Ms: 10, p95Ms: 20, p99Ms: 30 };
  const base = signalsAnswer();
  const sampled = buildPanelModel({ ...base, operations: [{ ...op, source: 'sampled' }] }, '5m');
  assert.equal(sampled.services[0].sampled, true);
  const counted = buildPanelModel({ ...base, operations: [{ ...op, source: 'metrics' }] }, '5m');
  assert.equal(counted.services[0].sampled, undefined);
});

test('the row of operations past the cap says on hover what it is; named rows do not', () => {
  const clock = new TestClock(Date.UTC(2026, 10, 21, 12, 0, 59));
  // Room for two routes and the row the rest share.
  const store = new SignalStore({ maxOperations: 3 }, clock);
  const shop = resource('shop', 'production');
  // Two busy routes keep their rows; among them runs a long tail of rare ones, refused rows of their own.
  for (let i = 0; i < 200; i++) {
    const at = clock.t - 30_000 + i;
    for (const name of ['GET /cart', 'POST /checkout']) store.recordSpan(span({ name, kind: 2, resource: shop, startMs: at, durationMs: 20 }), loc('cart', 3), '');
    store.recordSpan(span({ name: `GET /rare/${i}`, kind: 2, resource: shop, startMs: at, durationMs: 90 }), loc('rare', 9), '');
  }
  const endpoints = buildPanelModel(store.query({ windowMs: 5 * 60_000, perMinute: true }), '5m').services[0]!.endpoints;
  assert.deepEqual(endpoints.map((e) => e.name).sort(), ['(other operations)', 'GET /cart', 'POST /checkout']);
  for (const e of endpoints) assert.equal(e.hint, e.name === '(other operations)' ? OTHER_OPERATIONS_HINT : undefined, e.name);
});
