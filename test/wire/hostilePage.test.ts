/**
 * A hostile web page in a real Chromium tries to read what the receiver holds: a page on another
 * loopback origin opens the stream WebSocket and fetches the read API, and a DNS-rebinding page
 * (a name that resolves to 127.0.0.1 but is not ours) reads it "same-origin". The receiver runs
 * as a `runtime-lens serve` user runs it: loopback, no token. It holds an error group with a
 * message, a stack and a trace id; the page must get none of it, and every attempt is refused.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { EmbeddedReceiver } from '../../src/core/server/embeddedReceiver';
import { launchChromium } from '../support/browser';
import { errorSpanJson, SECRET_MESSAGE, SECRET_TRACE_ID } from '../support/errorSpanJson';
import { postTraces } from '../support/otlpJson';

/** What the page reports back. */
interface PageReport {
  sockets: { url: string; opened: boolean; messages: string[]; closeCode: number }[];
  fetches: { url: string; status?: number; body?: string; error?: string }[];
}

/** The attack, run inside the page: every read the API offers, against every base URL given. */
function attackScript(bases: string[], traceId: string): string {
  return `
window.attack = (async () => {
  const report = { sockets: [], fetches: [] };
  for (const base of ${JSON.stringify(bases)}) {
    await new Promise((resolve) => {
      const entry = { url: base.replace(/^http/, 'ws') + '/api/stream', opened: false, messages: [], closeCode: 0 };
      report.sockets.push(entry);
      const ws = new WebSocket(entry.url);
      ws.onopen = () => { entry.opened = true; setTimeout(() => ws.close(), 1000); };
      ws.onmessage = (m) => entry.messages.push(String(m.data));
      ws.onclose = (e) => { entry.closeCode = e.code; resolve(); };
    });
    const reads = ['/api/signals?window=1h', '/api/status', '/api/traces/${traceId}'];
    for (const path of reads) {
      try {
        const res = await fetch(base + path);
        report.fetches.push({ url: base + path, status: res.status, body: await res.text() });
      } catch (err) {
        report.fetches.push({ url: base + path, error: String(err) });
      }
    }
    try {
      const res = await fetch(base + '/v1/traces', { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
      report.fetches.push({ url: base + '/v1/traces', status: res.status, body: await res.text() });
    } catch (err) {
      report.fetches.push({ url: base + '/v1/traces', error: String(err) });
    }
  }
  return report;
})();`;
}

let browser: Browser;
let rx: EmbeddedReceiver;
let receiverPort = 0;
let attacker: http.Server;
let attackerPort = 0;

const counted = (status: number): number => rx.receiver.responses.get(status) ?? 0;
const served = (): number => [...rx.receiver.responses].filter(([status]) => status < 400).reduce((n, [, c]) => n + c, 0);

before(async () => {
  browser = await launchChromium();
  rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, decodeWorkers: 0 });
  await rx.start();
  receiverPort = rx.receiver.address()!.port;
  assert.equal((await postTraces(`http://127.0.0.1:${receiverPort}`, errorSpanJson())).status, 200);
  await rx.pipeline.idle();
  const held = await rx.signals(new URLSearchParams({ window: '1h' }));
  assert.equal(held.errors[0]?.message, SECRET_MESSAGE, 'the receiver holds the error group the page is after');
  assert.ok(rx.traces.get(SECRET_TRACE_ID), 'and its trace');

  attacker = http.createServer((req, res) => {
    const bases = [`http://127.0.0.1:${receiverPort}`, `http://localhost:${receiverPort}`];
    const html = `<!doctype html><title>cute cats</title><script>${attackScript(bases, SECRET_TRACE_ID)}</script>`;
    res.writeHead(req.url === '/' ? 200 : 404, { 'Content-Type': 'text/html' }).end(req.url === '/' ? html : '');
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerPort = (attacker.address() as AddressInfo).port;
});

after(async () => {
  await browser?.close();
  await rx?.stop();
  attacker?.close();
});

function assertNothingLeaked(report: PageReport): void {
  // What came back from the receiver (the URLs the page built name the trace id itself).
  const everything = JSON.stringify([report.sockets.map((s) => s.messages), report.fetches.map((f) => f.body ?? '')]);
  for (const secret of [SECRET_MESSAGE, SECRET_TRACE_ID, 'spansAccepted', 'PaymentError']) {
    assert.equal(everything.includes(secret), false, `the page read "${secret}": ${everything.slice(0, 2000)}`);
  }
  for (const s of report.sockets) assert.deepEqual([s.opened, s.messages], [false, []], `${s.url} opened`);
}

test('a page on another origin gets nothing from the WebSocket or the read API, and every attempt is refused', async () => {
  const page = await browser.newPage();
  try {
    const refusedBefore = counted(403);
    const servedBefore = served();
    await page.goto(`http://127.0.0.1:${attackerPort}/`);
    const report = (await page.evaluate('window.attack')) as PageReport;
    assertNothingLeaked(report);
    assert.equal(report.sockets.length, 2);
    // Cross-origin reads fail in the page (no CORS headers); the no-cors POST is opaque (status 0).
    for (const f of report.fetches) assert.ok(f.error !== undefined || f.status === 0, `${f.url}: ${JSON.stringify(f)}`);
    // 2 origins x (1 upgrade + 3 reads + 1 POST), all refused on the server, none served.
    assert.equal(counted(403) - refusedBefore, 10);
    assert.equal(served() - servedBefore, 0);
    assert.equal(rx.pipeline.stats.spansAccepted, 1, 'the page injected nothing');
  } finally {
    await page.close();
  }
});

test('a DNS-rebinding page (a name resolving to 127.0.0.1) gets 421 on navigation, same-origin reads and the WebSocket', async () => {
  // Chromium resolves every *.localhost name to loopback: the same effect as a rebound DNS name.
  const rebound = `http://rebind.localhost:${receiverPort}`;
  const page = await browser.newPage();
  try {
    const misdirectedBefore = counted(421);
    const servedBefore = served();
    const nav = await page.goto(`${rebound}/api/signals?window=1h`);
    assert.equal(nav?.status(), 421);
    await page.evaluate(attackScript([rebound], SECRET_TRACE_ID));
    const report = (await page.evaluate('window.attack')) as PageReport;
    assertNothingLeaked(report);
    // Same-origin now, so the page sees the statuses: refusals, with no data.
    assert.deepEqual(
      report.fetches.slice(0, 3).map((f) => f.status),
      [421, 421, 421],
    );
    assert.ok(counted(421) - misdirectedBefore >= 6, 'navigation, the upgrade, three reads and the POST were refused');
    assert.equal(served() - servedBefore, 0);
  } finally {
    await page.close();
  }
});
