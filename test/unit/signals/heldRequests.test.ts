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

test('requests past the character budget are not held; the ring frees its slots’ characters', () => {
  const buf = new TraceBuffer({ maxSpans: 4, maxRequestChars: 3_000 });
  const spans = [1, 2, 3].map((i) => span({ request: request(`/r/${i}`, 1_000) }));
  for (const s of spans) buf.record(s, null);
  assert.deepEqual(
    spans.map((s) => buf.get(s.traceId)?.[0].request?.path),
    ['/r/1', '/r/2', undefined],
  );
  // Overwriting the ring's slots gives their characters back.
  for (let i = 0; i < 4; i++) buf.record(span(), null);
  const late = span({ request: request('/late', 1_000) });
  buf.record(late, null);
  assert.equal(buf.get(late.traceId)?.[0].request?.path, '/late');
});

test('the client refuses a trace answer with a malformed request', () => {
  const base = { spanId: 'a'.repeat(16), name: 'GET', startMs: 1 };
  assert.throws(
    () => parseTraceAnswer({ traceId: 'b'.repeat(32), spans: [{ ...base, request: { path: '/', query: '', status: 200, headers: [['x']] } }] }),
    (e: Error) => e instanceof InvalidAnswer && /request\.headers\[0\]/.test(e.message),
  );
  assert.throws(() => parseTraceAnswer({ traceId: 'b'.repeat(32), spans: [{ ...base, request: { path: 1 } }] }), InvalidAnswer);
});
