// Exception logs as Loki returns them, read into exceptions: real stack traces (test/fixtures/stacks,
// and Node's own Error.stack made here) split one line per entry as a plain-text logger ships them,
// JSON and logfmt lines with OpenTelemetry's exception.* fields, and Alloy's Faro exception line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { firstInAppFrame, parseStackTrace } from '../../../src/core/mapping/stackTrace';
import { stackHeadline, structuredException } from '../../../src/core/sources/loki/exceptionLines';
import { LogExceptionReader } from '../../../src/core/sources/loki/logExceptionReader';
import { parseLogfmt } from '../../../src/core/sources/loki/logfmt';
import { EXCEPTION_LINE_PATTERN } from '../../../src/core/sources/loki/logql';
import type { LokiStream } from '../../../src/core/sources/loki/lokiApi';

const stack = (name: string): string => readFileSync(join(__dirname, '../../fixtures/stacks', name), 'utf8').trimEnd();
const lokiLine = (name: string): string => readFileSync(join(__dirname, '../../fixtures/loki', name), 'utf8').trimEnd();
const T0 = 1_767_000_000_000;
const ns = (ms: number) => `${ms}000000`;
const filter = new RegExp(EXCEPTION_LINE_PATTERN);

/** One entry per line, 1 ms apart, as a plain-text logger's lines reach Loki. */
function entries(text: string, fromMs = T0): Array<[string, string]> {
  return text.split('\n').map((line, i) => [ns(fromMs + i), line]);
}

function stream(labels: Record<string, string>, values: Array<[string, string]>): LokiStream {
  return { labels: new Map(Object.entries(labels)), entries: values };
}

/** What one read of these entries finds, with the idle stacks completed. */
function readAll(reader: LogExceptionReader, streams: LokiStream[]) {
  return [...reader.read(streams, T0 + 100), ...reader.flushIdle(T0 + 60_000)];
}

const PLAIN: Array<{ file: string; type: string; message: string }> = [
  { file: 'python-chained.txt', type: 'shop.orders.OrderError', message: 'bad order payload' },
  { file: 'python-during-handling.txt', type: 'KeyError', message: "'fallback'" },
  { file: 'java-caused-by.txt', type: 'java.lang.RuntimeException', message: 'request failed' },
  { file: 'java-jdk-suppressed.txt', type: 'java.lang.IndexOutOfBoundsException', message: 'Index: 5 Size: 2' },
  { file: 'v8-node-modules.txt', type: 'TypeError', message: 'fancy-lib: not an object: not json' },
  { file: 'go-panic.txt', type: 'panic', message: 'runtime error: index out of range [0] with length 0' },
  { file: 'go-traceback-all.txt', type: 'panic', message: 'runtime error: integer divide by zero' },
];

for (const c of PLAIN) {
  test(`a ${c.file} stack split one line per entry is put back together into one exception`, () => {
    const text = stack(c.file);
    const found = readAll(new LogExceptionReader(), [stream({ service_name: 'shop' }, entries(text))]);
    assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.exception.type)));
    const [{ exception, timeMs }] = found;
    assert.equal(exception.type, c.type);
    assert.equal(exception.message, c.message);
    assert.equal(timeMs, T0);
    // the reassembled stack points at the same frame as the stack read whole
    assert.deepEqual(firstInAppFrame(parseStackTrace(exception.stacktrace).frames), firstInAppFrame(parseStackTrace(text).frames));
  });

  test(`${c.file}: the lines the LogQL line filter keeps still make the same exception`, () => {
    const text = stack(c.file);
    const kept = entries(text).filter(([, line]) => filter.test(line));
    const found = readAll(new LogExceptionReader(), [stream({ service_name: 'shop' }, kept)]);
    assert.equal(found.length, 1);
    assert.equal(found[0].exception.type, c.type);
    assert.deepEqual(firstInAppFrame(parseStackTrace(found[0].exception.stacktrace).frames), firstInAppFrame(parseStackTrace(text).frames));
  });
}

test('the Python traceback is kept whole and its in-app frame found: real text, not just the headline', () => {
  const [found] = readAll(new LogExceptionReader(), [stream({ service_name: 'shop' }, entries(stack('python-chained.txt')))]);
  const frame = firstInAppFrame(parseStackTrace(found.exception.stacktrace, 'python').frames);
  assert.deepEqual([frame?.file, frame?.line, frame?.function], ['/app/shop/orders.py', 16, 'load_order']);
});

test('a stack split across two reads (query_range, then the tail) is one exception, and overlapping entries count once', () => {
  const lines = entries(stack('java-caused-by.txt'));
  const reader = new LogExceptionReader();
  const labels = { service_name: 'orders', env: 'prod' };
  // the window read ends mid-stack; the tail's lookback repeats its last two lines
  const first = reader.read([stream(labels, lines.slice(0, 8))], T0 + 8);
  const second = reader.read([stream(labels, lines.slice(6))], T0 + 20);
  const rest = reader.flushIdle(T0 + 60_000);
  assert.deepEqual([first.length, second.length, rest.length], [0, 0, 1]);
  assert.equal(reader.counters.duplicates, 2);
  assert.equal(rest[0].exception.stacktrace, stack('java-caused-by.txt'));
  // the same entries again (a reconnect replays) add nothing
  assert.deepEqual(readAll(reader, [stream(labels, lines)]), []);
});

test('stacks of different streams interleaved in one answer stay apart', () => {
  const py = entries(stack('python-chained.txt'));
  const node = entries(stack('v8-node-modules.txt'));
  const reader = new LogExceptionReader();
  const found = readAll(reader, [stream({ service_name: 'py' }, py), stream({ service_name: 'node' }, node)]);
  assert.deepEqual(found.map((f) => [f.labels.get('service_name'), f.exception.type]).sort(), [
    ['node', 'TypeError'],
    ['py', 'shop.orders.OrderError'],
  ]);
});

test('two stacks back to back in one stream, with ordinary log lines around them, are two exceptions', () => {
  const a = stack('v8-node-modules.txt').split('\n');
  const b = stack('java-reflection.txt').split('\n');
  const lines = ['INFO listening on :8080', ...a, 'INFO request done', ...b, 'INFO shutting down'];
  const found = readAll(new LogExceptionReader(), [
    stream(
      { app: 'x' },
      lines.map((l, i) => [ns(T0 + i), l]),
    ),
  ]);
  assert.deepEqual(
    found.map((f) => f.exception.type),
    ['TypeError', 'java.lang.reflect.InvocationTargetException'],
  );
});

test('lines of one stack further apart in time than the gap are not joined', () => {
  const lines = stack('v8-node-modules.txt').split('\n');
  const values: Array<[string, string]> = [
    [ns(T0), lines[0]],
    [ns(T0 + 1), lines[1]],
    [ns(T0 + 10_000), 'TypeError: again'],
    [ns(T0 + 10_001), lines[2]],
  ];
  const found = readAll(new LogExceptionReader(2_000), [stream({ app: 'x' }, values)]);
  assert.equal(found.length, 2);
});

test('a header line with no frames after it is not an exception', () => {
  const values: Array<[string, string]> = [
    [ns(T0), 'TypeError: x is not a function'],
    [ns(T0 + 1), 'INFO next request'],
  ];
  assert.deepEqual(readAll(new LogExceptionReader(), [stream({ app: 'x' }, values)]), []);
});

test('a Node stack made here by real code, shipped as one entry with newlines (a multiline shipper), is read whole', () => {
  let err: Error;
  try {
    JSON.parse('{bad');
  } catch (e) {
    err = e as Error;
  }
  const found = readAll(new LogExceptionReader(), [stream({ app: 'x' }, [[ns(T0), err!.stack!]])]);
  assert.equal(found.length, 1);
  assert.equal(found[0].exception.type, 'SyntaxError');
  assert.equal(found[0].exception.stacktrace, err!.stack);
  assert.ok(parseStackTrace(found[0].exception.stacktrace).frames.some((f) => f.file === __filename));
});

test("JSON lines: flat dotted exception.* keys, nested objects, an OTLP record with attributes, pino's err", () => {
  const err = new RangeError('quantity must be positive');
  const flat = JSON.stringify({
    level: 'error',
    msg: 'charge failed',
    'exception.type': 'RangeError',
    'exception.message': err.message,
    'exception.stacktrace': err.stack,
    trace_id: '4BF92F3577B34DA6A3CE929D0E0E4736',
    'service.name': 'checkout',
  });
  const nested = JSON.stringify({ level: 'error', exception: { type: 'ValueError', message: 'bad qty', stacktrace: stack('python-site-packages.txt') } });
  const otlp = JSON.stringify({
    body: 'charge failed',
    severity: 'ERROR',
    attributes: { 'exception.type': 'java.lang.IllegalStateException', 'exception.message': 'cannot reserve', 'exception.stacktrace': stack('java-caused-by.txt') },
    resources: { 'service.name': 'orders', 'deployment.environment.name': 'prod', 'telemetry.sdk.language': 'java' },
  });
  const pino = JSON.stringify({ level: 50, time: T0, msg: 'failed', err: { type: 'RangeError', message: err.message, stack: err.stack } });
  const a = structuredException(flat)!;
  assert.deepEqual([a.type, a.message, a.stacktrace, a.traceId, a.service], ['RangeError', 'quantity must be positive', err.stack, '4bf92f3577b34da6a3ce929d0e0e4736', 'checkout']);
  const b = structuredException(nested)!;
  assert.deepEqual([b.type, b.message], ['ValueError', 'bad qty']);
  const c = structuredException(otlp)!;
  assert.deepEqual([c.type, c.service, c.environment, c.language], ['java.lang.IllegalStateException', 'orders', 'prod', 'java']);
  assert.equal(c.stacktrace, stack('java-caused-by.txt'));
  assert.equal(structuredException(pino)!.type, 'RangeError');
  // JSON lines without an exception, and a `stack` field that holds no stack trace, are none
  assert.equal(structuredException(JSON.stringify({ level: 'error', msg: 'timeout talking to db' })), null);
  assert.equal(structuredException(JSON.stringify({ level: 'info', stack: 'main' })), null);
  assert.equal(structuredException('{"exception.type": "X", '), null);
  // a JSON exception without a message takes it from its stack's headline
  assert.equal(structuredException(JSON.stringify({ 'exception.stacktrace': stack('go-panic.txt') }))!.message, 'runtime error: index out of range [0] with length 0');
});

test('logfmt lines with exception.* keys, quoted and escaped as go-logfmt writes them', () => {
  const text = stack('go-recover-otel.txt');
  const line = `ts=2026-05-01T10:15:30Z level=error msg="request failed" exception.type="*errors.errorString" exception.message="index out of range" exception.stacktrace=${JSON.stringify(text)} service.name=shop`;
  const e = structuredException(line)!;
  assert.deepEqual([e.type, e.message, e.service], ['*errors.errorString', 'index out of range', 'shop']);
  assert.equal(e.stacktrace, text);
  assert.equal(structuredException('level=info msg="all good" took=3ms'), null);
  assert.equal(parseLogfmt('ERROR: something "odd" happened'), null);
  assert.deepEqual(
    [...parseLogfmt('a=1 b="x \\"y\\" \\u00e9\\nz" c= d=')!],
    [
      ['a', '1'],
      ['b', 'x "y" é\nz'],
      ['c', ''],
      ['d', ''],
    ],
  );
});

test("Alloy's Faro exception line is a browser error with its frames, app and environment", () => {
  const e = structuredException(lokiLine('faro-exception.logfmt'))!;
  assert.equal(e.browser, true);
  assert.equal(e.language, 'webjs');
  assert.deepEqual(
    [e.type, e.message, e.service, e.environment, e.version, e.traceId],
    ['TypeError', "Cannot read properties of undefined (reading 'amount')", 'shop-web', 'production', '1.4.0', '4bf92f3577b34da6a3ce929d0e0e4736'],
  );
  const frames = parseStackTrace(e.stacktrace, 'webjs').frames;
  assert.deepEqual([frames[0].file, frames[0].line, frames[0].column, frames[0].function], ['/src/cart.ts', 12, 9, 'renderTotal']);
  assert.equal(frames.length, 4);
});

test('a Faro line read from a Loki stream is one browser exception', () => {
  const found = readAll(new LogExceptionReader(), [stream({ service_name: 'faro', kind: 'exception' }, [[ns(T0), lokiLine('faro-exception.logfmt')]])]);
  assert.equal(found.length, 1);
  assert.equal(found[0].exception.browser, true);
});

test("an exception Loki's OTLP ingest kept as structured metadata (labels) is read from the labels", () => {
  const labels = { service_name: 'orders', exception_type: 'java.lang.IllegalStateException', exception_message: 'cannot reserve order o-1', exception_stacktrace: stack('java-caused-by.txt') };
  const found = readAll(new LogExceptionReader(), [stream(labels, [[ns(T0), 'reserve failed']])]);
  assert.deepEqual(
    found.map((f) => [f.exception.type, f.exception.message]),
    [['java.lang.IllegalStateException', 'cannot reserve order o-1']],
  );
});

test('stackHeadline reads the type and message each runtime prints', () => {
  assert.deepEqual(stackHeadline(stack('python-site-packages.txt')).type, 'LookupError');
  assert.deepEqual(stackHeadline('Exception in thread "main" java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)'), { type: 'java.lang.IllegalStateException', message: 'boom' });
  assert.deepEqual(stackHeadline('panic: boom [recovered]\n\ngoroutine 1 [running]:'), { type: 'panic', message: 'boom' });
  assert.deepEqual(stackHeadline(''), { type: '', message: '' });
});
