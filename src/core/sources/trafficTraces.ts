/**
 * Recent production requests as traces (the `traffic` capability), for sources that hold traces as
 * objects (the in-memory source) and for the composite, which merges its members' answers: which
 * traces count, in which order, and how one trace held by two members becomes one.
 */
import type { TraceResponse, TraceSpan } from '../api/signals';
import type { TrafficQuery } from './telemetrySource';

const SERVER = 2;

/** Whether a span is an HTTP server span that recorded its request, started at `sinceMs` or later, in `environment` when given. */
function servedRequest(s: TraceSpan, sinceMs: number, environment: string | undefined): boolean {
  return s.kind === SERVER && s.request !== undefined && s.startMs >= sinceMs && (environment === undefined || s.environment === environment);
}

/** When the trace's newest recorded request started (Unix ms), or undefined when it has none that counts. */
export function newestRequestStart(trace: TraceResponse, sinceMs = Number.NEGATIVE_INFINITY, environment?: string): number | undefined {
  let newest: number | undefined;
  for (const s of trace.spans) if (servedRequest(s, sinceMs, environment) && (newest === undefined || s.startMs > newest)) newest = s.startMs;
  return newest;
}

/** The traces of `held` that answer `query` at time `nowMs`: newest request first, at most `query.limit`. */
export function trafficOf(held: Iterable<TraceResponse>, query: TrafficQuery, nowMs: number): TraceResponse[] {
  const since = nowMs - query.windowMs;
  const dated: { trace: TraceResponse; at: number }[] = [];
  for (const trace of held) {
    const at = newestRequestStart(trace, since, query.environment);
    if (at !== undefined) dated.push({ trace, at });
  }
  return newestFirst(dated, query.limit);
}

/**
 * Several sources' answers as one: a trace two sources hold (the receiver and Jaeger saw the same
 * spans) is one trace with the spans of both, the first answer's copy of a span kept; then newest
 * request first, at most `limit`.
 */
export function mergeTraffic(answers: readonly (readonly TraceResponse[])[], limit: number): TraceResponse[] {
  const byId = new Map<string, Map<string, TraceSpan>>();
  for (const answer of answers) {
    for (const trace of answer) {
      let spans = byId.get(trace.traceId);
      if (spans === undefined) byId.set(trace.traceId, (spans = new Map()));
      for (const s of trace.spans) if (!spans.has(s.spanId)) spans.set(s.spanId, s);
    }
  }
  const dated: { trace: TraceResponse; at: number }[] = [];
  for (const [traceId, spans] of byId) {
    const trace = { traceId, spans: [...spans.values()].sort((a, b) => a.startMs - b.startMs || (a.parentSpanId === '' ? 0 : 1) - (b.parentSpanId === '' ? 0 : 1)) };
    dated.push({ trace, at: newestRequestStart(trace) ?? Number.NEGATIVE_INFINITY });
  }
  return newestFirst(dated, limit);
}

function newestFirst(dated: { trace: TraceResponse; at: number }[], limit: number): TraceResponse[] {
  dated.sort((a, b) => b.at - a.at || (a.trace.traceId < b.trace.traceId ? -1 : 1));
  return dated.slice(0, Math.max(0, limit)).map((d) => d.trace);
}
