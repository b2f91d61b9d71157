// The Tempo client: TraceQL built with every string quoted, answers validated (Tempo's proto3 JSON:
// 64-bit integers as strings, zero values left out, trimmed trace ids), and its requests accepted by
// the strict fixture, which holds spans from the real OpenTelemetry JS SDK.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RemoteTransport } from '../../../src/core/sources/remote/transport';
import { fullTraceId, parseQueryRangeAnswer, parseSearchAnswer } from '../../../src/core/sources/tempo/tempoAnswers';
import { TempoClient } from '../../../src/core/sources/tempo/tempoClient';
import { MetricHistory } from '../../../src/core/sources/tempo/tempoFigures';
import { quantileQuery, rateQuery, serviceFilter, traceqlString } from '../../../src/core/sources/tempo/tempoQueries';
import { TempoFixture } from '../../support/tempoFixture';
import { parseTraceql } from '../../support/tempoFixtureTraceql';
import { tempoTraffic, type TempoTraffic } from '../../support/tempoFixtureTraffic';

describe('TraceQL building', () => {
  it('quotes strings so a hostile service name stays one literal', () => {
    assert.equal(traceqlString('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
    const q = serviceFilter('x" } | rate() by (span.secret) { "');
    const parsed = parseTraceql(q);
    assert.equal(parsed.metrics, undefined);
    assert.deepEqual(parsed.conditions, [{ attr: 'resource.service.name', op: '=', value: 'x" } | rate() by (span.secret) { "' }]);
  });

  it('builds the metrics queries the fixture (and Tempo) parse', () => {
    assert.equal(serviceFilter(), '{ }');
    const rate = parseTraceql(rateQuery());
    assert.deepEqual(rate.metrics, { fn: 'rate', quantiles: [], by: ['resource.service.name', 'resource.deployment.environment.name', 'span.code.function.name', 'span.code.file.path', 'status'] });
    const q = parseTraceql(quantileQuery());
    assert.equal(q.metrics?.fn, 'quantile_over_time');
    assert.deepEqual(q.metrics?.quantiles, [0.5, 0.95, 0.99]);
    assert.match(quantileQuery(), /quantile_over_time\(duration, \.5, \.95, \.99\)/);
  });
});

describe('Tempo answers', () => {
  it('puts back the leading zeros Tempo leaves out of search trace ids', () => {
    assert.equal(fullTraceId('d6e9329d67b6146a'), '0000000000000000d6e9329d67b6146a');
    assert.throws(() => fullTraceId('xyz'), /not hex/);
    assert.throws(() => fullTraceId('a'.repeat(33)), /not hex/);
  });

  it('reads a search answer with string nanoseconds, absent zero fields and the deprecated spanSet', () => {
    const hits = parseSearchAnswer({
      traces: [
        { traceID: '2f3e0cee77ae5dc9c17ade3689eb2e54', rootServiceName: 'shop', rootTraceName: 'update', startTimeUnixNano: '1684778327699392724', durationMs: 557, spanSets: [{ spans: [], matched: 2 }, { matched: 1 }] },
        { traceID: '1b1ba462b409200d', startTimeUnixNano: '1634727775935000000', spanSet: { matched: 4 } },
      ],
      metrics: { inspectedBytes: '3811736' },
    });
    assert.deepEqual(hits[0], { traceId: '2f3e0cee77ae5dc9c17ade3689eb2e54', rootServiceName: 'shop', rootTraceName: 'update', startMs: 1684778327699.3928, durationMs: 557, matched: 3 });
    assert.deepEqual([hits[1].traceId, hits[1].durationMs, hits[1].rootServiceName, hits[1].matched], ['00000000000000001b1ba462b409200d', 0, '', 4]);
    assert.deepEqual(parseSearchAnswer({}), []);
  });

  it("rejects a search answer that is not Tempo's with one line", () => {
    assert.throws(() => parseSearchAnswer([]), /^Error: search answer is not an object$/);
    assert.throws(() => parseSearchAnswer({ traces: {} }), /traces is not a list/);
    assert.throws(() => parseSearchAnswer({ traces: [{ traceID: 'zz' }] }), /not hex/);
    assert.throws(() => parseSearchAnswer({ traces: [{ traceID: 'ab', durationMs: 'long' }] }), /durationMs is not an integer/);
  });

  it('reads metrics series: typed labels, an empty label for a missing attribute, absent zero values, NaN dropped', () => {
    const series = parseQueryRangeAnswer({
      series: [
        {
          labels: [
            { key: 'span.code.function.name', value: { stringValue: 'createOrder' } },
            { key: 'p', value: { doubleValue: 0.95 } },
            { key: 'span.missing', value: {} },
            { key: 'n', value: { intValue: '7' } },
          ],
          samples: [{ timestampMs: '1700000060000', value: 0.25 }, { timestampMs: '1700000120000' }, { timestampMs: 1700000180000, value: 'NaN' }],
          promLabels: '{p="0.95"}',
        },
      ],
    });
    assert.deepEqual(
      [...series[0].labels],
      [
        ['span.code.function.name', 'createOrder'],
        ['p', 0.95],
        ['span.missing', null],
        ['n', 7],
      ],
    );
    assert.deepEqual(series[0].samples, [
      { t: 1700000060000, value: 0.25 },
      { t: 1700000120000, value: 0 },
    ]);
    assert.throws(() => parseQueryRangeAnswer({ series: [{ samples: [{ timestampMs: 'soon' }] }] }), /timestampMs is not an integer/);
    assert.throws(() => parseQueryRangeAnswer({ series: [{ labels: [{ value: {} }] }] }), /label without a key/);
  });

  it("adds up minutes into window figures, weighting percentiles by each minute's spans", () => {
    const labels = (extra: [string, string | number][]) =>
      new Map<string, string | number | null>([
        ['resource.service.name', 'orders'],
        ['resource.deployment.environment.name', 'production'],
        ['span.code.function.name', 'f'],
        ['span.code.file.path', '/app/f.js'],
        ...extra,
      ]);
    const h = new MetricHistory(3_600_000);
    // 30 spans in minute 1 (6 failed), 10 in minute 2; rates are per second at 60 s steps.
    h.addRates(
      [
        {
          labels: labels([['status', 'unset']]),
          samples: [
            { t: 60_000, value: 24 / 60 },
            { t: 120_000, value: 10 / 60 },
          ],
        },
        { labels: labels([['status', 'error']]), samples: [{ t: 60_000, value: 6 / 60 }] },
      ],
      60,
    );
    h.addQuantiles([
      {
        labels: labels([['p', 0.5]]),
        samples: [
          { t: 60_000, value: 0.01 },
          { t: 120_000, value: 0.05 },
          { t: 180_000, value: 0 },
        ],
      },
      {
        labels: labels([['p', 0.99]]),
        samples: [
          { t: 60_000, value: 0.1 },
          { t: 120_000, value: 0.2 },
        ],
      },
    ]);
    const key = h.functions()[0];
    const t = h.totals(key, 0)!;
    assert.deepEqual([t.count, t.errors], [40, 6]);
    assert.equal(t.p50Ms, 20); // (30*10 + 10*50) / 40 ms; the empty third minute weighs nothing
    assert.equal(t.p99Ms, 125);
    assert.equal(h.totals(key, 60_000)!.count, 10);
    // A later answer covering minute 2 again replaces its count instead of adding to it.
    h.addRates([{ labels: labels([['status', 'unset']]), samples: [{ t: 120_000, value: 12 / 60 }] }], 60);
    assert.equal(h.totals(key, 0)!.count, 42);
    h.trim(3_600_000 + 90_000);
    assert.equal(h.totals(key, 0)!.count, 12);
  });
});

describe('TempoClient against the fixture', () => {
  let traffic: TempoTraffic;
  let client: TempoClient;
  before(async () => {
    traffic = await tempoTraffic();
    client = new TempoClient(new RemoteTransport({ name: 'tempo', baseUrl: traffic.fixture.url, retries: 0 }));
  });
  after(() => traffic.teardown());

  it("searches a service's recent traces with start/end in seconds", async () => {
    const now = Date.now() / 1000;
    const hits = await client.search({ q: serviceFilter('orders'), startS: now - 900, endS: now, limit: 3, spss: 1 });
    assert.ok(hits.ok, !hits.ok ? hits.error : '');
    assert.equal(hits.value.length, 3);
    for (const h of hits.value) assert.ok(traffic.traceIds.includes(h.traceId), h.traceId);
    const hostile = await client.search({ q: serviceFilter('orders" || resource.service.name != "'), startS: now - 900, endS: now, limit: 3 });
    assert.ok(hostile.ok && hostile.value.length === 0);
  });

  it('gets a trace by id as OTLP JSON with hex ids, and null for one Tempo does not hold', async () => {
    const id = traffic.traceIds[1];
    const trace = await client.trace(id);
    assert.ok(trace.ok && trace.value !== null);
    const rs = trace.value.resourceSpans as { scopeSpans: { spans: { traceId: string }[] }[] }[];
    assert.equal(rs[0].scopeSpans[0].spans[0].traceId, id);
    const missing = await client.trace('0123456789abcdef0123456789abcdef');
    assert.ok(missing.ok && missing.value === null);
    const bad = await client.trace('not-hex');
    assert.ok(!bad.ok && bad.kind === 'invalid');
  });

  it('falls back to /api/traces on a Tempo without the v2 route', async () => {
    const old = new TempoFixture(Date.now, { v2: false });
    await old.start();
    try {
      for (const t of traffic.fixture.traces.values()) old.traces.set(t.traceId, t);
      const c = new TempoClient(new RemoteTransport({ name: 'tempo', baseUrl: old.url, retries: 0 }));
      const found = await c.trace(traffic.traceIds[0]);
      assert.ok(found.ok && found.value !== null);
      const missing = await c.trace('0123456789abcdef0123456789abcdef');
      assert.ok(missing.ok && missing.value === null);
      assert.deepEqual(
        old.requests.map((r) => r.path.split('/').slice(0, 3).join('/')),
        ['/api/v2', '/api/traces', '/api/traces'],
      );
    } finally {
      await old.stop();
    }
  });

  it('asks metrics ranges the fixture accepts, and answers the echo probe', async () => {
    const now = Date.now() / 1000;
    const rates = await client.queryRange(rateQuery(), now - 600, now, 60);
    assert.ok(rates.ok, !rates.ok ? rates.error : '');
    assert.ok(rates.value.some((s) => s.labels.get('span.code.function.name') === 'createOrder' && s.labels.get('status') === 'error'));
    const bad = await client.queryRange('{ } | rate(', now - 600, now, 60);
    assert.ok(!bad.ok && bad.status === 400 && /invalid TraceQL query/.test(bad.error), JSON.stringify(bad));
    assert.deepEqual(await client.echo().then((e) => e.ok), true);
  });
});
