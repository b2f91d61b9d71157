/**
 * Conformance with the official Node zero-code instrumentation (issue 10 §5): an Express app in
 * TypeScript, compiled with source maps and run without --enable-source-maps under
 * @opentelemetry/auto-instrumentations-node, serves a fixed traffic script and exports traces,
 * logs and metrics to the real receiver. The figures on the code must equal the traffic sent:
 * one row per handler, each exception counted once and placed on the line that threw (in the .ts,
 * through the .js.map), the outgoing call on the line that makes it, nothing mappable unmapped.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getStatus } from '../support/harness';
import type { StartedServer } from '../support/harness';
import { NODE_APP_DIR, NODE_SERVICE, prepareNodeApp, runNodeApp } from '../support/nodeConformanceApp';
import { CONFORMANCE_ENVIRONMENT as ENVIRONMENT, lineOf as lineIn, sent as sentIn, TRAFFIC } from '../support/conformanceTraffic';
import { runAgainstReceiver, shownFor } from '../support/conformanceSignals';
import type { NodeAppRun } from '../support/nodeConformanceApp';
import type { SignalsResponse } from '../../src/core/api/signals';

const lineOf = (file: string, needle: string): number => lineIn(NODE_APP_DIR, file, needle);

const ROUTES = 'src/routes.ts';
const PRICING = 'src/pricing.ts';

const sent = (prefix: string): { count: number; errors: number } => sentIn(TRAFFIC, prefix);

// Every span the script must produce at least: per request the server span, two middleware spans
// and the request handler span; per /quote request one client span.
const MIN_SPANS = TRAFFIC.length * 4 + sent('/quote').count;
// pino logs the caught exception of each /inventory/zz request once.
const LOG_RECORDS = TRAFFIC.filter((r) => r.path === '/inventory/zz').length;

let server: StartedServer | undefined;
let run: NodeAppRun | undefined;
let signals: SignalsResponse | undefined;

before(async () => {
  prepareNodeApp();
  ({ server, run, signals } = await runAgainstReceiver({
    workspace: NODE_APP_DIR,
    service: NODE_SERVICE,
    run: runNodeApp,
    // The app has exited, so its exporters have sent everything: wait until all of it is filed.
    settled: (s) =>
      s.spansAccepted >= MIN_SPANS && s.spansProcessed + (s.spansFailed ?? 0) === s.spansAccepted && s.logsAccepted >= LOG_RECORDS && s.logsProcessed + (s.logsFailed ?? 0) === s.logsAccepted && s.queueDepth === 0,
    timeoutMs: 20_000,
  }));
});

after(async () => {
  await server?.stop();
});

/** The whole picture for the service, printed when an assertion fails. */
const picture = (): string => shownFor(signals!, NODE_SERVICE);

test('the receiver accepted everything the app exported, and the app answered the script as planned', async () => {
  const status = await getStatus(server!.url);
  assert.equal(status.spansRejected, 0, JSON.stringify(status));
  assert.equal(status.spansFailed ?? 0, 0, JSON.stringify(status));
  assert.equal(status.logsAccepted, LOG_RECORDS, `pino log records; ${JSON.stringify(status)}`);
  assert.equal(run!.requests, TRAFFIC.length);
  assert.equal(run!.downstreamCalls, sent('/quote').count);
});

test('one row per handler, named as TypeScript names it, with the requests it served and failed', () => {
  const rows = signals!.functions.map((f) => ({ function: f.function, file: f.file, line: f.line, count: f.count, errors: f.errors })).sort((a, b) => a.line - b.line);
  const expected = [
    { function: 'price', file: ROUTES, line: lineOf(ROUTES, 'export async function price('), ...sent('/price/') },
    { function: 'inventory', file: ROUTES, line: lineOf(ROUTES, 'export async function inventory('), ...sent('/inventory/') },
    { function: 'quote', file: ROUTES, line: lineOf(ROUTES, 'export async function quote('), ...sent('/quote') },
    // An inline handler is named by its route, on the app.get line that registers it.
    { function: 'GET /slow handler', file: ROUTES, line: lineOf(ROUTES, "app.get('/slow'"), ...sent('/slow') },
  ].sort((a, b) => a.line - b.line);
  // The pricing helpers threw but served no request: they must have no row.
  assert.deepEqual(rows, expected, `functions of ${NODE_SERVICE}:\n${picture()}`);
});

test('each exception is one error group, counted once per request, on the throw line in the .ts', () => {
  const groups = signals!.errors.map((e) => ({ type: e.type, function: e.function, file: e.file, line: e.line, count: e.count, totalCount: e.totalCount })).sort((a, b) => a.line - b.line);
  const expected = [
    // Recorded on the express request-handler span; the 500 also marks the server span.
    { type: 'Error', function: 'unitPrice', file: PRICING, line: lineOf(PRICING, 'throw new Error('), count: 3, totalCount: 3 },
    // Caught and logged through pino (an OTLP log record with exception.* attributes), answered 404.
    { type: 'RangeError', function: 'stockOf', file: PRICING, line: lineOf(PRICING, 'throw new RangeError('), count: 2, totalCount: 2 },
  ];
  assert.deepEqual(groups, expected, `error groups of ${NODE_SERVICE}:\n${picture()}`);
  const messages = new Map(signals!.errors.map((e) => [e.type, e.message]));
  assert.match(messages.get('Error') ?? '', /unknown item/);
  assert.match(messages.get('RangeError') ?? '', /unknown sku/);
});

test('the downstream call sits on the fetch line of quote, with its calls and failures', () => {
  const calls = signals!.calls.map((c) => ({ function: c.function, file: c.file, line: c.line, count: c.count, errors: c.errors }));
  // The downstream answers 503 to its 3rd and 6th call.
  assert.deepEqual(calls, [{ function: 'quote', file: ROUTES, line: lineOf(ROUTES, 'await fetch('), count: sent('/quote').count, errors: 2 }], `calls of ${NODE_SERVICE}:\n${picture()}`);
});

test('nothing the app sent is listed as unmapped', () => {
  // Server, request-handler, middleware, client and tcp.connect spans and the pino records all map.
  assert.deepEqual(signals!.unmapped, [], `unmapped of ${NODE_SERVICE}:\n${picture()}`);
});

test(`every ${NODE_SERVICE} row carries the ${ENVIRONMENT} environment from the resource`, () => {
  const s = signals!;
  assert.ok(s.environments.includes(ENVIRONMENT), `environments: ${JSON.stringify(s.environments)}`);
  for (const row of [...s.functions, ...s.errors, ...s.calls]) assert.equal(row.environment, ENVIRONMENT, JSON.stringify(row));
});
