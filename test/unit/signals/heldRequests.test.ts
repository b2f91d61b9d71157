import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidAnswer, parseTraceAnswer } from '../../../src/core/client/validate';
import { packRequest } from '../../../src/core/ingest/packedRequest';
import { HeldRequests } from '../../../src/core/signals/heldRequests';
import { TraceBuffer } from '../../../src/core/signals/traceBuffer';
import { span } from '../../support/records';

const request = (path: string, headerChars = 0) => ({ path, query: 'a=1', status: 200, headers: headerChars > 0 ? [['x-big', 'v'.repeat(headerChars)] as [string, string]] : [] });

test('the trace buffer returns a server span’s request, as a copy', () => {
  const buf = new TraceBuffer({ maxSpans: 8 });
  const s = span({ request: request('/orders/42', 10) });
  buf.record(s, null);
  const [got] = buf.get(s.traceId) ?? [];
  assert.deepEqual(got.request, s.request);
  got.request?.headers.push(['x-changed', '1']);
  assert.equal(buf.get(s.traceId)?.[0].request?.headers.length, 1);
  assert.equal(parseTraceAnswer({ traceId: s.traceId, spans: [got] }).spans[0].request?.path, '/orders/42');
});

test('requests stay within the byte budget: newer ones overwrite the oldest, whose spans stay held', () => {
  const buf = new TraceBuffer({ maxSpans: 8, maxRequestBytes: 3_000 });
  const spans = [1, 2, 3].map((i) => span({ request: request(`/r/${i}`, 1_000) }));
  for (const s of spans) buf.record(s, null);
  assert.deepEqual(
    spans.map((s) => buf.get(s.traceId)?.[0].request?.path),
    [undefined, '/r/2', '/r/3'],
  );
  assert.equal(buf.get(spans[0].traceId)?.length, 1, 'the span whose request was overwritten is still held');
  // A request larger than the whole ring is not held, and overwrites nothing.
  const huge = span({ request: request('/huge', 4_000) });
  buf.record(huge, null);
  assert.equal(buf.get(huge.traceId)?.[0].request, undefined);
  assert.equal(buf.get(spans[2].traceId)?.[0].request?.path, '/r/3');
  // Non-ASCII requests are held by their UTF-8 bytes and come back whole.
  const unicode = span({ request: { path: '/café/日本', query: 'q=ü', status: 201, headers: [['x-name', 'Zoë']] } });
  buf.record(unicode, null);
  assert.deepEqual(buf.get(unicode.traceId)?.[0].request, unicode.request);
  assert.ok(buf.sizes().approxBytes >= 3_000, 'the ring is counted in the buffer’s memory');
});

test('the client refuses a trace answer with a malformed request', () => {
  const base = { spanId: 'a'.repeat(16), name: 'GET', startMs: 1 };
  assert.throws(
    () => parseTraceAnswer({ traceId: 'b'.repeat(32), spans: [{ ...base, request: { path: '/', query: '', status: 200, headers: [['x']] } }] }),
    (e: Error) => e instanceof InvalidAnswer && /request\.headers\[0\]/.test(e.message),
  );
  assert.throws(() => parseTraceAnswer({ traceId: 'b'.repeat(32), spans: [{ ...base, request: { path: 1 } }] }), InvalidAnswer);
});

test('requests held from a range of a larger buffer (as ingest hands them over) come back whole, short and long', () => {
  const held = new HeldRequests(4, 8_000, 2_000);
  const short = request('/short', 10);
  const long = request('/long', 1_500);
  const packed = [short, long].map((r) => Buffer.from(packRequest(r), 'utf8'));
  // One buffer with bytes around both, as the decoded batch's request column has.
  const source = new Uint8Array(Buffer.concat([Buffer.from('xx'), packed[0], Buffer.from('yyy'), packed[1], Buffer.from('z')]));
  const shortAt = 2;
  const longAt = shortAt + packed[0].length + 3;
  held.setBytes(1, source, shortAt, shortAt + packed[0].length);
  held.setBytes(2, source, longAt, longAt + packed[1].length);
  assert.ok(packed[0].length < 512 && packed[1].length > 512, 'one is copied byte by byte, the other through a view');
  assert.deepEqual(held.get(1), short);
  assert.deepEqual(held.get(2), long);
  assert.equal(held.get(0), undefined);
});
