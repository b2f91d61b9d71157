/**
 * The backend benchmark's sender, in its own process: makes batches with the SDK (traffic.ts) and
 * POSTs each one, byte for byte the same, to every target (the collector and the embedded
 * receiver), retrying 429 and 5xx. argv[2] is a JSON SendPlan; prints one JSON SendReport line.
 * With `spansPerSecond` it paces itself (a steady trickle); otherwise it sends as fast as the
 * slowest target takes them, with `concurrency` requests in flight.
 */
import * as http from 'node:http';
import { makeTrafficBatch, SPANS_PER_TRACE, TRACES_PER_BATCH } from './traffic';

/** What to send where. */
export interface SendPlan {
  /** OTLP/HTTP trace endpoints (`.../v1/traces`). */
  targets: string[];
  firstBatch: number;
  batches: number;
  concurrency: number;
  /** Requests per batch (default TRACES_PER_BATCH); a trickle sends small batches often. */
  tracesPerBatch?: number;
  spansPerSecond?: number;
}

/** What was sent. */
export interface SendReport {
  spans: number;
  traces: number;
  batches: number;
  ms: number;
  /** HTTP status -> count, per target. */
  statuses: Record<string, Record<number, number>>;
  retries: number;
  /** Batches a target never took (after retries). */
  failed: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as SendPlan;
const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency * plan.targets.length });
const report: SendReport = { spans: 0, traces: 0, batches: 0, ms: 0, statuses: {}, retries: 0, failed: 0 };
for (const t of plan.targets) report.statuses[t] = {};

function post(url: string, body: Buffer): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function deliver(url: string, body: Buffer): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const status = await post(url, body);
    const seen = report.statuses[url]!;
    seen[status] = (seen[status] ?? 0) + 1;
    if (status >= 200 && status < 300) return true;
    if (status !== 0 && status !== 429 && status < 500) return false;
    report.retries++;
    await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
  }
  return false;
}

async function main(): Promise<void> {
  const started = performance.now();
  const perBatch = plan.tracesPerBatch ?? TRACES_PER_BATCH;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.batches) {
      const i = next++;
      if (plan.spansPerSecond !== undefined) {
        // Paced: batch i leaves no earlier than its share of the rate allows.
        const due = started + (i * perBatch * SPANS_PER_TRACE * 1000) / plan.spansPerSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const batch = makeTrafficBatch(plan.firstBatch + i, Date.now(), perBatch);
      const delivered = await Promise.all(plan.targets.map((t) => deliver(t, batch.body)));
      if (delivered.includes(false)) report.failed++;
      report.spans += batch.spans;
      report.traces += batch.traces;
      report.batches++;
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  report.ms = performance.now() - started;
  agent.destroy();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

void main();
