import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceSpan } from '../../../src/core/api/signals';
import { buildTraceWaterfall } from '../../../src/core/render/panelModelTrace';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

function s(spanId: string, parentSpanId: string, startOffset: number, durationMs: number, extra: Partial<TraceSpan> = {}): TraceSpan {
  return {
    spanId,
    parentSpanId,
    name: spanId,
    kind: 1,
    service: 'orders',
    environment: 'production',
    startMs: T0 + startOffset,
    durationMs,
    error: false,
    statusMessage: '',
    httpRoute: '',
    httpMethod: '',
    exceptions: [],
    ...extra,
  };
}

test('children sit under their parent in start order, indented, scaled to the whole trace', () => {
  const w = buildTraceWaterfall({
    traceId: 'a'.repeat(32),
    // Deliberately shuffled, as a receiver may hold them.
    spans: [
      s('db', 'handler', 30, 50, { kind: 3, service: 'postgres' }),
      s('root', '', 0, 200, { kind: 2, httpMethod: 'GET', httpRoute: '/orders/:id', mapping: { file: 'src/orders.ts', line: 12, function: 'getOrder', mappedBy: 'code-attributes', confidence: 1 } }),
      s('handler', 'root', 10, 150),
      s('render', 'handler', 100, 40, { error: true, statusMessage: 'boom', exceptions: [{ type: 'TypeError', message: 'x is undefined' }] }),
    ],
  });
  assert.deepEqual(
    w.rows.map((r) => [r.spanId, r.depth]),
    [
      ['root', 0],
      ['handler', 1],
      ['db', 2],
      ['render', 2],
    ],
  );
  const [root, handler, db, render] = w.rows;
  assert.equal(root.offset, 0);
  assert.equal(root.width, 1);
  assert.equal(handler.offset, 0.05);
  assert.equal(db.width, 0.25);
  assert.equal(root.route, 'GET /orders/:id');
  assert.equal(root.kind, 'server');
  assert.deepEqual(root.mapping, { file: 'src/orders.ts', line: 12, function: 'getOrder', label: 'code.* attributes · 100%' });
  assert.equal(render.error, true);
  assert.deepEqual(render.problems, ['boom', 'TypeError: x is undefined']);
  assert.equal(render.start, '+100 ms');
  assert.deepEqual(w.services, ['orders', 'postgres']);
  assert.equal(db.serviceIndex, 1);
  assert.equal(w.errorCount, 1);
  assert.equal(w.duration, '200 ms');
  assert.deepEqual(
    w.ticks.map((t) => t.label),
    ['0', '50 ms', '100 ms', '150 ms', '200 ms'],
  );
});

test('a span whose parent was never received becomes a root marked orphan; cycles do not loop', () => {
  const w = buildTraceWaterfall({
    traceId: 'b'.repeat(32),
    spans: [s('root', '', 0, 100), s('lost', 'ffff', 20, 10), s('x', 'y', 40, 5), s('y', 'x', 41, 5)],
  });
  assert.equal(w.rows.length, 4);
  const lost = w.rows.find((r) => r.spanId === 'lost')!;
  assert.equal(lost.depth, 0);
  assert.equal(lost.orphan, true);
  assert.equal(w.rows.find((r) => r.spanId === 'root')!.orphan, false);
  assert.deepEqual(new Set(w.rows.map((r) => r.spanId)), new Set(['root', 'lost', 'x', 'y']));
});

test('a deep chain does not overflow and an empty trace yields no rows', () => {
  const spans = [s('0', '', 0, 10_000)];
  for (let i = 1; i < 20_000; i++) spans.push(s(String(i), String(i - 1), i * 0.1, 1));
  const w = buildTraceWaterfall({ traceId: 'c'.repeat(32), spans });
  assert.equal(w.rows.length, 20_000);
  assert.equal(w.rows[19_999].depth, 19_999);
  assert.deepEqual(buildTraceWaterfall({ traceId: 'd'.repeat(32), spans: [] }).rows, []);
});
