// replayAll against real local servers: every request reaches every target with its own traceparent,
// headers and bodies as given, keep-alive connections reused up to the concurrency, a kept-alive
// connection the server dropped is retried once, and failures come back as answers with one line.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { replayAll, type SentAnswer } from '../../../src/core/shadow/replayer';
import type { ShadowRequest } from '../../../src/core/shadow/shadowRequest';

interface Seen {
  method: string;
  url: string;
  headers: string[];
  body: string;
}

let server: http.Server;
let base: URL;
const seen: Seen[] = [];
let connections = 0;

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.rawHeaders, body });
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, body }));
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
});

after(() => server.close());

function request(target: string, more: Partial<ShadowRequest> = {}): ShadowRequest {
  return { id: `t:${target}`, origin: 'json', method: 'GET', target, route: '', headers: [['Accept', 'application/json']], recorded: {}, ...more };
}

const options = { concurrency: 4, ratePerSecond: 0, timeoutMs: 5_000, maxGapMs: 0, maxBodyBytes: 1024 };

async function replay(requests: ShadowRequest[], targets = [{ label: 'a', url: base }], more = {}): Promise<SentAnswer[][]> {
  const out: SentAnswer[][] = [];
  await replayAll(requests, targets, { ...options, ...more }, (i, a) => (out[i] = a));
  return out;
}

describe('replayAll', () => {
  it('sends each request to every target with its own traceparent, over kept-alive connections', async () => {
    seen.length = 0;
    connections = 0;
    const requests = Array.from({ length: 40 }, (_, i) => request(`/items/${i}?q=${i}`));
    const answers = await replay(requests, [
      { label: 'candidate', url: base },
      { label: 'baseline', url: base },
    ]);
    assert.equal(seen.length, 80);
    assert.ok(connections <= 8, `${connections} connections for 80 requests at concurrency 4 over 2 targets`);
    const ids = new Set(answers.flat().map((a) => a.traceId));
    assert.equal(ids.size, 80, 'a fresh trace per request and target');
    for (const s of seen) {
      const at = s.headers.findIndex((h) => h.toLowerCase() === 'traceparent');
      assert.match(s.headers[at + 1], /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      assert.ok(ids.has(s.headers[at + 1].slice(3, 35)), 'the answer names the trace the request started');
      assert.ok(s.headers.includes('Accept'));
    }
    const a = answers[7][1];
    assert.deepEqual([a.status, JSON.parse(a.body).path, a.error], [200, '/items/7?q=7', undefined]);
    assert.ok(a.headers.some(([n, v]) => n.toLowerCase() === 'content-type' && v === 'application/json'));
  });

  it('sends a body with its length, and replaces framing headers with its own', async () => {
    seen.length = 0;
    const [[a]] = await replay([
      request('/quotes', {
        method: 'POST',
        body: '{"sku":"apple"}',
        headers: [
          ['Content-Type', 'application/json'],
          ['Content-Length', '999'],
          ['Host', 'production.example'],
        ],
      }),
    ]);
    assert.equal(JSON.parse(a.body).body, '{"sku":"apple"}');
    const h = seen[0].headers;
    assert.equal(h[h.findIndex((x) => x.toLowerCase() === 'content-length') + 1], '15');
    assert.equal(h[h.findIndex((x) => x.toLowerCase() === 'host') + 1], base.host);
  });

  it('answers with one line when there is no answer: refused, timed out, or a header it must not send', async () => {
    const closed = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => r(p));
      });
    });
    const [[refused]] = await replay([request('/x')], [{ label: 'a', url: new URL(`http://127.0.0.1:${closed}`) }]);
    assert.deepEqual([refused.status, /ECONNREFUSED/.test(refused.error ?? '')], [0, true]);
    const [[late]] = await replay([request('/slow')], undefined, { timeoutMs: 200 });
    assert.deepEqual([late.status, late.error], [0, 'no answer within 200 ms']);
    const [[bad]] = await replay([request('/x', { headers: [['X-Evil', 'a\r\nInjected: 1']] })]);
    assert.match(bad.error ?? '', /invalid X-Evil header/);
  });

  it('sends a GET again on a fresh connection when a kept-alive one was closed as it went out', async () => {
    // A server that answers the first request on a connection, then drops the connection on the next.
    let opened = 0;
    const flaky = net.createServer((socket) => {
      opened++;
      let answered = false;
      socket.on('data', () => {
        if (answered) return void socket.destroy();
        answered = true;
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    try {
      const url = new URL(`http://127.0.0.1:${(flaky.address() as net.AddressInfo).port}`);
      const answers = await replay([request('/1'), request('/2'), request('/3')], [{ label: 'a', url }], { concurrency: 1 });
      assert.deepEqual(
        answers.map(([a]) => [a.status, a.body]),
        [
          [200, 'ok'],
          [200, 'ok'],
          [200, 'ok'],
        ],
      );
      assert.equal(opened, 3);
    } finally {
      flaky.close();
    }
  });
});
