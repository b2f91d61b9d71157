import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OperationSignal } from '../../../src/core/api/signals';
import { operationsFromMetrics } from '../../../src/core/signals/operationsFromMetrics';

function op(name: string, count: number, over: Partial<OperationSignal> = {}): OperationSignal {
  return { service: 'shop', environment: 'prod', name, kind: 2, count, errors: 0, errorRate: 0, ratePerMin: count / 5, p50Ms: 1, p95Ms: 2, p99Ms: 3, ...over };
}

test('a route with metric figures takes them; spans keep the rest; every row says its source', () => {
  const spans = [op('GET /orders/:id', 3, { errors: 1, errorRate: 1 / 3 }), op('GET /health', 10), op('db.query', 7, { kind: 3 })];
  const metrics = [op('GET /orders/:id', 30, { errors: 2, errorRate: 2 / 30, ratePerMin: 6, p50Ms: 12, p95Ms: 40, p99Ms: 90, source: 'metrics' })];
  const rows = operationsFromMetrics(spans, metrics);
  assert.deepEqual(
    rows.map((r) => [r.name, r.count, r.source]),
    [
      ['GET /orders/:id', 30, 'metrics'],
      ['GET /health', 10, 'spans'],
      ['db.query', 7, 'spans'],
    ],
  );
  const joined = rows[0];
  assert.deepEqual([joined.errors, joined.errorRate, joined.ratePerMin, joined.p50Ms, joined.p95Ms, joined.p99Ms, joined.kind], [2, 2 / 30, 6, 12, 40, 90, 2]);
});

test('routes seen only in metrics get rows; services and environments never mix', () => {
  const spans = [op('GET /a', 5)];
  const metrics = [op('GET /b', 4, { source: 'metrics' }), op('GET /a', 50, { service: 'billing', source: 'metrics' }), op('GET /a', 60, { environment: 'staging', source: 'metrics' })];
  const rows = operationsFromMetrics(spans, metrics);
  const key = (r: OperationSignal) => `${r.service}/${r.environment}/${r.name}=${r.count}:${r.source}`;
  assert.deepEqual(rows.map(key), ['shop/staging/GET /a=60:metrics', 'billing/prod/GET /a=50:metrics', 'shop/prod/GET /a=5:spans', 'shop/prod/GET /b=4:metrics']);
});

test('sparklines come from the same source as the figures; top cuts after the join', () => {
  const spark = [{ t: 0, count: 9, errors: 0, avgMs: 1, maxMs: 2 }];
  const rows = operationsFromMetrics([op('GET /a', 1, { perMinute: [] }), op('GET /b', 2, { perMinute: [] })], [op('GET /a', 9, { perMinute: spark, source: 'metrics' })], 1);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].perMinute, spark);
  assert.deepEqual(operationsFromMetrics([], []), []);
});
