import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LatencyBuckets, WindowFigures } from '../../../src/core/api/signals';
import { compileLensTemplate, DEFAULT_LENS_TEMPLATE } from '../../../src/core/render/lensTemplate';

const figures: WindowFigures = { count: 600, errors: 5, errorRate: 0.008, ratePerMin: 120, p50Ms: 12.2, p95Ms: 48, p99Ms: 1234 };

test('the default template gives the lens the issue shows', () => {
  const t = compileLensTemplate(DEFAULT_LENS_TEMPLATE);
  assert.deepEqual(t.unknown, []);
  assert.equal(t.expand({ figures, window: '5m', environment: 'production', service: 'shop' }), 'p50 12 ms · p95 48 ms · 0.8% errors · 120/min · 5m · production');
});

test('percentiles interpolated in histogram buckets read as approximate', () => {
  const t = compileLensTemplate(DEFAULT_LENS_TEMPLATE);
  const latencyBuckets = { p50Ms: [10, 50], p95Ms: [10, 50], p99Ms: [1000, 1400] } satisfies LatencyBuckets;
  assert.equal(t.expand({ figures, latencyBuckets, window: '5m', environment: 'production', service: 'shop' }), 'p50 ≈12 ms · p95 ≈48 ms · 0.8% errors · 120/min · 5m · production');
});

test('every placeholder expands', () => {
  const t = compileLensTemplate('{p99}|{count}|{service}|{rate}|{errorRate}');
  assert.equal(t.expand({ figures, window: '1h', environment: 'staging', service: 'shop' }), '1.2 s|600|shop|120|0.8%');
});

test('unknown placeholders stay as typed and are listed once each', () => {
  const t = compileLensTemplate('{p95} {latency} {p50} {latency} {oops} {} { p50 }');
  assert.deepEqual(t.unknown, ['latency', 'oops']);
  assert.equal(t.expand({ figures, window: '5m', environment: '', service: 's' }), '48 ms {latency} 12 ms {latency} {oops} {} { p50 }');
});

test('a template without placeholders is returned trimmed, and an empty environment reads as default', () => {
  assert.equal(compileLensTemplate('  production figures ').expand({ figures, window: '5m', environment: '', service: 's' }), 'production figures');
  assert.equal(compileLensTemplate('{environment}').expand({ figures, window: '5m', environment: '', service: 's' }), 'default');
});
