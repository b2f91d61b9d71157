import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readGor } from '../../../src/core/shadow/gorTraffic';

const FIXTURES = path.resolve(__dirname, '../../fixtures/shadow');
/** A request and its 418 response, written by GoReplay in 2017 (CRLF as captured). */
const ETG = readFileSync(path.join(FIXTURES, 'etgMapmaker.gor'));
/** Six requests written by GoReplay in 2019, one a JSON POST. */
const SHOP = readFileSync(path.join(FIXTURES, 'ecommerceWorkshop.gor'));
const SEP = '\n🐵🙈🙉\n';

/** A payload in GoReplay's documented layout: meta line, message, separator. */
function payload(meta: string, message: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${meta}\n`), Buffer.from(message), Buffer.from(SEP)]);
}

test('a real request and its original response are paired by id', () => {
  const { requests, skipped } = readGor(ETG);
  assert.deepEqual(skipped, []);
  assert.equal(requests.length, 1);
  const [r] = requests;
  assert.equal(r.id, 'gor:113f561a06c66a5a49746ea9feb2747a275732f1');
  assert.equal(r.origin, 'gor');
  assert.equal(`${r.method} ${r.target}`, 'GET /api/mapmaker');
  assert.equal(r.route, '');
  assert.equal(r.body, undefined);
  assert.equal(r.timeMs, 1499932720871.971);
  assert.deepEqual(r.headers.slice(0, 3), [
    ['Host', 'localhost:3000'],
    ['Connection', 'keep-alive'],
    ['Cache-Control', 'no-cache'],
  ]);
  assert.equal(r.headers.length, 10);
  assert.equal(r.recorded.status, 418);
  assert.equal(r.recorded.durationMs, 352.87, 'latency 352870697 ns');
  assert.equal(r.recorded.contentType, 'text/html; charset=utf-8');
  assert.equal(Buffer.byteLength(r.recorded.body!), 1337, 'Content-Length: 1337');
  assert.match(r.recorded.body!, /^<!DOCTYPE html>.*<\/html>$/s);
  assert.deepEqual(readGor(ETG.toString('utf8')), { requests, skipped }, 'a string reads like the bytes');
});

test('real requests without responses: bodies by Content-Length, query kept, file order', () => {
  const { requests, skipped } = readGor(SHOP);
  assert.deepEqual(skipped, []);
  assert.deepEqual(
    requests.map((r) => `${r.method} ${r.target}`),
    ['GET /products/spree-bag', 'GET /cart_link', 'GET /api_tokens', 'POST /api/v2/storefront/cart/add_item', 'GET /cart?variant_id=11', 'GET /favicon.ico'],
  );
  const post = requests[3];
  assert.equal(post.id, 'gor:9a618a2f584c38534b198301ec80aed21cdc9d67');
  assert.equal(post.body, '{"variant_id":"11","quantity":1,"options":{}}');
  assert.equal(post.bodyEncoding, 'utf8');
  assert.ok(post.headers.some(([n, v]) => n === 'X-Spree-Order-Token' && v === 'aeihRQ1NnX7TbfvhhtQNNg1567611578919'));
  for (const r of requests) assert.deepEqual(r.recorded, {});
  const times = requests.map((r) => r.timeMs!);
  assert.deepEqual(
    [...times].sort((a, b) => a - b),
    times,
  );
});

test('CRLF and LF line ends read the same', () => {
  const lf = Buffer.from(ETG.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  const crlf = Buffer.from(ETG.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  const base = readGor(ETG).requests[0];
  for (const variant of [lf, crlf]) {
    const { requests, skipped } = readGor(variant);
    assert.deepEqual(skipped, []);
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0].headers, base.headers);
    assert.equal(requests[0].target, base.target);
    assert.equal(requests[0].recorded.status, 418);
  }
  const shopLf = readGor(Buffer.from(SHOP.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'));
  assert.equal(shopLf.requests[3].body, '{"variant_id":"11","quantity":1,"options":{}}');
});

test("a chunked body is decoded; a gzip, chunked response is read as text; a replayed response is not production's", () => {
  const json = Buffer.from(JSON.stringify({ ok: true, items: [1, 2, 3] }));
  const gz = gzipSync(json);
  const file = Buffer.concat([
    payload('1 c0ffee 1700000000000000000 -1', 'POST /upload?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n'),
    payload('3 c0ffee 1700000000009000000 1000000', 'HTTP/1.1 500 Replayed\r\nContent-Length: 0\r\n\r\n'),
    payload(
      '2 c0ffee 1700000000002000000 1000000',
      Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n${gz.length.toString(16)}\r\n`), gz, Buffer.from('\r\n0\r\n\r\n')]),
    ),
  ]);
  const { requests, skipped } = readGor(file);
  assert.deepEqual(skipped, []);
  const [r] = requests;
  assert.equal(r.body, 'hello, world');
  assert.equal(r.target, '/upload?x=1');
  assert.equal(r.recorded.status, 200);
  assert.deepEqual(JSON.parse(r.recorded.body!), { ok: true, items: [1, 2, 3] });
  assert.equal(r.recorded.durationMs, 3, "from the request's start to the end of the response");
});

test('a body that is not UTF-8 is kept as base64', () => {
  const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
  const file = Buffer.concat([
    payload('1 b1 1700000000000000000', Buffer.concat([Buffer.from('PUT /blob HTTP/1.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\n'), bytes])),
    payload('2 b1 1700000000000000000 5000', Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), bytes])),
  ]);
  const [r] = readGor(file).requests;
  assert.equal(r.bodyEncoding, 'base64');
  assert.ok(Buffer.from(r.body!, 'base64').equals(bytes));
  assert.equal(r.recorded.bodyEncoding, 'base64', 'a response without framing runs to the end of its payload');
  assert.ok(Buffer.from(r.recorded.body!, 'base64').equals(bytes));
});

test('a file cut short keeps every record before the cut and names the one cut', () => {
  const text = SHOP.toString('latin1');
  const inBody = text.indexOf('{"variant_id"') + 10;
  const cutBody = readGor(Buffer.from(text.slice(0, inBody), 'latin1'));
  assert.equal(cutBody.requests.length, 3);
  assert.equal(cutBody.skipped.length, 1);
  assert.equal(cutBody.skipped[0].id, 'gor:9a618a2f584c38534b198301ec80aed21cdc9d67');
  assert.match(cutBody.skipped[0].detail, /^record 4: body truncated: 10 of 45 bytes$/);
  const inHead = text.indexOf('X-Spree-Order-Token');
  const cutHead = readGor(Buffer.from(text.slice(0, inHead), 'latin1'));
  assert.equal(cutHead.requests.length, 3);
  assert.match(cutHead.skipped[0].detail, /^record 4: truncated: no blank line after the headers$/);
  const cutMeta = readGor(Buffer.from(text.slice(0, text.indexOf('\n1 9a618a2f') + 8), 'latin1'));
  assert.equal(cutMeta.requests.length, 3);
  assert.match(cutMeta.skipped[0].detail, /^record 4 \(last, not ended by 🐵🙈🙉\): no meta line$/);
});

test('malformed records are skipped one by one, each with one line', () => {
  const good = payload('1 good 1700000000000000000', 'GET /ok HTTP/1.1\r\nHost: a\r\n\r\n');
  const bad: Array<[Buffer, RegExp]> = [
    [payload('9 x1 1700000000000000000', 'GET / HTTP/1.1\r\n\r\n'), /^record 2: meta line "9 x1 1700000000000000000" does not start with payload type 1, 2 or 3$/],
    [payload('1 x2', 'GET / HTTP/1.1\r\n\r\n'), /^record 3: meta line for x2 has no timestamp$/],
    [payload('1 x3 1', 'HELLO\r\n\r\n'), /^record 4: "HELLO" is not an HTTP\/1.x request line$/],
    [payload('1 x4 1', 'GET / HTTP/2.0\r\n\r\n'), /is not an HTTP\/1.x request line/],
    [payload('1 x5 1', 'OPTIONS * HTTP/1.1\r\n\r\n'), /request target "\*" is not a path/],
    [payload('1 x6 1', 'POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\nabc'), /bad Content-Length "abc"/],
    [payload('1 x7 1', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'), /bad Content-Length "3, 4"/],
    [payload('1 x8 1', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'), /bad chunk size "zz"/],
    [payload('1 x9 1', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel'), /chunked body truncated/],
    [payload('1 x10 1', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc'), /does not end in chunked/],
    [payload('1 x11 1', 'GET / HTTP/1.1\r\nno colon here\r\n\r\n'), /header line 1 is not "name: value"/],
    [payload('1 x12 1', 'GET / HTTP/1.1\r\nBad Name: v\r\n\r\n'), /header line 1 is not "name: value"/],
    [payload('1 good 1', 'GET /again HTTP/1.1\r\n\r\n'), /^record 14: id good repeats record 1$/],
    [payload('1 x14 1', 'GET /\u0000\u001b[31m HTTP/1.1\r\n\r\n'), /^record 15: request target "\/\\u0000\\u001b\[31m" is not a path$/],
  ];
  const file = Buffer.concat([good, ...bad.map(([b]) => b), good]);
  const { requests, skipped } = readGor(file);
  assert.deepEqual(
    requests.map((r) => r.target),
    ['/ok'],
  );
  assert.equal(skipped.length, bad.length + 1, 'the second "good" repeats the first id too');
  for (const [i, [, pattern]] of bad.entries()) {
    assert.equal(skipped[i].reason, 'unreadable');
    assert.match(skipped[i].detail, pattern);
    assert.ok(!/[\r\n\u0000-\u001f]/.test(skipped[i].detail), `one printable line: ${skipped[i].detail}`);
  }
});

test('a huge head is refused past 256 KiB; a large one is read; a separator inside a line does not split', () => {
  const big = payload('1 big 1', `GET /big HTTP/1.1\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`);
  const huge = payload('1 huge 1', `GET /huge HTTP/1.1\r\nX-Huge: ${'a'.repeat(300 * 1024)}\r\n\r\n`);
  const endless = payload('1 endless 1', `GET /endless HTTP/1.1\r\nX-Endless: ${'a'.repeat(300 * 1024)}`);
  const inside = payload('1 inside 1', 'POST /inside HTTP/1.1\r\nContent-Length: 14\r\n\r\nx🐵🙈🙉y');
  const { requests, skipped } = readGor(Buffer.concat([big, huge, endless, inside]));
  assert.deepEqual(
    requests.map((r) => r.target),
    ['/big', '/inside'],
  );
  assert.equal(requests[0].headers[0][1].length, 100 * 1024);
  assert.equal(requests[1].body, 'x🐵🙈🙉y');
  assert.deepEqual(
    skipped.map((s) => s.detail),
    ['record 2: head over 256 KiB', 'record 3: head over 256 KiB'],
  );
});

test('a file that is not GoReplay throws one line; an empty one has no requests', () => {
  for (const text of ['hello world\n', '{"log": {"entries": []}}', 'GET / HTTP/1.1\r\n\r\n']) {
    assert.throws(
      () => readGor(text),
      (e: Error) => /^not a GoReplay file: /.test(e.message) && !e.message.includes('\n'),
    );
  }
  assert.deepEqual(readGor(''), { requests: [], skipped: [] });
  assert.deepEqual(readGor('\n\n'), { requests: [], skipped: [] });
});
