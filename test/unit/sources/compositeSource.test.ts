import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorSignal, FunctionSignal, SignalsResponse } from '../../../src/core/api/signals';
import { CompositeSource } from '../../../src/core/sources/compositeSource';
import { MemorySource } from '../../../src/core/sources/memorySource';
import { signalsAnswer } from '../../support/signalsAnswer';
import { parseSignalsQuery, type TelemetrySource } from '../../../src/core/sources/telemetrySource';

const q = (text = 'window=5m') => parseSignalsQuery(new URLSearchParams(text), '5m');

function fn(over: Partial<FunctionSignal>): FunctionSignal {
  return {
    service: 'shop',
    environment: 'production',
    function: 'checkout',
    file: 'src/checkout.ts',
    line: 10,
    mappedBy: 'code-attributes',
    confidence: 1,
    exemplars: [],
    count: 100,
    errors: 5,
    errorRate: 0.05,
    ratePerMin: 20,
    p50Ms: 10,
    p95Ms: 50,
    p99Ms: 90,
    ...over,
  };
}

function err(over: Partial<ErrorSignal>): ErrorSignal {
  return {
    service: 'shop',
    environment: 'production',
    type: 'TimeoutError',
    message: 'upstream',
    count: 3,
    totalCount: 3,
    function: 'checkout',
    file: 'src/checkout.ts',
    line: 12,
    firstSeen: 1000,
    lastSeen: 2000,
    mappedBy: 'stacktrace',
    stacktrace: '',
    traceIds: ['a'.repeat(32)],
    ...over,
  };
}

const answer = signalsAnswer;

const memory = (a: SignalsResponse) => new MemorySource({ answers: new Map([['5m', a]]) });

describe('CompositeSource', () => {
  it('takes rate and percentiles from metrics, exemplars and error groups from traces, and says so', async () => {
    const exemplar = { traceId: 'b'.repeat(32), spanId: 'c'.repeat(16), durationMs: 80, time: 1500, kind: 'slowest' as const };
    const sampled = memory(
      answer({
        functions: [
          fn({ count: 7, errors: 1, errorRate: 1 / 7, p95Ms: 70, exemplars: [exemplar], figures: { traffic: { source: 'x', basis: 'sampled', traces: 7 }, errors: { source: 'x', basis: 'sampled', traces: 7 } } }),
        ],
        errors: [err({})],
      }),
    );
    const metrics = memory(
      answer({ functions: [fn({ count: 1200, errors: 24, errorRate: 0.02, ratePerMin: 240, p95Ms: 55, figures: { traffic: { source: 'x', basis: 'metrics' }, errors: { source: 'x', basis: 'metrics' } } })] }),
    );
    const c = new CompositeSource([
      { source: sampled, name: 'jaeger' },
      { source: metrics, name: 'prometheus' },
    ]);
    const a = await c.signals(q());
    assert.equal(a.functions.length, 1);
    const f = a.functions[0];
    assert.deepEqual([f.count, f.errors, f.errorRate, f.ratePerMin, f.p95Ms], [1200, 24, 0.02, 240, 55]);
    assert.deepEqual(f.exemplars, [exemplar]);
    assert.equal(f.figures!.traffic.source, 'prometheus');
    assert.equal(f.figures!.traffic.basis, 'metrics');
    assert.deepEqual([f.figures!.errors.source, f.figures!.errors.basis, f.figures!.errors.traces], ['jaeger', 'sampled', 7]);
    assert.deepEqual(
      a.errors.map((e) => e.figures?.source),
      ['jaeger'],
    );
    assert.deepEqual(
      a.sources!.map((s) => [s.name, s.state]),
      [
        ['jaeger', 'ok'],
        ['prometheus', 'ok'],
      ],
    );
  });

  it('counts an exception seen in traces and in logs once', async () => {
    const traces = memory(answer({ errors: [err({ count: 3, traceIds: ['a'.repeat(32)] })] }));
    const logs = memory(answer({ errors: [err({ count: 5, traceIds: ['d'.repeat(32)], figures: { source: 'x', basis: 'logs' } })] }));
    const a = await new CompositeSource([
      { source: traces, name: 'jaeger' },
      { source: logs, name: 'loki' },
    ]).signals(q());
    assert.equal(a.errors.length, 1);
    assert.equal(a.errors[0].count, 5);
    assert.deepEqual(new Set(a.errors[0].traceIds), new Set(['a'.repeat(32), 'd'.repeat(32)]));
  });

  it('a failing source is listed with its error and hides nothing of the others', async () => {
    const broken: TelemetrySource = {
      ...memory(answer({})),
      kind: 'prometheus',
      capabilities: { spans: false, metrics: true, logs: false, live: false, traces: false },
      signals: async () => {
        throw new Error('prometheus at http://127.0.0.1:9: connection refused\nstack');
      },
      status: () => ({ state: 'error', lastSuccess: null, stalenessMs: null, error: 'prometheus at http://127.0.0.1:9: connection refused' }),
      trace: async () => null,
      onChange: () => ({ dispose() {} }),
      dispose: async () => {},
    };
    const a = await new CompositeSource([
      { source: memory(answer({ functions: [fn({})] })), name: 'jaeger' },
      { source: broken, name: 'prometheus' },
    ]).signals(q());
    assert.equal(a.functions.length, 1);
    assert.deepEqual(
      a.sources!.find((s) => s.name === 'prometheus'),
      { name: 'prometheus', kind: 'prometheus', state: 'error', lastSuccess: null, stalenessMs: null, error: 'prometheus at http://127.0.0.1:9: connection refused' },
    );
    await assert.rejects(new CompositeSource([{ source: broken, name: 'prometheus' }]).signals(q()), /^Error: no telemetry source answered: prometheus at/);
  });

  it('marks the figures of a stale source stale, with their age', async () => {
    const stale = memory(answer({ functions: [fn({})] }));
    stale.status = () => ({ state: 'stale', lastSuccess: 1, stalenessMs: 95_000, error: 'no refresh for 95 s' });
    const f = (await new CompositeSource([{ source: stale, name: 'jaeger' }]).signals(q())).functions[0];
    assert.deepEqual(f.figures!.traffic, { source: 'jaeger', basis: 'spans', ageMs: 95_000, stale: true });
  });

  it("maps environment names both ways and lists every source's environments", async () => {
    const prod = memory(answer({ environment: 'prd', environments: ['prd'], functions: [fn({ environment: 'prd' })] }));
    const local = memory(answer({ environment: 'dev', environments: ['dev'], functions: [fn({ environment: 'dev', function: 'local' })] }));
    const c = new CompositeSource([
      { source: prod, name: 'jaeger', environments: new Map([['prd', 'production']]) },
      { source: local, name: 'embedded' },
    ]);
    const all = await c.signals(q());
    assert.deepEqual(all.environments, ['dev', 'production']);
    assert.deepEqual(all.functions.map((f) => f.environment).sort(), ['dev', 'production']);
    const asked = await c.signals(q('window=5m&environment=production'));
    assert.equal(asked.environment, 'production');
    assert.deepEqual(
      asked.functions.map((f) => [f.environment, f.function]),
      [['production', 'checkout']],
    );
  });

  it('refuses two sources with one name', () => {
    assert.throws(
      () =>
        new CompositeSource([
          { source: memory(answer({})), name: 'jaeger' },
          { source: memory(answer({})), name: 'jaeger' },
        ]),
      /two telemetry sources are named "jaeger"/,
    );
  });
});

describe('CompositeSource unmapped spans', () => {
  it('lists spans not tied to code once when a trace and a metrics source both saw them', async () => {
    const row = { service: 'worker', environment: 'production', name: 'reserveStock', reason: 'no workspace file is named "stock.ts"', count: 2 };
    const a = await new CompositeSource([
      { source: memory(answer({ unmapped: [row] })), name: 'jaeger' },
      { source: memory(answer({ unmapped: [{ ...row, count: 5 }] })), name: 'prometheus' },
    ]).signals(q());
    assert.deepEqual(
      a.unmapped.map((u) => u.count),
      [5],
    );
  });
});

describe('CompositeSource deadlines', () => {
  it('answers without a member slower than its deadline, and says so when that member has answered', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = memory(answer({ functions: [fn({ function: 'slow' })] }));
    const fast = memory(answer({ functions: [fn({ function: 'fast' })] }));
    const slowSignals = slow.signals.bind(slow);
    slow.signals = async (query) => {
      await gate;
      return slowSignals(query);
    };
    const c = new CompositeSource(
      [
        { source: fast, name: 'jaeger' },
        { source: slow, name: 'prometheus' },
      ],
      Date.now,
      50,
    );
    let told = 0;
    c.onChange(() => told++);
    const first = await c.signals(q());
    assert.deepEqual(
      first.functions.map((f) => f.function),
      ['fast'],
    );
    assert.deepEqual(
      first.sources!.map((s) => [s.name, s.state, s.error]),
      [
        ['jaeger', 'ok', undefined],
        ['prometheus', 'ok', 'prometheus: still answering; its figures follow'],
      ],
    );
    release();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(told, 1);
    const later = await c.signals(q());
    assert.deepEqual(later.functions.map((f) => f.function).sort(), ['fast', 'slow']);
  });

  it('waits for the members when none answers in time', async () => {
    const slow = memory(answer({ functions: [fn({})] }));
    const slowSignals = slow.signals.bind(slow);
    slow.signals = async (query) => {
      await new Promise((r) => setTimeout(r, 80));
      return slowSignals(query);
    };
    const a = await new CompositeSource([{ source: slow, name: 'jaeger' }], Date.now, 10).signals(q());
    assert.equal(a.functions.length, 1);
  });
});

describe('CompositeSource per-minute series', () => {
  it("keeps the per-minute series of the traffic figures only, never a sample's beside metrics", async () => {
    const minute = { t: 0, count: 1, errors: 0, avgMs: 5, maxMs: 5 };
    const sampled = memory(answer({ functions: [fn({ perMinute: [minute], figures: { traffic: { source: 'x', basis: 'sampled', traces: 1 }, errors: { source: 'x', basis: 'sampled', traces: 1 } } })] }));
    const metrics = memory(answer({ functions: [fn({ figures: { traffic: { source: 'x', basis: 'metrics' }, errors: { source: 'x', basis: 'metrics' } } })] }));
    const [f] = (
      await new CompositeSource([
        { source: sampled, name: 'jaeger' },
        { source: metrics, name: 'prometheus' },
      ]).signals(q())
    ).functions;
    assert.equal(f.perMinute, undefined);
    const alone = (await new CompositeSource([{ source: sampled, name: 'jaeger' }]).signals(q())).functions[0];
    assert.deepEqual(alone.perMinute, [minute]);
  });
});

describe('CompositeSource operations', () => {
  it("keeps an endpoint's counted rows over a sample's", async () => {
    const op = { service: 'shop', environment: 'production', name: 'GET /quote', kind: 2, count: 4, errors: 0, errorRate: 0, ratePerMin: 0.8, p50Ms: 10, p95Ms: 20, p99Ms: 30 };
    const sampled = memory(answer({ operations: [{ ...op, source: 'sampled' }] }));
    const metrics = memory(answer({ operations: [{ ...op, count: 800, ratePerMin: 160, source: 'metrics' }] }));
    for (const members of [
      [sampled, metrics],
      [metrics, sampled],
    ]) {
      const a = await new CompositeSource(members.map((source, i) => ({ source, name: `s${i}` }))).signals(q());
      assert.deepEqual(
        a.operations.map((o) => [o.count, o.source]),
        [[800, 'metrics']],
      );
    }
  });
});
