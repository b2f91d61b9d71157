import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { SpanKind, type AttributeValue } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { decodeTraceRequestJson } from '../../../src/core/ingest/otlpJson';
import { decodeTraceRequestProto } from '../../../src/core/ingest/otlpProtobuf';
import { MAX_HEADER_VALUE_CHARS, MAX_REQUEST_BODY_CHARS, MAX_REQUEST_HEADERS, MAX_REQUEST_PATH_CHARS, TRUNCATION_MARK } from '../../../src/core/ingest/limits';
import type { DecodedBatch, SpanRecord } from '../../../src/core/ingest/records';
import { createInterner, packBatch, SpanCursor, StringTableReader, StringTableWriter } from '../../../src/core/ingest/spanColumns';
import { TraceBuffer } from '../../../src/core/signals/traceBuffer';
import { repoRoot } from '../../support/harness';
import { loadRecording } from '../../support/otlpRecorder';
import { encodeSpans } from './sdkPayloads';

const RECORDED = join(repoRoot, 'test', 'fixtures', 'otlp-recorded');

/** Every span of a recording's trace exports, decoded by the decoder its content type names. */
function decodeRecording(file: string, only?: 'json' | 'proto'): SpanRecord[] {
  const spans: SpanRecord[] = [];
  for (const r of loadRecording(join(RECORDED, file))) {
    if (r.path !== '/v1/traces') continue;
    const json = r.contentType.includes('json');
    if (only !== undefined && only !== (json ? 'json' : 'proto')) continue;
    const body = Buffer.from(r.bodyBase64, 'base64');
    spans.push(...(json ? decodeTraceRequestJson(body.toString('utf8')) : decodeTraceRequestProto(body)).spans);
  }
  return spans;
}

const byId = (spans: SpanRecord[]) => new Map(spans.map((s) => [s.spanId, s.request]));

test('the JSON and protobuf exports of the same real spans decode to the same requests, headers included', () => {
  const proto = decodeRecording('node-headers/export.jsonl', 'proto');
  const json = decodeRecording('node-headers/export.jsonl', 'json');
  assert.equal(proto.length, 5);
  assert.deepEqual(byId(json), byId(proto));
  const requests = proto.map((s) => s.request);
  assert.deepEqual(requests, [
    {
      scheme: 'http',
      path: '/orders/42',
      query: 'expand=items&page=2',
      status: 200,
      headers: [
        ['x-tenant', 'acme'],
        ['accept', 'application/json'],
      ],
    },
    {
      scheme: 'http',
      path: '/orders',
      query: 'status=open',
      status: 200,
      headers: [
        ['x-tenant', 'acme, globex'],
        ['accept', 'text/html'],
      ],
    },
    { scheme: 'http', path: '/orders', query: '', status: 201, headers: [['x-tenant', 'acme']] },
    { scheme: 'http', path: '/missing/7', query: '', status: 404, headers: [['accept', '*/*']] },
    { scheme: 'http', path: '/health', query: '', status: 200, headers: [] },
  ]);
});

test('server spans of the real JS, Python, Java and Go recordings carry path and status; other spans carry no request', () => {
  for (const [file, oldSemconv] of [
    ['node/export.jsonl', false],
    ['python/export.jsonl', true],
    ['java/export-controller-spans.jsonl', false],
    ['go/export.jsonl', false],
  ] as const) {
    const spans = decodeRecording(file);
    const servers = spans.filter((s) => s.kind === 2);
    assert.ok(servers.length >= 4, `${file}: server spans`);
    for (const s of servers) {
      assert.ok(s.request !== undefined && s.request.path.startsWith('/'), `${file} ${s.name}: path`);
      assert.ok(s.request.status >= 200 && s.request.status < 600, `${file} ${s.name}: status ${s.request.status}`);
      assert.equal(s.request.scheme, 'http', `${file} ${s.name}: scheme`);
    }
    // Python's instrumentation sends the older http.target and http.status_code.
    const price = servers.find((s) => s.request?.path === '/price/apple');
    assert.ok(price, `${file}: the /price/apple request (${oldSemconv ? 'http.target' : 'url.path'})`);
    assert.equal(price.request?.query, '');
    for (const s of spans) if (s.kind !== 2) assert.equal(s.request, undefined, `${file} ${s.name} (kind ${s.kind})`);
  }
});

/** One server span from the real SDK with the given attributes, in both encodings, decoded both ways. */
function decodeBoth(attributes: Record<string, AttributeValue>, kind = SpanKind.SERVER): { json: DecodedBatch; proto: DecodedBatch } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'hostile' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    spanLimits: { attributeCountLimit: 100_000 },
  });
  provider.getTracer('server-request-tests').startSpan('GET /x', { kind, attributes }).end();
  const payload = encodeSpans(exporter.getFinishedSpans());
  return { json: decodeTraceRequestJson(payload.json), proto: decodeTraceRequestProto(payload.proto) };
}

test('a hostile header list is cut at the cap, the same by both decoders', () => {
  const attributes: Record<string, AttributeValue> = {
    'url.path': '/x',
    'http.request.header.x-many': Array.from({ length: 100_000 }, (_, i) => `v${i}`),
  };
  for (let i = 0; i < 5_000; i++) attributes[`http.request.header.h${i}`] = ['x'];
  const { json, proto } = decodeBoth(attributes);
  assert.deepEqual(json.spans[0].request, proto.spans[0].request);
  const headers = proto.spans[0].request?.headers ?? [];
  assert.equal(headers.length, MAX_REQUEST_HEADERS);
  assert.deepEqual(headers[0], ['x-many', 'v0']);
});

test('invalid or oversized headers are dropped, never cut; single-string values and underscore names are read', () => {
  const { json, proto } = decodeBoth({
    'url.path': '/x',
    'http.request.header.x-long': ['a'.repeat(MAX_HEADER_VALUE_CHARS + 1), 'short'],
    'http.request.header.x-crlf': ['evil\r\nInjected: 1'],
    'http.request.header.bad name': ['v'],
    [`http.request.header.${'n'.repeat(300)}`]: ['v'],
    // Hypertrace's agents send one string; Python's instrumentation writes '-' as '_'.
    'http.request.header.x-single': 'one',
    'http.request.header.x_forwarded_for': ['10.0.0.1'],
    'http.request.header.x-number': [7 as unknown as string],
  });
  assert.deepEqual(json.spans[0].request, proto.spans[0].request);
  assert.deepEqual(proto.spans[0].request?.headers, [
    ['x-long', 'short'],
    ['x-single', 'one'],
    ['x-forwarded-for', '10.0.0.1'],
  ]);
});

test('paths past the cap are cut with the mark; http.target fills what url.path did not; statuses are validated', () => {
  const long = decodeBoth({ 'url.path': `/${'p'.repeat(MAX_REQUEST_PATH_CHARS * 2)}`, 'http.response.status_code': 'abc' });
  assert.deepEqual(long.json.spans[0].request, long.proto.spans[0].request);
  const path = long.proto.spans[0].request?.path ?? '';
  assert.equal(path.length, MAX_REQUEST_PATH_CHARS);
  assert.ok(path.endsWith(TRUNCATION_MARK));
  assert.equal(long.proto.spans[0].request?.status, 0);

  const both = decodeBoth({ 'http.target': '/old?q=1', 'url.path': '/new', 'http.status_code': 503, 'http.response.status_code': 502 });
  assert.deepEqual(both.json.spans[0].request, both.proto.spans[0].request);
  assert.deepEqual(both.proto.spans[0].request, { path: '/new', query: 'q=1', status: 502, headers: [] });
});

test('a captured body is kept whole or not at all; the semantic-convention name wins', () => {
  const body = '{"item":"apple"}';
  const kept = decodeBoth({ 'url.path': '/orders', 'http.request.body': 'older', 'http.request.body.content': body });
  assert.equal(kept.json.spans[0].request?.body, body);
  assert.equal(kept.proto.spans[0].request?.body, body);
  const huge = decodeBoth({ 'url.path': '/orders', 'http.request.body.content': 'x'.repeat(MAX_REQUEST_BODY_CHARS + 1) });
  assert.equal(huge.json.spans[0].request?.body, undefined);
  assert.equal(huge.proto.spans[0].request?.body, undefined);
});

test('client spans keep no request even with request attributes', () => {
  const { json, proto } = decodeBoth({ 'url.path': '/x', 'http.request.header.accept': ['*/*'], 'http.response.status_code': 200 }, SpanKind.CLIENT);
  assert.equal(json.spans[0].request, undefined);
  assert.equal(proto.spans[0].request, undefined);
});

test('requests survive the columnar batches decode workers post', () => {
  const proto = loadRecording(join(RECORDED, 'node-headers', 'export.jsonl')).find((r) => !r.contentType.includes('json'));
  assert.ok(proto);
  const decoded = decodeTraceRequestProto(Buffer.from(proto.bodyBase64, 'base64'));
  // Cloned as postMessage clones it on the way from the worker.
  const batch = structuredClone(packBatch(decoded, new StringTableWriter()).batch);
  new StringTableReader().accept(batch);
  const cursor = new SpanCursor(batch, createInterner());
  // And the trace buffer holds them by their bytes, straight from the batch.
  const traces = new TraceBuffer();
  for (let i = 0; i < batch.count; i++) {
    cursor.moveTo(i);
    assert.deepEqual(cursor.toRecord().request, decoded.spans[i].request);
    traces.record(cursor, null);
  }
  const withRequest = decoded.spans.filter((s) => s.request !== undefined);
  assert.ok(withRequest.length > 0, 'the recording has server spans with requests');
  for (const s of withRequest) assert.deepEqual(traces.get(s.traceId)?.find((t) => t.spanId === s.spanId)?.request, s.request);
});
