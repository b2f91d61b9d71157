import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionSignal, SignalsResponse } from '../../src/core/api/signals';
import { formatSignals } from '../../src/cli/signalsCommand';
import { HOSTILE_MESSAGE, HOSTILE_NAME, UNSAFE_CHARS } from '../support/hostileText';

function fn(name: string, count: number): FunctionSignal {
  return {
    service: 'orders',
    environment: 'production',
    function: name,
    file: 'src/orders.ts',
    line: 10,
    count,
    errors: 1,
    errorRate: 1 / count,
    ratePerMin: count / 5,
    p50Ms: 12,
    p95Ms: 1480,
    p99Ms: 2300,
    mappedBy: 'code-attributes',
    confidence: 0.95,
    exemplars: [],
  };
}

function response(functions: FunctionSignal[], environments = ['production']): SignalsResponse {
  return {
    window: '5m',
    environment: 'production',
    environments,
    generatedAt: 0,
    functions,
    operations: [],
    errors: [],
    unmapped: [],
    calls: [],
    evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
  };
}

test('prints the top rows with figures right-aligned and says how many more there are', () => {
  const text = formatSignals(response([fn('createOrder', 100), fn('listOrders', 40), fn('getOrder', 7)]), 2);
  const lines = text.split('\n');
  assert.match(lines[2], /^FUNCTION\s+LOCATION\s+COUNT\s+ERR%/);
  assert.match(lines[3], /^orders createOrder\s+src\/orders\.ts:10\s+100\s+1\.0%\s+20\.0\s+12ms\s+1\.48s\s+2\.30s\s+code-attributes$/);
  assert.equal(lines[4].indexOf(' 40'), lines[3].indexOf('100'), 'counts are right-aligned');
  assert.match(text, /\.\.\. and 1 more functions/);
  assert.doesNotMatch(text, /getOrder/);
});

test('an empty window says whether the receiver has older data or none at all', () => {
  assert.match(formatSignals(response([]), 25), /holds older data \(try --window 1h\)/);
  assert.match(formatSignals(response([], []), 25), /No data yet\. Point a service at the receiver: OTEL_EXPORTER_OTLP_ENDPOINT=/);
});

test('telemetry text reaches the table without terminal controls: OSC 52, titles, clear screen, hidden text, C1, bidi', () => {
  const attacks = ['\u001b]52;c;ZXZpbA==\u0007', '\u001b]0;pwned\u0007', '\u001b[2J', '\u001b[8m', '\u009b2J', '\u009d0;t\u009c', '\u202eexe.gnp', 'ok\rfake'];
  const hostile = (n: number): FunctionSignal => ({ ...fn(`${HOSTILE_NAME}${attacks[n % attacks.length]}`, 100 - n), service: attacks[n % attacks.length], file: `src/${attacks[(n + 1) % attacks.length]}.ts` });
  const s = response(
    Array.from({ length: attacks.length }, (_, i) => hostile(i)),
    ['production', ...attacks],
  );
  s.environment = `production${attacks[0]}`;
  s.errors = attacks.map((a, i) => ({
    service: a,
    environment: 'production',
    type: `T${a}`,
    message: `${HOSTILE_MESSAGE}${a}`,
    count: i + 1,
    totalCount: i + 1,
    function: a,
    file: `src/${a}.ts`,
    line: 1,
    firstSeen: 0,
    lastSeen: 0,
    mappedBy: 'stacktrace',
    stacktrace: '',
    traceIds: [],
  }));
  s.unmapped = [{ service: 'x', environment: 'production', name: attacks[1], reason: `no route ${attacks[2]}`, count: 3 }];
  const text = formatSignals(s, 25);
  assert.doesNotMatch(text, UNSAFE_CHARS, JSON.stringify(text));
  assert.doesNotMatch(text, /\r/);
  // The rest of the text is still there, and each row is still one line.
  assert.match(text, /\]52;c;ZXZpbA==/);
  assert.equal(text.split('\n').filter((l) => l.includes('pay$(bell)')).length, attacks.length);
});
