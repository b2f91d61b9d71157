/**
 * bench:peers' load generator, a separate process so the server under test has the machine to
 * itself apart from this sender: loads pre-encoded batches, says `{"ready":true}`, waits for a line
 * on stdin, then POSTs REQUESTS batches over CONCURRENCY keep-alive loopback connections. Retries
 * what OTLP/HTTP calls retryable (429, 502, 503, 504), honouring Retry-After, else with exponential
 * backoff and jitter. Prints one JSON line (a SenderReport) the moment the last answer arrives.
 * argv: URL CONTENT_TYPE REQUESTS SPANS_PER_BATCH CONCURRENCY FILE...
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';

/** What the sender prints when done; times are ms since the epoch (performance.timeOrigin based, comparable across processes). */
export interface SenderReport {
  firstSendAt: number;
  lastAckAt: number;
  /** Spans in requests answered 2xx. */
  ackedSpans: number;
  /** Final answers by status (0 = a connection error after the last retry). */
  statuses: Record<string, number>;
  retries: number;
  /** Requests given up on: non-retryable answers, or retryable ones past MAX_TRIES. */
  failed: number;
  /** The first non-2xx answer's body, for the report. */
  firstFailure?: string;
  /** This sender's own CPU seconds from the first send to the last answer (to tell other load apart). */
  cpuSeconds: number;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_TRIES = 20;
const REQUEST_TIMEOUT_MS = 60_000;

const [url, contentType, requestsText, spansText, concurrencyText, ...files] = process.argv.slice(2);
const target = new URL(url);
const total = Number(requestsText);
const spansPerBatch = Number(spansText);
const concurrency = Number(concurrencyText);
const bodies = files.map((f) => readFileSync(f));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const now = (): number => performance.timeOrigin + performance.now();

let next = 0;
let lastAckAt = 0;
let ackedSpans = 0;
let retries = 0;
let failed = 0;
let firstFailure: string | undefined;
const statuses: Record<string, number> = {};

interface Answer {
  status: number;
  retryAfterMs?: number;
  body: string;
}

function post(body: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, timeout: REQUEST_TIMEOUT_MS, headers: { 'Content-Type': contentType, 'Content-Length': body.length } },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        // Only failures' bodies are worth keeping (for the report); success bodies are drained.
        res.on('data', (c: Buffer) => status >= 300 && chunks.length < 4 && chunks.push(c));
        res.on('end', () => resolve({ status, retryAfterMs: retryAfter(res.headers['retry-after']), body: Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
    req.end(body);
  });
}

/** Retry-After in seconds or as an HTTP date, capped so a confused server cannot stall the run. */
function retryAfter(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 5_000) : undefined;
}

async function worker(): Promise<void> {
  while (next < total) {
    const body = bodies[next++ % bodies.length];
    for (let attempt = 1; ; attempt++) {
      const answer = await post(body);
      const retryable = answer.status === 0 || RETRYABLE.has(answer.status);
      if (answer.status >= 200 && answer.status < 300) {
        ackedSpans += spansPerBatch;
        lastAckAt = now();
      } else if (retryable && attempt < MAX_TRIES) {
        retries++;
        const backoff = Math.min(50 * 2 ** (attempt - 1), 2_000) * (0.5 + Math.random() / 2);
        await new Promise((r) => setTimeout(r, answer.retryAfterMs ?? backoff));
        continue;
      } else {
        failed++;
        firstFailure ??= `HTTP ${answer.status}: ${answer.body}`;
      }
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      break;
    }
  }
}

async function main(): Promise<void> {
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  // The parent reads the server's CPU clock between our "ready" and its "go".
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const firstSendAt = now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const report: SenderReport = { firstSendAt, lastAckAt: lastAckAt || now(), ackedSpans, statuses, retries, failed, cpuSeconds, ...(firstFailure ? { firstFailure } : {}) };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  agent.destroy();
  process.stdin.destroy();
}

void main();
