import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createInterner, packBatch, SpanCursor, StringTableReader, StringTableWriter } from '../../../src/core/ingest/spanColumns';
import type { SpanRecord } from '../../../src/core/ingest/records';
import type { CodeLocation } from '../../../src/core/signals/storeTypes';
import { DEFAULT_TRACE_BUFFER_OPTIONS, isHexId, TraceBuffer } from '../../../src/core/signals/traceBuffer';
import { span } from '../../support/records';

const LOC: CodeLocation = { file: 'src/orders.ts', line: 12, function: 'createOrder', mappedBy: 'code-attributes', confidence: 0.95 };

function hex(n: number, len: number): string {
  return n.toString(16).padStart(len, '0');
}

/** A trace: a root and `children` children, each starting later. */
function trace(t: number, children: number, start = 1_000): SpanRecord[] {
  const traceId = `abcdef${hex(t, 26)}`;
  const root = span({ traceId, spanId: hex(t * 1000 + 1, 16), name: 'GET /orders', startMs: start, durationMs: 50 });
  const out = [root];
  for (let c = 0; c < children; c++) {
    out.push(span({ traceId, spanId: hex(t * 1000 + 2 + c, 16), parentSpanId: root.spanId, name: `child ${c}`, kind: 3, startMs: start + 10 + c, durationMs: 5 }));
  }
  return out;
}

test('a trace comes back sorted by start with its mapping, whatever order its spans were filed in', () => {
  const buf = new TraceBuffer();
  const spans = trace(1, 3);
  const failing = { ...spans[2], error: true, statusMessage: 'timeout', exceptions: [{ type: 'TimeoutError', message: 'took 5 s', stacktrace: 'x', timeMs: 0 }] };
  for (const s of [spans[3], failing, spans[1]]) buf.record(s, null);
  buf.record(spans[0], LOC);
  for (const other of trace(2, 2)) buf.record(other, null);

  const got = buf.get(spans[0].traceId)!;
  assert.deepEqual(
    got.map((s) => s.name),
    ['GET /orders', 'child 0', 'child 1', 'child 2'],
  );
  assert.deepEqual(got[0].mapping, { file: 'src/orders.ts', line: 12, function: 'createOrder', mappedBy: 'code-attributes', confidence: 0.95 });
  assert.equal(got[0].parentSpanId, '');
  assert.equal(got[1].parentSpanId, spans[0].spanId);
  assert.equal(got[1].kind, 3);
  assert.equal(got[1].mapping, undefined);
  assert.deepEqual([got[2].error, got[2].statusMessage, got[2].exceptions], [true, 'timeout', [{ type: 'TimeoutError', message: 'took 5 s' }]]);
  assert.deepEqual([got[0].service, got[0].environment, got[0].durationMs], ['orders', 'production', 50]);
  assert.equal(buf.get(spans[0].traceId.toUpperCase())?.length, 4, 'ids are case-insensitive');
  assert.equal(buf.get(`ffff${hex(9, 28)}`), undefined);
});

test('spans read through a columnar cursor are held the same as records', () => {
  const spans = trace(3, 2);
  const table = new StringTableWriter();
  const { batch } = packBatch({ spans, logs: [], rejected: 0, rejectReasons: [] }, table);
  new StringTableReader().accept(batch);
  const cursor = new SpanCursor(batch, createInterner());
  const buf = new TraceBuffer();
  for (let i = 0; i < batch.count; i++) {
    cursor.moveTo(i);
    buf.record(cursor, i === 0 ? LOC : null);
  }
  const got = buf.get(spans[0].traceId)!;
  assert.deepEqual(
    got.map((s) => [s.spanId, s.parentSpanId, s.name]),
    spans.map((s) => [s.spanId, s.parentSpanId, s.name]),
  );
  assert.equal(buf.findSpan(spans[0].spanId)?.location, LOC);
});

test('the ring forgets the oldest traces; a pinned trace is kept past it', () => {
  const buf = new TraceBuffer({ maxSpans: 8, maxPinnedTraces: 2, maxPinnedSpans: 100 });
  const first = trace(10, 2);
  const pinned = trace(11, 2);
  for (const s of [...first, ...pinned]) buf.record(s, null);
  buf.pin(pinned[0].traceId);
  for (let t = 20; t < 25; t++) for (const s of trace(t, 1)) buf.record(s, null);
  assert.equal(buf.get(first[0].traceId), undefined, 'overwritten and not pinned');
  assert.deepEqual(
    buf.get(pinned[0].traceId)?.map((s) => s.name),
    ['GET /orders', 'child 0', 'child 1'],
  );
  assert.equal(buf.sizes().pinnedSpans, 3);
  assert.equal(buf.sizes().spans, 8);
});

test('pins are bounded: the oldest pinned trace goes first, and re-pinning keeps a trace young', () => {
  const buf = new TraceBuffer({ maxSpans: 4, maxPinnedTraces: 2, maxPinnedSpans: 100 });
  const traces = [trace(30, 1), trace(31, 1), trace(32, 1)];
  for (const t of traces) {
    for (const s of t) buf.record(s, null);
    buf.pin(t[0].traceId);
    if (t === traces[1]) buf.pin(traces[0][0].traceId);
  }
  for (let t = 40; t < 44; t++) for (const s of trace(t, 1)) buf.record(s, null);
  assert.ok(buf.get(traces[0][0].traceId), 're-pinned, so younger than trace 31');
  assert.equal(buf.get(traces[1][0].traceId), undefined, 'the oldest pin was dropped');
  assert.ok(buf.get(traces[2][0].traceId));
  assert.equal(buf.sizes().pinnedTraces, 2);
});

test('pinned spans are bounded in total', () => {
  const buf = new TraceBuffer({ maxSpans: 4, maxPinnedTraces: 100, maxPinnedSpans: 5 });
  const big = trace(50, 5);
  const small = trace(51, 1);
  for (const s of big) buf.record(s, null);
  buf.pin(big[0].traceId);
  for (const s of small) buf.record(s, null);
  buf.pin(small[0].traceId);
  for (let t = 60; t < 64; t++) for (const s of trace(t, 1)) buf.record(s, null);
  assert.ok(buf.sizes().pinnedSpans <= 5);
  assert.equal(buf.get(big[0].traceId), undefined, 'the older pin was dropped to make room');
  assert.equal(buf.get(small[0].traceId)?.length, 2);
});

test('findSpan returns a held span and nothing once the ring overwrote it', () => {
  const buf = new TraceBuffer({ maxSpans: 16 });
  const spans = Array.from({ length: 40 }, (_, i) => span({ spanId: hex(0x1000 + i, 16) }));
  spans.forEach((s, i) => buf.record(s, i % 2 === 0 ? LOC : null));
  for (let i = 0; i < 24; i++) assert.equal(buf.findSpan(spans[i].spanId), undefined, `span ${i} was overwritten`);
  for (let i = 24; i < 40; i++) {
    const found = buf.findSpan(spans[i].spanId);
    assert.ok(found, `span ${i} is held`);
    assert.equal(found.location, i % 2 === 0 ? LOC : null);
  }
  assert.equal(buf.findSpan('zz'), undefined);
});

test('the default bounds keep the buffer near 10 MB', () => {
  const buf = new TraceBuffer();
  const { approxBytes } = buf.sizes();
  assert.ok(approxBytes > 1_000_000 && approxBytes <= 10 * 1024 * 1024, `estimate ${approxBytes}`);
  assert.equal(DEFAULT_TRACE_BUFFER_OPTIONS.maxSpans, 32_768);
});

test('trace ids are validated as 32 hex digits, not all zero', () => {
  assert.equal(isHexId('0af7651916cd43dd8448eb211c80319c', 32), true);
  assert.equal(isHexId('0AF7651916CD43DD8448EB211C80319C', 32), true);
  assert.equal(isHexId('0'.repeat(32), 32), false);
  assert.equal(isHexId('xyz', 32), false);
  assert.equal(isHexId(`${'a'.repeat(31)}g`, 32), false);
  // Each character just outside a hex range, anywhere in the id.
  for (const c of ['/', ':', '@', 'G', '`', 'g', ' ', 'é']) {
    assert.equal(isHexId(`${'1'.repeat(15)}${c}`, 16), false, JSON.stringify(c));
    assert.equal(isHexId(`${c}${'1'.repeat(15)}`, 16), false, JSON.stringify(c));
  }
  assert.equal(isHexId(`${'0'.repeat(15)}1`, 16), true);
  assert.equal(isHexId('0af7651916cd43dd', 32), false, 'the length is checked');
});
