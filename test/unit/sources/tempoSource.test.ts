// TempoSource against the strict Tempo fixture holding spans the real OpenTelemetry JS SDK exported:
// the shared conformance suite, figures from TraceQL metrics labelled as such, and a Tempo that goes
// down and comes back (figures kept and marked stale, then fresh again).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RemoteTransport } from '../../../src/core/sources/remote/transport';
import { parseSignalsQuery } from '../../../src/core/sources/telemetrySource';
import { TempoSource } from '../../../src/core/sources/tempo/tempoSource';
import { CALLS, ORDERS_FILE, tempoTraffic, type TempoTraffic } from '../../support/tempoFixtureTraffic';
import { telemetrySourceConformance } from './conformance';

const query = (text = 'window=5m') => parseSignalsQuery(new URLSearchParams(text), '5m');

function tempoSource(traffic: TempoTraffic): TempoSource {
  // No retries, so a stopped fixture fails at once; metrics every round, so every round asks Tempo something.
  const remote = new RemoteTransport({ name: 'tempo', baseUrl: traffic.fixture.url, retries: 0, timeoutMs: 5_000 });
  return new TempoSource({ url: traffic.fixture.url, autoStart: false, maxTracesPerPull: 20, metricsEveryMs: 0 }, { mapper: traffic.mapper, ready: Promise.resolve(), remote });
}

telemetrySourceConformance('tempo (fixture holding real SDK spans)', async () => {
  const traffic = await tempoTraffic();
  const source = tempoSource(traffic);
  const report = await source.pull();
  assert.deepEqual(report.errors, []);
  return {
    source,
    file: ORDERS_FILE,
    traceId: traffic.traceIds[0],
    teardown: async () => {
      await source.dispose();
      await traffic.teardown();
    },
  };
});

describe('TempoSource', () => {
  let traffic: TempoTraffic;
  let source: TempoSource;
  before(async () => {
    traffic = await tempoTraffic();
    source = tempoSource(traffic);
  });
  after(async () => {
    await source.dispose();
    await traffic.teardown();
  });

  it('one round asks two metrics queries, one search, and each trace by id once', async () => {
    const report = await source.pull();
    assert.deepEqual(report.errors, []);
    assert.equal(report.metricQueries, 2);
    assert.equal(report.searches, 1);
    assert.equal(report.tracesFetched, CALLS.length);
    const paths = traffic.fixture.requests.map((r) => r.path);
    assert.equal(paths.filter((p) => p === '/api/metrics/query_range').length, 2);
    assert.equal(paths.filter((p) => p === '/api/search').length, 1);
    assert.equal(paths.filter((p) => p.startsWith('/api/v2/traces/')).length, CALLS.length);
    const search = traffic.fixture.requests.find((r) => r.path === '/api/search')!;
    assert.equal(search.params.get('q'), '{ resource.service.name = "orders" }');
    // A second round: the traces are held, so none is fetched again.
    const again = await source.pull();
    assert.equal(again.tracesFetched, 0);
  });

  it('rate, errors and percentiles come from TraceQL metrics, every call counted', async () => {
    const answer = await source.signals(query('window=5m&perMinute=1'));
    const create = answer.functions.find((f) => f.function === 'createOrder' && f.file === ORDERS_FILE);
    assert.ok(create, JSON.stringify(answer.functions));
    const calls = CALLS.filter(([fn]) => fn === 'createOrder');
    assert.equal(create.count, calls.length);
    assert.equal(create.errors, calls.filter(([, , failed]) => failed).length);
    assert.equal(create.figures?.traffic.basis, 'metrics');
    assert.equal(create.figures?.traffic.source, 'tempo');
    // The fixture's quantiles are nearest-rank over 40, 60 and 80 ms, in one minute.
    assert.equal(create.p50Ms, 60);
    assert.equal(create.p99Ms, 80);
    // Exemplars and error groups still come from the traces pulled whole.
    assert.equal(create.figures?.errors.basis, 'sampled');
    assert.ok(create.exemplars.length > 0);
    assert.ok(answer.errors.some((e) => e.type === 'TypeError' && e.file === ORDERS_FILE));
    assert.ok(create.perMinute?.some((p) => p.count === calls.length));
  });

  it('figures turn stale, not wrong, when Tempo stops, and fresh again when it is back', async () => {
    await source.pull();
    const before = (await source.signals(query())).functions.find((f) => f.function === 'createOrder')!;
    assert.equal(before.figures?.traffic.stale, undefined);
    await traffic.fixture.stop();
    const down = await source.pull();
    assert.match(down.errors[0] ?? '', /^tempo at http:\/\/127\.0\.0\.1:\d+: (connection refused|ECONNRESET)/);
    assert.equal(source.status().state, 'stale');
    const stale = (await source.signals(query())).functions.find((f) => f.function === 'createOrder')!;
    assert.equal(stale.figures?.traffic.stale, true);
    assert.equal(stale.count, before.count);
    assert.equal(stale.p95Ms, before.p95Ms);
    await traffic.fixture.start();
    const back = await source.pull();
    assert.deepEqual(back.errors, []);
    assert.equal(source.status().state, 'ok');
    const fresh = (await source.signals(query())).functions.find((f) => f.function === 'createOrder')!;
    assert.equal(fresh.figures?.traffic.stale, undefined);
    assert.equal(fresh.count, before.count);
  });
});

describe('TempoSource request budget', () => {
  it('with its defaults asks Tempo at most six queries a minute, besides fetching new traces once', async () => {
    const traffic = await tempoTraffic();
    let now = Date.now();
    const remote = new RemoteTransport({ name: 'tempo', baseUrl: traffic.fixture.url, retries: 0 });
    const source = new TempoSource({ url: traffic.fixture.url, autoStart: false, refreshMs: 15_000 }, { mapper: traffic.mapper, ready: Promise.resolve(), remote, clock: { now: () => now } });
    try {
      for (let round = 0; round < 4; round++, now += 15_000) assert.deepEqual((await source.pull()).errors, []);
      const queries = traffic.fixture.requests.filter((r) => r.method === 'GET' && !r.path.includes('/traces/'));
      assert.ok(queries.length <= 6, JSON.stringify(queries.map((r) => r.path)));
      assert.equal(queries.filter((r) => r.path === '/api/metrics/query_range').length, 4);
      const fetched = traffic.fixture.requests.filter((r) => r.path.includes('/traces/')).map((r) => r.path);
      assert.equal(new Set(fetched).size, fetched.length);
    } finally {
      await source.dispose();
      await traffic.teardown();
    }
  });
});
