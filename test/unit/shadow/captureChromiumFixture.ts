/**
 * Records what real Chromium sends, to make test/fixtures/shadow/chromium-requests.json: a page on
 * loopback (HTTP/1.1, then the same page over HTTP/2 with a throw-away self-signed certificate)
 * gets a session cookie, then makes the requests a shop front end makes (a bearer JWT and an API
 * key, a JSON quote, a mislabelled "JSON" body, a real form post). Run it with
 * `node --import tsx test/unit/shadow/captureChromiumFixture.ts` when the fixture needs renewing.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchChromium } from '../../support/browser';

/** One request as the server received it: raw header names and order, body as UTF-8. */
export interface CapturedRequest {
  protocol: 'http/1.1' | 'h2';
  method: string;
  target: string;
  headers: [string, string][];
  body: string;
}

const OUT = path.resolve(__dirname, '../../fixtures/shadow/chromium-requests.json');

/** A real HS256 JWT, signed here so its three parts are what a real issuer makes. */
function jwt(): string {
  const b64 = (v: object | Buffer): string => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ sub: 'user-8812', email: 'jane.doe@example.com', iat: 1767225600, exp: 1767229200 });
  return `${head}.${body}.${b64(createHmac('sha256', 'fixture-signing-key').update(`${head}.${body}`).digest())}`;
}

const PAGE = (token: string): string => `<!doctype html><meta charset="utf-8"><title>shop</title>
<form id="f" method="post" action="/account/contact">
  <input name="email" value="jane.doe+orders@example.com">
  <input name="card" value="4111 1111 1111 1111">
  <input name="order" value="7392018465123457">
  <input name="message" value="call me, token Bearer ${token}">
</form>
<script>
(async () => {
  const email = 'jane.doe+shop@example.com';
  await fetch('/api/orders/4111111111111111?email=' + encodeURIComponent(email) + '&ref=7392018465123457&q=a+b', {
    headers: { Authorization: 'Bearer ${token}', 'X-API-Key': 'sk_live_51HxQeKJ2mZ8vR4tP9wN3yB7', 'X-Request-Id': '5f0c1a9e-3b7d-4e21-9c8a-2d4f6b8e1a37' },
  });
  await fetch('/api/quotes', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': 'tok_9f8e7d6c5b4a3210', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', baggage: 'userId=8812' },
    body: JSON.stringify({ customer: { email, phone: '+44 20 7946 0958' }, items: [[{ sku: 'A-100', qty: 2 }, { sku: 'B-7', qty: 1 }], []], payment: { card: '4111-1111-1111-1111', order: '7392018465123457' }, note: 'Bearer ${token}', amount: 1234567890123456789 }),
  });
  await fetch('/api/notes/12', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"note": unquoted, contact jane.doe@example.com' });
  document.getElementById('f').submit();
})();
</script>`;

/** Serves the page and records every request until the form post arrives. */
function handler(token: string, seen: CapturedRequest[], protocol: CapturedRequest['protocol'], done: () => void) {
  return (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: [string, string][] = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      const target = req.url ?? '/';
      if (!target.startsWith('/favicon')) seen.push({ protocol, method: req.method ?? '', target, headers, body: Buffer.concat(chunks).toString('utf8') });
      if (target.startsWith('/?')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': ['session=s%3A9c1f0e2d7b6a.Jx1kLq; Path=/; HttpOnly', 'csrftoken=Zt7qM2pX9vR4; Path=/'] });
        res.end(PAGE(token));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
      if (target === '/account/contact') done();
    });
  };
}

async function captureOver(protocol: CapturedRequest['protocol'], tls: { key: Buffer; cert: Buffer } | undefined): Promise<CapturedRequest[]> {
  const token = jwt();
  const seen: CapturedRequest[] = [];
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const server = tls
    ? http2.createSecureServer(
        { ...tls },
        handler(token, seen, protocol, () => finished()),
      )
    : http.createServer(handler(token, seen, protocol, () => finished()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const scheme = tls ? 'https' : 'http';
    await page.goto(`${scheme}://127.0.0.1:${port}/?utm_source=mail&email=${encodeURIComponent('jane.doe@example.com')}`);
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`${protocol}: form post never arrived`)), 20_000))]);
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  // The port is random per capture: one fixed port keeps the fixture stable across renewals.
  return seen.map((r) => ({ ...r, headers: r.headers.map(([n, v]): [string, string] => [n, v.split(`127.0.0.1:${port}`).join('127.0.0.1:8080')]) }));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rl-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    const tls = { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
    const captured = [...(await captureOver('http/1.1', undefined)), ...(await captureOver('h2', tls))];
    writeFileSync(OUT, JSON.stringify(captured, null, 2) + '\n');
    console.log(`wrote ${captured.length} requests to ${OUT}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
