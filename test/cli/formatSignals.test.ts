import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionSignal, SignalsResponse } from '../../src/core/api/signals';
import { formatSignals } from '../../src/cli/signalsCommand';

function fn(name: string, count: number): FunctionSignal {
  return {
    service: 'orders', environment: 'production', function: name, file: 'src/orders.ts', line: 10, count, errors: 1,
    errorRate: 1 / count, ratePerMin: count / 5, p50Ms: 12, p95Ms: 1480, p99Ms: 2300, mappedBy: 'code-attributes', confidence: 0.95, exemplars: [],
  };
}

function response(functions: FunctionSignal[], environments = ['production']): SignalsResponse {
  return {
    window: '5m', environment: 'production', environments, generatedAt: 0, functions, operations: [], errors: [], unmapped: [], calls: [],
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
