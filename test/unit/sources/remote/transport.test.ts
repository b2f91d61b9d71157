import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { CircuitBreaker } from '../../../../src/core/sources/remote/circuitBreaker';
import { RemoteTransport } from '../../../../src/core/sources/remote/transport';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; close: () => Promise<void>; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits: () => hits, close: () => new Promise((r) => server.close(() => r())) };
}

const noSleep = async () => {};
const open: { close: () => Promise<void> }[] = [];
after(async () => {
  for (const s of open) await s.close();
});

describe('RemoteTransport', () => {
  it('parses JSON, sends params and headers, counts bytes', async () => {
    let seen: http.IncomingMessage | undefined;
    const s = await serve((req, res) => {
      seen = req;
      res.end(JSON.stringify({ ok: 1 }));
    });
    open.push(s);
    const t = new RemoteTransport({ name: 'jaeger', baseUrl: `${s.url}/base/`, headers: { Authorization: 'Bearer x' } }, noSleep);
    const out = await t.getJson('/api/v3/services', { a: 'b c', skip: undefined, many: ['1', '2'] }, (b) => b as { ok: number });
    assert.deepEqual(out, { ok: true, value: { ok: 1 }, bytes: 8 });
    assert.equal(seen!.url, '/base/api/v3/services?a=b+c&many=1&many=2');
    assert.equal(seen!.headers.authorization, 'Bearer x');
    assert.deepEqual(t.counters, { requests: 1, bytes: 8, failures: 0 });
  });

  it('retries 5xx and 429 then succeeds', async () => {
    let n = 0;
    const s = await serve((_req, res) => {
      n++;
      if (n === 1) return void res.writeHead(503).end('busy');
      if (n === 2) return void res.writeHead(429, { 'Retry-After': '0' }).end();
      res.end('[]');
    });
    open.push(s);
    const t = new RemoteTransport({ name: 'prometheus', baseUrl: s.url, retries: 2 }, noSleep);
    const out = await t.getJson('/q', {}, (b) => b);
    assert.equal(out.ok, true);
    assert.equal(s.hits(), 3);
  });

  it('does not retry 401 and names the source and the fix in one line', async () => {
    const s = await serve((_req, res) => void res.writeHead(401).end('no'));
    open.push(s);
    const t = new RemoteTransport({ name: 'tempo', baseUrl: s.url, authHint: 'run "Runtime Lens: Add Telemetry Source…"' }, noSleep);
    const out = await t.getText('/api/search', {});
    assert.equal(out.ok, false);
    if (out.ok) return;
    assert.equal(out.kind, 'auth');
    assert.equal(out.status, 401);
    assert.match(out.error, /^tempo at http:\/\/127\.0\.0\.1:\d+: credentials missing or refused \(HTTP 401\); run "Runtime Lens: Add Telemetry Source…"$/);
    assert.equal(s.hits(), 1);
  });

  it("a body that is not the API is invalid, with the parser's reason", async () => {
    const s = await serve((_req, res) => void res.end('<html>proxy</html>'));
    open.push(s);
    const t = new RemoteTransport({ name: 'loki', baseUrl: s.url }, noSleep);
    const notJson = await t.getJson('/x', {}, (b) => b);
    assert.equal(!notJson.ok && notJson.kind, 'invalid');
    const s2 = await serve((_req, res) => void res.end('{"status":"error"}'));
    open.push(s2);
    const bad = await new RemoteTransport({ name: 'loki', baseUrl: s2.url }, noSleep).getJson('/x', {}, () => {
      throw new Error('status is error');
    });
    assert.ok(!bad.ok && /unexpected answer from \/x: status is error/.test(bad.error));
  });

  it('times out a silent server and refuses a body over the cap', async () => {
    const silent = await serve(() => {});
    open.push({ close: async () => void (await Promise.race([silent.close(), new Promise((r) => setTimeout(r, 50))])) });
    const out = await new RemoteTransport({ name: 'jaeger', baseUrl: silent.url, timeoutMs: 100, retries: 1 }, noSleep).getText('/', {});
    assert.ok(!out.ok && out.kind === 'timeout' && /no answer in 100 ms/.test(out.error));
    const big = await serve((_req, res) => void res.end(Buffer.alloc(3 * 1024 * 1024)));
    open.push(big);
    const tooBig = await new RemoteTransport({ name: 'jaeger', baseUrl: big.url, maxBytes: 1024 * 1024 }, noSleep).getText('/', {});
    assert.ok(!tooBig.ok && tooBig.kind === 'invalid');
  });

  it('opens the circuit after repeated failures and probes again after the cool-down', async () => {
    let now = 0;
    const breaker = new CircuitBreaker(2, 1000, 8000, () => now);
    let healthy = false;
    const s = await serve((_req, res) => void (healthy ? res.end('1') : res.writeHead(500).end()));
    open.push(s);
    const t = new RemoteTransport({ name: 'prometheus', baseUrl: s.url, retries: 0 }, noSleep, breaker);
    await t.getText('/', {});
    await t.getText('/', {});
    const skipped = await t.getText('/', {});
    assert.ok(!skipped.ok && skipped.kind === 'circuit-open');
    assert.equal(s.hits(), 2);
    now = 1001;
    healthy = true;
    assert.equal((await t.getText('/', {})).ok, true);
    assert.equal(breaker.state, 'closed');
  });

  it('refuses credentials in the URL and a missing CA file with one line', () => {
    assert.throws(() => new RemoteTransport({ name: 'jaeger', baseUrl: 'http://u:p@host' }), /not in the URL/);
    assert.throws(() => new RemoteTransport({ name: 'jaeger', baseUrl: 'ftp://host' }), /not an http\(s\) URL/);
    assert.throws(() => new RemoteTransport({ name: 'jaeger', baseUrl: 'http://h', caFile: '/no/such.pem' }), /cannot read CA file \/no\/such\.pem: ENOENT/);
  });

  it('verifies TLS: an unknown CA fails without retries, the configured CA passes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    let hits = 0;
    const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) => {
      hits++;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    open.push({ close: () => new Promise((r) => server.close(() => r())) });
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const refused = await new RemoteTransport({ name: 'tempo', baseUrl: url }, noSleep).getText('/', {});
    assert.ok(!refused.ok && refused.kind === 'network' && /TLS verification failed .*caFile/.test(refused.error), JSON.stringify(refused));
    assert.equal(hits, 0);
    const trusted = await new RemoteTransport({ name: 'tempo', baseUrl: url, caFile: cert }, noSleep).getText('/', {});
    assert.ok(trusted.ok, JSON.stringify(trusted));
  });
});

describe('RemoteTransport options', () => {
  it('an option given as undefined keeps its default', async () => {
    let n = 0;
    const s = await serve((_req, res) => void (++n < 2 ? res.writeHead(503).end() : res.end('ok')));
    open.push(s);
    const out = await new RemoteTransport({ name: 'loki', baseUrl: s.url, retries: undefined, timeoutMs: undefined }, noSleep).getText('/', {});
    assert.equal(out.ok, true);
  });
});
