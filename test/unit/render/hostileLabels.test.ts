import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ErrorSignal, SignalsResponse, WindowFigures } from '../../../src/core/api/signals';
import { compileLensTemplate, DEFAULT_LENS_TEMPLATE } from '../../../src/core/render/lensTemplate';
import { lineHints } from '../../../src/core/render/lineHints';
import { DEFAULT_THRESHOLDS } from '../../../src/core/render/severity';
import { HOSTILE_MESSAGE, HOSTILE_NAME, labelIcons, UNSAFE_CHARS } from '../../support/hostileText';

const figures: WindowFigures = { count: 10, errors: 1, errorRate: 0.1, ratePerMin: 2, p50Ms: 5, p95Ms: 50, p99Ms: 80 };

test("CodeLens titles show `$(…)` from telemetry literally and keep the template's own icons", () => {
  const template = compileLensTemplate(`$(pulse) {service} ${DEFAULT_LENS_TEMPLATE}`);
  const title = template.expand({ figures, window: '5m', environment: `prod$(bell)\n${HOSTILE_NAME}`, service: HOSTILE_NAME });
  assert.deepEqual(labelIcons(title, ['pulse']), [], title);
  assert.match(title, /^\$\(pulse\) pay\\\$\(bell\)\\\$\(warning\)/);
  assert.match(title, /prod\\\$\(bell\) pay/);
  assert.doesNotMatch(title, UNSAFE_CHARS);
  assert.doesNotMatch(title, /\n/);
});

test('line hints carry no control or bidi characters from error types and messages', () => {
  const error: ErrorSignal = {
    service: 's',
    environment: 'e',
    type: `Type\u001b[8m${HOSTILE_NAME}`,
    message: HOSTILE_MESSAGE,
    count: 2,
    totalCount: 2,
    function: 'f',
    file: 'a.ts',
    line: 3,
    firstSeen: 0,
    lastSeen: 0,
    mappedBy: 'stacktrace',
    stacktrace: '',
    traceIds: [],
  };
  const response: SignalsResponse = {
    window: '5m',
    environment: 'e',
    environments: [],
    generatedAt: 0,
    functions: [],
    operations: [],
    errors: [error],
    unmapped: [],
    calls: [],
    evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
  };
  const [hint] = lineHints(response, 'a.ts', DEFAULT_THRESHOLDS);
  assert.doesNotMatch(hint.text, UNSAFE_CHARS, JSON.stringify(hint.text));
  assert.doesNotMatch(hint.text, /\n|\r/);
  assert.match(hint.text, /^✖ 2× Type\[8mpay/);
});
