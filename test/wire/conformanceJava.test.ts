/**
 * Conformance with the OpenTelemetry Java agent (issue 10 §5): a Spring Boot app on embedded Tomcat,
 * run under the agent with its defaults (traces, logs and metrics over OTLP/HTTP protobuf), serves a
 * fixed traffic script; the receiver's figures must be exact for what was sent. One row per handler
 * counting requests and failed requests, each exception once per request on its throwing line, the
 * downstream call on the line that makes it, nothing mappable left unmapped.
 * Needs `bash scripts/conformance/java.sh` (JDK 17, Maven, the agent and the app's jar in the cache).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getStatus } from '../support/harness';
import { JAVA_APP_DIR, JAVA_SERVICE, runJavaConformance } from '../support/javaConformanceRun';
import { CONFORMANCE_ENVIRONMENT, lineOf as lineIn, sent as sentIn, TRAFFIC } from '../support/conformanceTraffic';
import { byName, runAgainstReceiver, shownFor } from '../support/conformanceSignals';
import type { JavaRun, JavaRunOptions } from '../support/javaConformanceRun';
import type { StartedServer } from '../support/harness';
import type { SignalsResponse } from '../../src/core/api/signals';

const SOURCES = 'src/main/java/conformance/shop';
const CONTROLLER = `${SOURCES}/ShopController.java`;
const PRICING = `${SOURCES}/pricing/PricingService.java`;

const lineOf = (file: string, needle: string): number => lineIn(JAVA_APP_DIR, file, needle);
const sent = (prefix: string): { count: number; errors: number } => sentIn(TRAFFIC, prefix);
const shown = (s: SignalsResponse): string => shownFor(s, JAVA_SERVICE);

/**
 * The agent's spans per run: one SERVER span per request and one CLIENT span per downstream call;
 * with controller telemetry also one INTERNAL `ShopController.x` span per request and one
 * `BasicErrorController.error` span per request that threw (Spring's /error dispatch).
 */
function expectedSpans(opts: JavaRunOptions): number {
  const base = TRAFFIC.length + sent('/quote').count;
  return opts.controllerSpans ? base + TRAFFIC.length + sent('/price/').errors : base;
}

function conformance(label: string, opts: JavaRunOptions): void {
  describe(label, () => {
    let server: StartedServer | undefined;
    let run: JavaRun | undefined;
    let signals: SignalsResponse | undefined;

    before(async () => {
      const began = Date.now();
      ({ server, run, signals } = await runAgainstReceiver({
        workspace: JAVA_APP_DIR,
        service: JAVA_SERVICE,
        run: (endpoint) => runJavaConformance(endpoint, opts),
        settled: (s) => s.spansAccepted >= expectedSpans(opts) && s.spansProcessed + (s.spansFailed ?? 0) >= s.spansAccepted && s.logsProcessed + (s.logsFailed ?? 0) >= s.logsAccepted && s.queueDepth === 0,
        timeoutMs: 30_000,
      }));
      console.log(`# ${label}: app ready in ${run.startMs} ms; run, flush and ingest took ${Date.now() - began} ms`);
    });

    after(async () => {
      await server?.stop();
    });

    test('the receiver accepted every span the agent exported, and rejected nothing', async () => {
      const status = await getStatus(server!.url);
      assert.equal(status.spansAccepted, expectedSpans(opts), JSON.stringify(status));
      assert.equal(status.spansRejected, 0, JSON.stringify(status));
      assert.ok(status.logsAccepted > 0, `the agent's logback capture sent no log records: ${JSON.stringify(status)}`);
    });

    test('one row per handler: count = requests served, errors = failed requests, on the method line; none for the pricing helpers', () => {
      const row = (name: string, prefix: string, needle: string) => ({ function: `ShopController.${name}`, file: CONTROLLER, line: lineOf(CONTROLLER, needle), ...sent(prefix) });
      const expected = [
        row('price', '/price/', 'public Map<String, Object> price('),
        row('slow', '/slow', 'public Map<String, Object> slow('),
        row('inventory', '/inventory/', 'public ResponseEntity<Map<String, Object>> inventory('),
        row('quote', '/quote', 'public ResponseEntity<Map<String, Object>> quote('),
      ].sort(byName);
      assert.deepEqual(
        expected.map((r) => [r.count, r.errors]).sort(),
        [
          [2, 0],
          [5, 0],
          [6, 2],
          [9, 3],
        ],
        'fixture: the traffic script',
      );
      const actual = signals!.functions.map((f) => ({ function: f.function, file: f.file, line: f.line, count: f.count, errors: f.errors })).sort(byName);
      assert.deepEqual(actual, expected, shown(signals!));
    });

    test('each exception is one error group on its throw line, counted once per request despite span events and logs', () => {
      const expected = [
        { type: 'IllegalArgumentException', function: 'PricingService.unitPrice', file: PRICING, line: lineOf(PRICING, 'throw new IllegalArgumentException('), totalCount: 3 },
        { type: 'NoSuchElementException', function: 'PricingService.stockOf', file: PRICING, line: lineOf(PRICING, 'throw new NoSuchElementException('), totalCount: 2 },
      ].sort(byName);
      // The agent names exceptions by their full class name; the short name is what the group is about.
      const actual = signals!.errors.map((e) => ({ type: e.type.slice(e.type.lastIndexOf('.') + 1), function: e.function, file: e.file, line: e.line, totalCount: e.totalCount })).sort(byName);
      assert.deepEqual(actual, expected, shown(signals!));
    });

    test("the downstream call is counted on quote's HttpClient.send line: 6 calls, 2 failed", () => {
      const expected = [{ function: 'ShopController.quote', file: CONTROLLER, line: lineOf(CONTROLLER, 'client.send('), count: 6, errors: 2 }];
      const actual = signals!.calls.map((c) => ({ function: c.function, file: c.file, line: c.line, count: c.count, errors: c.errors }));
      assert.deepEqual(actual, expected, shown(signals!));
      assert.equal(run!.downstreamCalls, 6, 'fixture: the downstream saw every call');
    });

    test('nothing of the service is unmapped: server, client and log records all reach code', () => {
      assert.deepEqual(signals!.unmapped, [], shown(signals!));
    });

    test('every row carries the deployment environment from the resource', () => {
      const rows = [...signals!.functions, ...signals!.errors, ...signals!.calls];
      assert.ok(rows.length > 0, `no ${JAVA_SERVICE} rows at all${shown(signals!)}`);
      for (const r of rows) assert.equal(r.environment, CONFORMANCE_ENVIRONMENT, JSON.stringify(r));
    });

    test('the agent reported no failed export: every signal it sends by default is accepted', () => {
      // The agent's default metrics exporter posts /v1/metrics; a 404 there is logged by the agent as a failed export.
      const failures = run!.appStderr.split('\n').filter((l) => /Failed to export|export.*(failed|404)/i.test(l));
      assert.deepEqual(failures, [], 'the agent logged failed exports (its stderr)');
    });
  });
}

conformance('OpenTelemetry Java agent, defaults', {});
conformance('OpenTelemetry Java agent, controller spans on', { controllerSpans: true });
