/**
 * Sends sanitized requests to the local builds: each request to every target at once (candidate,
 * baseline, baseline again), so the sides see the same moment's load; with bounded concurrency, an
 * optional rate, the recorded gaps between requests kept but capped, a timeout per request, and a
 * fresh `traceparent` per request and target so each side's spans are collected under a known trace.
 * Keep-alive sockets, one pool per target: the replayer must not be what limits the rate.
 */
import * as http from 'node:http';
import * as https from 'node:https';
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
): Promise<{ sent: number; cancelled: boolean }> {
  const agents = targets.map((t) => agentFor(t.url, options.concurrency));
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
      const answers = await Promise.all(targets.map((t, k) => send(requests[i], t.url, agents[k], options)));
      answered(i, answers);
      options.progress?.(++done, requests.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, requests.length)) }, worker));
  } finally {
    for (const a of agents) a.destroy();
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

function agentFor(url: URL, sockets: number): http.Agent {
  const options = { keepAlive: true, maxSockets: Math.max(1, sockets) };
  return url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

function send(r: ShadowRequest, base: URL, agent: http.Agent, options: ReplayOptions): Promise<SentAnswer> {
  const { traceId, traceparent } = freshTraceparent();
  const body = r.body === undefined ? undefined : Buffer.from(r.body, r.bodyEncoding === 'base64' ? 'base64' : 'utf8');
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of r.headers) {
    const key = name.toLowerCase();
    const had = headers[key];
    headers[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  headers.traceparent = traceparent;
  if (body !== undefined) headers['content-length'] = String(body.length);
  const prefix = base.pathname.replace(/\/+$/, '');
  const started = performance.now();
  return new Promise<SentAnswer>((resolve) => {
    let settled = false;
    const finish = (a: Omit<SentAnswer, 'durationMs' | 'traceId'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...a, durationMs: performance.now() - started, traceId });
    };
    const lib = base.protocol === 'https:' ? https : http;
    const req = lib.request({ protocol: base.protocol, hostname: base.hostname, port: base.port, method: r.method, path: prefix + r.target, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (kept < options.maxBodyBytes) {
          const part = c.subarray(0, options.maxBodyBytes - kept);
          chunks.push(part);
          kept += part.length;
        }
      });
      res.on('end', () => finish({ status: res.statusCode ?? 0, headers: pairs(res.rawHeaders), body: Buffer.concat(chunks).toString('utf8'), bodyBytes: bytes }));
      res.on('error', (err) => finish({ status: 0, headers: [], body: '', bodyBytes: 0, error: oneLine(err) }));
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('error', (err) => finish({ status: 0, headers: [], body: '', bodyBytes: 0, error: oneLine(err) }));
    req.end(body);
  });
}

function pairs(raw: string[]): HeaderPair[] {
  const out: HeaderPair[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
}

function oneLine(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return `${code ? `${code}: ` : ''}${err.message}`.replace(/\s+/g, ' ').slice(0, 300);
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
