/**
 * Traffic from traces: each HTTP server span that begins a service's part of a trace, read as the
 * request it served (method, path and query, route, the opt-in headers, a captured body) with what
 * production answered and its own part of the trace (`recorded.spans`) to compare with later. A
 * server span whose parent is a server span of the same service (a framework's span inside the HTTP
 * server's) is the same request and is not read twice; a call a service makes to itself goes through
 * a client span and counts. Nothing is invented: a request whose body was not captured goes without
 * one, and the method policy decides what that means.
 */
import type { TraceResponse, TraceSpan } from '../api/signals';
import { MAX_REQUEST_PATH_CHARS, MAX_REQUEST_QUERY_CHARS, TRUNCATION_MARK } from '../ingest/limits';
import { excerpt } from './excerpt';
import { TOKEN } from './httpMessage';
import { requestSpans } from './productionSpans';
import type { ShadowRequest, SkippedRequest, TrafficRead } from './shadowRequest';
import { isPathTarget } from './urlTarget';

const SERVER = 2;

/** Reads the entry HTTP server spans of `traces` as requests (by start time); other entry server spans are skipped with why. */
export function trafficFromTraces(traces: readonly TraceResponse[]): TrafficRead {
  const requests: ShadowRequest[] = [];
  const skipped: SkippedRequest[] = [];
  const seen = new Set<string>();
  for (const trace of traces) {
    const byId = new Map<string, TraceSpan>();
    for (const span of trace.spans) byId.set(span.spanId, span);
    for (const span of trace.spans) {
      if (span.kind !== SERVER || !isEntry(span, byId)) continue;
      const id = `trace:${trace.traceId}:${span.spanId}`;
      // The same trace may be handed over twice (overlapping pulls): one request is read once.
      if (seen.has(id)) continue;
      seen.add(id);
      const read = readSpan(trace.traceId, span, id);
      if ('reason' in read) skipped.push(read);
      else {
        // Its own part of the trace, for comparing the candidate's calls with production's.
        read.recorded.spans = requestSpans(trace.spans, span.spanId);
        requests.push(read);
      }
    }
  }
  requests.sort((a, b) => (a.timeMs ?? 0) - (b.timeMs ?? 0));
  return { requests, skipped };
}

/** A server span whose parent is not a server span of its own service: where the service received the request. */
function isEntry(span: TraceSpan, byId: ReadonlyMap<string, TraceSpan>): boolean {
  const parent = byId.get(span.parentSpanId);
  return parent === undefined || parent.kind !== SERVER || parent.service !== span.service;
}

function readSpan(traceId: string, span: TraceSpan, id: string): ShadowRequest | SkippedRequest {
  const label = `span "${excerpt(span.name)}" of ${excerpt(span.service)}`;
  const r = span.request;
  const method = span.httpMethod.toUpperCase();
  if (method === '' || r === undefined || r.path === '') {
    const missing = method === '' ? 'no http.request.method' : 'no url.path or http.target';
    return { id, reason: 'not-http', detail: `${label}: ${missing}` };
  }
  // `_OTHER` is what instrumentations record for a method they do not know: not one to send.
  if (!TOKEN.test(method) || method === '_OTHER') return { id, reason: 'unreadable', detail: `${label}: method "${excerpt(method)}" is not one to send` };
  if (wasCut(r.path, MAX_REQUEST_PATH_CHARS) || wasCut(r.query, MAX_REQUEST_QUERY_CHARS)) {
    return { id, reason: 'unreadable', detail: `${label}: path or query longer than the receiver keeps (${MAX_REQUEST_PATH_CHARS}/${MAX_REQUEST_QUERY_CHARS} characters)` };
  }
  const target = r.query === '' ? r.path : `${r.path}?${r.query}`;
  if (!isPathTarget(target)) return { id, reason: 'unreadable', detail: `${label}: target "${excerpt(target)}" cannot go on a request line` };
  const out: ShadowRequest = {
    id,
    origin: 'trace',
    method,
    target,
    route: span.httpRoute,
    headers: r.headers.map(([name, value]): [string, string] => [name, value]),
    timeMs: span.startMs,
    recorded: { ...(r.status > 0 ? { status: r.status } : {}), durationMs: span.durationMs, traceId, spanId: span.spanId },
  };
  if (r.body !== undefined) {
    out.body = r.body;
    out.bodyEncoding = 'utf8';
  }
  return out;
}

/** Whether the receiver cut the value at its cap (capString ends it with the mark). */
function wasCut(value: string, max: number): boolean {
  return value.length >= max - 1 && value.endsWith(TRUNCATION_MARK);
}
