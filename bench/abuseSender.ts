/**
 * The well-behaved sender of `npm run bench:abuse`, run as its own process: POSTs pre-encoded
 * protobuf batches over keep-alive loopback connections for a fixed time, retrying 429 and 503
 * after a pause as the OTLP exporters do.
 * argv: URL SECONDS CONCURRENCY SPANS_PER_FILE FILE...   prints one JSON line when done.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';

const [url, secondsText, concurrencyText, spansText, ...files] = process.argv.slice(2);
const bodies = files.map((f) => readFileSync(f));
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrencyText) });
const target = new URL(url);
const spansPerBody = Number(spansText);
const statuses: Record<number, number> = {};
let next = 0;
let spans = 0;
let retries = 0;

function post(body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function lane(until: number): Promise<void> {
  while (performance.now() < until) {
    const body = bodies[next++ % bodies.length];
    for (;;) {
      const status = await post(body);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 200) spans += spansPerBody;
      if ((status !== 429 && status !== 503) || performance.now() >= until) break;
      retries++;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const until = started + Number(secondsText) * 1000;
  await Promise.all(Array.from({ length: Number(concurrencyText) }, () => lane(until)));
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, spans, statuses, retries })}\n`);
  agent.destroy();
}

void main();
