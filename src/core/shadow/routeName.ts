/**
 * The route a replayed request is reported under: its route template when the traffic named one,
 * else the one the candidate's (or the baseline's) server span names, else its path with ids
 * folded to `{id}` (numbers, UUIDs, long hex, redaction tokens), so `/orders/42` and `/orders/43`
 * are one row.
 */
import type { TraceSpan } from '../api/signals';
import type { ReplayExchange } from './replayExchange';

const SERVER = 2;
const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|REDACTED-[0-9a-z]+)$/i;
const MAX_ROUTE_CHARS = 200;

/** The route template of a request (see above). */
export function routeOf(exchange: ReplayExchange): string {
  return exchange.request.route || serverRoute(exchange.candidate.spans) || serverRoute(exchange.baseline?.spans ?? []) || foldPath(exchange.request.target);
}

/** A path without its query, ids folded to `{id}`. */
export function foldPath(target: string): string {
  const path = target.replace(/[?#].*$/, '');
  const folded = path
    .split('/')
    .map((s) => (ID_SEGMENT.test(s) ? '{id}' : s))
    .join('/');
  return (folded || '/').slice(0, MAX_ROUTE_CHARS);
}

/** The http.route of the outermost server span that names one. */
function serverRoute(spans: readonly TraceSpan[]): string {
  let best: TraceSpan | undefined;
  const ids = new Set(spans.map((s) => s.spanId));
  for (const s of spans) {
    if (s.kind !== SERVER || s.httpRoute === '') continue;
    const isRoot = s.parentSpanId === '' || !ids.has(s.parentSpanId);
    if (best === undefined || isRoot) best = s;
    if (isRoot) break;
  }
  return best?.httpRoute ?? '';
}
