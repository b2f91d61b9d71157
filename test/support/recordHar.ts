/**
 * Re-records test/fixtures/shadow/chromium.har: headless Chromium (through playwright-core's
 * recordHar) opens a page on a loopback Node http server; the page's fetch calls make a GET with a
 * query, a JSON POST, a form POST, a 404, a binary response and a data: URL. Run:
 * `node --import tsx test/support/recordHar.ts`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { launchChromium } from './browser';
import { repoRoot } from './harness';

const OUT = join(repoRoot, 'test', 'fixtures', 'shadow', 'chromium.har');

// The page's script: each call waits for the one before, so the HAR's entry order is stable.
const PAGE = `<!doctype html><meta charset="utf-8"><title>shadow traffic</title><script>
async function run() {
  await (await fetch('/api/orders/42?expand=items&currency=EUR')).json();
  await (await fetch('/api/quotes', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-source': 'har-fixture' }, body: JSON.stringify({ sku: 'A-1', qty: 3, note: 'café' }) })).json();
  await (await fetch('/api/search', { method: 'POST', body: new URLSearchParams({ q: 'blue mug', page: '2' }) })).text();
  await (await fetch('/api/missing')).text();
  await (await fetch('/assets/blob.bin')).arrayBuffer();
  await (await fetch('data:text/plain,inline')).text();
  document.title = 'done';
}
run();
</script>`;

/** Bytes that are not valid UTF-8 (a lone continuation byte, 0xff), so the HAR must carry them as base64. */
const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x80, 0xff, 0xfe, 0x41, 0xc3]);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const json = (status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(value));
  };
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  } else if (url.pathname === '/api/orders/42') {
    json(200, { id: 42, expand: url.searchParams.get('expand'), items: [{ sku: 'A-1', qty: 1 }], total: 12.5 });
  } else if (url.pathname === '/api/quotes' && req.method === 'POST') {
    const body = JSON.parse(await readBody(req)) as { qty: number };
    json(201, { quote: 'q-1', qty: body.qty, price: 37.5 });
  } else if (url.pathname === '/api/search' && req.method === 'POST') {
    json(200, { query: await readBody(req), hits: [] });
  } else if (url.pathname === '/assets/blob.bin') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(BINARY);
  } else {
    json(404, { error: 'not found', path: url.pathname });
  }
}

async function main(): Promise<void> {
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ recordHar: { path: OUT, content: 'embed' } });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction("document.title === 'done'", undefined, { timeout: 15_000 });
    // The HAR is written when the context closes.
    await context.close();
    console.log(`recorded ${OUT} (server on 127.0.0.1:${port})`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e: unknown) => {
  console.error(`recordHar: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
