/**
 * The counting model of issue 10 through the real pipeline, store and trace buffer: a span counts
 * on the function it represents, once per call; an exception counts once per trace on the line
 * that threw; a log record without a stack waits for the span it was written in.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { IngestPipeline } from '../../../src/core/sources/ingestPipeline';
import { emptyCode, type ExceptionInfo, type LogRecordInfo, type SpanRecord } from '../../../src/core/ingest/records';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';
import { SignalStore } from '../../../src/core/signals/signalStore';
import { TraceBuffer } from '../../../src/core/signals/traceBuffer';
import { resource, span } from '../../support/records';

const root = mkdtempSync(path.join(os.tmpdir(), 'rl-model-'));
let index: WorkspaceIndex;
const CONTROLLER = ['class ShopController {', '  @GetMapping("/price/{item}")', '  public Price price(@PathVariable String item) {', '    return pricing.unitPrice(item);', '  }', '}', ''].join('\n');
const PRICING = ['class PricingService {', '  Price unitPrice(String item) {', '    throw new IllegalArgumentException("unknown item: " + item);', '  }', '}', ''].join('\n');
const STACK = [
  'java.lang.IllegalArgumentException: unknown item: durian',
  '\tat shop.PricingService.unitPrice(PricingService.java:3)',
  '\tat shop.ShopController.price(ShopController.java:4)',
  '\tat org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:199)',
].join('\n');

before(async () => {
  mkdirSync(path.join(root, 'src/shop'), { recursive: true });
  writeFileSync(path.join(root, 'src/shop/ShopController.java'), CONTROLLER);
  writeFileSync(path.join(root, 'src/shop/PricingService.java'), PRICING);
  index = (await WorkspaceIndex.build(root)).index;
});
after(() => rmSync(root, { recursive: true, force: true }));

const javaRes = resource('shop', 'production', { language: 'java' });
const TRACE = 'a'.repeat(31);
let ids = 0;
const id = () => (++ids).toString(16).padStart(16, '0');

function setup() {
  const store = new SignalStore({});
  const traces = new TraceBuffer();
  const pipeline = new IngestPipeline(store, new CodeMapper(index), 10_000, Promise.resolve(), undefined, { traces });
  const send = async (spans: SpanRecord[], logs: LogRecordInfo[] = []) => {
    pipeline.offer({ spans, logs, rejected: 0, rejectReasons: [] });
    await pipeline.idle();
  };
  return { store, pipeline, send, query: () => store.query({ windowMs: 300_000 }) };
}

function failure(at = Date.now()): ExceptionInfo {
  return { type: 'java.lang.IllegalArgumentException', message: 'unknown item: durian', stacktrace: STACK, timeMs: at };
}

/** One request as the Java agent reports it with controller spans on: a server span and its controller span. */
function request(n: number, o: { serverError?: boolean; controllerError?: boolean; exception?: boolean } = {}) {
  const traceId = TRACE + n.toString(16);
  const server = span({
    traceId,
    spanId: id(),
    kind: 2,
    name: 'GET /price/{item}',
    httpRoute: '/price/{item}',
    httpMethod: 'GET',
    resource: javaRes,
    error: o.serverError ?? false,
    exceptions: o.exception ? [failure()] : [],
  });
  const controller = span({
    traceId,
    spanId: id(),
    parentSpanId: server.spanId,
    kind: 1,
    name: 'ShopController.price',
    resource: javaRes,
    code: { ...emptyCode(), namespace: 'shop.ShopController', function: 'price' },
    error: o.controllerError ?? false,
    exceptions: o.exception ? [failure()] : [],
  });
  return { server, controller };
}

test('a server span and its controller span are one call of one row, whichever arrives first', async () => {
  const { send, query } = setup();
  const a = request(1);
  const b = request(2);
  await send([a.controller, a.server]);
  await send([b.server]);
  await send([b.controller]);
  const rows = query().functions;
  assert.deepEqual(
    rows.map((f) => [f.function, f.line, f.count, f.errors]),
    [['ShopController.price', 3, 2, 0]],
  );
});

test('the outer span speaks for the request: a 502 whose controller span succeeded is a failed call', async () => {
  const { send, query } = setup();
  const r = request(3, { serverError: true });
  await send([r.controller]);
  await send([r.server]);
  assert.deepEqual(
    query().functions.map((f) => [f.count, f.errors]),
    [[1, 1]],
  );
});

test('two calls of one function in one request (siblings) are two calls', async () => {
  const { send, query } = setup();
  const r = request(4);
  const again = { ...r.controller, spanId: id() };
  await send([r.controller, again, r.server]);
  assert.equal(query().functions[0]?.count, 2);
});

test('an exception on both spans and in the container log is one occurrence, on the throwing line, in its request', async () => {
  const { send, query, pipeline } = setup();
  const r = request(5, { serverError: true, controllerError: true, exception: true });
  const log: LogRecordInfo = {
    timeMs: Date.now(),
    traceId: r.server.traceId,
    spanId: r.server.spanId,
    severity: 17,
    resource: javaRes,
    code: emptyCode(),
    body: 'Servlet.service() for servlet [dispatcherServlet] threw exception',
    exception: { ...failure(), type: 'IllegalArgumentException' },
  };
  await send([], [log]);
  await send([r.controller, r.server]);
  const { functions, errors, unmapped } = query();
  assert.deepEqual(
    functions.map((f) => [f.function, f.count, f.errors]),
    [['ShopController.price', 1, 1]],
  );
  assert.equal(errors.length, 1);
  assert.deepEqual([errors[0].function, errors[0].line, errors[0].totalCount, errors[0].operations], ['PricingService.unitPrice', 3, 1, ['GET /price/{item}']]);
  assert.deepEqual(unmapped, []);
  assert.equal(pipeline.stats.exceptionRepeats, 2);
});

test('framework-internal spans fold into their request; client spans are calls, not unmapped', async () => {
  const { send, query, pipeline } = setup();
  const r = request(6);
  const layer = span({ traceId: r.server.traceId, spanId: id(), parentSpanId: r.server.spanId, kind: 1, name: 'middleware - query', resource: javaRes });
  const client = span({ traceId: r.server.traceId, spanId: id(), parentSpanId: layer.spanId, kind: 3, name: 'GET', resource: javaRes });
  await send([client, layer, r.controller, r.server]);
  assert.deepEqual(query().unmapped, []);
  assert.equal(pipeline.stats.clientSpans, 1);
  assert.equal(pipeline.stats.spansFolded, 2, 'the middleware span and the server span (same function as its controller span)');
});

test("a stackless error log written before its span arrives waits, then sits on that span's function, once", async () => {
  const { send, query } = setup();
  const r = request(7, { serverError: true });
  const stackless: ExceptionInfo = { type: '*errors.errorString', message: 'unknown item "durian"', stacktrace: '', timeMs: Date.now() };
  const log: LogRecordInfo = {
    timeMs: Date.now(),
    traceId: r.server.traceId,
    spanId: r.server.spanId,
    severity: 17,
    resource: javaRes,
    code: emptyCode(),
    body: 'price lookup failed',
    exception: { ...stackless, type: 'errors.errorString' },
  };
  await send([], [log]);
  assert.equal(query().errors.length, 0, 'the log waits for its span');
  await send([{ ...r.server, exceptions: [stackless] }]);
  const errors = query().errors;
  assert.deepEqual(
    errors.map((e) => [e.function, e.line, e.totalCount]),
    [['ShopController.price', 3, 1]],
  );
});

test('a handled exception that is only logged is an error group occurrence, not a failed request', async () => {
  const { send, query } = setup();
  const r = request(8);
  const log: LogRecordInfo = {
    timeMs: Date.now(),
    traceId: r.server.traceId,
    spanId: r.controller.spanId,
    severity: 17,
    resource: javaRes,
    code: emptyCode(),
    body: 'lookup failed',
    exception: failure(),
  };
  await send([r.controller, { ...r.server, error: false }], [log]);
  const { functions, errors } = query();
  assert.deepEqual(
    functions.map((f) => [f.count, f.errors]),
    [[1, 0]],
  );
  assert.deepEqual(
    errors.map((e) => e.totalCount),
    [1],
  );
});

test('an SDK failing to export to this receiver is not an error of the service', async () => {
  const store = new SignalStore({});
  const pipeline = new IngestPipeline(store, new CodeMapper(index), 10_000, Promise.resolve(), undefined, { traces: new TraceBuffer(), ownOrigins: () => ['http://127.0.0.1:4318'] });
  const log: LogRecordInfo = {
    timeMs: Date.now(),
    traceId: '',
    spanId: '',
    severity: 17,
    resource: javaRes,
    code: emptyCode(),
    exception: null,
    body: 'Failed to export metrics batch code: 404, reason: Not Found',
  };
  pipeline.offer({ spans: [], logs: [log], rejected: 0, rejectReasons: [] });
  await pipeline.idle();
  assert.deepEqual(store.query({ windowMs: 300_000 }).errors, []);
  assert.equal(pipeline.stats.ownExportFailures, 1);
});
