import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodePool } from '../../../src/core/ingest/decodePool';
import { decodeTraceRequestProto } from '../../../src/core/ingest/otlpProtobuf';
import { DecodeError, type DecodedBatch, type SpanRecord } from '../../../src/core/ingest/records';
import { createInterner, packBatch, SpanCursor, StringTableReader, StringTableWriter, type ColumnarBatch } from '../../../src/core/ingest/spanColumns';
import { encodeSpans, realisticSpans, sdkSpans } from './sdkPayloads';

function unpack(batch: ColumnarBatch): SpanRecord[] {
  const cursor = new SpanCursor(batch, createInterner());
  const out: SpanRecord[] = [];
  for (let i = 0; i < batch.count; i++) {
    cursor.moveTo(i);
    out.push(cursor.toRecord());
  }
  return out;
}

test('spans packed into columns read back equal to the decoded records', () => {
  const writer = new StringTableWriter();
  const reader = new StringTableReader();
  for (const spans of [sdkSpans(), realisticSpans(300), sdkSpans()]) {
    const decoded = decodeTraceRequestProto(encodeSpans(spans).proto);
    const { batch } = packBatch(structuredClone(decoded) as DecodedBatch, writer);
    reader.accept(batch);
    assert.equal(batch.count, decoded.spans.length);
    assert.deepEqual(unpack(batch), decoded.spans);
  }
});

test('a decode worker answers with the same spans, and a broken body with a DecodeError', async () => {
  const pool = new DecodePool(1);
  try {
    const proto = encodeSpans(realisticSpans(50)).proto;
    const decoded = decodeTraceRequestProto(proto);
    const batch = await pool.decode('traces', 'protobuf', Buffer.from(proto));
    assert.ok('columnar' in batch);
    assert.deepEqual(unpack(batch), decoded.spans);
    await assert.rejects(pool.decode('traces', 'protobuf', Buffer.from([0x0a, 0x05, 0x01])), DecodeError);
    await assert.rejects(pool.decode('traces', 'json', Buffer.from('{"resourceSpans": 3')), DecodeError);
  } finally {
    await pool.stop();
  }
});
