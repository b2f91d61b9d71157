import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readHar } from '../../../src/core/shadow/harTraffic';

const HAR_TEXT = readFileSync(path.resolve(__dirname, '../../fixtures/shadow/chromium.har'), 'utf8');

/** The parts of a HAR the tests read and plant bad values in. */
interface HarEntry {
  startedDateTime: string;
  time: number;
  request: { url: string; headers: Array<{ name: string; value: unknown }>; postData?: { text?: string; [k: string]: unknown }; [k: string]: unknown };
  response: Record<string, unknown>;
}
interface HarDoc {
  log: { entries: HarEntry[] };
}

/** A fresh copy of the recorded HAR, to plant bad entries in. */
function har(): HarDoc {
  return JSON.parse(HAR_TEXT);
}

test("Chromium's HAR: every http entry becomes a request with what the server answered", () => {
  const doc = har();
  const { requests, skipped } = readHar(HAR_TEXT);
  assert.deepEqual(skipped, []);
  assert.deepEqual(
    requests.map((r) => `${r.id} ${r.method} ${r.target} ${r.recorded.status}`),
    ['har:0 GET / 200', 'har:1 GET /api/orders/42?expand=items&currency=EUR 200', 'har:2 POST /api/quotes 201', 'har:3 POST /api/search 200', 'har:4 GET /api/missing 404', 'har:5 GET /assets/blob.bin 200'],
  );
  for (const [i, r] of requests.entries()) {
    assert.equal(r.origin, 'har');
    assert.equal(r.route, '');
    assert.equal(r.timeMs, Date.parse(doc.log.entries[i].startedDateTime));
    assert.equal(r.recorded.durationMs, doc.log.entries[i].time);
    assert.equal(r.headers.length, doc.log.entries[i].request.headers.length, 'HTTP/1.1 entries have no pseudo-headers to drop');
  }
  const quote = requests[2];
  assert.equal(quote.body, '{"sku":"A-1","qty":3,"note":"café"}');
  assert.equal(quote.bodyEncoding, 'utf8');
  assert.deepEqual(JSON.parse(quote.recorded.body!), { quote: 'q-1', qty: 3, price: 37.5 });
  assert.ok(
    quote.headers.some(([n, v]) => n === 'x-request-source' && v === 'har-fixture'),
    'header names keep their recorded case',
  );
  assert.ok(quote.headers.some(([n]) => n === 'User-Agent'));
  assert.equal(requests[3].body, 'q=blue+mug&page=2');
  assert.equal(requests[1].body, undefined, 'a GET has no body');
  assert.equal(requests[4].recorded.contentType, 'application/json; charset=utf-8');
  assert.deepEqual(JSON.parse(requests[4].recorded.body!), { error: 'not found', path: '/api/missing' });
  const binary = requests[5].recorded;
  assert.equal(binary.bodyEncoding, 'base64');
  assert.deepEqual([...Buffer.from(binary.body!, 'base64')], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x80, 0xff, 0xfe, 0x41, 0xc3]);
});

test('entries that are not http(s) are skipped as not-http, the others kept', () => {
  const doc = har();
  const template = doc.log.entries[1];
  for (const url of ['ws://127.0.0.1:1/socket', 'wss://example.test/live', 'data:text/plain,inline', 'blob:http://127.0.0.1/0d1e', 'chrome-extension://abcdef/page.js']) {
    doc.log.entries.push({ ...template, request: { ...template.request, url } });
  }
  const { requests, skipped } = readHar(JSON.stringify(doc));
  assert.equal(requests.length, 6);
  assert.deepEqual(
    skipped.map((s) => [s.id, s.reason]),
    [6, 7, 8, 9, 10].map((i) => [`har:${i}`, 'not-http']),
  );
  assert.match(skipped[0].detail, /^entry 6: a ws: URL, not HTTP$/);
  assert.match(skipped[4].detail, /chrome-extension:/);
});

test('a malformed entry is skipped with its index and one line; the good ones are kept', () => {
  const doc = har();
  const good = doc.log.entries[1];
  const bad: Array<[unknown, RegExp]> = [
    [null, /entry 6: not an object/],
    [{ ...good, request: undefined }, /entry 7: no request object/],
    [{ ...good, request: { ...good.request, url: 42 } }, /entry 8: no request.url/],
    [{ ...good, request: { ...good.request, method: undefined } }, /entry 9: no request.method/],
    [{ ...good, request: { ...good.request, method: 'GE T' } }, /entry 10: no request.method/],
    [{ ...good, request: { ...good.request, headers: 'Accept: */*' } }, /entry 11: request.headers is not an array/],
    [{ ...good, request: { ...good.request, headers: [{ name: 'Accept', value: 1 }] } }, /entry 12: request.headers\[0\] is not \{name, value\}/],
    [{ ...good, request: { ...good.request, headers: [{ name: 'X-A', value: 'a\r\nX-Injected: 1' }] } }, /entry 13: .*line break/],
    [{ ...good, request: { ...good.request, postData: 'x=1' } }, /entry 14: request.postData is not an object/],
    [{ ...good, response: { ...good.response, status: '200' } }, /entry 15: response.status is not a number/],
    [{ ...good, request: { ...good.request, url: 'http://[::1' } }, /entry 16: request.url .* is not an absolute/],
    [JSON.parse('{"__proto__": {"request": {"method": "GET", "url": "http://127.0.0.1/"}}}'), /entry 17: no request object/],
  ];
  for (const [entry] of bad) doc.log.entries.push(entry as HarEntry);
  const { requests, skipped } = readHar(JSON.stringify(doc));
  assert.equal(requests.length, 6);
  assert.equal(skipped.length, bad.length);
  for (const [i, [, pattern]] of bad.entries()) {
    assert.equal(skipped[i].id, `har:${6 + i}`);
    assert.equal(skipped[i].reason, 'unreadable');
    assert.match(skipped[i].detail, pattern);
    assert.ok(!skipped[i].detail.includes('\n'));
  }
});

test('HTTP/2 pseudo-headers are dropped; a form recorded only as params is rebuilt; status 0 records no answer', () => {
  const doc = har();
  const entry = doc.log.entries[3];
  entry.request.headers = [{ name: ':authority', value: 'shop.test' }, { name: ':method', value: 'POST' }, { name: ':path', value: '/api/search' }, { name: ':scheme', value: 'https' }, ...entry.request.headers];
  entry.request.postData = { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'q', value: 'blue mug' }, { name: 'page', value: '2' }, { name: 'empty' }] };
  doc.log.entries[2].request.postData = { mimeType: 'multipart/form-data; boundary=x', params: [{ name: 'file', fileName: 'a.png', contentType: 'image/png' }] };
  doc.log.entries[4].response = { status: 0, statusText: '', content: { size: 0, mimeType: 'x-unknown' }, _error: 'net::ERR_FAILED' };
  const { requests } = readHar(JSON.stringify(doc));
  assert.ok(requests[3].headers.every(([n]) => !n.startsWith(':')));
  assert.equal(requests[3].headers.length, doc.log.entries[3].request.headers.length - 4);
  assert.equal(requests[3].body, 'q=blue+mug&page=2&empty=');
  assert.equal(requests[2].body, undefined, 'a multipart body recorded without its content is not invented');
  assert.deepEqual(requests[4].recorded, { contentType: 'x-unknown', durationMs: doc.log.entries[4].time });
});

test('a text that is not HAR throws one line; a truncated HAR is not HAR', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /^not a HAR file: not JSON/],
    ['GET / HTTP/1.1\r\n\r\n', /^not a HAR file: not JSON/],
    [HAR_TEXT.slice(0, Math.floor(HAR_TEXT.length / 2)), /^not a HAR file: not JSON/],
    ['[1, 2]', /^not a HAR file: no "log" object$/],
    ['{"log": {"version": "1.2"}}', /^not a HAR file: log.entries is not an array$/],
    ['{"log": {"entries": {"0": {}}}}', /^not a HAR file: log.entries is not an array$/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(
      () => readHar(text),
      (e: Error) => pattern.test(e.message) && !e.message.includes('\n'),
    );
  }
  assert.deepEqual(readHar('\uFEFF{"log": {"entries": []}}'), { requests: [], skipped: [] }, 'a BOM (Fiddler writes one) is allowed');
});

test('thousands of headers and a megabyte of body are read, not choked on', () => {
  const doc = har();
  const entry = doc.log.entries[2];
  entry.request.headers = Array.from({ length: 5000 }, (_, i) => ({ name: `X-H${i}`, value: 'v'.repeat(100) }));
  entry.request.postData!.text = JSON.stringify({ blob: 'x'.repeat(1 << 20) });
  const { requests } = readHar(JSON.stringify(doc));
  assert.equal(requests[2].headers.length, 5000);
  assert.equal(requests[2].body!.length, (1 << 20) + 11);
});
