import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FunctionSignal, SignalsResponse } from '../../../src/core/api/signals';
import type { AuthorshipRow } from '../../../src/core/analysis/authorship';
import type { Attribution } from '../../../src/core/analysis/findings';
import { impactOf, MemoryProductionLookup } from '../../../src/core/analysis/ranking';
import { hottestFirst, joinServingTraffic, type ServingRow } from '../../../src/core/analysis/servingTraffic';

const CLAUDE: Attribution = { ai: true, source: 'Co-Authored-By trailer on 3f2a1c0', kind: 'commit-trailer', agent: 'Claude Code', commit: '3f2a1c0', confidence: 'medium', aiShare: 1 };

function row(over: Partial<AuthorshipRow> = {}): AuthorshipRow {
  return { file: 'src/orders.ts', function: 'loadOrders', line: 10, endLine: 20, attribution: CLAUDE, ...over };
}

function signal(over: Partial<FunctionSignal> = {}): FunctionSignal {
  return {
    service: 'orders',
    environment: 'production',
    function: 'loadOrders',
    file: 'src/orders.ts',
    line: 10,
    mappedBy: 'code-attributes',
    confidence: 1,
    exemplars: [],
    count: 700,
    errors: 0,
    errorRate: 0,
    ratePerMin: 140,
    p50Ms: 900,
    p95Ms: 2300,
    p99Ms: 3000,
    ...over,
  };
}

function response(functions: FunctionSignal[]): SignalsResponse {
  return {
    window: '5m',
    environment: 'production',
    environments: ['production'],
    generatedAt: 0,
    functions,
    operations: [],
    errors: [],
    unmapped: [],
    calls: [],
    evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
  };
}

describe('AI-written code serving traffic', () => {
  it('keeps the AI-written functions that have figures, with them, hottest first', async () => {
    const cold = row({ function: 'loadOrders', line: 10, endLine: 20 });
    const hot = row({ file: 'src/pay.ts', function: 'charge', line: 3, endLine: 9 });
    const idle = row({ function: 'neverCalled', line: 30, endLine: 40 });
    const lookup = new MemoryProductionLookup(
      response([
        signal({ ratePerMin: 2, p95Ms: 40 }),
        signal({ file: 'src/pay.ts', function: 'charge', line: 3, ratePerMin: 900, p95Ms: 12, errorRate: 0.02 }),
        // another file's function of the same name is not this one's traffic
        signal({ file: 'src/other.ts', function: 'neverCalled', line: 30, ratePerMin: 5000 }),
      ]),
    );
    const serving = await joinServingTraffic([cold, idle, hot], lookup);
    assert.deepEqual(
      serving.map((r) => `${r.file}:${r.function}`),
      ['src/pay.ts:charge', 'src/orders.ts:loadOrders'],
    );
    assert.equal(serving[0]!.production.ratePerMin, 900);
    assert.equal(serving[0]!.production.errorRate, 0.02);
    assert.equal(serving[0]!.production.impact, impactOf(900, 12, 0.02));
    assert.equal(serving[0]!.production.window, '5m');
    assert.equal(serving[0]!.attribution, CLAUDE, 'the attribution rides along for the tooltip');
    assert.equal(cold.production, undefined, 'inputs untouched');
  });

  it('takes the signal inside the function, not a nested callback of another name, and none for a function outside all signals', async () => {
    const outer = row({ function: 'Orders.load', line: 10, endLine: 30 });
    const lookup = new MemoryProductionLookup(response([signal({ function: 'callback', line: 14, ratePerMin: 1 }), signal({ function: 'Orders.load', line: 10, ratePerMin: 60 })]));
    const [joined] = await joinServingTraffic([outer], lookup);
    assert.equal(joined?.production.ratePerMin, 60);
    assert.deepEqual(await joinServingTraffic([row({ function: 'later', line: 50, endLine: 60 })], lookup), []);
  });

  it('replaces figures a row carried before, and drops it when the signals no longer have it', async () => {
    const stale = row({ production: { ratePerMin: 1, p95Ms: 1, errorRate: 0, count: 1, window: '1h', environment: 'staging', impact: 1 } });
    const [fresh] = await joinServingTraffic([stale], new MemoryProductionLookup(response([signal({ ratePerMin: 30 })])));
    assert.equal(fresh?.production.ratePerMin, 30);
    assert.equal(fresh?.production.environment, 'production');
    assert.deepEqual(await joinServingTraffic([stale], new MemoryProductionLookup(response([]))), []);
  });

  it('orders ties by impact, then errors, then file and line, so the list is stable', () => {
    const figures = (ratePerMin: number, impact: number, errorRate = 0) => ({ ratePerMin, p95Ms: 1, errorRate, count: 1, window: '5m', environment: 'production', impact });
    const rows: ServingRow[] = [
      { ...row({ file: 'b.ts', line: 1 }), production: figures(10, 5) },
      { ...row({ file: 'a.ts', line: 9 }), production: figures(10, 5) },
      { ...row({ file: 'a.ts', line: 2 }), production: figures(10, 5) },
      { ...row({ file: 'c.ts', line: 1 }), production: figures(10, 5, 0.5) },
      { ...row({ file: 'd.ts', line: 1 }), production: figures(10, 50) },
      { ...row({ file: 'e.ts', line: 1 }), production: figures(11, 0) },
    ];
    assert.deepEqual(
      hottestFirst(rows).map((r) => `${r.file}:${r.line}`),
      ['e.ts:1', 'd.ts:1', 'c.ts:1', 'a.ts:2', 'a.ts:9', 'b.ts:1'],
    );
  });
});
