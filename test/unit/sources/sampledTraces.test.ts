// The sampled-trace store fed with recorded answers of a real Jaeger v2: filed through the same
// mapping and store as received OTLP, each trace once, every figure labelled sampled with the
// traces it rests on; Tempo's shape (batches, base64 ids) files the same.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { SampledTraceStore } from '../../../src/core/sources/sampledTraces';
import { TraceCounts } from '../../../src/core/sources/sampledTracesCounts';
import { hexOfId, otlpTracesOf } from '../../../src/core/sources/sampledTracesInput';
import { parseSignalsQuery, type SignalsQuery } from '../../../src/core/sources/telemetrySource';
import { ERROR_TRACE_ID, ordersWorkspace, recorded, recordingEndMs, spansOf } from './jaegerFixtures';

const FILE = 'src/orders.ts';
const LABEL = { source: 'jaeger' };
const q = (text = 'window=5m'): SignalsQuery => parseSignalsQuery(new URLSearchParams(text), '5m');

/** The `result` of the recorded search, as the Jaeger client hands it over. */
const searchResult = () => recorded('traces-search').result as Record<string, unknown>;

describe('SampledTraceStore with recorded Jaeger v1.75.0 answers', () => {
  let ws: Awaited<ReturnType<typeof ordersWorkspace>>;
  let mapper: CodeMapper;
  const clock = { now: () => recordingEndMs() };
  const store = () => new SampledTraceStore(mapper, Promise.resolve(), {}, clock);

  before(async () => {
    ws = await ordersWorkspace();
    mapper = ws.mapper;
  });
  after(() => ws?.remove());

  it('files a search answer through mapping and store, every figure labelled sampled with its trace count', async () => {
    const s = store();
    const report = await s.file(searchResult());
    assert.deepEqual(report, { traces: 8, newTraces: 8, spans: 14, rejected: 0, rejectReasons: [] });
    const answer = s.query(q(), LABEL);
    const fn = (name: string) => answer.functions.find((f) => f.function === name && f.file === FILE);
    assert.deepEqual([fn('getOrder')?.count, fn('loadOrder')?.count, fn('createOrder')?.count, fn('createOrder')?.errors], [6, 6, 2, 2]);
    assert.deepEqual(fn('getOrder')?.figures, { traffic: { source: 'jaeger', basis: 'sampled', traces: 6 }, errors: { source: 'jaeger', basis: 'sampled', traces: 6 } });
    assert.equal(fn('createOrder')?.figures?.traffic.traces, 2);
    assert.equal(fn('getOrder')?.service, 'checkout-api');
    assert.equal(fn('getOrder')?.environment, 'production');
    const error = answer.errors.find((e) => e.type === 'TypeError');
    assert.equal(error?.file, FILE);
    assert.equal(error?.function, 'createOrder');
    assert.deepEqual(error?.figures, { source: 'jaeger', basis: 'sampled', traces: 2 });
    assert.ok(fn('createOrder')?.exemplars.some((e) => e.traceId === ERROR_TRACE_ID && e.kind === 'error'));
  });

  it('passes the label through: age and stale marker', async () => {
    const s = store();
    await s.file(searchResult());
    const f = s.query(q(), { source: 'jaeger (prod)', ageMs: 42_000, stale: true }).functions[0];
    assert.deepEqual(f?.figures?.traffic, { source: 'jaeger (prod)', ageMs: 42_000, stale: true, basis: 'sampled', traces: f?.figures?.traffic.traces });
  });

  it('files a trace once when overlapping pulls return it again', async () => {
    const s = store();
    await s.file(searchResult());
    const again = await s.file(searchResult());
    assert.deepEqual([again.traces, again.newTraces, again.spans], [8, 0, 0]);
    const fn = s.query(q(), LABEL).functions.find((f) => f.function === 'getOrder');
    assert.deepEqual([fn?.count, fn?.figures?.traffic.traces], [6, 6]);
    assert.equal(s.newTraces, 8);
  });

  it('files only the late spans of a trace that grew since it was filed', async () => {
    const s = store();
    const partial = recorded('traces-search');
    const spans = (partial.result as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] }).resourceSpans[0].scopeSpans[0].spans;
    const late = spans.findIndex((sp) => sp.name === 'loadOrder');
    spans.splice(late, 1);
    await s.file(partial.result);
    assert.equal(s.query(q(), LABEL).functions.find((f) => f.function === 'loadOrder')?.count, 5);
    const grown = await s.file(searchResult());
    assert.deepEqual([grown.newTraces, grown.spans], [1, 1]);
    const fns = s.query(q(), LABEL).functions;
    assert.deepEqual([fns.find((f) => f.function === 'loadOrder')?.count, fns.find((f) => f.function === 'getOrder')?.count], [6, 6]);
  });

  it('learns (service, span name) -> code for metrics without code labels', async () => {
    const s = store();
    await s.file(searchResult());
    const get = s.spanNames.lookup('checkout-api', 'GET /orders/:id');
    assert.deepEqual([get?.function, get?.file], ['getOrder', FILE]);
    assert.equal(s.spanNames.lookup('checkout-api', 'loadOrder')?.function, 'loadOrder');
    assert.equal(s.spanNames.lookup('inventory-worker', 'GET /orders/:id'), undefined);
    assert.equal(s.spanNames.lookup('checkout-api', 'no such span'), undefined);
  });

  it('holds filed traces for the trace view, and views a trace by id without counting it', async () => {
    const s = store();
    await s.file(searchResult());
    const held = s.trace(ERROR_TRACE_ID);
    assert.equal(held?.spans[0]?.name, 'POST /orders');
    assert.equal(s.trace('0123456789abcdef0123456789abcdef'), null);

    const fresh = store();
    const viewed = await fresh.view(ERROR_TRACE_ID, recorded('trace-by-id').result);
    assert.equal(viewed?.traceId, ERROR_TRACE_ID);
    assert.deepEqual(
      viewed?.spans.map((sp) => [sp.name, sp.mapping?.function, sp.mapping?.file]),
      [['POST /orders', 'createOrder', FILE]],
    );
    assert.deepEqual(fresh.query(q(), LABEL).functions, []);
    assert.equal(fresh.trace(ERROR_TRACE_ID)?.spans.length, 1);
  });

  it("files Tempo's shape (batches, base64 ids) as the same traces", async () => {
    const tempoLike = searchResult() as { resourceSpans?: unknown[]; batches?: unknown[] };
    for (const span of spansOf({ result: tempoLike })) {
      for (const key of ['traceId', 'spanId', 'parentSpanId'] as const) if (typeof span[key] === 'string' && span[key] !== '') span[key] = Buffer.from(span[key] as string, 'hex').toString('base64');
    }
    tempoLike.batches = tempoLike.resourceSpans;
    delete tempoLike.resourceSpans;
    const s = store();
    const report = await s.file(tempoLike);
    assert.deepEqual([report.traces, report.spans, report.rejected], [8, 14, 0]);
    assert.equal(s.trace(ERROR_TRACE_ID)?.spans.length, 1);
    // The same traces in Jaeger's hex form are not filed again.
    assert.equal((await s.file(searchResult())).spans, 0);
  });

  it('rejects what is not a traces answer with one line, and counts malformed spans without losing the rest', async () => {
    const s = store();
    await assert.rejects(s.file('not an object'), /^Error: traces: expected an object/);
    await assert.rejects(s.file({ resourceSpans: 5 }), /^Error: traces: resourceSpans is not an array/);
    const bad = recorded('traces-search');
    spansOf(bad)[0].traceId = 'not-a-trace-id';
    const report = await s.file(bad.result);
    assert.deepEqual([report.rejected, report.spans], [1, 13]);
    assert.match(report.rejectReasons[0] ?? '', /trace id/);
    assert.deepEqual(await s.file({}), { traces: 0, newTraces: 0, spans: 0, rejected: 0, rejectReasons: [] });
  });
});

describe('sampled trace inputs', () => {
  it('turns base64 ids to hex and leaves hex and malformed ids to the decoder', () => {
    assert.equal(hexOfId(Buffer.from('42df002d452a33e2cb2dcf99e447b8d4', 'hex').toString('base64'), 16), '42df002d452a33e2cb2dcf99e447b8d4');
    assert.equal(hexOfId('Qt8ALUUqM+I=', 8), '42df002d452a33e2');
    assert.equal(hexOfId('42DF002D452A33E2', 8), '42DF002D452A33E2');
    assert.equal(hexOfId('abc', 8), 'abc');
    assert.equal(hexOfId('', 8), '');
    assert.equal(hexOfId(7, 8), 7);
  });

  it("accepts an empty answer and Tempo's older scope name", () => {
    assert.deepEqual(otlpTracesOf({}), { resourceSpans: [] });
    const body = { batches: [{ instrumentationLibrarySpans: [{ spans: [] }] }] };
    assert.deepEqual((otlpTracesOf(body).resourceSpans as { scopeSpans: unknown }[])[0].scopeSpans, [{ spans: [] }]);
  });

  it('counts distinct traces per key within a window, bounded per key and in keys', () => {
    const counts = new TraceCounts({ maxTracesPerKey: 3, maxKeys: 2 });
    for (const [trace, t] of [
      ['a', 10],
      ['b', 20],
      ['a', 30],
      ['c', 40],
      ['d', 50],
    ] as const)
      counts.add('k', trace, t);
    assert.equal(counts.count('k', 0), 3, 'at most three remembered');
    assert.equal(counts.count('k', 35), 2, 'c and d are recent');
    counts.add('k2', 'x', 1);
    counts.add('k3', 'y', 1);
    assert.equal(counts.count('k', 0), 0, 'the least recently updated key went first');
    assert.equal(counts.count('k3', 0), 1);
  });
});
