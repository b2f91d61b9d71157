import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLogsRequestProto, decodeTraceRequestProto } from '../../../src/core/ingest/otlpProtobuf';
import { decodeLogsRequestJson, decodeTraceRequestJson } from '../../../src/core/ingest/otlpJson';
import { countSpansProto } from '../../../src/core/ingest/protobufWalk';
import { DecodeError } from '../../../src/core/ingest/records';
import type { SpanRecord } from '../../../src/core/ingest/records';
import { encodeLogs, encodeSpans, realisticSpans, sdkLogs, sdkSpans } from './sdkPayloads';

// A tiny protobuf writer for hand-built edge cases the SDK never produces.
function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
}
const len = (field: number, body: number[]): number[] => [...varint((field << 3) | 2), ...varint(body.length), ...body];
const str = (field: number, s: string): number[] => len(field, [...Buffer.from(s, 'utf8')]);
const vint = (field: number, n: number | bigint): number[] => [...varint(field << 3), ...varint(n)];
const fixed64 = (field: number, n: bigint): number[] => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return [...varint((field << 3) | 1), ...b];
};
const bytes = (field: number, hex: string): number[] => len(field, [...Buffer.from(hex, 'hex')]);
const kv = (key: string, value: number[]): number[] => [...str(1, key), ...len(2, value)];
const request = (spans: number[][], resource: number[] = []): Uint8Array =>
  Uint8Array.from(
    len(1, [
      ...len(
        2,
        spans.flatMap((s) => len(2, s)),
      ),
      ...len(1, resource),
    ]),
  );

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

const hrMs = (t: [number, number]): number => t[0] * 1e3 + t[1] / 1e6;

function closeTo(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

test('protobuf and JSON decoders give the same records for real SDK spans', () => {
  const spans = sdkSpans();
  const payload = encodeSpans(spans);
  const fromProto = decodeTraceRequestProto(payload.proto);
  const fromJson = decodeTraceRequestJson(payload.json);
  assert.equal(fromProto.rejected, 0);
  assert.equal(fromProto.spans.length, spans.length);
  assert.equal(fromJson.spans.length, spans.length);
  const byId = (list: SpanRecord[]) => new Map(list.map((s) => [s.spanId, s]));
  const jsonById = byId(fromJson.spans);
  for (const p of fromProto.spans) {
    const j = jsonById.get(p.spanId);
    assert.ok(j, `span ${p.name} missing from JSON result`);
    closeTo(p.startMs, j.startMs, 0.001, 'startMs');
    closeTo(p.durationMs, j.durationMs, 0.001, 'durationMs');
    assert.deepEqual({ ...p, startMs: 0, durationMs: 0 }, { ...j, startMs: 0, durationMs: 0 });
  }
  // Checked against the SDK's own view of each span, not just decoder against decoder.
  for (const sdk of spans) {
    const rec = byId(fromProto.spans).get(sdk.spanContext().spanId);
    assert.ok(rec);
    assert.equal(rec.traceId, sdk.spanContext().traceId);
    assert.equal(rec.parentSpanId, sdk.parentSpanContext?.spanId ?? '');
    assert.equal(rec.name, sdk.name);
    assert.equal(rec.kind, sdk.kind + 1); // the API's enum starts at INTERNAL = 0
    closeTo(rec.startMs, hrMs(sdk.startTime), 0.001, 'start vs SDK');
    closeTo(rec.durationMs, hrMs(sdk.duration), 0.001, 'duration vs SDK');
    assert.equal(rec.error, sdk.status.code === 2);
  }
});

test('protobuf decoder maps code.*, http.*, exceptions and resources', () => {
  const batch = decodeTraceRequestProto(encodeSpans(sdkSpans()).proto);
  const byName = new Map(batch.spans.map((s) => [s.name, s]));
  const server = byName.get('POST /orders')!;
  assert.deepEqual(server.code, {
    function: 'OrderController.create',
    namespace: '',
    file: '/srv/app/src/orders.ts',
    line: 41,
    column: 7,
    stacktrace: '',
  });
  assert.equal(server.httpRoute, '/orders');
  assert.equal(server.httpMethod, 'POST', 'http.request.method wins over http.method');
  assert.equal(server.error, true);
  assert.equal(server.statusMessage, 'payment failed');
  assert.equal(server.kind, 2);
  assert.equal(server.exceptions.length, 1);
  assert.equal(server.exceptions[0].type, 'Error');
  assert.equal(server.exceptions[0].message, 'card declined');
  assert.match(server.exceptions[0].stacktrace, /^Error: card declined\n\s+at /);
  assert.ok(server.exceptions[0].timeMs >= server.startMs && server.exceptions[0].timeMs <= server.startMs + server.durationMs);

  const child = byName.get('validate')!;
  assert.equal(child.parentSpanId, server.spanId);
  assert.deepEqual(child.code, {
    function: 'validateOrder',
    namespace: 'OrderService',
    file: 'src/validate.ts',
    line: 88, // sent as the string '88'
    column: 3,
    stacktrace: 'at validateOrder (src/validate.ts:88:3)',
  });
  assert.equal(child.httpMethod, 'GET', 'deprecated http.method used when nothing better');
  assert.equal(child.exceptions.length, 1, 'the cache-miss event is not an exception');
  assert.equal(child.exceptions[0].type, 'TypeError');

  assert.equal(byName.get('GET /inventory')!.error, false);
  assert.ok(byName.has('publish ünïcødé ✓'), 'UTF-8 names survive');
  const consumer = byName.get('consume invoice')!;
  assert.equal(consumer.kind, 5);
  assert.equal(consumer.exceptions[0].message, 'plain string failure');

  assert.deepEqual(server.resource, {
    service: 'checkout',
    environment: 'prod',
    revision: 'abc123',
    serviceVersion: '1.4.2',
    language: 'nodejs',
  });
  assert.equal(server.resource, child.resource, 'one ResourceInfo shared per ResourceSpans');
  assert.deepEqual(consumer.resource, {
    service: 'billing',
    environment: 'staging',
    revision: 'def456',
    serviceVersion: '',
    language: 'nodejs',
  });
});

test('protobuf and JSON decoders give the same log records', async () => {
  const payload = encodeLogs(await sdkLogs());
  const fromProto = decodeLogsRequestProto(payload.proto);
  const fromJson = decodeLogsRequestJson(payload.json);
  assert.deepEqual(fromProto, fromJson);
  assert.equal(fromProto.logs.length, 3);
  const [error, info, warn] = fromProto.logs;
  assert.equal(error.severity, 17);
  assert.equal(error.body, 'payment failed');
  assert.match(error.traceId, /^[0-9a-f]{32}$/);
  assert.match(error.spanId, /^[0-9a-f]{16}$/);
  assert.deepEqual(error.code, { function: 'charge', namespace: '', file: 'src/pay.ts', line: 17, column: 0, stacktrace: '' });
  assert.ok(error.exception);
  assert.equal(error.exception.type, 'RangeError');
  assert.equal(error.exception.message, 'amount out of range');
  assert.equal(error.exception.timeMs, error.timeMs);
  assert.equal(info.body, '42');
  assert.equal(info.exception, null);
  assert.equal(info.traceId, '');
  assert.deepEqual(info.code, { function: 'legacy', namespace: '', file: 'src/old.ts', line: 9, column: 0, stacktrace: '' });
  assert.equal(warn.body, '', 'structured bodies are not flattened');
  assert.equal(error.resource.service, 'checkout');
  assert.equal(error.resource, warn.resource);
});

test('countSpansProto counts every span of a realistic batch', () => {
  const payload = encodeSpans(realisticSpans(512));
  assert.equal(countSpansProto(payload.proto), 512);
  assert.equal(decodeTraceRequestProto(payload.proto).spans.length, 512);
  assert.equal(countSpansProto(new Uint8Array(0)), 0);
});

test('a span with a missing or malformed id is rejected with a reason, not thrown', () => {
  const good = [...bytes(1, TRACE), ...bytes(2, SPAN), ...str(5, 'ok')];
  const body = request([
    good,
    [...bytes(2, SPAN), ...str(5, 'no trace')],
    [...bytes(1, TRACE.slice(0, 30)), ...bytes(2, SPAN), ...str(5, 'short trace')],
    [...bytes(1, '0'.repeat(32)), ...bytes(2, SPAN), ...str(5, 'zero trace')],
    [...bytes(1, TRACE), ...str(5, 'no span id')],
    [...bytes(1, TRACE), ...bytes(2, SPAN), ...bytes(4, 'abcd'), ...str(5, 'bad parent')],
  ]);
  const batch = decodeTraceRequestProto(body);
  assert.equal(batch.spans.length, 1);
  assert.equal(batch.spans[0].name, 'ok');
  assert.equal(batch.rejected, 5);
  assert.deepEqual(batch.rejectReasons, [
    'span "no trace": missing trace id',
    'span "short trace": trace id of 15 bytes',
    'span "zero trace": all-zero trace id',
    'span "no span id": missing span id',
    'span "bad parent": parent span id of 2 bytes',
  ]);
});

test('unknown fields, any field order and exotic wire types are handled', () => {
  const start = 1_700_000_000_123_456_789n;
  const span = [
    ...vint(99, 7), // unknown varint
    ...fixed64(8, start + 2_500_000n), // end before start on the wire
    ...len(9, kv('code.lineno', [...vint(3, -5)])), // negative int64 -> no line
    ...len(9, kv('code.line.number', [...fixed64(4, 0n)])), // doubleValue 0.0
    ...len(9, [...len(2, [...str(1, 'svc')]), ...str(1, 'code.filepath')]), // value before key
    ...varint((50 << 3) | 3),
    ...vint(1, 1),
    ...varint((50 << 3) | 4), // a group
    ...varint((51 << 3) | 5),
    1,
    2,
    3,
    4, // a fixed32
    ...fixed64(7, start),
    ...bytes(2, SPAN),
    ...bytes(1, TRACE.toUpperCase()),
    ...vint(6, 3),
    ...len(15, [...vint(3, 2), ...str(2, 'boom')]),
    ...bytes(4, '0000000000000000'), // all-zero parent means root
  ];
  const resource = len(1, kv('service.name', str(1, 'late-resource')));
  const batch = decodeTraceRequestProto(Uint8Array.from(len(1, [...len(2, len(2, span)), ...len(1, resource), ...vint(3, 1)])));
  assert.equal(batch.rejected, 0);
  const s = batch.spans[0];
  assert.equal(s.traceId, TRACE);
  assert.equal(s.spanId, SPAN);
  assert.equal(s.parentSpanId, '');
  assert.equal(s.kind, 3);
  assert.equal(s.error, true);
  assert.equal(s.statusMessage, 'boom');
  // biome-ignore lint/correctness/noPrecisionLoss: the decoder must give exactly the double nearest to this literal
  assert.equal(s.startMs, 1_700_000_000_123.456789);
  assert.equal(s.durationMs, 2.5);
  assert.equal(s.code.line, 0);
  assert.equal(s.code.file, 'svc');
  assert.equal(s.resource.service, 'late-resource', 'resource after scope_spans still applies');
});

test('an empty resource falls back to unknown_service', () => {
  const batch = decodeTraceRequestProto(request([[...bytes(1, TRACE), ...bytes(2, SPAN)]]));
  assert.equal(batch.spans[0].resource.service, 'unknown_service');
  assert.equal(batch.spans[0].durationMs, 0);
});

test('structurally broken bodies throw DecodeError with the byte offset', () => {
  const good = encodeSpans(sdkSpans()).proto;
  const cut = good.subarray(0, good.length - 7);
  assert.throws(
    () => decodeTraceRequestProto(cut),
    (e: unknown) => e instanceof DecodeError && /at byte \d+/.test(e.message),
  );
  assert.throws(() => countSpansProto(cut), DecodeError);
  assert.throws(() => decodeTraceRequestProto(Uint8Array.from([0x0a, 0x05, 0x01])), /runs past the end/);
  assert.throws(() => decodeTraceRequestProto(Uint8Array.from([0x0f])), /unexpected wire type 7/);
  assert.throws(() => decodeTraceRequestProto(Uint8Array.from([0x00])), /invalid field number 0/);
  assert.throws(() => decodeTraceRequestProto(Uint8Array.from([0x08, 0xff, 0xff])), /truncated protobuf at byte 1/);
  assert.throws(() => decodeTraceRequestProto(Uint8Array.from([0x08, ...Array(11).fill(0xff)])), /malformed varint/);
  assert.throws(() => decodeTraceRequestProto(Uint8Array.from([0x1b, 0x08, 0x01])), /unterminated group/);
  // A nested length that is fine for the buffer but overruns its parent message.
  assert.throws(() => decodeTraceRequestProto(Uint8Array.from([0x0a, 0x02, 0x12, 0x03, 0, 0, 0])), /runs past the end/);
  assert.throws(() => decodeLogsRequestProto(cut), DecodeError);
});
