import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import type { TraceResponse } from '../../../src/core/api/signals';
import { decodeTraceRequestJson } from '../../../src/core/ingest/otlpJson';
import { decodeTraceRequestProto } from '../../../src/core/ingest/otlpProtobuf';
import { TraceBuffer } from '../../../src/core/signals/traceBuffer';
import { trafficFromTraces } from '../../../src/core/shadow/traceTraffic';
import { repoRoot } from '../../support/harness';
import { loadRecording } from '../../support/otlpRecorder';

/** A recording's traces as the read API answers them: decoded, held by a TraceBuffer, read back. */
function recordedTraces(file: string, encoding: 'json' | 'proto' = 'proto'): TraceResponse[] {
  const buffer = new TraceBuffer();
  const ids = new Set<string>();
  for (const r of loadRecording(join(repoRoot, 'test', 'fixtures', 'otlp-recorded', file))) {
    if (r.path !== '/v1/traces' || r.contentType.includes('json') !== (encoding === 'json')) continue;
    const body = Buffer.from(r.bodyBase64, 'base64');
    for (const s of (encoding === 'json' ? decodeTraceRequestJson(body.toString('utf8')) : decodeTraceRequestProto(body)).spans) {
      ids.add(s.traceId);
      buffer.record(s, null);
    }
  }
  return [...ids].map((traceId) => ({ traceId, spans: buffer.get(traceId) ?? [] }));
}

test('server spans recorded with request headers become requests with target, headers and the production outcome', () => {
  const traces = recordedTraces('node-headers/export.jsonl');
  const { requests, skipped } = trafficFromTraces(traces);
  assert.deepEqual(skipped, []);
  assert.deepEqual(
    requests.map((r) => [r.method, r.target, r.headers, r.recorded.status, r.body]),
    [
      [
        'GET',
        '/orders/42?expand=items&page=2',
        [
          ['x-tenant', 'acme'],
          ['accept', 'application/json'],
        ],
        200,
        undefined,
      ],
      [
        'GET',
        '/orders?status=open',
        [
          ['x-tenant', 'acme, globex'],
          ['accept', 'text/html'],
        ],
        200,
        undefined,
      ],
      // No instrumentation captured the body: taken without one, the method policy decides.
      ['POST', '/orders', [['x-tenant', 'acme']], 201, undefined],
      ['GET', '/missing/7', [['accept', '*/*']], 404, undefined],
      ['GET', '/health', [], 200, undefined],
    ],
  );
  const first = requests[0];
  const trace = traces.find((t) => t.spans.some((s) => s.spanId === first.recorded.spanId));
  assert.ok(trace);
  const span = trace.spans.find((s) => s.spanId === first.recorded.spanId);
  assert.equal(first.id, `trace:${trace.traceId}:${span?.spanId}`);
  assert.equal(first.origin, 'trace');
  assert.equal(first.recorded.traceId, trace.traceId);
  assert.equal(first.timeMs, span?.startMs);
  assert.equal(first.recorded.durationMs, span?.durationMs);
  // The JSON export of the same spans gives the same requests.
  assert.deepEqual(trafficFromTraces(recordedTraces('node-headers/export.jsonl', 'json')), { requests, skipped });
});

test('each trace of the real SDK recordings gives its one entry request, routes and statuses kept', () => {
  for (const file of ['node/export.jsonl', 'python/export.jsonl', 'java/export-controller-spans.jsonl', 'go/export.jsonl']) {
    const traces = recordedTraces(file);
    const { requests, skipped } = trafficFromTraces(traces);
    assert.deepEqual(skipped, [], file);
    const withServer = traces.filter((t) => t.spans.some((s) => s.kind === 2));
    assert.equal(requests.length, withServer.length, `${file}: one request per trace`);
    assert.ok(
      requests.some((r) => r.target === '/price/apple' && r.method === 'GET' && r.recorded.status === 200),
      file,
    );
    for (const r of requests) assert.ok(r.target.startsWith('/') && r.recorded.traceId !== undefined, `${file} ${r.target}`);
  }
  const python = trafficFromTraces(recordedTraces('python/export.jsonl')).requests;
  assert.ok(python.some((r) => r.route === '/price/<item>'));
});

test('a server span nested in its own service’s server span is the same request; a trace given twice counts once', () => {
  const [trace] = recordedTraces('node-headers/export.jsonl');
  const entry = trace.spans.find((s) => s.kind === 2);
  assert.ok(entry?.request);
  // A framework's server span inside the HTTP server's, as some stacks record.
  const nested = { ...entry, spanId: 'f'.repeat(16), parentSpanId: entry.spanId, name: 'framework' };
  const other = { ...entry, spanId: 'e'.repeat(16), parentSpanId: entry.spanId, service: 'downstream' };
  const withNested: TraceResponse = { traceId: trace.traceId, spans: [...trace.spans, nested, other] };
  const { requests } = trafficFromTraces([withNested, withNested]);
  assert.deepEqual(
    requests.map((r) => r.recorded.spanId),
    [entry.spanId, other.spanId],
  );
});

test('server spans without method or path are skipped as not HTTP; cut paths as unreadable', () => {
  const [trace] = recordedTraces('node-headers/export.jsonl');
  const entry = trace.spans.find((s) => s.kind === 2);
  assert.ok(entry?.request);
  const grpc = { ...entry, request: undefined, name: 'grpc.Health/Check' };
  const noMethod = { ...entry, httpMethod: '' };
  const cut = { ...entry, request: { ...entry.request, path: `/${'p'.repeat(2046)}…` } };
  const read = trafficFromTraces([
    { traceId: trace.traceId, spans: [grpc] },
    { traceId: 'a'.repeat(32), spans: [noMethod] },
    { traceId: 'b'.repeat(32), spans: [cut] },
  ]);
  assert.deepEqual(read.requests, []);
  assert.deepEqual(
    read.skipped.map((s) => [s.reason, s.detail]),
    [
      ['not-http', 'span "grpc.Health/Check" of headers-app: no url.path or http.target'],
      ['not-http', `span "${entry.name}" of headers-app: no http.request.method`],
      ['unreadable', `span "${entry.name}" of headers-app: path or query longer than the receiver keeps (2048/4096 characters)`],
    ],
  );
});
