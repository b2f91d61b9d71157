import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidAnswer, parseTraceAnswer } from '../../../src/core/client/validate';
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
