/**
 * The benchmark's load generator, run as a separate process so the receiver has a core of its
 * own: reads pre-encoded batches and POSTs them over keep-alive loopback connections.
 * argv: URL CONTENT_TYPE REQUESTS CONCURRENCY FILE...   prints one JSON line when done.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';

const [url, contentType, requestsText, concurrencyText, ...files] = process.argv.slice(2);
const bodies = files.map((f) => readFileSync(f));
const total = Number(requestsText);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrencyText) });
const target = new URL(url);
let sent = 0;
let retries = 0;
const statuses: Record<number, number> = {};

function post(body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'Content-Type': contentType, 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function worker(): Promise<void> {
  while (sent < total) {
    const body = bodies[sent++ % bodies.length];
    for (;;) {
      const status = await post(body);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status !== 429) break;
      retries++;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  await Promise.all(Array.from({ length: Number(concurrencyText) }, worker));
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, statuses, retries })}\n`);
  agent.destroy();
}

void main();
