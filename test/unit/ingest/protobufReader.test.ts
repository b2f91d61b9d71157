import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoReader } from '../../../src/core/ingest/protobufReader';

/** Length-prefixed strings, as protobuf lays out a repeated string field's values. */
function encode(values: string[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) {
    const bytes = Buffer.from(v, 'utf8');
    assert.ok(bytes.length < 128, 'a one-byte length prefix');
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  return Buffer.concat(parts);
}

function readAll(buf: Buffer): string[] {
  const r = new ProtoReader(buf);
  const out: string[] = [];
  while (r.pos < r.end) {
    const len = r.buf[r.pos++];
    out.push(r.string(len));
  }
  return out;
}

test('interned strings come back exactly, however alike (routes that differ only in the middle)', () => {
  // 20,000 values of equal length that share their first and last bytes: more than the intern
  // table's slots, so hits, misses and collisions all occur; each pass reads them twice.
  const values: string[] = [];
  for (let m = 0; m < 100; m++) for (let f = 0; f < 200; f++) values.push(`/api/v2/r${String(m).padStart(3, '0')}/f${String(f).padStart(3, '0')}/:id`);
  values.push('héllo wörld', 'ünïcode/ßtring', '', 'x', '😀 emoji', 'a'.repeat(64), 'b'.repeat(65));
  const buf = encode([...values, ...values]);
  for (let pass = 0; pass < 2; pass++) assert.deepEqual(readAll(buf), [...values, ...values]);
});
