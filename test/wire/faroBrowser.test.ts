/**
 * A real page using `@grafana/faro-web-sdk`, bundled by esbuild with source maps into a temp
 * workspace, served from loopback and opened in Chromium, sends real Faro payloads to the
 * embedded receiver: its uncaught error must become an error group on the TypeScript line that
 * threw, and its web-vitals measurements must show under the page route.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import type { ErrorSignal, SignalsResponse } from '../../src/core/api/signals';
import { EmbeddedReceiver } from '../../src/core/server/embeddedReceiver';
import { launchChromium } from '../support/browser';

const REPO = path.resolve(__dirname, '../..');
const API_KEY = 'faro-test-key';
const GIT_HASH = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0';
const THROW_TEXT = "throw new Error('checkout total over limit: ' + total);";

/** The page's TypeScript: Faro with the errors instrumentation, two web-vitals readings, and an uncaught throw. */
const PAGE_TS = `import { ErrorsInstrumentation, initializeFaro } from '@grafana/faro-web-sdk';

interface PageGlobals {
  FARO_URL: string;
  FARO_KEY: string;
}

const globals = window as unknown as PageGlobals;

const faro = initializeFaro({
  url: globals.FARO_URL,
  apiKey: globals.FARO_KEY,
  app: { name: 'shop-web', version: '1.4.2', environment: 'production', gitHash: '${GIT_HASH}' },
  instrumentations: [new ErrorsInstrumentation()],
  sessionTracking: { enabled: false },
});

faro.api.pushMeasurement({ type: 'web-vitals', values: { lcp: 1200, delta: 1200 } });
faro.api.pushMeasurement({ type: 'web-vitals', values: { lcp: 2400, cls: 0.05 } });

export function checkoutTotal(total: number): number {
  if (total > 100) {
    ${THROW_TEXT}
  }
  return total;
}

setTimeout(() => checkoutTotal(500), 50);
`;

let browser: Browser;
let rx: EmbeddedReceiver;
let site: http.Server;
let workspace: string;
let throwLine = 0;

before(async () => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'rl-faro-'));
  mkdirSync(path.join(workspace, 'web', 'src'), { recursive: true });
  writeFileSync(path.join(workspace, 'web', 'src', 'page.ts'), PAGE_TS);
  throwLine = PAGE_TS.split('\n').findIndex((l) => l.includes(THROW_TEXT)) + 1;
  await build({
    entryPoints: [path.join(workspace, 'web', 'src', 'page.ts')],
    outfile: path.join(workspace, 'web', 'dist', 'app.js'),
    bundle: true,
    sourcemap: true,
    format: 'iife',
    target: 'es2020',
    nodePaths: [path.join(REPO, 'node_modules')],
    logLevel: 'silent',
  });

  site = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    if (url.pathname === '/app.js' || url.pathname === '/app.js.map') {
      res.writeHead(200, { 'Content-Type': url.pathname.endsWith('.map') ? 'application/json' : 'text/javascript' });
      res.end(readFileSync(path.join(workspace, 'web', 'dist', url.pathname.slice(1))));
      return;
    }
    const receiver = `http://127.0.0.1:${rx.receiver.address()!.port}/collect`;
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><title>checkout</title><script>window.FARO_URL = ${JSON.stringify(receiver)}; window.FARO_KEY = ${JSON.stringify(API_KEY)};</script><script src="/app.js"></script>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;

  rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, decodeWorkers: 0, workspace, faro: { allowedOrigins: [siteOrigin], apiKey: API_KEY } });
  await rx.start();
  await rx.indexReady;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await rx?.stop();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

/** Polls the read API until `found` holds (the page sends in batches), or fails naming what it last saw. */
async function waitFor(found: (s: SignalsResponse) => boolean, what: string): Promise<SignalsResponse> {
  const deadline = Date.now() + 20_000;
  let last: SignalsResponse | undefined;
  while (Date.now() < deadline) {
    await rx.pipeline.idle();
    last = await rx.signals(new URLSearchParams({ window: '1h', environment: 'production' }));
    if (found(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what} never arrived; faro stats ${JSON.stringify(rx.faro.stats)}, errors ${JSON.stringify(last?.errors)}, vitals ${JSON.stringify(last?.webVitals)}`);
}

test('a Faro page in Chromium: its uncaught error lands on the TypeScript line that threw, and its web vitals show per page route', async () => {
  const page = await browser.newPage();
  try {
    const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/checkout/42?step=pay`;
    await page.goto(siteUrl);
    const answer = await waitFor(
      (s) => s.errors.some((e) => e.message.includes('checkout total over limit')) && (s.webVitals ?? []).some((v) => v.metric === 'lcp' && v.count === 2),
      'the error group and both lcp readings',
    );
    const group = answer.errors.find((e) => e.message.includes('checkout total over limit')) as ErrorSignal;
    assert.equal(group.service, 'shop-web');
    assert.equal(group.file, 'web/src/page.ts', `mapped through web/dist/app.js.map to the source; stack:\n${group.stacktrace}`);
    assert.equal(group.line, throwLine);
    assert.equal(group.function, 'checkoutTotal');
    assert.equal(group.count, 1, 'one uncaught error is one occurrence');
    assert.match(group.stacktrace, /web\/src\/page\.ts:\d+:\d+/, 'the stack reads in the TypeScript source');
    assert.deepEqual(group.deployed, { revision: GIT_HASH, version: '1.4.2' });

    const lcp = answer.webVitals!.find((v) => v.metric === 'lcp')!;
    assert.deepEqual(lcp, { service: 'shop-web', environment: 'production', route: '/checkout/{id}', metric: 'lcp', p75: 2400, count: 2 });
    const cls = answer.webVitals!.find((v) => v.metric === 'cls')!;
    assert.equal(cls.p75, 0.05);
    assert.ok(!answer.webVitals!.some((v) => (v.metric as string) === 'delta'), 'delta is not a vital');
    assert.equal(rx.faro.stats.rejected, 0);
    assert.ok((rx.receiver.responses.get(401) ?? 0) === 0 && (rx.receiver.responses.get(403) ?? 0) === 0, 'the page was neither refused nor unauthorized');
  } finally {
    await page.close();
  }
});

test('a page from an origin that is not configured is refused, and nothing it sends is filed', async () => {
  const other = http.createServer((_req, res) => {
    const receiver = `http://127.0.0.1:${rx.receiver.address()!.port}/collect`;
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(
      `<!doctype html><script>window.result = fetch(${JSON.stringify(receiver)}, { method: 'POST', headers: { 'Content-Type': 'application/json', 'x-api-key': ${JSON.stringify(API_KEY)} }, body: JSON.stringify({ meta: { app: { name: 'intruder' } }, exceptions: [{ type: 'Error', value: 'x', timestamp: new Date().toISOString() }] }) }).then((r) => 'status ' + r.status, (e) => 'blocked ' + e);</script>`,
    );
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage();
  try {
    const before403 = rx.receiver.responses.get(403) ?? 0;
    await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    const result = String(await page.evaluate('window.result'));
    assert.match(result, /^blocked/, 'the browser does not let the page read an answer without Access-Control-Allow-Origin');
    assert.equal(rx.receiver.responses.get(403) ?? 0, before403 + 1, 'the preflight was refused with 403');
    await rx.pipeline.idle();
    const answer = await rx.signals(new URLSearchParams({ window: '1h' }));
    assert.ok(!answer.errors.some((e) => e.service === 'intruder'));
  } finally {
    await page.close();
    await new Promise<void>((resolve) => other.close(() => resolve()));
  }
});
