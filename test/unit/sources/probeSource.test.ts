import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { probeSource, type ProbeSpec } from '../../../src/core/sources/probeSource';
import { TempoFixture } from '../../support/tempoFixture';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A loopback HTTP server answering with `handler`; resolves to its base URL. */
async function serve(handler: Handler): Promise<{ url: string; requests: { path: string; auth: string | undefined }[] }> {
  const requests: { path: string; auth: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', auth: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Answers as Jaeger v2's query service does: jsonpb leaves an empty list out. */
function jaegerHandler(services: string[], token?: string): Handler {
  return (req, res) => {
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end('Unauthorized');
    if (req.url === '/api/v3/services') return json(res, 200, services.length > 0 ? { services } : {});
    res.writeHead(404).end('404 page not found');
  };
}

const spec = (kind: ProbeSpec['kind'], url: string, extra: Partial<ProbeSpec> = {}): ProbeSpec => ({ kind, name: kind, url, ...extra });

describe('probeSource: test the connection before saving', () => {
  it('recognises Jaeger v2 by /api/v3/services, with or without services', async () => {
    const full = await serve(jaegerHandler(['orders', 'web']));
    assert.deepEqual(await probeSource(spec('jaeger', full.url), {}), { ok: true, detail: 'Jaeger answered: 2 services' });
    const empty = await serve(jaegerHandler([]));
    assert.deepEqual(await probeSource(spec('jaeger', empty.url), {}), { ok: true, detail: 'Jaeger answered: 0 services' });
  });

  it('sends the credentials, and a 401 names the fix', async () => {
    const server = await serve(jaegerHandler(['orders'], 's3cret'));
    const refused = await probeSource(spec('jaeger', server.url), {});
    assert.equal(refused.ok, false);
    assert.match(
      !refused.ok ? refused.error : '',
      /^jaeger at http:\/\/127\.0\.0\.1:\d+: credentials missing or refused \(HTTP 401\); the backend wants credentials: choose Edit and pick bearer token, basic or a custom header$/,
    );
    const wrong = await probeSource(spec('jaeger', server.url, { auth: { kind: 'bearer' } }), { Authorization: 'Bearer nope' });
    assert.match(!wrong.ok ? wrong.error : '', /\(HTTP 401\); check the token \(choose Edit\)$/);
    assert.deepEqual(await probeSource(spec('jaeger', server.url, { auth: { kind: 'bearer' } }), { Authorization: 'Bearer s3cret' }), { ok: true, detail: 'Jaeger answered: 1 service' });
    // The probe asks once: a refused credential is not retried.
    assert.equal(server.requests.length, 3);
  });

  it('says when something else answers: a web page, or a backend of another kind', async () => {
    const page = await serve((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Grafana</title>'));
    const html = await probeSource(spec('jaeger', page.url), {});
    assert.deepEqual(html, { ok: false, kind: 'invalid', error: `jaeger at ${page.url}: answered /api/v3/services, but not as Jaeger v2's query API (/api/v3) does (not JSON)` });
    const prometheus = await serve((req, res) => {
      if (req.url === '/api/v1/status/buildinfo') return json(res, 200, { status: 'success', data: { version: '2.53.0', revision: 'abc', branch: 'HEAD', goVersion: 'go1.22' } });
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
    });
    const asJaeger = await probeSource(spec('jaeger', prometheus.url), {});
    assert.deepEqual(asJaeger, {
      ok: false,
      kind: 'not-found',
      error: `jaeger at ${prometheus.url}: answered, but has no /api/v3/services (HTTP 404): it is not Jaeger v2's query API (/api/v3); check the URL (usually port 16686)`,
    });
    assert.deepEqual(await probeSource(spec('prometheus', prometheus.url), {}), { ok: true, detail: 'Prometheus 2.53.0 answered' });
    const jaeger = await serve((_req, res) => json(res, 200, { services: ['x'] }));
    const asProm = await probeSource(spec('prometheus', jaeger.url), {});
    assert.match(!asProm.ok ? asProm.error : '', /answered \/api\/v1\/status\/buildinfo, but not as Prometheus's HTTP API does \(expected \{"status":"success","data":\{\.\.\.\}\}\)$/);
  });

  it('recognises Loki by its labels, and Tempo by its echo and a search (the strict fixture)', async () => {
    const loki = await serve((req, res) => {
      if (req.url === '/loki/api/v1/labels') return json(res, 200, { status: 'success', data: ['app', 'level'] });
      res.writeHead(404).end('404 page not found');
    });
    assert.deepEqual(await probeSource(spec('loki', loki.url), {}), { ok: true, detail: 'Loki answered: 2 labels' });
    const tempo = new TempoFixture();
    const url = await tempo.start();
    closers.push(() => tempo.stop());
    assert.deepEqual(await probeSource(spec('tempo', url), {}), { ok: true, detail: 'Tempo answered, and searching traces works' });
    assert.deepEqual(
      tempo.requests.map((r) => [r.path, r.status]),
      [
        ['/api/echo', 200],
        ['/api/search', 200],
      ],
    );
    const asLoki = await probeSource(spec('loki', url), {});
    assert.equal(!asLoki.ok && asLoki.kind, 'not-found');
  });

  it('says a closed port is unreachable, and where the backend usually listens', async () => {
    const server = await serve(() => undefined);
    const url = server.url;
    await closers.pop()!();
    const down = await probeSource(spec('loki', url), {});
    assert.deepEqual(down, { ok: false, kind: 'network', error: `loki at ${url}: unreachable (connection refused); check the URL and that the backend runs (Loki's HTTP API usually listens on port 3100)` });
  });

  it('verifies TLS: an unknown CA names the caFile fix, the configured CA passes, a missing CA file is a config error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-probe-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, jaegerHandler(['orders']));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const untrusted = await probeSource(spec('jaeger', url), {});
    assert.equal(!untrusted.ok && untrusted.kind, 'network');
    assert.match(!untrusted.ok ? untrusted.error : '', /TLS verification failed .*caFile/);
    assert.deepEqual(await probeSource(spec('jaeger', url, { caFile: cert }), {}), { ok: true, detail: 'Jaeger answered: 1 service' });
    const missing = await probeSource(spec('jaeger', url, { caFile: path.join(dir, 'none.pem') }), {});
    assert.equal(!missing.ok && missing.kind, 'config');
    assert.match(!missing.ok ? missing.error : '', /cannot read CA file .*none\.pem: ENOENT/);
  });
});
