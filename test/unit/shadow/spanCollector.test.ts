// The run waits for a replayed request's entry server span (the one under the span its traceparent
// named), not any server span: a downstream the build calls over HTTP (a server span under one of
// the trace's client spans) ends first, and may arrive before that client span does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceSpan } from '../../../src/core/api/signals';
import { collectSpans } from '../../../src/core/shadow/spanCollector';

const span = (spanId: string, parentSpanId: string, kind: number, httpRoute = ''): TraceSpan => ({
  spanId,
  parentSpanId,
  name: httpRoute || 'GET',
  kind,
  service: 'shop',
  environment: 'shadow',
  startMs: 0,
  durationMs: 1,
  error: false,
  statusMessage: '',
  httpRoute,
  httpMethod: 'GET',
  exceptions: [],
});

test('a trace is complete once its entry server span arrived, not a downstream one', async () => {
  const held = new Map<string, TraceSpan[]>();
  // The replayer's traceparent names span ffff…: not in the trace.
  const downstream = [span('c1', 'e1', 3), span('d1', 'c1', 2, '/internal/prices')];
  held.set('t1', downstream);
  const sent = [{ traceId: 't1', parentSpanId: 'ffffffffffffffff' }];
  const early = await collectSpans({ spans: (id) => held.get(id) }, sent, 0);
  assert.deepEqual(early.incomplete, ['t1'], 'only the downstream server span has come');
  held.set('t1', [...downstream, span('e1', 'ffffffffffffffff', 2, '/api/orders/:id/receipt')]);
  const done = await collectSpans({ spans: (id) => held.get(id) }, sent, 0);
  assert.deepEqual(done.incomplete, []);
  assert.equal(done.spans.get('t1')?.length, 3);
});

test('a downstream server span that came before its client span does not complete the trace', async () => {
  const held = new Map<string, TraceSpan[]>();
  const sent = [{ traceId: 't2', parentSpanId: 'ffffffffffffffff' }];
  // The build called itself: its own server span for /internal/prices, exported in an earlier batch
  // than the client span c1 above it; its parent is not in the trace (yet), but it is not the entry.
  held.set('t2', [span('d1', 'c1', 2, '/internal/prices')]);
  const early = await collectSpans({ spans: (id) => held.get(id) }, sent, 0);
  assert.deepEqual(early.incomplete, ['t2']);
  held.set('t2', [span('d1', 'c1', 2, '/internal/prices'), span('c1', 'e1', 3), span('e1', 'ffffffffffffffff', 2, '/api/orders/:id')]);
  const done = await collectSpans({ spans: (id) => held.get(id) }, sent, 0);
  assert.deepEqual(done.incomplete, []);
  assert.equal(done.spans.get('t2')?.length, 3);
});
