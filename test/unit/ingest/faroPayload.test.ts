// The Faro payload validation and its records: a payload recorded from the real SDK in Chromium is
// read whole; a body that is not a payload is one line; a bad item is rejected and counted while
// the good ones are kept; the app's release and git hash become the deployment.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { FARO_MAX_FRAMES, parseFaroPayload } from '../../../src/core/ingest/faroPayload';
import { faroExceptionLog, faroPageRoute, faroResource, faroStackText } from '../../../src/core/ingest/faroRecords';
import { DecodeError, TooManyItemsError } from '../../../src/core/ingest/records';
import { parseStackTrace } from '../../../src/core/mapping/stackTrace';
import { WebVitals } from '../../../src/core/signals/webVitals';

const RECORDED = readFileSync(path.join(__dirname, '../../fixtures/faro/chromiumPayload.json'), 'utf8');
const now = new Date().toISOString();

test('the payload the Faro web SDK sent from Chromium is read whole', () => {
  const p = parseFaroPayload(Buffer.from(RECORDED));
  assert.equal(p.rejected, 0, p.rejectReasons.join('; '));
  assert.equal(p.meta.app?.name, 'shop-web');
  assert.equal(p.meta.app?.gitHash, 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0');
  assert.equal(p.exceptions.length, 1);
  assert.deepEqual(p.exceptions[0].stacktrace?.frames[0], { filename: 'http://127.0.0.1:32981/app.js', function: 'checkoutTotal', lineno: 6342, colno: 13 });
  assert.deepEqual(p.measurements[0].values, { lcp: 1200, delta: 1200 });
  assert.equal(p.logs[0].level, 'log');
  assert.equal(p.events[0].attributes?.sku, 'A-1');
  assert.equal(faroPageRoute(p.meta), '/checkout/{id}');
});

test('a body that is not a Faro payload is one DecodeError line', () => {
  const cases: [string, RegExp][] = [
    ['not json', /not JSON/],
    ['[1,2]', /is a list, not an object/],
    ['{"meta":"x"}', /^meta is a string, not an object$/],
    ['{"meta":{"app":{"name":5}}}', /^meta\.app\.name is a number, not a string$/],
    ['{"exceptions":{}}', /^exceptions is an object, not a list$/],
    ['{"traces":[]}', /traces is not an object with a resourceSpans list/],
  ];
  for (const [body, message] of cases) {
    assert.throws(
      () => parseFaroPayload(body),
      (err: Error) => err instanceof DecodeError && message.test(err.message) && !err.message.includes('\n'),
      body,
    );
  }
});

test('a bad item is rejected and counted; the good items of the payload are kept', () => {
  const p = parseFaroPayload(
    JSON.stringify({
      meta: { app: { name: 'web' } },
      exceptions: [
        { type: 'Error', value: 'good', timestamp: now, stacktrace: { frames: [{ filename: 'http://x/app.js', function: 'f', lineno: 3, colno: 7 }] } },
        { type: 'Error', value: 'no time' },
        { type: 'Error', value: 'bad frame', timestamp: now, stacktrace: { frames: [{ function: 'f' }] } },
        'a string',
      ],
      measurements: [
        { type: 'web-vitals', values: { lcp: 'slow' }, timestamp: now },
        { type: 'web-vitals', values: { cls: 0.1 }, timestamp: now },
      ],
      logs: [{ level: 'shout', message: 'x', timestamp: now }],
      events: [{ name: 'click', timestamp: now, attributes: { n: 5, sku: 'A-1' } }],
    }).replace('"n":5', '"__proto__":"a key","n":5'),
  );
  assert.deepEqual(
    p.exceptions.map((e) => e.value),
    ['good'],
  );
  assert.equal(p.measurements.length, 1);
  assert.equal(p.logs.length, 0);
  assert.equal(p.rejected, 5);
  assert.equal(p.rejectReasons[0], 'exceptions[1]: timestamp is not an ISO 8601 time');
  assert.equal(p.rejectReasons.length, 5);
  // Only string attributes are kept, and `__proto__` as an own key, never as a prototype.
  assert.equal(Object.getPrototypeOf(p.events[0].attributes), Object.prototype);
  assert.deepEqual(Object.keys(p.events[0].attributes ?? {}), ['__proto__', 'sku']);
  assert.equal(Object.getOwnPropertyDescriptor(p.events[0].attributes, '__proto__')?.value, 'a key');
});

test('frames are capped, trace contexts are checked, and too many items is 413', () => {
  const frames = Array.from({ length: FARO_MAX_FRAMES + 50 }, (_, i) => ({ filename: 'http://x/app.js', function: `f${i}`, lineno: i + 1, colno: 1 }));
  const p = parseFaroPayload(
    JSON.stringify({
      exceptions: [
        { type: 'Error', value: 'deep', timestamp: now, stacktrace: { frames }, trace: { trace_id: 'AB'.repeat(16), span_id: 'cd'.repeat(8) } },
        { type: 'Error', value: 'bad trace', timestamp: now, trace: { trace_id: 'nothex' } },
      ],
    }),
  );
  assert.equal(p.exceptions[0].stacktrace?.frames.length, FARO_MAX_FRAMES);
  assert.deepEqual(p.exceptions[0].trace, { trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8) });
  assert.equal(p.exceptions[1].trace, undefined, 'a malformed trace context is dropped, not the exception');
  const many = JSON.stringify({ events: Array.from({ length: 10_001 }, () => ({ name: 'e', timestamp: now })) });
  assert.throws(() => parseFaroPayload(many), TooManyItemsError);
});

test('the app is the resource: name is the service, gitHash the revision, version the version', () => {
  assert.deepEqual(faroResource({ app: { name: 'shop', version: '1.4.2', release: 'r-9', gitHash: 'abc1234def', environment: 'prod' } }), {
    service: 'shop',
    environment: 'prod',
    revision: 'abc1234def',
    serviceVersion: '1.4.2',
    language: 'webjs',
  });
  // A release that is a commit is the revision; a release that is not stands in for a missing version.
  assert.deepEqual(faroResource({ app: { name: 'shop', release: 'deadbeef12' } }).revision, 'deadbeef12');
  assert.deepEqual(faroResource({ app: { name: 'shop', release: 'v2.0.0' } }).serviceVersion, 'v2.0.0');
  // What could not be a revision never reaches git.
  assert.deepEqual(faroResource({ app: { gitHash: '--upload-pack=x', version: '<b>1</b>' } }), { service: 'unknown_service', environment: '', revision: '', serviceVersion: '', language: 'webjs' });
});

test('page routes: the URL path with ids folded, else the view name', () => {
  assert.equal(faroPageRoute({ page: { url: 'https://shop.example/orders/123/items/9f1c2e3a-1b2c-4d5e-8f90-123456789abc?x=1#top' } }), '/orders/{id}/items/{id}');
  assert.equal(faroPageRoute({ page: { url: 'https://shop.example' } }), '/');
  assert.equal(faroPageRoute({ view: { name: 'checkout' } }), 'checkout');
  assert.equal(faroPageRoute({}), '');
});

test('an exception becomes an error log record whose stack the V8 parser reads', () => {
  const frames = [
    { filename: 'web/src/page.ts', function: 'checkoutTotal', lineno: 23, colno: 11 },
    { filename: 'web/src/page.ts', function: '?', lineno: 28, colno: 18 },
  ];
  const text = faroStackText('Error', 'over limit\nforged line', frames);
  assert.equal(text.split('\n').length, 3, 'a newline in the message does not forge a frame');
  const parsed = parseStackTrace(text, 'webjs');
  assert.deepEqual(
    parsed.frames.map((f) => [f.file, f.line, f.column, f.function]),
    [
      ['web/src/page.ts', 23, 11, 'checkoutTotal'],
      ['web/src/page.ts', 28, 18, ''],
    ],
  );
  const log = faroExceptionLog({ type: 'Error', value: 'over limit', timestamp: '2026-01-01T00:00:00.000Z' }, faroResource({}), text);
  assert.equal(log.severity, 17);
  assert.equal(log.timeMs, Date.parse('2026-01-01T00:00:00.000Z'));
  assert.equal(log.exception?.stacktrace, text);
});

test('web vitals: p75 per route and metric in the window, bounded samples', () => {
  let t = 1_000_000;
  const vitals = new WebVitals({ maxSamples: 4 }, { now: () => t });
  for (const v of [100, 200, 300, 400]) vitals.record('web', 'prod', '/a', 'lcp', v, t);
  vitals.record('web', 'prod', '/a', 'cls', 0.12345, t);
  vitals.record('web', 'dev', '/a', 'lcp', 9, t);
  assert.equal(vitals.record('web', 'prod', '/a', 'lcp', -1, t), false);
  assert.deepEqual(vitals.rows('prod', 60_000), [
    { service: 'web', environment: 'prod', route: '/a', metric: 'cls', p75: 0.1235, count: 1 },
    { service: 'web', environment: 'prod', route: '/a', metric: 'lcp', p75: 300, count: 4 },
  ]);
  // Past maxSamples the oldest is overwritten.
  vitals.record('web', 'prod', '/a', 'lcp', 1000, t);
  assert.equal(vitals.rows('prod', 60_000).find((r) => r.metric === 'lcp')?.p75, 400);
  t += 120_000;
  vitals.record('web', 'prod', '/b', 'inp', 80, t);
  assert.deepEqual(
    vitals.rows('prod', 60_000).map((r) => r.route),
    ['/b'],
    'older samples are outside the window',
  );
});
