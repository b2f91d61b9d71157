import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CallSignal, ErrorSignal, SignalsResponse } from '../../../src/core/api/signals';
import { lineHints } from '../../../src/core/render/lineHints';
import { DEFAULT_THRESHOLDS } from '../../../src/core/render/severity';

const error = (line: number, count: number, message: string, file = 'src/a.ts'): ErrorSignal => ({
  service: 's',
  environment: 'production',
  type: 'TypeError',
  message,
  count,
  totalCount: count,
  function: 'f',
  file,
  line,
  firstSeen: 0,
  lastSeen: 0,
  mappedBy: 'stacktrace',
  stacktrace: '',
  traceIds: [],
});
const call = (line: number, p95Ms: number, lineMatch: CallSignal['lineMatch'] = 'url', errorRate = 0): CallSignal => ({
  service: 's',
  environment: 'production',
  function: 'f',
  file: 'src/a.ts',
  line,
  target: 'api.example',
  lineMatch,
  count: 10,
  errors: Math.round(errorRate * 10),
  errorRate,
  ratePerMin: 2,
  p50Ms: p95Ms / 2,
  p95Ms,
  p99Ms: p95Ms,
});
const response = (errors: ErrorSignal[], calls: CallSignal[]): SignalsResponse => ({
  window: '5m',
  environment: 'production',
  environments: [],
  generatedAt: 0,
  functions: [],
  operations: [],
  errors,
  unmapped: [],
  calls,
  evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
});

test('a line that threw shows its top error group with count, message and window', () => {
  const hints = lineHints(response([error(12, 37, "Cannot read properties of undefined (reading 'id')"), error(12, 3, 'other'), error(20, 1, 'x', 'src/b.ts')], []), 'src/a.ts', DEFAULT_THRESHOLDS);
  assert.deepEqual(hints, [{ line: 12, text: "✖ 37× TypeError: Cannot read properties of undefined (reading 'id') (5m) +1 more", severity: 'error' }]);
});

test('a line making an outgoing call shows the p95, coloured by thresholds; function-line guesses are left to the hover', () => {
  const hints = lineHints(response([], [call(5, 340), call(8, 40), call(9, 1500), call(10, 20, 'only-call', 0.5), call(1, 999, 'function')]), 'src/a.ts', DEFAULT_THRESHOLDS);
  assert.deepEqual(
    hints.map((h) => [h.line, h.text, h.severity]),
    [
      [5, '~340 ms', 'warning'],
      [8, '~40 ms', 'ok'],
      [9, '~1.5 s', 'error'],
      [10, '~20 ms', 'error'],
    ],
  );
});

test('an error wins over a call on the same line; long messages are clipped to one line', () => {
  const long = `first line\n${'x'.repeat(200)}`;
  const [hint] = lineHints(response([error(5, 2, long)], [call(5, 340)]), 'src/a.ts', DEFAULT_THRESHOLDS);
  assert.equal(hint.severity, 'error');
  assert.match(hint.text, /^✖ 2× TypeError: first line x+… \(5m\)$/);
  assert.ok(hint.text.length < 120);
});
