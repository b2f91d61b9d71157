import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import { EmbeddedReceiver, RUNTIME_LENS_VERSION } from '../../../src/core/server/embeddedReceiver';
import { ReceiverStartError } from '../../../src/core/ingest/otlpReceiver';
import { hostHeaderName, isLoopbackHost, isWildcardHost } from '../../../src/core/ingest/requestGuard';

const READ_TOKEN = 'read-secret';
const TRACE_JSON = JSON.stringify({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'guarded' } }] },
      scopeSpans: [
        {
          scope: { name: 't' },
          spans: [
            {
              traceId: 'ab'.repeat(16),
              spanId: 'cd'.repeat(8),
              name: 'GET /x',
              kind: 2,
              startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
              endTimeUnixNano: String(BigInt(Date.now() + 5) * 1_000_000n),
            },
          ],
        },
      ],
    },
  ],
});

/** An answer as the wire carried it. */
interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Sends `head` (and `body`) as typed, so Host and Origin are exactly what an attacker would send; reads until close. */
function raw(port: number, head: string[], body = ''): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      // An accepted upgrade keeps the socket open: the status line is all that is needed.
      if (/^HTTP\/1\.1 101 /.test(text) && text.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [top, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = (top ?? '').split('\r\n');
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0), headers, body: rest.join('\r\n\r\n') });
    });
    const length = body ? [`Content-Length: ${Buffer.byteLength(body)}`, 'Content-Type: application/json'] : [];
    socket.write([...head, ...length, 'Connection: close', '', body].join('\r\n'));
  });
}

/** One request per route the receiver serves: the read API, ingest and the stream upgrade. */
function everyRoute(port: number, headers: string[]): Promise<RawAnswer>[] {
  return [
    raw(port, ['GET /api/signals?window=5m HTTP/1.1', ...headers]),
    raw(port, ['GET /api/status HTTP/1.1', ...headers]),
    raw(port, [`GET /api/traces/${'ab'.repeat(16)} HTTP/1.1`, ...headers]),
    raw(port, ['POST /v1/traces HTTP/1.1', ...headers], TRACE_JSON),
    raw(port, ['GET /api/stream HTTP/1.1', ...headers, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==']),
  ];
}

const count = (rx: EmbeddedReceiver, status: number): number => rx.receiver.responses.get(status) ?? 0;

let rx: EmbeddedReceiver;
let port: number;

before(async () => {
  rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, decodeWorkers: 0 });
  await rx.start();
  port = rx.receiver.address()!.port;
});

after(() => rx.stop());

test('Host names: loopback, wildcard and the port are told apart', () => {
  assert.equal(hostHeaderName('127.0.0.1:4318'), '127.0.0.1');
  assert.equal(hostHeaderName('[::1]:4318'), '::1');
  assert.equal(hostHeaderName('LocalHost'), 'localhost');
  assert.equal(hostHeaderName('attacker.example:4318'), 'attacker.example');
  assert.equal(hostHeaderName('a:b'), undefined);
  assert.equal(hostHeaderName('[::1'), undefined);
  for (const h of ['localhost', '127.0.0.1', '127.8.9.10', '::1', '[::1]']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['localhost.', '127.0.0.1.attacker.example', '0.0.0.0', '10.0.0.1', 'attacker.example']) assert.equal(isLoopbackHost(h), false, h);
  for (const h of ['0.0.0.0', '::', '[::]', '']) assert.equal(isWildcardHost(h), true, h);
});

test('forged Host headers (DNS rebinding) get 421 on every route and on the upgrade; nothing is ingested', async () => {
  const before421 = count(rx, 421);
  const forged = ['attacker.example', `attacker.example:${port}`, `127.0.0.1.attacker.example:${port}`, `localhost.:${port}`, 'a:b:c'];
  const answers = await Promise.all(forged.flatMap((host) => everyRoute(port, [`Host: ${host}`])));
  assert.deepEqual(
    answers.map((a) => a.status),
    answers.map(() => 421),
  );
  for (const a of answers) assert.doesNotMatch(a.body, /guarded|spansAccepted|"functions"/, 'a refusal carries no data');
  assert.equal(count(rx, 421) - before421, forged.length * 5, 'every refusal is counted');
  assert.equal(rx.pipeline.stats.spansAccepted, 0);
});

test('loopback Host names, and HTTP/1.0 without Host, are answered', async () => {
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'LOCALHOST', '127.0.0.2', `[::1]:${port}`]) {
    assert.equal((await raw(port, ['GET /api/status HTTP/1.1', `Host: ${host}`])).status, 200, host);
  }
  assert.equal((await raw(port, ['GET /api/status HTTP/1.0'])).status, 200);
  const ingest = await raw(port, ['POST /v1/traces HTTP/1.1', `Host: 127.0.0.1:${port}`], TRACE_JSON);
  assert.equal(ingest.status, 200);
});

test('any browser Origin (null too) and cross-site fetch metadata get 403 on every route and the upgrade, without CORS headers', async () => {
  const before403 = count(rx, 403);
  const host = `Host: 127.0.0.1:${port}`;
  const browsers = [
    [host, 'Origin: http://attacker.example'],
    [host, 'Origin: null'],
    [host, `Origin: http://127.0.0.1:${port + 1}`],
    [host, 'Sec-Fetch-Site: cross-site'],
    [host, 'Sec-Fetch-Site: same-site'],
  ];
  const answers = await Promise.all(browsers.flatMap((headers) => everyRoute(port, headers)));
  assert.deepEqual(
    answers.map((a) => a.status),
    answers.map(() => 403),
  );
  for (const a of answers)
    assert.equal(
      [...a.headers.keys()].some((k) => k.startsWith('access-control-')),
      false,
    );
  assert.equal(count(rx, 403) - before403, browsers.length * 5);
  // Node clients send Sec-Fetch-Mode (undici) but neither Origin nor Sec-Fetch-Site: still answered.
  assert.equal((await raw(port, ['GET /api/status HTTP/1.1', host, 'Sec-Fetch-Mode: cors'])).status, 200);
});

test('an allowed origin passes the Origin check (reserved for browser telemetry)', async () => {
  const open = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, decodeWorkers: 0, allowedOrigins: ['https://shop.example'] });
  await open.start();
  try {
    const p = open.receiver.address()!.port;
    assert.equal((await raw(p, ['GET /api/status HTTP/1.1', `Host: 127.0.0.1:${p}`, 'Origin: https://shop.example'])).status, 200);
    assert.equal((await raw(p, ['GET /api/status HTTP/1.1', `Host: 127.0.0.1:${p}`, 'Origin: https://shop.example.attacker.example'])).status, 403);
  } finally {
    await open.stop();
  }
});

test('a read token guards the read API and the stream, not ingest; 401 on /api/status names the receiver and nothing else', async () => {
  const guarded = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, decodeWorkers: 0, readToken: READ_TOKEN });
  await guarded.start();
  try {
    const p = guarded.receiver.address()!.port;
    const host = `Host: 127.0.0.1:${p}`;
    const [signals, status, trace, ingest, upgrade] = await Promise.all(everyRoute(p, [host]));
    assert.deepEqual([signals.status, status.status, trace.status, ingest.status, upgrade.status], [401, 401, 401, 200, 401]);
    assert.equal(status.headers.get('x-runtime-lens'), RUNTIME_LENS_VERSION);
    assert.doesNotMatch(status.body, /spansAccepted|workspace|listening/);
    // Tokens of another length are compared as digests: a refusal, not a crash.
    for (const wrong of ['x', `${READ_TOKEN}x`, READ_TOKEN.toUpperCase()]) {
      assert.equal((await raw(p, ['GET /api/signals HTTP/1.1', host, `Authorization: Bearer ${wrong}`])).status, 401, wrong);
    }
    const auth = `Authorization: Bearer ${READ_TOKEN}`;
    const allowed = await Promise.all(everyRoute(p, [host, auth]));
    // The trace is 200 or 404 depending on whether the span posted above was filed yet: either way, answered.
    assert.deepEqual(
      allowed.map((a, i) => (i === 2 && a.status === 404 ? 200 : a.status)),
      [200, 200, 200, 200, 101],
    );
  } finally {
    await guarded.stop();
  }
});

test('with --token, reads accept it as well as the read token; ingest needs the full token', async () => {
  const both = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, decodeWorkers: 0, token: 'full', readToken: READ_TOKEN });
  await both.start();
  try {
    const p = both.receiver.address()!.port;
    const host = `Host: 127.0.0.1:${p}`;
    assert.equal((await raw(p, ['GET /api/status HTTP/1.1', host, 'Authorization: Bearer full'])).status, 200);
    assert.equal((await raw(p, ['GET /api/status HTTP/1.1', host, `Authorization: Bearer ${READ_TOKEN}`])).status, 200);
    assert.equal((await raw(p, ['POST /v1/traces HTTP/1.1', host, `Authorization: Bearer ${READ_TOKEN}`], TRACE_JSON)).status, 401);
    assert.equal((await raw(p, ['POST /v1/traces HTTP/1.1', host, 'Authorization: Bearer full'], TRACE_JSON)).status, 200);
  } finally {
    await both.stop();
  }
});

test('a non-loopback bind without a token does not start; a wildcard bind with one answers any Host, only with the token', async () => {
  const open = new EmbeddedReceiver({ host: '0.0.0.0', port: 0, decodeWorkers: 0 });
  await assert.rejects(open.start(), (err: Error) => err instanceof ReceiverStartError && /^listening on 0\.0\.0\.0 \(not loopback\) requires a token/.test(err.message));
  await open.stop();
  const wild = new EmbeddedReceiver({ host: '0.0.0.0', port: 0, decodeWorkers: 0, token: 'wild' });
  await wild.start();
  try {
    const p = wild.receiver.address()!.port;
    assert.equal((await raw(p, ['GET /api/status HTTP/1.1', 'Host: build-box.lan:4318', 'Authorization: Bearer wild'])).status, 200);
    const without = await Promise.all(everyRoute(p, ['Host: attacker.example']));
    assert.deepEqual(
      without.map((a) => a.status),
      [401, 401, 401, 401, 401],
    );
    assert.equal((await raw(p, ['GET /api/status HTTP/1.0', 'Authorization: Bearer wild'])).status, 421, 'no Host: only loopback binds can trust that');
    assert.equal((await raw(p, ['GET /api/status HTTP/1.1', 'Host: build-box.lan', 'Origin: http://build-box.lan', 'Authorization: Bearer wild'])).status, 403);
  } finally {
    await wild.stop();
  }
});
