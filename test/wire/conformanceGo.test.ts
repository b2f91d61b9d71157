/**
 * Conformance with Go's standard instrumentation (issue 10 §5): a net/http app with Go 1.22 ServeMux
 * patterns under otelhttp, exporting traces, logs (slog through the otelslog bridge) and metrics
 * over OTLP/HTTP protobuf, serves a fixed traffic script; the receiver's figures must be exact for
 * what was sent. otelhttp names server spans `GET /price/{item}` and sends no http.route; errors are
 * recorded without a stack (RecordError), except the recovered panic's, whose stack starts in the
 * SDK, the deferred recover closure and the runtime's panic machinery.
 * Needs `bash scripts/conformance/go.sh` (Go >= 1.26; modules and the binary in the cache).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getStatus } from '../support/harness';
import { GO_APP_DIR, GO_SERVICE, GO_TRAFFIC, runGoConformance } from '../support/goConformanceRun';
import { CONFORMANCE_ENVIRONMENT, lineOf as lineIn, sent as sentIn } from '../support/conformanceTraffic';
import { byName, runAgainstReceiver, shownFor } from '../support/conformanceSignals';
import type { GoRun } from '../support/goConformanceRun';
import type { StartedServer } from '../support/harness';
import type { SignalsResponse } from '../../src/core/api/signals';

const MAIN = 'main.go';
const PRICING = 'pricing/pricing.go';

const lineOf = (file: string, needle: string): number => lineIn(GO_APP_DIR, file, needle);
const sent = (prefix: string): { count: number; errors: number } => sentIn(GO_TRAFFIC, prefix);

// What otelhttp sends: one SERVER span per request, one CLIENT span per downstream call, nothing else.
const EXPECTED_SPANS = GO_TRAFFIC.length + sent('/quote').count;
// One slog.ErrorContext per unknown sku.
const EXPECTED_LOGS = GO_TRAFFIC.filter((r) => r.status === 404).length;

let server: StartedServer | undefined;
let run: GoRun | undefined;
let signals: SignalsResponse | undefined;

before(async () => {
  ({ server, run, signals } = await runAgainstReceiver({
    workspace: GO_APP_DIR,
    service: GO_SERVICE,
    run: runGoConformance,
    settled: (s) =>
      s.spansAccepted >= EXPECTED_SPANS && s.logsAccepted >= EXPECTED_LOGS && s.spansProcessed + (s.spansFailed ?? 0) >= s.spansAccepted && s.logsProcessed + (s.logsFailed ?? 0) >= s.logsAccepted && s.queueDepth === 0,
    timeoutMs: 30_000,
  }));
});

after(async () => {
  await server?.stop();
});

const shown = (): string => shownFor(signals!, GO_SERVICE);

test('the receiver accepted every span and log record the app exported, and rejected nothing', async () => {
  const status = await getStatus(server!.url);
  assert.equal(status.spansAccepted, EXPECTED_SPANS, JSON.stringify(status));
  assert.equal(status.logsAccepted, EXPECTED_LOGS, JSON.stringify(status));
  assert.equal(status.spansRejected, 0, JSON.stringify(status));
});

test('one row per handler, found from `METHOD pattern` span names: count = requests, errors = failed requests', () => {
  const row = (name: string, prefix: string) => ({ function: name, file: MAIN, line: lineOf(MAIN, `func ${name}(`), ...sent(prefix) });
  // The panic handler is the closure panicHandler returns; its row is panicHandler's (closures fold).
  const expected = [row('price', '/price/'), row('slow', '/slow'), row('inventory', '/inventory/'), row('quote', '/quote'), row('panicHandler', '/panic')].sort(byName);
  assert.deepEqual(
    expected.map((r) => [r.count, r.errors]).sort(),
    [
      [2, 0],
      [2, 2],
      [5, 0],
      [6, 2],
      [9, 3],
    ],
    'fixture: the traffic script',
  );
  const actual = signals!.functions.map((f) => ({ function: f.function, file: f.file, line: f.line, count: f.count, errors: f.errors })).sort(byName);
  assert.deepEqual(actual, expected, shown());
});

test('errors recorded without a stack sit on their handler; the recovered panic on the line that panicked', () => {
  const expected = [
    // The recover closure, panic() and the SDK's own frames come first in that stack; the group skips them.
    { function: 'Explode', file: PRICING, line: lineOf(PRICING, 'return discountTiers[next]'), totalCount: 2 },
    // Logged with slog and recorded on the span: one occurrence per request, not two.
    { function: 'inventory', file: MAIN, line: lineOf(MAIN, 'func inventory('), totalCount: 2 },
    { function: 'price', file: MAIN, line: lineOf(MAIN, 'func price('), totalCount: 3 },
  ];
  const actual = signals!.errors.map((e) => ({ function: e.function, file: e.file, line: e.line, totalCount: e.totalCount })).sort(byName);
  assert.deepEqual(actual, expected, shown());
});

test("the downstream call is counted on quote's client.Do line: 6 calls, 2 failed", () => {
  const expected = [{ function: 'quote', file: MAIN, line: lineOf(MAIN, 'client.Do('), count: 6, errors: 2 }];
  const actual = signals!.calls.map((c) => ({ function: c.function, file: c.file, line: c.line, count: c.count, errors: c.errors }));
  assert.deepEqual(actual, expected, shown());
  assert.equal(run!.downstreamCalls, 6, 'fixture: the downstream saw every call');
});

test('nothing of the service is unmapped: server spans, client spans and log records all reach code', async () => {
  assert.deepEqual(signals!.unmapped, [], shown());
  const status = await getStatus(server!.url);
  assert.equal(status.mappedPercent, 100, `${JSON.stringify(status)}${shown()}`);
});

test('every row carries the deployment environment from the resource', () => {
  const rows = [...signals!.functions, ...signals!.errors, ...signals!.calls];
  assert.ok(rows.length > 0, `no ${GO_SERVICE} rows at all${shown()}`);
  for (const r of rows) assert.equal(r.environment, CONFORMANCE_ENVIRONMENT, JSON.stringify(r));
});

test('the SDK reported no failed export: traces, logs and metrics are all accepted', () => {
  // The SDK's default error handler logs a failed export (e.g. a 404 on /v1/metrics) on stderr.
  const failures = run!.appStderr.split('\n').filter((l) => l.trim() !== '');
  assert.deepEqual(failures, [], `app stderr:\n${run!.appStderr.slice(-4000)}`);
});
