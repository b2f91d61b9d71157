import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readGor } from '../../../src/core/shadow/gorTraffic';
import { readHar } from '../../../src/core/shadow/harTraffic';
import { readJsonTraffic } from '../../../src/core/shadow/jsonTraffic';
import type { ShadowRequest } from '../../../src/core/shadow/shadowRequest';

const FIXTURES = path.resolve(__dirname, '../../fixtures/shadow');

/** Requests read from the real HAR and .gor fixtures: what an export of a run would hold. */
function realRequests(): ShadowRequest[] {
  return [...readHar(readFileSync(path.join(FIXTURES, 'chromium.har'), 'utf8')).requests, ...readGor(readFileSync(path.join(FIXTURES, 'etgMapmaker.gor'))).requests];
}

test('requests read from real HAR and .gor files come back whole through the JSON form', () => {
  const real = realRequests();
  const expected = real.map((r) => ({ ...r, origin: 'json' }));
  assert.deepEqual(readJsonTraffic(JSON.stringify(real)), { requests: expected, skipped: [] });
  assert.deepEqual(readJsonTraffic(JSON.stringify({ requests: real }, null, 2)), { requests: expected, skipped: [] });
  const binary = readJsonTraffic(JSON.stringify(real)).requests.find((r) => r.target === '/assets/blob.bin')!;
  assert.equal(binary.recorded.bodyEncoding, 'base64');
});

test('short forms: ids given by position, url for target, headers as objects, absent fields left out', () => {
  const { requests, skipped } = readJsonTraffic(
    JSON.stringify([
      { method: 'get', url: 'http://127.0.0.1:8080/orders/42?expand=items#frag' },
      { method: 'POST', target: '/api/quotes', headers: { 'Content-Type': 'application/json', 'X-Tag': ['a', 'b'] }, body: '{"qty":1}', recorded: { status: 201 } },
      { method: 'PUT', target: '/blob', headers: [{ name: 'X-A', value: '1' }], body: '//4AQQ==', bodyEncoding: 'base64', timeMs: 1700000000000 },
    ]),
  );
  assert.deepEqual(skipped, []);
  assert.deepEqual(requests[0], { id: 'json:0', origin: 'json', method: 'GET', target: '/orders/42?expand=items', route: '', headers: [], recorded: {} });
  assert.deepEqual(requests[1].headers, [
    ['Content-Type', 'application/json'],
    ['X-Tag', 'a'],
    ['X-Tag', 'b'],
  ]);
  assert.equal(requests[1].bodyEncoding, 'utf8');
  assert.deepEqual(requests[1].recorded, { status: 201 });
  assert.equal(requests[2].bodyEncoding, 'base64');
  assert.equal(requests[2].timeMs, 1700000000000);
});

test('a record with a bad field is skipped with its index and the field named; the rest are kept', () => {
  const good = { method: 'GET', target: '/ok' };
  const bad: Array<[unknown, RegExp]> = [
    [null, /^record 1: not an object$/],
    [[1, 2], /^record 2: not an object$/],
    [{ target: '/x' }, /^record 3: method is not an HTTP method$/],
    [{ method: 'GET /x', target: '/x' }, /^record 4: method is not an HTTP method$/],
    [{ method: 'GET' }, /^record 5: no target/],
    [{ method: 'GET', target: 'x' }, /^record 6: target is not a path/],
    [{ method: 'GET', target: '/a b' }, /^record 7: target is not a path/],
    [{ method: 'GET', url: 'ftp://host/x' }, /^record 8: no target/],
    [{ ...good, route: 7 }, /^record 9: route is not a string$/],
    [{ ...good, headers: 'Accept: */*' }, /^record 10: headers is not a list or an object$/],
    [{ ...good, headers: [['Accept']] }, /^record 11: headers\[0\] has no header name$/],
    [{ ...good, headers: [['X-A', 'v\r\nX-Injected: 1']] }, /^record 12: header X-A has no one-line string value$/],
    [{ ...good, headers: { 'X-A': 3 } }, /^record 13: header X-A has no one-line string value$/],
    [{ ...good, body: { a: 1 } }, /^record 14: body is not a string$/],
    [{ ...good, body: 'not base64!', bodyEncoding: 'base64' }, /^record 15: body is not base64$/],
    [{ ...good, body: 'x', bodyEncoding: 'latin1' }, /^record 16: bodyEncoding is not "utf8" or "base64"$/],
    [{ ...good, timeMs: '2024-01-01' }, /^record 17: timeMs is not a number$/],
    [{ ...good, recorded: [] }, /^record 18: recorded is not an object$/],
    [{ ...good, recorded: { status: 999 } }, /^record 19: recorded.status is not an HTTP status$/],
    [{ ...good, recorded: { status: '200' } }, /^record 20: recorded.status is not a number$/],
    [{ ...good, recorded: { durationMs: -1 } }, /^record 21: recorded.durationMs is not a duration$/],
    [{ ...good, recorded: { traceId: 'xyz' } }, /^record 22: recorded.traceId is not 32 hex digits$/],
    [{ ...good, recorded: { spanId: '0123' } }, /^record 23: recorded.spanId is not 16 hex digits$/],
    [{ ...good, id: 'same' }, /^record 24: id "same" repeats record 0$/],
    [JSON.parse('{"__proto__": {"method": "GET", "target": "/polluted"}}'), /^record 25: method is not an HTTP method$/],
  ];
  const { requests, skipped } = readJsonTraffic(JSON.stringify([{ ...good, id: 'same' }, ...bad.map(([r]) => r), good]));
  assert.deepEqual(
    requests.map((r) => r.id),
    ['same', `json:${bad.length + 1}`],
  );
  assert.equal(skipped.length, bad.length);
  for (const [i, [, pattern]] of bad.entries()) {
    assert.equal(skipped[i].reason, 'unreadable');
    assert.match(skipped[i].detail, pattern);
  }
  assert.equal(({} as Record<string, unknown>)['method'], undefined, 'nothing leaked onto Object.prototype');
});

test('a text that is not JSON traffic throws one line', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /^not JSON traffic: not JSON/],
    ['[{"method": "GET", "target": "/a"}', /^not JSON traffic: not JSON/],
    ['{"log": {"entries": []}}', /^not JSON traffic: expected an array of requests or \{"requests": \[\.\.\.\]\}$/],
    ['"GET /"', /^not JSON traffic: expected an array/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(
      () => readJsonTraffic(text),
      (e: Error) => pattern.test(e.message) && !e.message.includes('\n'),
    );
  }
  assert.deepEqual(readJsonTraffic('[]'), { requests: [], skipped: [] });
});
