/**
 * The noise rule (noise.ts), exact percentiles, and route names: the figures the report's
 * verdicts rest on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceSpan } from '../../../src/core/api/signals';
import { beyondNoise } from '../../../src/core/shadow/noise';
import { latencyDelta, percentile } from '../../../src/core/shadow/percentiles';
import type { ReplayExchange } from '../../../src/core/shadow/replayExchange';
import { foldPath, routeOf } from '../../../src/core/shadow/routeName';

describe('noise rule', () => {
  it('counts what the baselines never disagree on once it reaches 5% of the requests', () => {
    assert.ok(beyondNoise(1, 1, 0, 1));
    assert.ok(beyondNoise(10, 200, 0, 200));
    assert.ok(!beyondNoise(9, 200, 0, 200));
    assert.ok(!beyondNoise(0, 200, 0, 200));
    // No second baseline answer at all: nothing to cancel.
    assert.ok(beyondNoise(5, 5, 0, 0));
  });

  it('does not count what the baselines disagree on about as often', () => {
    // A flag that flips in ~10% of answers: one sample shows 8%, the other 14%.
    assert.ok(!beyondNoise(28, 200, 16, 200));
    // Twice the noise but not significant on few requests.
    assert.ok(!beyondNoise(4, 20, 2, 20));
    // A field that always differs now, and rarely did.
    assert.ok(beyondNoise(200, 200, 6, 200));
    assert.ok(beyondNoise(60, 200, 10, 200));
  });

  it('takes its thresholds from the options', () => {
    assert.ok(beyondNoise(1, 100, 0, 100, { minExcess: 0.01 }));
    assert.ok(!beyondNoise(60, 200, 10, 200, { relative: 10 }));
    assert.ok(!beyondNoise(28, 200, 16, 200, { relative: 1.5 }));
    assert.ok(beyondNoise(28, 200, 16, 200, { relative: 1.5, minZ: 1 }));
  });
});

describe('percentiles', () => {
  it('are exact nearest-rank figures of the durations', () => {
    const ms = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(ms, 0.5), 50);
    assert.equal(percentile(ms, 0.95), 95);
    assert.equal(percentile([7], 0.95), 7);
    assert.ok(Number.isNaN(percentile([], 0.5)));
    assert.deepEqual(latencyDelta([20, 40, 60], [10, 20, 30]), { candidateP50Ms: 40, candidateP95Ms: 60, baselineP50Ms: 20, baselineP95Ms: 30, p50Ratio: 2, p95Ratio: 2 });
    assert.equal(latencyDelta([1], []), null);
    assert.equal(latencyDelta([0], [0])!.p95Ratio, 1);
  });
});

describe('route names', () => {
  it("fold ids in paths, and prefer the traffic's template, then the server span's", () => {
    assert.equal(foldPath('/orders/42/items/0b7e8c1e-2f5d-4c6a-9a0e-3c2d1b0a9f8e?expand=1'), '/orders/{id}/items/{id}');
    assert.equal(foldPath('/users/REDACTED-3f2a1c/avatar'), '/users/{id}/avatar');
    assert.equal(foldPath('/health'), '/health');
    const answer = { status: 200, headers: [], body: '', durationMs: 1 };
    const exchange = (route: string, spans: TraceSpan[] = []): ReplayExchange => ({
      request: { id: 'har:0', origin: 'har', method: 'GET', target: '/orders/42', route, headers: [], recorded: {} },
      candidate: { ...answer, spans },
    });
    assert.equal(routeOf(exchange('/orders/:orderId')), '/orders/:orderId');
    assert.equal(routeOf(exchange('')), '/orders/{id}');
    const server = {
      spanId: 'a'.repeat(16),
      parentSpanId: '',
      name: 'GET /orders/:id',
      kind: 2,
      service: 's',
      environment: 'shadow',
      startMs: 0,
      durationMs: 1,
      error: false,
      statusMessage: '',
      httpRoute: '/orders/:id',
      httpMethod: 'GET',
      exceptions: [],
    };
    assert.equal(routeOf(exchange('', [server])), '/orders/:id');
  });
});

describe('latency beyond noise: paired answers', () => {
  it('a loaded machine slowing both sides alike is not a slower candidate; a consistent difference is', () => {
    // Twenty requests, each answered by both sides at once; load spikes hit both.
    const load = [1, 1, 9, 1, 1, 1, 14, 1, 1, 1, 1, 20, 1, 1, 1, 1, 1, 8, 1, 1];
    const base = load.map((l, i) => 4 * l + (i % 3));
    const same = base.map((b, i) => b + (i % 2 === 0 ? 0.3 : -0.3));
    const noisy = latencyDelta(
      same,
      base,
      same.map((c, i) => [c, base[i]!] as const),
    )!;
    assert.equal(noisy.slower, false, JSON.stringify(noisy));
    // Unpaired, the same figures can read as slower: the p95 of one side caught a spike the other did not.
    const skewed = [...same.slice(0, 19), 95];
    const skewedDelta = latencyDelta(
      skewed,
      base,
      skewed.map((c, i) => [c, base[i]!] as const),
    )!;
    assert.ok(skewedDelta.p95Ratio >= 1.2 && skewedDelta.slower === false, JSON.stringify(skewedDelta));
    const slow = base.map((b) => b + 30);
    assert.equal(
      latencyDelta(
        slow,
        base,
        slow.map((c, i) => [c, base[i]!] as const),
      )!.slower,
      true,
    );
    assert.equal(latencyDelta(slow, base)!.slower, undefined, 'nothing paired, no verdict');
  });
});
