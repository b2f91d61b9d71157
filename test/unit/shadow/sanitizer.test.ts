/**
 * The sanitizer on what real Chromium sends (test/fixtures/shadow/chromium-requests.json, over
 * HTTP/1.1 and HTTP/2) and on hostile text: nothing secret may survive into what is sent, stored or
 * shown, while what must stay (order ids, structure, untouched bytes) stays.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { createSanitizer } from '../../../src/core/shadow/sanitizer';
import type { HeaderPair, ShadowRequest } from '../../../src/core/shadow/shadowRequest';
import type { CapturedRequest } from './captureChromiumFixture';

const KEY = Buffer.from('0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0', 'hex');
const captured = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/shadow/chromium-requests.json'), 'utf8')) as CapturedRequest[];
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(JSON.stringify(captured))![0];
const ORDER_ID = '7392018465123457'; // 16 digits that fail the Luhn check: an id, not a card
const SECRETS = [
  'jane.doe',
  'jane%2Edoe',
  JWT,
  'sk_live_51HxQeKJ2mZ8vR4tP9wN3yB7',
  'tok_9f8e7d6c5b4a3210',
  '4111111111111111',
  '4111 1111',
  '4111-1111',
  '4111+1111',
  's%3A9c1f0e2d7b6a',
  'Zt7qM2pX9vR4',
  '4bf92f3577b34da6a3ce929d0e0e4736',
  'userId=8812',
];

/** The token an independent HMAC gives: the format the issue fixes. */
const tokenOf = (value: string, key = KEY): string => 'REDACTED-' + createHmac('sha256', key).update(value).digest('hex').slice(0, 8);

function asShadow(c: CapturedRequest, i: number): ShadowRequest {
  return { id: `chromium:${i}`, origin: 'har', method: c.method, target: c.target, route: '', headers: c.headers, ...(c.body ? { body: c.body } : {}), recorded: {} };
}

const named = (headers: HeaderPair[], name: string): string[] => headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);

test('Chromium fixture: each protocol has the five requests the page made', () => {
  for (const protocol of ['http/1.1', 'h2']) {
    const reqs = captured.filter((c) => c.protocol === protocol);
    assert.deepEqual(
      reqs.map((c) => `${c.method} ${c.target.split('?')[0]}`),
      ['GET /', 'GET /api/orders/4111111111111111', 'POST /api/quotes', 'PUT /api/notes/12', 'POST /account/contact'],
    );
  }
});

test('no secret Chromium sent survives, in any protocol, and local credentials replace production ones', () => {
  const s = createSanitizer({ key: KEY, inject: [['Authorization', 'Bearer local-dev-token']] });
  for (const [i, c] of captured.entries()) {
    const out = s.request(asShadow(c, i));
    const text = JSON.stringify(out);
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${c.protocol} ${c.method} ${c.target}: "${secret}" survived`);
    const names = out.headers.map(([n]) => n.toLowerCase());
    for (const gone of ['cookie', 'x-api-key', 'x-auth-token', 'traceparent', 'baggage', 'host', 'connection', 'content-length']) assert.ok(!names.includes(gone), `${gone} kept`);
    assert.ok(!names.some((n) => n.startsWith(':')), 'an HTTP/2 pseudo-header was kept');
    assert.deepEqual(named(out.headers, 'authorization'), ['Bearer local-dev-token']);
    assert.equal(named(out.headers, 'user-agent').length, 1, 'ordinary headers stay');
    assert.deepEqual(named(out.headers, 'sec-fetch-mode'), named(c.headers, 'sec-fetch-mode'));
  }
  const counts = s.counts();
  assert.ok(counts.redacted > 20 && counts.droppedHeaders > 40, JSON.stringify(counts));
});

test('the query keeps order ids and its bytes where nothing was secret; a percent-encoded e-mail is redacted and the URL stays valid', () => {
  const s = createSanitizer({ key: KEY });
  const get = captured.find((c) => c.target.startsWith('/api/orders/'))!;
  const out = s.request(asShadow(get, 1));
  assert.equal(out.target, `/api/orders/${tokenOf('4111111111111111')}?email=${tokenOf('jane.doe+shop@example.com')}&ref=${ORDER_ID}&q=a+b`);
  const url = new URL(out.target, 'http://127.0.0.1');
  assert.equal(url.searchParams.get('ref'), ORDER_ID);
  assert.equal(url.searchParams.get('q'), 'a b');
  // The Referer's URL is redacted as a URL: its %40 e-mail gets the token the plain e-mail gets anywhere else.
  assert.deepEqual(named(out.headers, 'referer'), [`http://127.0.0.1:8080/?utm_source=mail&email=${tokenOf('jane.doe@example.com')}`]);
  assert.deepEqual(named(out.headers, 'x-request-id'), ['5f0c1a9e-3b7d-4e21-9c8a-2d4f6b8e1a37']);
});

test('a JSON body is walked: nested arrays, order ids and numbers keep their bytes, secrets in strings become tokens', () => {
  const s = createSanitizer({ key: KEY });
  const post = captured.find((c) => c.target === '/api/quotes')!;
  const out = s.request(asShadow(post, 2));
  const body = out.body!;
  // 1234567890123456800 is past 2^53: a parse-and-stringify could respell it; the walk copies it.
  assert.ok(body.includes('"items":[[{"sku":"A-100","qty":2},{"sku":"B-7","qty":1}],[]]') && body.includes('"amount":1234567890123456800'), body);
  const parsed = JSON.parse(body);
  assert.equal(parsed.customer.email, tokenOf('jane.doe+shop@example.com'));
  assert.equal(parsed.customer.phone, '+44 20 7946 0958');
  assert.equal(parsed.payment.card, tokenOf('4111111111111111'), 'the dashed card hashes as its digits');
  assert.equal(parsed.payment.order, ORDER_ID);
  assert.equal(parsed.note, `Bearer ${tokenOf(JWT)}`);
});

test('a body labelled JSON that is not JSON is still redacted, as text', () => {
  const s = createSanitizer({ key: KEY });
  const put = captured.find((c) => c.method === 'PUT')!;
  assert.equal(s.request(asShadow(put, 3)).body, `{"note": unquoted, contact ${tokenOf('jane.doe@example.com')}`);
});

test('a form body is redacted field by field and stays form-encoded', () => {
  const s = createSanitizer({ key: KEY });
  const form = captured.find((c) => c.target === '/account/contact')!;
  const out = s.request(asShadow(form, 4));
  assert.ok(out.body!.includes(`order=${ORDER_ID}&`), 'an unchanged field keeps its bytes');
  const fields = new URLSearchParams(out.body!);
  assert.equal(fields.get('email'), tokenOf('jane.doe+orders@example.com'));
  assert.equal(fields.get('card'), tokenOf('4111111111111111'));
  assert.equal(fields.get('message'), `call me, token Bearer ${tokenOf(JWT)}`);
});

test('equal values give equal tokens across sanitizers sharing a key, different tokens with another key', () => {
  const other = Buffer.alloc(32, 7);
  const a = createSanitizer({ key: KEY });
  const b = createSanitizer({ key: KEY });
  const c = createSanitizer({ key: other });
  const line = 'mail jane.doe@example.com, card 4111 1111 1111 1111';
  assert.equal(a.text(line), b.text(line));
  assert.equal(a.text(line), `mail ${tokenOf('jane.doe@example.com')}, card ${tokenOf('4111111111111111')}`);
  assert.equal(c.text(line), `mail ${tokenOf('jane.doe@example.com', other)}, card ${tokenOf('4111111111111111', other)}`);
  assert.notEqual(a.text(line), c.text(line));
  // Without a key each run draws its own: two runs cannot be joined by their tokens.
  assert.notEqual(createSanitizer().text(line), createSanitizer().text(line));
  // The same e-mail percent-encoded in raw text and plain in JSON lines up.
  assert.equal(a.text('to=jane.doe%40example.com'), `to=${tokenOf('jane.doe@example.com')}`);
});

test('cards need the Luhn check and a card industry digit; grouped cards are found beside other digits', () => {
  const s = createSanitizer({ key: KEY });
  assert.equal(s.text(`order ${ORDER_ID} paid`), `order ${ORDER_ID} paid`);
  assert.equal(s.text('paid with 4111 1111 1111 1111 2024'), `paid with ${tokenOf('4111111111111111')} 2024`);
  assert.equal(s.text('amex 378282246310005.'), `amex ${tokenOf('378282246310005')}.`);
  assert.equal(s.text('at 1767225600000 ms'), 'at 1767225600000 ms', 'a Unix time in ms is not a card');
  assert.equal(s.text('id 12345678901234567890123'), 'id 12345678901234567890123', 'a 23-digit id is not a card');
  assert.equal(s.text('{"card":4111111111111111}'), `{"card":${tokenOf('4111111111111111')}}`, 'text() is plain text');
  assert.equal(s.request(req({ body: '{"card":4111111111111111}', headers: [['Content-Type', 'application/json']] })).body, `{"card":"${tokenOf('4111111111111111')}"}`);
});

test('bearer tokens and JWTs anywhere; prose after "bearer" and dotted versions stay', () => {
  const s = createSanitizer({ key: KEY });
  assert.equal(s.text(`authorization=Bearer ${JWT}`), `authorization=Bearer ${tokenOf(JWT)}`);
  assert.equal(s.text(`jwt:${JWT};`), `jwt:${tokenOf(JWT)};`);
  assert.equal(s.text('BEARER abc.def~ghi+jk/l=='), `BEARER ${tokenOf('abc.def~ghi+jk/l==')}`);
  assert.equal(s.text('the bearer of bad news, version 1.22.3, a.b.c'), 'the bearer of bad news, version 1.22.3, a.b.c');
});

test('an e-mail in a path segment, percent-encoded, becomes a token and the path stays one segment', () => {
  const s = createSanitizer({ key: KEY });
  const out = s.request(req({ target: '/users/jane%2Bx%40example.com/orders/42?sort=asc#top' }));
  assert.equal(out.target, `/users/${tokenOf('jane+x@example.com')}/orders/42?sort=asc#top`);
  const slash = s.request(req({ target: '/files/a%2Fjane%40example.com%20x' })).target;
  assert.equal(slash, `/files/a%2F${tokenOf('jane@example.com')}%20x`, 'an encoded slash stays encoded');
  const bad = s.request(req({ target: '/q/%E0%A4%A?who=jane@example.com&x=%ZZ' })).target;
  assert.equal(bad, `/q/%E0%A4%A?who=${tokenOf('jane@example.com')}&x=%ZZ`, 'malformed escapes are left as they came');
});

test('configured patterns redact anywhere; zero-length matches and missing g flags are harmless', () => {
  const s = createSanitizer({ key: KEY, patterns: [/cust_[0-9]{6}/, /x*/] });
  const out = s.request(
    req({
      target: '/customers/cust_004211/notes?ref=cust_004211',
      headers: [
        ['X-Customer', 'cust_004211'],
        ['Content-Type', 'application/vnd.api+json'],
      ],
      body: '{"data":{"id":"cust_004211","attributes":{"tags":["vip",["cust_004211"]]}}}',
    }),
  );
  const t = tokenOf('cust_004211');
  assert.equal(out.target, `/customers/${t}/notes?ref=${t}`);
  assert.deepEqual(named(out.headers, 'x-customer'), [t]);
  assert.equal(out.body, `{"data":{"id":"${t}","attributes":{"tags":["vip",["${t}"]]}}}`);
  assert.throws(() => createSanitizer({ patterns: ['cust_' as unknown as RegExp] }), /pattern 1 is not a regular expression/);
});

test('an unchanged request comes out byte-identical, and sanitising twice changes nothing', () => {
  const s = createSanitizer({ key: KEY });
  const body = '{ "a" : 1.50,\n  "b": [ [1, 2], [] ], "big": 12345678901234567890, "esc": "caf\\u00e9 \\"q\\"" }';
  const clean = req({ target: '/api/items?page=2&sort=-price', body, headers: [['Content-Type', 'application/json; charset=utf-8']] });
  assert.equal(s.request(clean).body, body);
  assert.equal(s.request(clean).target, clean.target);
  for (const [i, c] of captured.entries()) {
    const once = s.request(asShadow(c, i));
    assert.deepEqual(s.request(once), once, `${c.protocol} ${c.target}`);
  }
});

test('header rules: credentials by name, Connection-listed names, Idempotency-Key kept, injected names replace recorded ones', () => {
  const s = createSanitizer({ key: KEY, inject: [['x-api-key', 'local-key']] });
  const out = s.headers([
    ['Connection', 'keep-alive, X-Hop'],
    ['X-Hop', '1'],
    ['X-CSRFToken', 'Zt7qM2pX9vR4'],
    ['X-Amz-Security-Token', 'FwoGZXIvYXdzE'],
    ['Ocp-Apim-Subscription-Key', 'abc'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['X-Session-Id', 's1'],
    ['X-B3-TraceId', '80f198ee56343ba864fe8b2a57d3eff7'],
    ['Proxy-Authorization', 'Basic dXNlcjpwYXNz'],
    ['Idempotency-Key', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['X-API-KEY', 'sk_live_x'],
    ['Accept', 'application/json'],
    ['Set-Cookie', 'sid=1; HttpOnly'],
  ]);
  assert.deepEqual(out, [
    ['Idempotency-Key', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['Accept', 'application/json'],
    ['x-api-key', 'local-key'],
  ]);
  assert.throws(() => createSanitizer({ inject: [['X-Token', 'a\r\nHost: evil']] }), /line break/);
  assert.throws(() => createSanitizer({ inject: [['Bad Name', 'a']] }), /not a valid HTTP header name/);
});

test('base64 bodies pass untouched and are counted; recorded response bodies are redacted by their content type', () => {
  const s = createSanitizer({ key: KEY });
  const b64 = Buffer.from('jane.doe@example.com').toString('base64');
  const out = s.request(req({ body: b64, bodyEncoding: 'base64', recorded: { status: 200, body: '{"owner":"jane.doe@example.com","n":1}', contentType: 'application/json' } }));
  assert.equal(out.body, b64);
  assert.equal(s.counts().base64Bodies, 1);
  assert.equal(out.recorded.body, `{"owner":"${tokenOf('jane.doe@example.com')}","n":1}`);
  assert.equal(out.recorded.status, 200);
});

test('hostile text: long runs without a match, e-mail keys, lone surrogates, control characters', () => {
  const s = createSanitizer({ key: KEY });
  const noise = 'a'.repeat(200_000) + '-eyJ'.repeat(50_000) + '1 '.repeat(50_000) + '@'.repeat(10_000);
  assert.equal(s.text(noise), noise);
  const buried = `${'x'.repeat(100_000)} jane@example.com ${'eyJhbGciOi.'.repeat(1000)}`;
  assert.ok(s.text(buried).includes(` ${tokenOf('jane@example.com')} `));
  const json = '{"jane@example.com":{"visits":[1,2]},"x":"\\ud800 jane@example.com"}';
  const out = s.request(req({ body: json, headers: [['content-type', 'application/json']] })).body!;
  assert.deepEqual(JSON.parse(out), { [tokenOf('jane@example.com')]: { visits: [1, 2] }, x: `\ud800 ${tokenOf('jane@example.com')}` });
  const target = s.request(req({ target: `/a/${encodeURIComponent('\u0000jane@example.com\n')}` })).target;
  assert.equal(target, `/a/%00${tokenOf('jane@example.com')}%0A`);
});

function req(over: Partial<ShadowRequest>): ShadowRequest {
  return { id: 'test:1', origin: 'json', method: 'POST', target: '/', route: '', headers: [], recorded: {}, ...over };
}

test("conditional headers go: they tie the answer to the recording browser's cache, not to the code", () => {
  const s = createSanitizer({ key: KEY });
  const r: ShadowRequest = {
    id: 'har:1',
    origin: 'har',
    method: 'GET',
    target: '/shipping?weight=2',
    route: '',
    headers: [
      ['If-None-Match', 'W/"2a-3Xk"'],
      ['If-Modified-Since', 'Sat, 05 Dec 2026 07:00:00 GMT'],
      ['if-range', '"x"'],
      ['Accept', 'application/json'],
    ],
    recorded: {},
  };
  assert.deepEqual(s.request(r).headers, [['Accept', 'application/json']]);
});
