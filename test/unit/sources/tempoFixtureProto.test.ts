// The Tempo fixture's OTLP protobuf ingest holds what its JSON ingest holds for the same real SDK spans
// (the SDK's own serializers make both bodies), so a wire test may feed it either.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { type HeldTrace, holdExport, jsonpbResourceSpans } from '../../support/tempoFixtureJson';
import { exportRequestOfProtobuf } from '../../support/tempoFixtureProto';
import { hrTime, makeSpans } from '../server/sdkSend';

describe('Tempo fixture OTLP protobuf ingest', () => {
  it('holds the same traces from protobuf as from JSON: ids, kinds, times, every value type, events, links, status', () => {
    const at = Date.now();
    const spans = makeSpans('orders', (tracer) => {
      const server = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, startTime: hrTime(at - 5), attributes: { negative: -7, ratio: 1.5, ok: true, tags: ['a', 'b'], text: 'héllo' } });
      const client = tracer.startSpan('GET', { kind: SpanKind.CLIENT, links: [{ context: server.spanContext(), attributes: { n: 1 } }] });
      server.addEvent('cache miss', { tries: 2 }, hrTime(at - 2));
      server.recordException(new TypeError('order has no items'));
      server.setStatus({ code: SpanStatusCode.ERROR, message: 'order has no items' });
      client.end(hrTime(at - 1));
      server.end(hrTime(at));
    });
    const viaJson = new Map<string, HeldTrace>();
    const viaProto = new Map<string, HeldTrace>();
    assert.equal(holdExport(viaJson, JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8'))), 2);
    assert.equal(holdExport(viaProto, exportRequestOfProtobuf(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))), 2);
    assert.deepEqual([...viaProto.keys()].sort(), [...viaJson.keys()].sort());
    for (const [id, held] of viaJson) {
      assert.deepEqual(viaProto.get(id)!.spans, held.spans);
      assert.deepEqual(jsonpbResourceSpans(viaProto.get(id)!), jsonpbResourceSpans(held));
    }
  });

  it('refuses a truncated body and a group wire type', () => {
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(makeSpans('orders', (t) => t.startSpan('x').end()))!);
    assert.throws(() => exportRequestOfProtobuf(body.subarray(0, body.length - 3)), /protobuf: /);
    assert.throws(() => exportRequestOfProtobuf(Buffer.from([0x0b])), /wire type 3/);
  });
});
