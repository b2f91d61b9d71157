// The Faro endpoint of a real embedded receiver on loopback: a recorded SDK payload is filed
// (an error group, web vitals in the read API), and every guard answers as documented: 401 for a
// missing or wrong X-API-Key, 403 for an origin not configured (CORS off by default), the
// preflight and Access-Control-Allow-Origin for exactly the configured ones, 413 past the cap,
// 429 with Retry-After past the per-client rate, 400/415 for what Faro does not send.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseSignalsAnswer } from '../../../src/core/client/validate';
import { ClientRateLimit } from '../../../src/core/server/faroRateLimit';
import { normalizeOrigin } from '../../../src/core/server/faroOrigins';
import type { FaroOptions } from '../../../src/core/server/faroRoute';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { faroOptionsFromFlags } from '../../../src/cli/faroFlags';
import { ConfigWarnings, readConfig } from '../../../src/vscode/config';

// The recorded payload moved to now, keeping its timestamps' spacing: figures are kept per window, so a
// payload recorded hours ago would fall out of every window the test asks.
const RECORDED = recent(readFileSync(path.join(__dirname, '../../fixtures/faro/chromiumPayload.json'), 'utf8'));

function recent(text: string): string {
  const stamp = /"timestamp": *"([^"]+)"/g;
  const latest = Math.max(...[...text.matchAll(stamp)].map((m) => Date.parse(m[1])));
  const shift = Date.now() - 1_000 - latest;
  return text.replace(stamp, (_m, iso: string) => `"timestamp": "${new Date(Date.parse(iso) + shift).toISOString()}"`);
}
const SHOP = 'https://shop.example';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, method: string, urlPath: string, headers: Record<string, string>, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: { ...(body ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function withReceiver(faro: Partial<FaroOptions>, run: (rx: EmbeddedReceiver, port: number) => Promise<void>): Promise<void> {
  const rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, decodeWorkers: 0, faro });
  await rx.start();
  try {
    await run(rx, rx.receiver.address()!.port);
  } finally {
    await rx.stop();
  }
}

const post = (port: number, headers: Record<string, string> = {}, body = RECORDED, at = '/collect') => request(port, 'POST', at, { 'Content-Type': 'application/json', ...headers }, body);

test('a recorded Faro payload is accepted (202), its exception filed once and its web vitals kept per page route', async () => {
  await withReceiver({}, async (rx, port) => {
    const answer = await post(port);
    assert.equal(answer.status, 202, answer.body);
    assert.deepEqual(JSON.parse(answer.body), { accepted: 4, rejected: 0 });
    assert.equal((await post(port, {}, RECORDED, '/faro/collect')).status, 202, 'the second path serves too');
    await rx.pipeline.idle();
    const signals = parseSignalsAnswer(JSON.parse(JSON.stringify(await rx.signals(new URLSearchParams({ window: '1h', environment: 'production' })))));
    const group = signals.errors.find((e) => e.message === 'checkout total over limit: 500');
    assert.ok(group, JSON.stringify(signals.errors));
    assert.equal(group.service, 'shop-web');
    assert.equal(group.count, 2, 'two payloads, two occurrences (no trace to tell them apart as one)');
    assert.deepEqual(group.deployed, { revision: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0', version: '1.4.2' });
    assert.deepEqual(signals.webVitals, [{ service: 'shop-web', environment: 'production', route: '/checkout/{id}', metric: 'lcp', p75: 1200, count: 2 }]);
    assert.equal(rx.faro.stats.payloads, 2);
    // Another environment has none.
    assert.equal((await rx.signals(new URLSearchParams({ window: '1h', environment: 'staging' }))).webVitals, undefined);
  });
});

test('X-API-Key: missing or wrong is 401, the configured key is accepted', async () => {
  await withReceiver({ apiKey: 's3cret' }, async (_rx, port) => {
    const missing = await post(port);
    assert.equal(missing.status, 401);
    assert.equal(missing.body, 'missing or wrong X-API-Key for the Faro endpoint\n');
    assert.equal((await post(port, { 'X-API-Key': 's3cret!' })).status, 401);
    assert.equal((await post(port, { 'X-API-Key': 's3cret' })).status, 202);
  });
});

test('CORS is off by default: any browser origin gets 403, preflight included; requests without Origin are served', async () => {
  await withReceiver({}, async (rx, port) => {
    const posted = await post(port, { Origin: SHOP });
    assert.equal(posted.status, 403);
    assert.match(posted.body, /no origins are allowed \(--faro-origin, or the runtimeLens\.faro\.allowedOrigins setting\)/);
    assert.equal(posted.headers['access-control-allow-origin'], undefined);
    const preflight = await request(port, 'OPTIONS', '/collect', { Origin: SHOP, 'Access-Control-Request-Method': 'POST' });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    assert.equal((await post(port, { 'Sec-Fetch-Site': 'cross-site' })).status, 403, 'a page request without Origin still says it is cross-site');
    assert.equal(rx.faro.stats.payloads, 0);
  });
});

test('configured origins: the preflight and Access-Control-Allow-Origin for exactly those; others get 403; the read API stays closed to them', async () => {
  await withReceiver({ allowedOrigins: [SHOP, 'http://localhost:5173/'] }, async (_rx, port) => {
    const preflight = await request(port, 'OPTIONS', '/collect', { Origin: SHOP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-api-key,x-faro-session-id' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], SHOP);
    assert.equal(preflight.headers.vary, 'Origin');
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
    for (const h of ['content-type', 'x-api-key', 'x-faro-session-id']) assert.ok(String(preflight.headers['access-control-allow-headers']).includes(h), h);
    const pna = await request(port, 'OPTIONS', '/collect', { Origin: SHOP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Private-Network': 'true' });
    assert.equal(pna.headers['access-control-allow-private-network'], 'true');

    const posted = await post(port, { Origin: SHOP });
    assert.equal(posted.status, 202);
    assert.equal(posted.headers['access-control-allow-origin'], SHOP);
    assert.equal((await post(port, { Origin: 'http://localhost:5173' })).headers['access-control-allow-origin'], 'http://localhost:5173', 'a trailing slash in the setting is the same origin');

    for (const other of ['https://evil.example', 'https://shop.example:8443', 'http://shop.example', 'null']) {
      const refused = await post(port, { Origin: other });
      assert.equal(refused.status, 403, other);
      assert.equal(refused.headers['access-control-allow-origin'], undefined, other);
    }
    const read = await request(port, 'GET', '/api/signals?window=1h', { Origin: SHOP });
    assert.equal(read.status, 403, 'a Faro origin may send telemetry, never read production stack traces');
  });
});

test('bad origins in the settings are refused when the receiver is built', () => {
  assert.equal(normalizeOrigin('https://Shop.Example/'), 'https://shop.example');
  assert.ok(normalizeOrigin('*') instanceof Error);
  assert.ok(normalizeOrigin('https://shop.example/app') instanceof Error);
  assert.ok(normalizeOrigin('file:///tmp') instanceof Error);
  assert.throws(() => new EmbeddedReceiver({ port: 0, decodeWorkers: 0, faro: { allowedOrigins: ['*'] } }), /not an origin/);
});

test('a payload past the cap is 413; what Faro does not send is 400 or 415 in one line', async () => {
  await withReceiver({ maxPayloadBytes: 1024 }, async (rx, port) => {
    const big = await post(port);
    assert.equal(big.status, 413, big.body);
    const bad = await post(port, {}, '{"meta":{"app":[]}}');
    assert.equal(bad.status, 400);
    assert.equal(bad.body, 'meta.app is a list, not an object\n');
    assert.equal((await post(port, { 'Content-Type': 'text/plain' }, '{}')).status, 415);
    assert.equal((await request(port, 'GET', '/collect', {})).status, 405);
    const partly = await post(port, {}, JSON.stringify({ meta: {}, events: [{ name: 'ok', timestamp: new Date().toISOString() }, { name: 5 }] }));
    assert.equal(partly.status, 202);
    assert.deepEqual(JSON.parse(partly.body), { accepted: 1, rejected: 1, reasons: ['events[1]: name is a number, not a non-empty string'] });
    assert.equal(rx.pipeline.stats.itemsRejected, 1, 'the rejected item is counted where OTLP rejections are');
  });
});

test('past the per-client rate: 429 with Retry-After', async () => {
  await withReceiver({ ratePerSecond: 0.01, burst: 2 }, async (_rx, port) => {
    assert.equal((await post(port)).status, 202);
    assert.equal((await post(port)).status, 202);
    const limited = await post(port);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers['retry-after']) >= 1, String(limited.headers['retry-after']));
  });
});

test('the Host check still runs first (DNS rebinding)', async () => {
  await withReceiver({}, async (_rx, port) => {
    assert.equal((await post(port, { Host: 'rebind.example' })).status, 421);
  });
});

test('the token bucket refills at its rate and tells how long to wait', () => {
  let t = 0;
  const limit = new ClientRateLimit({ ratePerSecond: 2, burst: 2 }, () => t);
  assert.equal(limit.take('a'), 0);
  assert.equal(limit.take('a'), 0);
  assert.equal(limit.take('a'), 1);
  assert.equal(limit.take('b'), 0, 'another client has its own bucket');
  t += 500;
  assert.equal(limit.take('a'), 0);
  assert.equal(limit.take('a'), 1);
});

test('serve flags: --faro-origin is normalized, --faro-api-key-env names a variable that must be set', () => {
  assert.deepEqual(faroOptionsFromFlags(['https://Shop.Example/'], 'FARO_KEY', { FARO_KEY: 'k1' }), { allowedOrigins: ['https://shop.example'], apiKey: 'k1' });
  assert.deepEqual(faroOptionsFromFlags([], undefined, {}), { allowedOrigins: [], apiKey: '' });
  assert.throws(() => faroOptionsFromFlags(['*'], undefined, {}), /^UsageError|--faro-origin: "\*" is not an origin/);
  assert.throws(() => faroOptionsFromFlags([], 'FARO_KEY', {}), /the environment variable FARO_KEY is not set or empty/);
  assert.throws(() => faroOptionsFromFlags([], 'k1=secret', {}), /takes the name of an environment variable/);
});

test('the editor setting: valid origins kept and normalized, the others reported once', () => {
  const reported: string[] = [];
  const warnings = new ConfigWarnings((m) => reported.push(m));
  const config = readConfig({ get: <T>(key: string) => (key === 'faro.allowedOrigins' ? (['https://shop.example/', 'https://shop.example', '*', 5] as unknown as T) : undefined) }, warnings);
  assert.deepEqual(config.faro.allowedOrigins, ['https://shop.example']);
  assert.equal(reported.length, 1);
  assert.match(reported[0], /runtimeLens\.faro\.allowedOrigins: "\*" is not an origin.*; 5 is not a string\. Those entries are ignored\./);
});
