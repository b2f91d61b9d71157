import type * as http from 'node:http';
import { operationsFromMetrics } from '../signals/operationsFromMetrics';
import type { RouteMetrics } from '../signals/routeMetrics';
import type { SignalStore } from '../signals/signalStore';
import { isHexId, type TraceBuffer } from '../signals/traceBuffer';
import { parseWindow } from '../signals/windows';
import { QueryGateBusy, type QueryGate } from './queryGate';
import type { SignalsResponse, StatusResponse, TraceResponse } from '../api/signals';

/** What the read API serves from. */
export interface ReadApiSources {
  store: SignalStore;
  status: () => StatusResponse;
  defaultWindow: string;
  /** Recent spans by trace; without it every trace is answered 404. */
  traces?: TraceBuffer;
  /** Shares, caches and paces signals queries so reading cannot starve ingest; without it each query is computed at once. */
  queries?: QueryGate<SignalsResponse>;
  /** Route figures from OTLP metrics; operation rows take their figures where a route has them. */
  routeMetrics?: RouteMetrics;
}

const TRACE_PATH = /^\/api\/traces\/([^/]*)$/;
const MAX_TOP = 10_000;

/** Answers a signals query the way `GET /api/signals` does, for in-process callers too. Throws a one-line Error for bad parameters. */
export async function querySignals(sources: ReadApiSources, params: URLSearchParams): Promise<SignalsResponse> {
  const window = params.get('window') ?? sources.defaultWindow;
  const windowMs = parseWindow(window);
  const query = {
    windowMs,
    environment: params.get('environment') ?? undefined,
    file: params.get('file') ?? undefined,
    perMinute: params.get('perMinute') === '1' || params.get('perMinute') === 'true',
    top: topParam(params.get('top')),
  };
  const compute = (): SignalsResponse => withRouteMetrics(sources.routeMetrics, query, sources.store.query(query));
  if (sources.queries === undefined) return compute();
  // The key is the parsed query, so spellings of one query (1h, 60m) share an answer.
  const key = JSON.stringify([query.windowMs, query.environment ?? null, query.file ?? null, query.perMinute, query.top ?? null]);
  return sources.queries.run(key, compute);
}

/** The answer with its operation rows joined to the route figures from metrics (a `file` query lists no operations). */
function withRouteMetrics(metrics: RouteMetrics | undefined, query: { windowMs: number; file?: string; perMinute: boolean; top?: number }, answer: SignalsResponse): SignalsResponse {
  if (metrics === undefined || query.file !== undefined) return answer;
  const sparkMinutes = query.perMinute ? Math.min(Math.round(query.windowMs / 60_000), 60) : 0;
  return { ...answer, operations: operationsFromMetrics(answer.operations, metrics.rows(answer.environment, query.windowMs, sparkMinutes), query.top) };
}

function topParam(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > MAX_TOP) throw new Error(`invalid top "${text}": use a whole number from 1 to ${MAX_TOP}`);
  return Number(text);
}

/** The spans of one trace, or an HTTP status and message when it cannot be answered. */
export function queryTrace(sources: ReadApiSources, traceId: string): { status: 200; body: TraceResponse } | { status: 400 | 404; body: { error: string } } {
  if (!isHexId(traceId, 32)) return { status: 400, body: { error: `invalid trace id "${traceId.slice(0, 64)}": expected 32 hex digits, not all zero` } };
  const id = traceId.toLowerCase();
  const spans = sources.traces?.get(id);
  if (spans === undefined) return { status: 404, body: { error: `trace ${id} is not held (the receiver keeps recent traces and those its exemplars name)` } };
  return { status: 200, body: { traceId: id, spans } };
}

/** The read API: `GET /api/signals`, `GET /api/status` and `GET /api/traces/:traceId`. Returns false for other paths. */
export function readApiHandler(sources: ReadApiSources) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
    const trace = TRACE_PATH.exec(url.pathname);
    if (url.pathname !== '/api/signals' && url.pathname !== '/api/status' && trace === null) return false;
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: `${url.pathname} takes GET` });
      return true;
    }
    if (url.pathname === '/api/status') {
      sendJson(res, 200, sources.status());
      return true;
    }
    if (trace !== null) {
      const answer = queryTrace(sources, safeDecode(trace[1]));
      sendJson(res, answer.status, answer.body);
      return true;
    }
    let body: SignalsResponse;
    try {
      body = await querySignals(sources, url.searchParams);
    } catch (err) {
      if (err instanceof QueryGateBusy) res.setHeader('Retry-After', '1');
      sendJson(res, err instanceof QueryGateBusy ? 503 : 400, { error: (err as Error).message });
      return true;
    }
    // Polls that shared a computation share its serialization too, and the gate charges it to reading.
    const started = performance.now();
    let text = serialized.get(body);
    if (text === undefined) {
      text = Buffer.from(JSON.stringify(body));
      serialized.set(body, text);
    }
    sendJsonText(res, 200, text);
    // Serializing and writing the answer is reading's work too (for a cached answer, all of it).
    sources.queries?.charge(performance.now() - started);
    return true;
  };
}

/** Serialized answers, per answer object (answers are shared by the query gate). */
const serialized = new WeakMap<SignalsResponse, Buffer>();

/** `sendJson` for a body already serialized. */
function sendJsonText(res: http.ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(body);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(body);
}
