/**
 * Conformance, Python: a Flask service under zero-code `opentelemetry-instrument` (traces and logs,
 * the metrics exporter at its default) serves a fixed traffic script to the real receiver, whose
 * figures must be exact: one row per handler with the requests and failures sent, each exception
 * counted once on the line that raised, the outgoing call on the line that makes it, nothing
 * mappable left unmapped. The venv comes from scripts/conformance/python.sh.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getStatus } from '../support/harness';
import type { StartedServer } from '../support/harness';
import { PYTHON_APP_DIR, PYTHON_SERVICE, runPythonConformance } from '../support/conformancePythonApp';
import { CONFORMANCE_ENVIRONMENT, lineOf as lineIn, sent as sentIn, TRAFFIC } from '../support/conformanceTraffic';
import { byName, runAgainstReceiver, shownFor } from '../support/conformanceSignals';
import type { PythonRun } from '../support/conformancePythonApp';
import type { SignalsResponse } from '../../src/core/api/signals';

const lineOf = (file: string, needle: string): number => lineIn(PYTHON_APP_DIR, file, needle);
const sent = (prefix: string): number => sentIn(TRAFFIC, prefix).count;
const failed = (prefix: string): number => sentIn(TRAFFIC, prefix).errors;

// One SERVER span per request, plus one CLIENT span per /quote request.
const SPANS = TRAFFIC.length + sent('/quote');

let server: StartedServer | undefined;
let run: PythonRun | undefined;
let signals: SignalsResponse | undefined;

before(async () => {
  ({ server, run, signals } = await runAgainstReceiver({
    workspace: PYTHON_APP_DIR,
    service: PYTHON_SERVICE,
    run: runPythonConformance,
    // The app exits only after its exporters flushed, so everything has been sent: wait until it is filed.
    settled: (s) => s.spansAccepted >= SPANS && s.spansProcessed + (s.spansFailed ?? 0) === s.spansAccepted && s.logsProcessed + (s.logsFailed ?? 0) === s.logsAccepted && s.queueDepth === 0,
    timeoutMs: 30_000,
  }));
});

after(async () => {
  await server?.stop();
});

const shown = (): string => shownFor(signals!, PYTHON_SERVICE);

test('the app flushed on SIGTERM and the receiver accepted every span it exported', async () => {
  assert.equal(run!.exitCode, 0, `the app must exit 0 after flushing its exporters\n--- app stderr ---\n${run!.stderr}`);
  assert.equal(run!.downstreamCalls, sent('/quote'));
  const status = await getStatus(server!.url);
  assert.equal(status.spansAccepted, SPANS, JSON.stringify(status));
  assert.equal(status.spansRejected, 0, JSON.stringify(status));
  assert.ok(status.logsAccepted > 0, `the logging instrumentation exported no log record: ${JSON.stringify(status)}`);
});

test('one row per handler, named as Python names it, with the requests and failures sent', () => {
  const rows = signals!.functions.map((f) => ({ function: f.function, file: f.file, line: f.line, count: f.count, errors: f.errors })).sort(byName);
  const expected = [
    { function: 'inventory', file: 'app.py', line: lineOf('app.py', 'def inventory('), count: sent('/inventory/'), errors: failed('/inventory/') },
    { function: 'price', file: 'app.py', line: lineOf('app.py', 'def price('), count: sent('/price/'), errors: failed('/price/') },
    { function: 'quote', file: 'app.py', line: lineOf('app.py', 'def quote('), count: sent('/quote'), errors: failed('/quote') },
    { function: 'slow', file: 'app.py', line: lineOf('app.py', 'def slow('), count: sent('/slow'), errors: failed('/slow') },
  ];
  // Pinned against the script so a changed TRAFFIC cannot silently change what is asserted.
  assert.deepEqual(
    expected.map((r) => [r.function, r.count, r.errors]),
    [
      ['inventory', 5, 0],
      ['price', 9, 3],
      ['quote', 6, 2],
      ['slow', 2, 0],
    ],
  );
  assert.deepEqual(rows, expected, `functions differ (no row may exist for the pricing helpers)${shown()}`);
  for (const f of signals!.functions) assert.equal(f.environment, CONFORMANCE_ENVIRONMENT, `environment of ${f.function}${shown()}`);
});

test('each exception is one error group, counted once per request, on the line that raised', () => {
  const groups = signals!.errors.map((e) => ({ type: e.type, function: e.function, file: e.file, line: e.line, count: e.count, totalCount: e.totalCount })).sort(byName);
  const expected = [
    // Caught in inventory and logged with logger.exception: it happened, though the request did not fail.
    { type: 'KeyError', function: 'stock_level', file: 'pricing.py', line: lineOf('pricing.py', 'raise KeyError(sku)'), count: 2, totalCount: 2 },
    // Recorded on the server span (exception.message "'durian'") and logged by Flask's log_exception
    // (exception.message "durian"): one occurrence per failed request.
    { type: 'KeyError', function: 'unit_price', file: 'pricing.py', line: lineOf('pricing.py', 'raise KeyError(item)'), count: 3, totalCount: 3 },
  ];
  assert.deepEqual(groups, expected, `error groups differ (nothing else may appear, e.g. no exporter failure)${shown()}`);
  const durian = signals!.errors.find((e) => e.function === 'unit_price');
  assert.match(durian?.message ?? '', /durian/, `the unit_price group's message${shown()}`);
});

test('the downstream call is one outgoing call on the line of quote that makes it', () => {
  const calls = signals!.calls.map((c) => ({ function: c.function, file: c.file, line: c.line, count: c.count, errors: c.errors }));
  const expected = [{ function: 'quote', file: 'app.py', line: lineOf('app.py', 'requests.get('), count: sent('/quote'), errors: 2 }];
  assert.deepEqual(calls, expected, `calls differ${shown()}`);
});

test('nothing from the service is unmapped: server, client and log records all reach code', () => {
  assert.deepEqual(signals!.unmapped, [], `unmapped for ${PYTHON_SERVICE}${shown()}`);
});
