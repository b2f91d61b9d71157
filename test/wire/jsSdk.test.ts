/**
 * Wire compatibility with the real OpenTelemetry JS SDK: spans exported by the official OTLP
 * exporters (JSON and protobuf, gzip and uncompressed) and logs exported by the logs SDK reach
 * the CLI receiver and come out of `/api/signals` mapped onto the workspace file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanStatusCode } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_CODE_FILE_PATH, ATTR_CODE_FUNCTION_NAME, ATTR_CODE_LINE_NUMBER, ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { getSignals, waitForProcessed, waitForStatus, startServer } from '../support/harness';
import type { StartedServer } from '../support/harness';
import type { SignalsResponse } from '../../src/core/api/signals';

const SERVICE = 'js-orders';
const ENVIRONMENT = 'production';
/** Where the service runs in production; the receiver must map it onto src/orders.js by suffix. */
const PROD_PATH = '/app/src/orders.js';

const ORDERS_JS = `'use strict';
// Orders service: production spans name this file as ${PROD_PATH}.

function listOrders(db) {
  return db.all('orders');
}

function createOrder(db, order) {
  if (!order.card) {
    throw new TypeError('card declined');
  }
  return db.insert('orders', order);
}

function validateQuantity(quantity) {
  if (quantity <= 0) {
    throw new RangeError('quantity out of range');
  }
  return quantity;
}

module.exports = { listOrders, createOrder, validateQuantity };
`;

/** 1-based line and column of the first occurrence of `needle` in the fixture. */
function positionOf(needle: string): { line: number; column: number } {
  const lines = ORDERS_JS.split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `fixture lacks ${needle}`);
  return { line: index + 1, column: lines[index]!.indexOf(needle) + 1 };
}

const listOrdersAt = positionOf('function listOrders');
const createOrderAt = positionOf('function createOrder');
const throwTypeErrorAt = positionOf("throw new TypeError('card declined')");
const throwRangeErrorAt = positionOf("throw new RangeError('quantity out of range')");

/** A V8 stack as the production service would have produced it. */
function v8Stack(type: string, message: string, fn: string, at: { line: number; column: number }): string {
  return [
    `${type}: ${message}`,
    `    at ${fn} (${PROD_PATH}:${at.line}:${at.column})`,
    '    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)',
    '    at next (/app/node_modules/express/lib/router/route.js:149:13)',
  ].join('\n');
}

// Per run: listOrders takes 5, 10, ..., 100 ms once each; createOrder always takes 250 ms and
// fails in CREATE_ERRORS of its CREATE_SPANS spans.
const LIST_DURATIONS = Array.from({ length: 20 }, (_, i) => (i + 1) * 5);
const CREATE_SPANS = 5;
const CREATE_ERRORS = 2;
const CREATE_MS = 250;
const SPANS_PER_RUN = LIST_DURATIONS.length + CREATE_SPANS;

type ExporterConfig = NonNullable<ConstructorParameters<typeof JsonTraceExporter>[0]>;
type Compression = NonNullable<ExporterConfig['compression']>;

const runs: { name: string; make(url: string): SpanExporter }[] = [
  { name: 'JSON, gzip', make: (url) => new JsonTraceExporter({ url, compression: 'gzip' as Compression }) },
  { name: 'JSON, uncompressed', make: (url) => new JsonTraceExporter({ url, compression: 'none' as Compression }) },
  { name: 'protobuf, gzip', make: (url) => new ProtoTraceExporter({ url, compression: 'gzip' as Compression }) },
  { name: 'protobuf, uncompressed', make: (url) => new ProtoTraceExporter({ url, compression: 'none' as Compression }) },
];

/** Passes spans through to the real exporter and keeps each export's outcome for the assertions. */
class RecordingExporter implements SpanExporter {
  readonly outcomes: { code: number; error?: Error }[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans, (result) => {
      this.outcomes.push({ code: result.code, error: result.error });
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

function hrTime(ms: number): HrTime {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}

const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: SERVICE, 'deployment.environment.name': ENVIRONMENT });

let workspace = '';
let server: StartedServer | undefined;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'rl-js-sdk-'));
  mkdirSync(join(workspace, 'src'));
  writeFileSync(join(workspace, 'src', 'orders.js'), ORDERS_JS);
  server = await startServer({ workspace });
});

after(async () => {
  await server?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

for (const [index, run] of runs.entries()) {
  test(`spans exported as ${run.name} are accepted and processed`, async () => {
    const exporter = new RecordingExporter(run.make(`${server!.url}/v1/traces`));
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
    const tracer = provider.getTracer('runtime-lens-wire-test');
    // Recent but in the past, so every span lies inside the 5 minute window.
    let clock = Date.now() - 90_000 + index * 10_000;
    const emit = (fn: string, at: { line: number }, ms: number, fail: boolean): void => {
      const span = tracer.startSpan(fn, {
        startTime: hrTime(clock),
        attributes: { [ATTR_CODE_FUNCTION_NAME]: fn, [ATTR_CODE_FILE_PATH]: PROD_PATH, [ATTR_CODE_LINE_NUMBER]: at.line },
      });
      if (fail) {
        span.recordException({ name: 'TypeError', message: 'card declined', stack: v8Stack('TypeError', 'card declined', fn, throwTypeErrorAt) }, hrTime(clock + ms - 1));
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
      }
      span.end(hrTime(clock + ms));
      clock += ms + 3;
    };
    for (const ms of LIST_DURATIONS) emit('listOrders', listOrdersAt, ms, false);
    for (let i = 0; i < CREATE_SPANS; i++) emit('createOrder', createOrderAt, CREATE_MS, i < CREATE_ERRORS);
    await provider.forceFlush();
    await provider.shutdown();

    assert.ok(exporter.outcomes.length > 0, 'the exporter was never called');
    for (const outcome of exporter.outcomes) {
      assert.equal(outcome.code, 0, `export failed: ${outcome.error?.message ?? 'no error given'}`);
    }
    const status = await waitForProcessed(server!.url, SPANS_PER_RUN * (index + 1));
    assert.equal(status.spansAccepted, SPANS_PER_RUN * (index + 1));
  });
}

/** Polls the signals API until `ready` holds (the store updates asynchronously after ingest). */
async function signalsWhen(query: Record<string, string>, ready: (s: SignalsResponse) => boolean): Promise<SignalsResponse> {
  const deadline = Date.now() + 10_000;
  let last = await getSignals(server!.url, query);
  while (!ready(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await getSignals(server!.url, query);
  }
  return last;
}

test('per-function signals count every span of the four runs, mapped by code attributes', async () => {
  const total = runs.length;
  const signals = await signalsWhen({ environment: ENVIRONMENT }, (s) => s.functions.some((f) => f.service === SERVICE && f.function === 'createOrder' && f.count === CREATE_SPANS * total));
  assert.equal(signals.window, '5m');
  const rows = signals.functions.filter((f) => f.service === SERVICE);
  const list = rows.find((f) => f.function === 'listOrders');
  const create = rows.find((f) => f.function === 'createOrder');
  assert.ok(list, `no listOrders row in ${JSON.stringify(rows)}`);
  assert.ok(create, `no createOrder row in ${JSON.stringify(rows)}`);

  assert.equal(list.count, LIST_DURATIONS.length * total);
  assert.equal(list.errors, 0);
  assert.equal(list.file, 'src/orders.js');
  assert.equal(list.line, listOrdersAt.line);
  assert.equal(list.environment, ENVIRONMENT);
  assert.equal(list.mappedBy, 'code-attributes');
  // Every run sent 5..100 ms once each: the median lies between 50 and 55 ms, the 95th
  // percentile between 95 and 100 ms; allow a few percent for the quantile sketch.
  assert.ok(list.p50Ms >= 47.5 && list.p50Ms <= 57.75, `listOrders p50 ${list.p50Ms} ms, expected ~50-55`);
  assert.ok(list.p95Ms >= 90 && list.p95Ms <= 105, `listOrders p95 ${list.p95Ms} ms, expected ~95-100`);
  assert.ok(list.p99Ms >= list.p95Ms && list.p99Ms <= 105, `listOrders p99 ${list.p99Ms} ms`);

  assert.equal(create.count, CREATE_SPANS * total);
  assert.equal(create.errors, CREATE_ERRORS * total);
  assert.ok(Math.abs(create.errorRate - CREATE_ERRORS / CREATE_SPANS) < 1e-9, `errorRate ${create.errorRate}`);
  assert.equal(create.file, 'src/orders.js');
  assert.equal(create.line, createOrderAt.line);
  assert.equal(create.mappedBy, 'code-attributes');
  for (const q of [create.p50Ms, create.p95Ms]) {
    assert.ok(Math.abs(q - CREATE_MS) <= CREATE_MS * 0.05, `createOrder quantile ${q} ms, expected ~${CREATE_MS}`);
  }
});

test('exceptions recorded on spans form one error group at the throw site', async () => {
  const expected = CREATE_ERRORS * runs.length;
  const signals = await signalsWhen({ environment: ENVIRONMENT }, (s) => s.errors.some((e) => e.service === SERVICE && e.type === 'TypeError' && e.count === expected));
  const groups = signals.errors.filter((e) => e.service === SERVICE && e.type === 'TypeError');
  assert.equal(groups.length, 1, `TypeError groups: ${JSON.stringify(groups)}`);
  const group = groups[0]!;
  assert.equal(group.count, expected);
  assert.equal(group.message, 'card declined');
  assert.equal(group.environment, ENVIRONMENT);
  assert.equal(group.function, 'createOrder');
  assert.equal(group.file, 'src/orders.js');
  assert.equal(group.line, throwTypeErrorAt.line);
  assert.equal(group.mappedBy, 'stacktrace');
  assert.ok(group.firstSeen <= group.lastSeen, `firstSeen ${group.firstSeen} > lastSeen ${group.lastSeen}`);
});

test('a log record with exception attributes appears as an error group', async () => {
  const idle = await waitForStatus(server!.url, (s) => s.queueDepth === 0, 10_000);
  const exporter = new OTLPLogExporter({ url: `${server!.url}/v1/logs` });
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('runtime-lens-wire-test');
  logger.emit({
    timestamp: new Date(Date.now() - 30_000),
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 'order rejected',
    attributes: {
      [ATTR_EXCEPTION_TYPE]: 'RangeError',
      [ATTR_EXCEPTION_MESSAGE]: 'quantity out of range',
      [ATTR_EXCEPTION_STACKTRACE]: v8Stack('RangeError', 'quantity out of range', 'validateQuantity', throwRangeErrorAt),
    },
  });
  await provider.forceFlush();
  await provider.shutdown();
  await waitForStatus(server!.url, (s) => s.logsProcessed >= idle.logsProcessed + 1, 10_000);

  const signals = await signalsWhen({ environment: ENVIRONMENT }, (s) => s.errors.some((e) => e.service === SERVICE && e.type === 'RangeError'));
  const group = signals.errors.find((e) => e.service === SERVICE && e.type === 'RangeError');
  assert.ok(group, `no RangeError group in ${JSON.stringify(signals.errors)}`);
  assert.equal(group.count, 1);
  assert.equal(group.message, 'quantity out of range');
  assert.equal(group.function, 'validateQuantity');
  assert.equal(group.file, 'src/orders.js');
  assert.equal(group.line, throwRangeErrorAt.line);
  assert.equal(group.mappedBy, 'stacktrace');
});
