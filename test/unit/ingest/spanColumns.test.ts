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

test('packing into a used spare buffer rewrites every column, parent ids included', () => {
  const writer = new StringTableWriter();
  const reader = new StringTableReader();
  const withParents = decodeTraceRequestProto(encodeSpans(realisticSpans(200)).proto);
  const first = packBatch(structuredClone(withParents) as DecodedBatch, writer);
  reader.accept(first.batch);
  const spare = first.transfer[0];
  // Dirty every byte, as a buffer coming back from an earlier batch would be.
  new Uint8Array(spare).fill(0xab);
  const roots = decodeTraceRequestProto(encodeSpans(sdkSpans()).proto);
  const second = packBatch(structuredClone(roots) as DecodedBatch, writer, () => spare);
  reader.accept(second.batch);
  assert.equal(second.transfer[0], spare, 'a spare large enough is packed into');
  assert.deepEqual(unpack(second.batch), roots.spans);
  assert.ok(
    roots.spans.some((s) => s.parentSpanId === ''),
    'the fixture has root spans',
  );
  const small = packBatch(structuredClone(withParents) as DecodedBatch, writer, () => new ArrayBuffer(8));
  assert.notEqual(small.transfer[0].byteLength, 8, 'a spare too small is not used');
});

test('a decode worker packs into the column buffers of filed batches and hands body buffers back', async () => {
  const pool = new DecodePool(1);
  try {
    const proto = encodeSpans(realisticSpans(64)).proto;
    const decoded = decodeTraceRequestProto(proto);
    const read = () => {
      const body = pool.bodyBuffer(proto.length);
      body.set(proto);
      return Buffer.from(body.buffer, 0, proto.length);
    };
    const first = await pool.decode('traces', 'protobuf', read());
    assert.ok('columnar' in first && first.release !== undefined);
    assert.deepEqual(unpack(first), decoded.spans);
    const firstColumns = first.times.buffer;
    first.release();
    const second = await pool.decode('traces', 'protobuf', read());
    assert.ok('columnar' in second);
    // The released buffer went back to the worker (detached here) and came back holding the second batch.
    assert.equal(firstColumns.byteLength, 0);
    assert.deepEqual(unpack(second), decoded.spans);
    // Body buffers come in 64 KB steps, so a returned one fits the next body of a similar size.
    const again = pool.bodyBuffer(proto.length);
    assert.equal(again.byteLength, proto.length);
    assert.equal(again.buffer.byteLength % (64 * 1024), 0);
    // Released columns are not reused while a batch still reads them: an unreleased batch keeps its own.
    const third = await pool.decode('traces', 'protobuf', read());
    assert.ok('columnar' in third);
    assert.deepEqual(unpack(second), decoded.spans);
    assert.deepEqual(unpack(third), decoded.spans);
  } finally {
    await pool.stop();
  }
});

test('the string table starts over when full, and the empty string is sent again with the new table', () => {
  const writer = new StringTableWriter();
  const reader = new StringTableReader();
  const spans = decodeTraceRequestProto(encodeSpans(realisticSpans(50)).proto);
  assert.ok(
    spans.spans.some((s) => s.statusMessage === ''),
    'the fixture has fields left empty',
  );
  const first = packBatch(structuredClone(spans) as DecodedBatch, writer);
  reader.accept(first.batch);
  assert.deepEqual(unpack(first.batch), spans.spans);
  // Fill the table past its limit between batches, as a long-running worker does.
  for (let i = 0; i < 50_000; i++) writer.indexOf(`route-${i}`);
  writer.take();
  const second = packBatch(structuredClone(spans) as DecodedBatch, writer);
  assert.equal(second.batch.resetStrings, true, 'the table started over');
  assert.ok(second.batch.freshStrings.includes(''), 'the empty string is in the new table');
  reader.accept(second.batch);
  assert.deepEqual(unpack(second.batch), spans.spans);
});

test('a cursor copies the ids of each span word by word, and byte by byte from a column not aligned to words', () => {
  const writer = new StringTableWriter();
  const decoded = decodeTraceRequestProto(encodeSpans(realisticSpans(40)).proto);
  const { batch } = packBatch(structuredClone(decoded) as DecodedBatch, writer);
  new StringTableReader().accept(batch);
  const shifted = new Uint8Array(batch.ids.byteLength + 1).subarray(1);
  shifted.set(batch.ids);
  const unaligned = new SpanCursor({ ...batch, ids: shifted }, createInterner());
  const aligned = new SpanCursor(batch, createInterner());
  const target = new Uint8Array(64 * 3);
  const words = new Int32Array(target.buffer);
  for (let i = 0; i < batch.count; i++) {
    const span = decoded.spans[i];
    const expected = Buffer.concat([Buffer.from(span.traceId, 'latin1'), Buffer.from(span.spanId, 'latin1'), span.parentSpanId === '' ? Buffer.alloc(16) : Buffer.from(span.parentSpanId, 'latin1')]);
    for (const [cursor, offset] of [
      [aligned, 64],
      [unaligned, 128],
    ] as const) {
      target.fill(0xee);
      cursor.moveTo(i);
      cursor.copyIdsTo(target, words, offset);
      assert.deepEqual(Buffer.from(target.subarray(offset, offset + 64)), expected, `span ${i} at ${offset}`);
      assert.ok(
        target.subarray(0, offset).every((b) => b === 0xee),
        'nothing written before the slot',
      );
    }
  }
});
