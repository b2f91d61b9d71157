// TraceBuffer.getMany, how a shadow run collects the spans of every replayed request at once: the
// same spans as one `get` per trace, traces with none left out, pinned spans included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceBuffer } from '../../../src/core/signals/traceBuffer';
import { span } from '../../support/records';

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const traceId = (t: number) => `abcdef${hex(t, 26)}`;

test('getMany gives each asked trace the spans get gives it, in one pass', () => {
  const buf = new TraceBuffer({ maxSpans: 64 });
  for (let t = 1; t <= 20; t++) {
    buf.record(span({ traceId: traceId(t), spanId: hex(t * 10 + 2, 16), parentSpanId: hex(t * 10 + 1, 16), name: 'child', kind: 3, startMs: 1_010, durationMs: 5 }), null);
    buf.record(span({ traceId: traceId(t), spanId: hex(t * 10 + 1, 16), name: 'GET /items/:id', kind: 2, startMs: 1_000, durationMs: 20 }), null);
  }
  buf.pin(traceId(3));
  const asked = [traceId(1), traceId(3).toUpperCase(), traceId(7), traceId(7), `ffff${hex(9, 28)}`];
  const got = buf.getMany(asked);
  assert.deepEqual([...got.keys()].sort(), [traceId(1), traceId(3), traceId(7)]);
  for (const id of got.keys()) assert.deepEqual(got.get(id), buf.get(id));
  assert.deepEqual(
    got.get(traceId(7))!.map((s) => s.name),
    ['GET /items/:id', 'child'],
  );
});
