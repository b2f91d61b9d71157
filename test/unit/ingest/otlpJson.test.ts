import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLogsRequestJson, decodeTraceRequestJson } from '../../../src/core/ingest/otlpJson';
import { DecodeError } from '../../../src/core/ingest/records';
import { encodeSpans, sdkSpans } from './sdkPayloads';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

/** A one-resource, one-scope request around the given spans. */
function traces(spans: unknown[], resourceAttrs: unknown[] = []): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: resourceAttrs }, scopeSpans: [{ spans }] }] });
}

function span(extra: Record<string, unknown>): Record<string, unknown> {
  return { traceId: TRACE, spanId: SPAN, name: 'op', ...extra };
}

test('decodes the JSON the SDK exporter sends', () => {
  const sdk = sdkSpans();
  const batch = decodeTraceRequestJson(encodeSpans(sdk).json);
  assert.equal(batch.rejected, 0);
  assert.equal(batch.spans.length, sdk.length);
  const server = batch.spans.find((s) => s.name === 'POST /orders')!;
  assert.equal(server.httpRoute, '/orders');
  assert.equal(server.code.line, 41);
  assert.equal(server.exceptions[0].message, 'card declined');
  assert.equal(server.resource.revision, 'abc123');
});

test('int64 timestamps as strings keep sub-microsecond precision; numbers are accepted too', () => {
  const batch = decodeTraceRequestJson(
    traces([
      span({ startTimeUnixNano: '1700000000123456789', endTimeUnixNano: '1700000000125956789' }),
      span({ spanId: '00000000000000ff', startTimeUnixNano: 1700000000123000000, endTimeUnixNano: 1700000000124000000 }),
      span({ spanId: '00000000000000fe', startTimeUnixNano: '999', endTimeUnixNano: '1000999' }),
    ]),
  );
  assert.equal(batch.rejected, 0);
  const [a, b, c] = batch.spans;
  // biome-ignore lint/correctness/noPrecisionLoss: the literal is the nanosecond timestamp as written; the check allows for the double's rounding
  assert.ok(Math.abs(a.startMs - 1700000000123.456789) < 0.0005);
  assert.equal(a.durationMs, 2.5);
  assert.ok(Math.abs(b.startMs - 1700000000123) < 0.001);
  assert.ok(Math.abs(b.durationMs - 1) < 0.001);
  assert.equal(c.startMs, 0.000999);
  assert.equal(c.durationMs, 1);
});

test('enums as integers or names, status and unknown fields', () => {
  const batch = decodeTraceRequestJson(
    JSON.stringify({
      futureTopLevel: { x: 1 },
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }], entityRefs: [] },
          schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
          scopeSpans: [
            {
              scope: { name: 'x', version: '1' },
              spans: [
                span({ kind: 'SPAN_KIND_SERVER', status: { code: 'STATUS_CODE_ERROR', message: 'no' }, somethingNew: [1, 2] }),
                span({ spanId: '1111111111111111', kind: 3, status: { code: 2 } }),
                span({ spanId: '2222222222222222', status: { code: 'STATUS_CODE_OK' }, flags: 257, links: [] }),
              ],
            },
          ],
        },
      ],
    }),
  );
  assert.equal(batch.rejected, 0);
  const [a, b, c] = batch.spans;
  assert.equal(a.kind, 2);
  assert.equal(a.error, true);
  assert.equal(a.statusMessage, 'no');
  assert.equal(b.kind, 3);
  assert.equal(b.error, true);
  assert.equal(c.kind, 0);
  assert.equal(c.error, false);
  assert.equal(a.resource.service, 'api');
  assert.equal(a.resource, c.resource);
});

test('ids are case-insensitive hex; bad ids reject only their span', () => {
  const batch = decodeTraceRequestJson(
    traces([
      span({ traceId: TRACE.toUpperCase(), spanId: SPAN.toUpperCase(), parentSpanId: 'ABCDEF0123456789', name: 'upper' }),
      span({ traceId: 'zz' + TRACE.slice(2), name: 'not hex' }),
      span({ spanId: SPAN.slice(1), name: 'short span id' }),
      span({ traceId: '0'.repeat(32), name: 'zero trace' }),
      span({ traceId: undefined, name: 'no trace' }),
      span({ parentSpanId: 'xyz', name: 'bad parent' }),
      span({ parentSpanId: '', name: 'root' }),
      span({ traceId: 'CvdlGRbNQ92ESOshHIAxnA==', name: 'base64 is not OTLP/JSON' }),
    ]),
  );
  assert.deepEqual(
    batch.spans.map((s) => [s.name, s.traceId, s.spanId, s.parentSpanId]),
    [
      ['upper', TRACE, SPAN, 'abcdef0123456789'],
      ['root', TRACE, SPAN, ''],
    ],
  );
  assert.equal(batch.rejected, 6);
  assert.equal(batch.rejectReasons.length, 5, 'only the first few reasons are kept');
  assert.equal(batch.rejectReasons[0], 'span "not hex": trace id is not 32 hex digits');
  assert.equal(batch.rejectReasons[3], 'span "no trace": missing trace id');
});

test('AnyValue shapes: intValue as string or number, doubleValue, bool, arrays and maps ignored', () => {
  const attrs = (line: unknown, column: unknown) => [
    { key: 'code.line.number', value: line },
    { key: 'code.column.number', value: column },
    { key: 'code.function.name', value: { arrayValue: { values: [{ stringValue: 'x' }] } } },
    { key: 'code.file.path', value: { kvlistValue: { values: [] } } },
    { key: 'http.route', value: { boolValue: true } },
    { key: 'code.namespace', value: { bytesValue: 'AAE=' } },
    { key: 42, value: { stringValue: 'key is not a string' } },
    'not even an object',
  ];
  const batch = decodeTraceRequestJson(
    traces([
      span({ attributes: attrs({ intValue: '12' }, { intValue: 4 }) }),
      span({ spanId: '1111111111111111', attributes: attrs({ doubleValue: 7.9 }, { stringValue: '5' }) }),
      span({ spanId: '2222222222222222', attributes: attrs({ intValue: '1e3' }, { stringValue: 'five' }) }),
    ]),
  );
  assert.equal(batch.rejected, 0);
  const [a, b, c] = batch.spans;
  assert.deepEqual([a.code.line, a.code.column], [12, 4]);
  assert.deepEqual([b.code.line, b.code.column], [7, 5]);
  assert.deepEqual([c.code.line, c.code.column], [0, 0]);
  assert.equal(a.code.function, '');
  assert.equal(a.code.file, '');
  assert.equal(a.code.namespace, '');
  assert.equal(a.httpRoute, 'true');
});

test('wrong types in nested items reject the item, not the batch', () => {
  const batch = decodeTraceRequestJson(
    JSON.stringify({
      resourceSpans: [
        null,
        { resource: 'nope', scopeSpans: [] },
        { scopeSpans: 'nope' },
        {
          scopeSpans: [
            7,
            { spans: {} },
            {
              spans: [
                'span',
                span({ name: 5 }),
                span({ kind: 'SPAN_KIND_SIDEWAYS' }),
                span({ startTimeUnixNano: '-5' }),
                span({ endTimeUnixNano: true }),
                span({ attributes: {} }),
                span({ events: 'x' }),
                span({ status: { code: 'BAD' } }),
                span({ name: 'survivor', events: [null, { name: 'exception' }, { name: 'exception', attributes: 'x' }] }),
              ],
            },
          ],
        },
      ],
    }),
  );
  assert.equal(batch.spans.length, 1);
  assert.equal(batch.spans[0].name, 'survivor');
  assert.equal(batch.spans[0].exceptions.length, 2, 'exception events without usable attributes still count');
  assert.equal(batch.rejected, 5 + 8);
});

test('bodies that are not an OTLP object throw DecodeError with one line', () => {
  for (const body of ['', '{', 'null', '[]', '"x"', '42', '{"resourceSpans": {}}', '{"resourceSpans": "x"}']) {
    assert.throws(
      () => decodeTraceRequestJson(body),
      (e: unknown) => e instanceof DecodeError && !e.message.includes('\n'),
      body,
    );
  }
  assert.deepEqual(decodeTraceRequestJson('{}'), { spans: [], logs: [], rejected: 0, rejectReasons: [] });
  assert.deepEqual(decodeTraceRequestJson('{"resourceSpans": null}').spans, []);
  assert.throws(() => decodeLogsRequestJson('{"resourceLogs": 1}'), /resourceLogs must be an array/);
});

test('log records: severity names, observed time fallback, exceptions, optional ids', () => {
  const batch = decodeLogsRequestJson(
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'worker' } }] },
          scopeLogs: [
            {
              logRecords: [
                {
                  observedTimeUnixNano: '1700000000000000000',
                  severityNumber: 'SEVERITY_NUMBER_ERROR2',
                  body: { stringValue: 'job failed' },
                  traceId: TRACE.toUpperCase(),
                  spanId: 'nothex!!nothex!!',
                  attributes: [
                    { key: 'exception.type', value: { stringValue: 'KeyError' } },
                    { key: 'exception.message', value: { stringValue: "'id'" } },
                    { key: 'code.filepath', value: { stringValue: 'jobs.py' } },
                    { key: 'code.lineno', value: { intValue: '31' } },
                  ],
                },
                { timeUnixNano: 1700000000500000000, severityNumber: 9, body: { intValue: '7' } },
                { severityNumber: 'LOUD' },
                'not a record',
              ],
            },
          ],
        },
      ],
    }),
  );
  assert.equal(batch.logs.length, 2);
  assert.equal(batch.rejected, 2);
  const [err, info] = batch.logs;
  assert.equal(err.timeMs, 1700000000000);
  assert.equal(err.severity, 18);
  assert.equal(err.body, 'job failed');
  assert.equal(err.traceId, TRACE);
  assert.equal(err.spanId, '', 'a malformed optional span id is dropped, not the log');
  assert.deepEqual(err.exception, { type: 'KeyError', message: "'id'", stacktrace: '', timeMs: 1700000000000 });
  assert.equal(err.code.file, 'jobs.py');
  assert.equal(err.code.line, 31);
  assert.equal(err.resource.service, 'worker');
  assert.equal(info.body, '7');
  assert.equal(info.severity, 9);
  assert.ok(Math.abs(info.timeMs - 1700000000500) < 0.001);
  assert.equal(info.exception, null);
});
