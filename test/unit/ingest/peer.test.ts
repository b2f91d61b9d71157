import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { decodeTraceRequestJson } from '../../../src/core/ingest/otlpJson';
import { decodeTraceRequestProto } from '../../../src/core/ingest/otlpProtobuf';
import { createInterner, packBatch, SpanCursor, StringTableReader, StringTableWriter } from '../../../src/core/ingest/spanColumns';
import { encodeSpans } from './sdkPayloads';

/** Client and server spans from the real SDK with the peer attributes in several shapes and orders. */
function spans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'web' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const t = provider.getTracer('peer-tests');
  const make = (name: string, kind: SpanKind, attributes: Record<string, string | number>) => t.startSpan(name, { kind, attributes }).end();
  make('full url', SpanKind.CLIENT, { 'server.address': 'ignored', 'url.full': 'http://inventory:7000/stock/42?token=secret#frag', 'http.url': 'http://old/ignored' });
  make('old url', SpanKind.CLIENT, { 'http.url': 'https://pricing.internal/prices/7?x=1' });
  make('port first', SpanKind.CLIENT, { 'server.port': 5432, 'server.address': 'db.internal' });
  make('stable address wins', SpanKind.CLIENT, { 'net.peer.name': 'old-name', 'net.peer.port': 6379, 'server.address': 'cache.internal' });
  make('server span', SpanKind.SERVER, { 'url.full': 'http://me/orders?id=1', 'server.address': 'me' });
  make('no peer', SpanKind.CLIENT, { 'http.request.method': 'GET' });
  return exporter.getFinishedSpans();
}

const EXPECTED = [
  ['full url', 'http://inventory:7000/stock/42'],
  ['old url', 'https://pricing.internal/prices/7'],
  ['port first', 'db.internal:5432'],
  ['stable address wins', 'cache.internal:6379'],
  ['server span', ''],
  ['no peer', ''],
];

test('both decoders and the columnar batches give client spans their peer, without query strings', () => {
  const payload = encodeSpans(spans());
  const json = decodeTraceRequestJson(payload.json);
  const proto = decodeTraceRequestProto(payload.proto);
  assert.deepEqual(
    json.spans.map((s) => [s.name, s.peer]),
    EXPECTED,
  );
  assert.deepEqual(
    proto.spans.map((s) => [s.name, s.peer]),
    EXPECTED,
  );
  const { batch } = packBatch(proto, new StringTableWriter());
  new StringTableReader().accept(batch);
  const cursor = new SpanCursor(batch, createInterner());
  const columnar = [];
  for (let i = 0; i < batch.count; i++) {
    cursor.moveTo(i);
    columnar.push([cursor.name, cursor.toRecord().peer]);
  }
  assert.deepEqual(columnar, EXPECTED);
});
