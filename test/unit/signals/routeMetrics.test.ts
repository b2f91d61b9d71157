/**
 * Route figures from metric histograms: cumulative-to-delta conversion per series (resets,
 * retries, series that started before the receiver), exact request and error counts per route,
 * the stable metric winning over the old one, and latencies read from the buckets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecodedMetrics, RouteHistogramPoint } from '../../../src/core/ingest/metricRecords';
import { bucketLatencies } from '../../../src/core/signals/bucketLatencies';
import { MetricDeltas } from '../../../src/core/signals/metricDeltas';
import { RouteMetrics } from '../../../src/core/signals/routeMetrics';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const BOUNDS = [5, 10, 25, 50, 100];

function point(over: Partial<RouteHistogramPoint> & { counts: number[] }): RouteHistogramPoint {
  const { counts, ...rest } = over;
  return {
    resource: { service: 'shop', environment: 'prod', revision: '', serviceVersion: '', language: 'nodejs' },
    metric: 'http.server.request.duration',
    seriesKey: 'GET /x 200',
    route: '/x',
    method: 'GET',
    statusCode: 200,
    errorType: '',
    temporality: 2,
    startMs: T0 + 1_000,
    timeMs: T0 + 60_000,
    count: counts.reduce((a, b) => a + b, 0),
    sumMs: NaN,
    minMs: NaN,
    maxMs: NaN,
    boundsMs: BOUNDS,
    bucketCounts: counts,
    ...rest,
  };
}

function batch(...points: RouteHistogramPoint[]): DecodedMetrics {
  return { points, ignored: 0, rejected: 0, rejectReasons: [] };
}

test('cumulative points become deltas per series', () => {
  const deltas = new MetricDeltas(T0);
  const first = deltas.delta(point({ counts: [1, 1, 0, 0, 0, 0] }));
  assert.equal(first?.count, 2, 'a series that started after the receiver counts whole');
  const second = deltas.delta(point({ timeMs: T0 + 120_000, counts: [1, 3, 0, 1, 0, 0] }));
  assert.equal(second?.count, 3);
  assert.deepEqual(second?.bucketCounts, [0, 2, 0, 1, 0, 0]);
  assert.equal(second?.fromMs, T0 + 60_000);
  // An exporter's retry of an export already seen adds nothing.
  assert.equal(deltas.delta(point({ timeMs: T0 + 120_000, counts: [1, 3, 0, 1, 0, 0] })), null);
  // Unchanged totals add nothing either.
  assert.equal(deltas.delta(point({ timeMs: T0 + 180_000, counts: [1, 3, 0, 1, 0, 0] })), null);
});

test('a reset (new start time, a count going down, other bounds) counts the point whole', () => {
  const deltas = new MetricDeltas(T0);
  deltas.delta(point({ counts: [5, 5, 0, 0, 0, 0] }));
  const restarted = deltas.delta(point({ startMs: T0 + 90_000, timeMs: T0 + 150_000, counts: [0, 2, 0, 0, 0, 0] }));
  assert.equal(restarted?.count, 2);
  const wentDown = deltas.delta(point({ startMs: T0 + 90_000, timeMs: T0 + 210_000, counts: [0, 1, 0, 0, 0, 0] }));
  assert.equal(wentDown?.count, 1, 'a count going down is a reset even with the same start time');
  const rebucketed = deltas.delta(point({ startMs: T0 + 90_000, timeMs: T0 + 270_000, boundsMs: [1, 2, 3, 4, 5], counts: [0, 4, 0, 0, 0, 0] }));
  assert.equal(rebucketed?.count, 4);
});

test('a series that started before the receiver is a baseline, and delta points count as sent', () => {
  const deltas = new MetricDeltas(T0);
  assert.equal(deltas.delta(point({ startMs: T0 - 3_600_000, counts: [100, 0, 0, 0, 0, 0] })), null);
  assert.equal(deltas.delta(point({ startMs: T0 - 3_600_000, timeMs: T0 + 120_000, counts: [103, 0, 0, 0, 0, 0] }))?.count, 3);
  assert.equal(deltas.delta(point({ startMs: 0, seriesKey: 'no start', counts: [7, 0, 0, 0, 0, 0] })), null, 'no start time: nothing says the totals are recent');
  const delta = new MetricDeltas(T0);
  assert.equal(delta.delta(point({ temporality: 1, startMs: T0 - 3_600_000, counts: [2, 0, 0, 0, 0, 0] }))?.count, 2);
  assert.equal(delta.delta(point({ temporality: 1, startMs: T0 - 3_600_000, counts: [2, 0, 0, 0, 0, 0] }))?.count, 2);
});

test('series state is bounded', () => {
  const deltas = new MetricDeltas(T0, 100);
  for (let i = 0; i < 1_000; i++) deltas.delta(point({ seriesKey: `s${i}`, counts: [1, 0, 0, 0, 0, 0] }));
  assert.ok(deltas.size <= 100);
});

test('bucket counts are spread within their bucket, not put on its upper bound', () => {
  const spread = bucketLatencies({ fromMs: 0, toMs: 1, count: 9, sumMs: NaN, minMs: NaN, maxMs: NaN, boundsMs: [5, 10], bucketCounts: [1, 8, 0] });
  assert.deepEqual(spread[0], [2.5, 1]);
  assert.deepEqual(
    spread.slice(1).map(([ms]) => ms),
    [5.625, 6.875, 8.125, 9.375],
  );
  assert.equal(
    spread.reduce((s, [, w]) => s + w, 0),
    9,
  );
  // The unbounded last bucket ends at the point's max when known, else sits at its lower bound.
  assert.deepEqual(bucketLatencies({ fromMs: 0, toMs: 1, count: 1, sumMs: NaN, minMs: NaN, maxMs: NaN, boundsMs: [5], bucketCounts: [0, 1] }), [[5, 1]]);
  assert.deepEqual(bucketLatencies({ fromMs: 0, toMs: 1, count: 1, sumMs: NaN, minMs: NaN, maxMs: 7, boundsMs: [5], bucketCounts: [0, 1] }), [[6, 1]]);
  // No buckets: the mean.
  assert.deepEqual(bucketLatencies({ fromMs: 0, toMs: 1, count: 4, sumMs: 40, minMs: NaN, maxMs: NaN, boundsMs: [], bucketCounts: [] }), [[10, 4]]);
});

test('routes get exact request and error counts; 5xx and error.type are errors, 4xx are not', () => {
  let now = T0;
  const store = new RouteMetrics({}, { now: () => now });
  now = T0 + 200_000;
  store.record(
    batch(
      point({ seriesKey: 'a', counts: [3, 1, 0, 0, 0, 0] }),
      point({ seriesKey: 'b', statusCode: 500, errorType: '500', counts: [0, 0, 0, 2, 0, 0] }),
      point({ seriesKey: 'c', statusCode: 404, counts: [1, 0, 0, 0, 0, 0] }),
      point({ seriesKey: 'd', statusCode: 200, errorType: 'java.net.SocketTimeoutException', counts: [0, 0, 0, 0, 0, 1] }),
      point({ seriesKey: 'e', method: 'POST', route: '/orders', statusCode: 201, counts: [0, 0, 1, 0, 0, 0] }),
      point({ seriesKey: 'f', route: '', counts: [9, 0, 0, 0, 0, 0] }),
    ),
  );
  const rows = store.rows('prod', 300_000);
  const x = rows.find((r) => r.name === 'GET /x');
  assert.ok(x);
  assert.deepEqual([x.count, x.errors, x.kind, x.source, x.service], [8, 3, 2, 'metrics', 'shop']);
  assert.equal(x.errorRate, 3 / 8);
  assert.ok(x.p50Ms > 0 && x.p50Ms <= 10, `p50 ${x.p50Ms}`);
  assert.ok(x.p99Ms > 25, `p99 ${x.p99Ms}`);
  assert.equal(rows.find((r) => r.name === 'POST /orders')?.count, 1);
  assert.equal(rows.length, 2, 'a point without a route is no operation');
  assert.equal(store.counters.pointsWithoutRoute, 1);
  assert.equal(store.counters.pointsAccepted, 6);
  assert.deepEqual(store.rows('staging', 300_000), []);
  // A second export of the same cumulative series adds only what is new.
  store.record(batch(point({ seriesKey: 'a', timeMs: T0 + 120_000, counts: [4, 1, 0, 0, 0, 0] })));
  assert.equal(store.rows('prod', 300_000).find((r) => r.name === 'GET /x')?.count, 9);
});

test('a service sending both the stable and the old metric is counted once, from the stable one', () => {
  let now = T0;
  const store = new RouteMetrics({}, { now: () => now });
  now = T0 + 100_000;
  store.record(batch(point({ seriesKey: 'old', metric: 'http.server.duration', counts: [2, 0, 0, 0, 0, 0] }), point({ seriesKey: 'new', counts: [2, 0, 0, 0, 0, 0] })));
  assert.equal(store.rows('prod', 300_000)[0].count, 2);
  assert.equal(store.counters.pointsDuplicated, 1);
});

test('the window, the rate and the sparkline follow the time of the points', () => {
  let now = T0;
  const store = new RouteMetrics({}, { now: () => now });
  now = T0 + 61_000;
  store.record(batch(point({ counts: [6, 0, 0, 0, 0, 0] })));
  now = T0 + 10 * 60_000;
  assert.equal(store.rows('prod', 5 * 60_000).length, 0, 'older than the window');
  const hour = store.rows('prod', 60 * 60_000, 60)[0];
  assert.equal(hour.count, 6);
  assert.equal(hour.perMinute?.length, 60);
  assert.equal(
    hour.perMinute?.reduce((s, p) => s + p.count, 0),
    6,
  );
});

test('a route busy for half an hour: long windows read the rolled-up latency, short ones the last minutes', () => {
  let now = T0;
  const store = new RouteMetrics({}, { now: () => now });
  for (let m = 1; m <= 30; m++) {
    now = T0 + m * 60_000 + 1_000;
    // The first twenty minutes are fast (0-5 ms), the last ten slow (50-100 ms).
    const counts = m <= 20 ? [10, 0, 0, 0, 0, 0] : [0, 0, 0, 0, 10, 0];
    store.record(batch(point({ seriesKey: `m${m}`, temporality: 1, startMs: now - 60_000, timeMs: now, counts })));
  }
  const hour = store.rows('prod', 60 * 60_000)[0];
  assert.equal(hour.count, 300);
  assert.ok(hour.p50Ms < 5, `p50 over the hour ${hour.p50Ms}`);
  assert.ok(hour.p95Ms > 50, `p95 over the hour ${hour.p95Ms}`);
  const recent = store.rows('prod', 5 * 60_000)[0];
  assert.equal(recent.count, 60, 'six minutes: the window and the partial minute at its old edge');
  assert.ok(recent.p50Ms > 50, `p50 of the last minutes ${recent.p50Ms}`);
});
