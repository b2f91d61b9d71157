// The Tempo fixture holds the client to Tempo's rules: what Tempo's query API rejects (per its HTTP
// API docs and request parsing), the fixture rejects with 400 and a plain-text reason, and what it
// answers has Tempo's JSON shape (base64 ids on trace by id, trimmed hex ids in search, 64-bit
// integers as strings). Spans come from the real OpenTelemetry JS SDK.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempoTraffic, type TempoTraffic } from '../../support/tempoFixtureTraffic';

describe('Tempo fixture', () => {
  let traffic: TempoTraffic;
  const now = Math.floor(Date.now() / 1000);
  before(async () => {
    traffic = await tempoTraffic();
  });
  after(() => traffic.teardown());

  const get = async (path: string, params: Record<string, string> = {}, headers: Record<string, string> = {}) => {
    const url = new URL(traffic.fixture.url + path);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetch(url, { headers });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  it('answers the readiness probe and the echo endpoint', async () => {
    assert.deepEqual(await get('/ready').then((r) => [r.status, r.text]), [200, 'ready']);
    assert.deepEqual(await get('/api/echo').then((r) => [r.status, r.text]), [200, 'echo']);
  });

  const rejected: [string, string, Record<string, string>, RegExp][] = [
    ['malformed TraceQL', '/api/search', { q: '{ resource.service.name = }' }, /^invalid TraceQL query: parse error at line 1, col \d+/],
    ['an unclosed spanset', '/api/search', { q: '{ span.x = "a"' }, /^invalid TraceQL query: /],
    ['a non-numeric start', '/api/search', { q: '{ }', start: 'yesterday', end: String(now) }, /^invalid start: /],
    ['a non-numeric end', '/api/search', { q: '{ }', start: String(now - 60), end: '1.5' }, /^invalid end: /],
    ['an end before the start', '/api/search', { q: '{ }', start: String(now), end: String(now - 60) }, /^http parameter start must be before end\. received start=\d+ end=\d+$/],
    ['an end equal to the start', '/api/search', { q: '{ }', start: String(now), end: String(now) }, /^http parameter start must be before end/],
    ['a search over a week', '/api/search', { q: '{ }', start: String(now - 8 * 86400), end: String(now) }, /^range specified by start and end exceeds 168h/],
    ['a zero limit', '/api/search', { q: '{ }', limit: '0' }, /^invalid limit: must be a positive number$/],
    ['a negative limit', '/api/search', { q: '{ }', limit: '-5' }, /^invalid limit: /],
    ['a fractional limit', '/api/search', { q: '{ }', limit: '2.5' }, /^invalid limit: /],
    ['spss that is not a number', '/api/search', { q: '{ }', spss: 'all' }, /^invalid spss: /],
    ['tags together with q', '/api/search', { q: '{ }', tags: 'service.name=orders' }, /^invalid request: can't specify tags and q in the same query$/],
    ['a metrics query without a metrics function', '/api/metrics/query_range', { q: '{ }', start: String(now - 600), end: String(now), step: '60s' }, /^invalid TraceQL query: /],
    ['a metrics range with the end before the start', '/api/metrics/query_range', { q: '{ } | rate()', start: String(now - 60), end: String(now - 600), step: '60s' }, /^end must be greater than start$/],
    ['a metrics range over a day', '/api/metrics/query_range', { q: '{ } | rate()', start: String(now - 2 * 86400), end: String(now - 60), step: '3600s' }, /maximum allowed duration of 24h0m0s/],
    ['too many steps', '/api/metrics/query_range', { q: '{ } | rate()', start: String(now - 86000), end: String(now - 60), step: '1s' }, /^step of 1s is too small, minimum step for given range is /],
    ['an unparsable start', '/api/metrics/query_range', { q: '{ } | rate()', start: 'soon', end: String(now), step: '60s' }, /^could not parse 'start' parameter: /],
    ['an unparsable step', '/api/metrics/query_range', { q: '{ } | rate()', start: String(now - 600), end: String(now), step: 'often' }, /cannot parse "often" to a valid duration/],
  ];
  for (const [what, path, params, reason] of rejected) {
    it(`rejects ${what} with 400 and a plain-text reason`, async () => {
      const r = await get(path, params);
      assert.equal(r.status, 400, r.text);
      assert.match(r.type, /^text\/plain/);
      assert.match(r.text, reason);
    });
  }

  it('rejects a trace id that is not hex, or longer than 128 bits, and 404s an unknown one on v1', async () => {
    for (const prefix of ['/api/traces/', '/api/v2/traces/']) {
      const bad = await get(`${prefix}not-a-trace-id`);
      assert.equal(bad.status, 400);
      assert.match(bad.text, /^trace IDs can only contain hex characters: invalid character 'n' at position 1$/);
      const long = await get(`${prefix}${'a'.repeat(33)}`);
      assert.equal(long.status, 400);
      assert.match(long.text, /can't be larger than 128 bits/);
    }
    assert.equal((await get('/api/traces/0123456789abcdef0123456789abcdef')).status, 404);
    const v2 = await get('/api/v2/traces/0123456789abcdef0123456789abcdef');
    assert.equal(v2.status, 200);
    assert.deepEqual(JSON.parse(v2.text).trace, {});
  });

  it('answers a trace by id as Tempo writes it: base64 ids, enum names, `batches` on v1 and `trace.resourceSpans` on v2', async () => {
    const id = traffic.traceIds[0];
    const v1 = JSON.parse((await get(`/api/traces/${id}`, {}, { Accept: 'application/json' })).text);
    const v2 = JSON.parse((await get(`/api/v2/traces/${id}`)).text);
    for (const resourceSpans of [v1.batches, v2.trace.resourceSpans]) {
      const span = resourceSpans[0].scopeSpans[0].spans[0];
      assert.equal(Buffer.from(span.traceId, 'base64').toString('hex'), id);
      assert.equal(span.kind, 'SPAN_KIND_SERVER');
      assert.match(span.startTimeUnixNano, /^\d{19}$/);
    }
    // A leading-zero id is found whether or not its zeros are given.
    assert.equal((await get(`/api/traces/${id.replace(/^0+/, '')}`)).status, 200);
  });

  it('answers a TraceQL search in SearchResponse shape, filtered and limited', async () => {
    const r = await get('/api/search', { q: '{ resource.service.name = "orders" && span.code.function.name = "createOrder" }', start: String(now - 900), end: String(now + 60), limit: '2', spss: '1' });
    assert.equal(r.status, 200, r.text);
    const body = JSON.parse(r.text);
    assert.equal(body.traces.length, 2);
    for (const t of body.traces) {
      assert.match(t.traceID, /^[1-9a-f][0-9a-f]{0,31}$/);
      assert.equal(t.rootServiceName, 'orders');
      assert.equal(t.rootTraceName, 'orders.createOrder');
      assert.match(t.startTimeUnixNano, /^\d{19}$/);
      assert.equal(t.spanSets[0].matched, 1);
      assert.equal(t.spanSets[0].spans.length, 1);
    }
    const none = JSON.parse((await get('/api/search', { q: '{ resource.service.name = "billing" }' })).text);
    assert.deepEqual(none.traces, []);
  });

  it('answers TraceQL metrics as QueryRangeResponse: labelled series, string timestamps, per-second rates', async () => {
    const r = await get('/api/metrics/query_range', { q: '{ } | rate() by (span.code.function.name)', start: String(now - 600), end: String(now), step: '60s' });
    assert.equal(r.status, 200, r.text);
    const body = JSON.parse(r.text);
    const create = body.series.find((s: { labels: { value: { stringValue?: string } }[] }) => s.labels[0].value.stringValue === 'createOrder');
    assert.ok(create, r.text);
    const total = create.samples.reduce((sum: number, p: { value?: number }) => sum + (p.value ?? 0) * 60, 0);
    assert.equal(Math.round(total), 3);
    for (const p of create.samples) assert.match(p.timestampMs, /^\d{13}$/);
  });
});
