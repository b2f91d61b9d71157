/**
 * Sends sanitized requests to the local builds: each request to every target at once (candidate,
 * baseline, baseline again), so the sides see the same moment's load; with bounded concurrency, an
 * optional rate, the recorded gaps between requests kept but capped, a timeout per request, and a
 * fresh `traceparent` per request and target so each side's spans are collected under a known trace.
 * Keep-alive connections, one undici pool per target: the replayer must not be what limits the rate
 * (node:http's per-request objects made it the bottleneck at a third of autocannon's rate).
 */
import type { Pool } from 'undici';
import type { HeaderPair, ShadowRequest } from './shadowRequest';
import { freshTraceparent } from './traceContext';

/** A side of the comparison and where it listens (origin, optionally with a path prefix). */
export interface ReplayTarget {
  label: string;
  url: URL;
}

/** What one target answered one request. */
export interface SentAnswer {
  /** 0 when there was no answer (timeout, refused). */
  status: number;
  headers: HeaderPair[];
  /** UTF-8 text of the body, cut at the cap. */
  body: string;
  /** Bytes the body had in all. */
  bodyBytes: number;
  durationMs: number;
  /** One line, when there was no answer. */
  error?: string;
  /** The trace the request started: the target's spans for it are collected under this id. */
  traceId: string;
  /** The span id its `traceparent` named: the parent of the target's entry server span. */
  parentSpanId: string;
}

/** How hard and how long to replay. */
export interface ReplayOptions {
  /** Requests in flight at once (each to every target). */
  concurrency: number;
  /** Requests started per second at most; 0 = no limit beyond the gaps. */
  ratePerSecond: number;
  timeoutMs: number;
  /** Recorded gaps between requests are kept up to this long (0 = back to back). */
  maxGapMs: number;
  /** Body bytes kept for comparison per answer. */
  maxBodyBytes: number;
  signal?: AbortSignal;
  /** Called after each request was answered by every target. */
  progress?: (done: number, total: number) => void;
}

/** Sends each request to every target; `answered` gets the answers in the targets' order. */
export async function replayAll(
  requests: readonly ShadowRequest[],
  targets: readonly ReplayTarget[],
  options: ReplayOptions,
  answered: (index: number, answers: SentAnswer[]) => void,
  /** Turns a request into what is sent, just before it is (the sanitizer: its work then overlaps the replay's waiting). */
  transform: (request: ShadowRequest, index: number) => ShadowRequest = (r) => r,
): Promise<{ sent: number; cancelled: boolean }> {
  // Loaded on first use: undici is most of the CLI's bundle, and `serve` never replays.
  const { Pool } = await import('undici');
  const pools = targets.map((t) => new Pool(t.url.origin, { connections: Math.max(1, options.concurrency), headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, keepAliveTimeout: 10_000 }));
  const due = dueTimes(requests, options);
  const started = performance.now();
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (!options.signal?.aborted) {
      const i = next++;
      if (i >= requests.length) return;
      const wait = started + due[i] - performance.now();
      if (wait > 0) await sleep(wait, options.signal);
      if (options.signal?.aborted) return;
      // The request is prepared once; each target gets its own traceparent.
      const request = prepare(transform(requests[i]!, i));
      // Every other request goes to the targets in the other order, so no side is always sent first.
      const order = i % 2 === 0 ? targets.map((_, k) => k) : targets.map((_, k) => targets.length - 1 - k);
      const sent = new Array<Promise<SentAnswer>>(targets.length);
      for (const k of order) sent[k] = send(request, targets[k]!.url, pools[k]!, options);
      const answers = await Promise.all(sent);
      answered(i, answers);
      options.progress?.(++done, requests.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, requests.length)) }, worker));
  } finally {
    await Promise.all(pools.map((p) => p.destroy()));
  }
  return { sent: done, cancelled: options.signal?.aborted === true };
}

/** When each request may start (ms from the run's start): recorded gaps, capped, and the rate's spacing. */
export function dueTimes(requests: readonly ShadowRequest[], options: Pick<ReplayOptions, 'ratePerSecond' | 'maxGapMs'>): number[] {
  const spacing = options.ratePerSecond > 0 ? 1000 / options.ratePerSecond : 0;
  const out: number[] = [];
  let at = 0;
  for (let i = 0; i < requests.length; i++) {
    if (i > 0) {
      const [a, b] = [requests[i - 1].timeMs, requests[i].timeMs];
      const gap = a !== undefined && b !== undefined && b > a ? Math.min(b - a, options.maxGapMs) : 0;
      at += Math.max(gap, spacing);
    }
    out.push(at);
  }
  return out;
}

/** A request ready to send, or why it cannot be sent. */
type Prepared = { method: string; target: string; headers: string[]; body?: Buffer } | { error: string };

/** Header names the replayer sets itself: the connection's framing and the fresh trace context. */
const OWN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'traceparent']);
const BAD_TARGET = /[^\u0021-\u00ff]/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function prepare(r: ShadowRequest): Prepared {
  if (!r.target.startsWith('/') || BAD_TARGET.test(r.target)) return { error: `cannot send ${JSON.stringify(r.target.slice(0, 60))}: not a path of printable characters` };
  const headers: string[] = [];
  for (const [name, value] of r.headers) if (!OWN_HEADERS.has(name.toLowerCase())) headers.push(name, value);
  const body = r.body === undefined ? undefined : Buffer.from(r.body, r.bodyEncoding === 'base64' ? 'base64' : 'utf8');
  return { method: r.method, target: r.target, headers, ...(body !== undefined ? { body } : {}) };
}

async function send(r: Prepared, base: URL, pool: Pool, options: ReplayOptions): Promise<SentAnswer> {
  const { traceId, parentSpanId, traceparent } = freshTraceparent();
  const started = performance.now();
  const failed = (error: string): SentAnswer => ({ status: 0, headers: [], body: '', bodyBytes: 0, durationMs: performance.now() - started, error, traceId, parentSpanId });
  if ('error' in r) return failed(r.error);
  const path = base.pathname.replace(/\/+$/, '') + r.target;
  const headers = [...r.headers, 'traceparent', traceparent];
  try {
    const res = await pool.request({ path, method: r.method, headers, body: r.body }).catch((err: Error) => {
      // A kept-alive connection the server closed as the request went out: a safe method goes again, once.
      if (!SAFE_METHODS.has(r.method) || (err as NodeJS.ErrnoException).code !== 'UND_ERR_SOCKET') throw err;
      return pool.request({ path, method: r.method, headers, body: r.body });
    });
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let bytes = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (keptBytes < options.maxBodyBytes) {
        const part = chunk.subarray(0, options.maxBodyBytes - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
    }
    return { status: res.statusCode, headers: pairsOf(res.headers), body: Buffer.concat(kept).toString('utf8'), bodyBytes: bytes, durationMs: performance.now() - started, traceId, parentSpanId };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return failed(code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? `no answer within ${options.timeoutMs} ms` : oneLine(err as Error));
  }
}

function pairsOf(headers: Record<string, string | string[] | undefined>): HeaderPair[] {
  const out: HeaderPair[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const v of value) out.push([name, v]);
    else if (value !== undefined) out.push([name, value]);
  }
  return out;
}

function oneLine(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  const cause = (err as { cause?: Error }).cause;
  const why = cause && cause.message !== err.message ? `${err.message}: ${cause.message}` : err.message;
  return `${code ? `${code}: ` : ''}${why}`.replace(/\s+/g, ' ').slice(0, 300);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
