import type * as http from 'node:http';
import type { SignalsResponse, StatusResponse, TraceResponse } from '../api/signals';
import type { TrafficResponse } from '../api/traffic';
import { isHexId } from '../signals/traceBuffer';
import { QueryGateBusy, type QueryGate } from '../sources/queryGate';
import { parseSignalsQuery, parseTrafficQuery, type TelemetrySource, type TrafficQuery } from '../sources/telemetrySource';

/** What the read API answers from: a telemetry source, and the server's own status. */
export interface ReadApiSources {
  source: TelemetrySource;
  status: () => StatusResponse;
  defaultWindow: string;
  /** The gate the source's queries go through, charged for serializing answers too. */
  queries?: QueryGate<SignalsResponse>;
}

const TRACE_PATH = /^\/api\/traces\/([^/]*)$/;

/** Answers a signals query the way `GET /api/signals` does, for in-process callers too. Throws a one-line Error for bad parameters. */
export function querySignals(sources: ReadApiSources, params: URLSearchParams): Promise<SignalsResponse> {
  return sources.source.signals(parseSignalsQuery(params, sources.defaultWindow));
}

/** The spans of one trace, or an HTTP status and message when it cannot be answered. */
export async function queryTrace(sources: ReadApiSources, traceId: string): Promise<{ status: 200; body: TraceResponse } | { status: 400 | 404; body: { error: string } }> {
  if (!isHexId(traceId, 32)) return { status: 400, body: { error: `invalid trace id "${traceId.slice(0, 64)}": expected 32 hex digits, not all zero` } };
  const id = traceId.toLowerCase();
  const trace = sources.source.capabilities.traces ? await sources.source.trace(id) : null;
  if (trace === null) return { status: 404, body: { error: `trace ${id} is not held (the receiver keeps recent traces and those its exemplars name)` } };
  return { status: 200, body: trace };
}

/**
 * Recent production requests as `GET /api/traffic` answers them, or an HTTP status and message: 400
 * for bad parameters, 502 when no source could answer. A source without the traffic capability
 * holds none (an empty list, not an error).
 */
export async function queryTraffic(sources: ReadApiSources, params: URLSearchParams): Promise<{ status: 200; body: TrafficResponse } | { status: 400 | 502; body: { error: string } }> {
  let query: TrafficQuery;
  try {
    query = parseTrafficQuery(params, '15m');
  } catch (err) {
    return { status: 400, body: { error: (err as Error).message } };
  }
  const source = sources.source;
  if (source.capabilities.traffic !== true || source.traffic === undefined) return { status: 200, body: { traces: [] } };
  try {
    return { status: 200, body: { traces: await source.traffic(query) } };
  } catch (err) {
    return { status: 502, body: { error: (err as Error).message.split('\n')[0] } };
  }
}

/** The read API: `GET /api/signals`, `/api/status`, `/api/traces/:traceId` and `/api/traffic`. Returns false for other paths. */
export function readApiHandler(sources: ReadApiSources) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
    const trace = TRACE_PATH.exec(url.pathname);
    if (url.pathname !== '/api/signals' && url.pathname !== '/api/status' && url.pathname !== '/api/traffic' && trace === null) return false;
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: `${url.pathname} takes GET` });
      return true;
    }
    if (url.pathname === '/api/status') {
      sendJson(res, 200, sources.status());
      return true;
    }
    if (url.pathname === '/api/traffic') {
      const started = performance.now();
      const answer = await queryTraffic(sources, url.searchParams);
      sendJson(res, answer.status, answer.body);
      // Thousands of whole traces are reading's work like a signals answer: the gate counts it.
      sources.queries?.charge(performance.now() - started);
      return true;
    }
    if (trace !== null) {
      const answer = await queryTrace(sources, safeDecode(trace[1]));
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
