/**
 * The production trace of a request read from traces, as the comparator uses it: the request's own
 * part of its trace (its entry server span and every span under it), redacted like everything else
 * taken from production, and with the address its service called itself at read as the candidate's.
 *
 * The own-host rule: a service calling itself (a downstream served by the same process, as the shop
 * prices its orders) names its own address, which differs between production and the local build.
 * A client span whose direct child is a server span of the request's own service (the service of
 * the entry span) is such a call; its `host[:port]` is one of the service's own hosts, and every call
 * to one of them reads as a call to the candidate's host. A call to another service is never folded.
 */
import type { TraceSpan } from '../api/signals';
import { peerParts } from '../mapping/callLines';

const SERVER = 2;
const CLIENT = 3;

/** The span `rootId` and its descendants, each once (a hostile trace may loop its parent links); empty when `rootId` is not among `spans`. */
export function requestSpans(spans: readonly TraceSpan[], rootId: string): TraceSpan[] {
  const children = new Map<string, TraceSpan[]>();
  for (const s of spans) {
    const list = children.get(s.parentSpanId);
    if (list) list.push(s);
    else children.set(s.parentSpanId, [s]);
  }
  const out: TraceSpan[] = [];
  const seen = new Set<string>();
  const stack = spans.filter((s) => s.spanId === rootId).slice(0, 1);
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s.spanId)) continue;
    seen.add(s.spanId);
    out.push(s);
    for (const c of children.get(s.spanId) ?? []) stack.push(c);
  }
  return out;
}

/** The service that received the request: the span `entryId`'s, else the first server span's whose parent is not among `spans`; '' when none. */
export function entryService(spans: readonly TraceSpan[], entryId?: string): string {
  if (entryId !== undefined) {
    const entry = spans.find((s) => s.spanId === entryId);
    if (entry) return entry.service;
  }
  const ids = new Set(spans.map((s) => s.spanId));
  return spans.find((s) => s.kind === SERVER && !ids.has(s.parentSpanId))?.service ?? '';
}

/** The `host[:port]`s at which `service` was called within `spans` (see the own-host rule above). */
export function ownHosts(spans: readonly TraceSpan[], service: string): Set<string> {
  const byId = new Map<string, TraceSpan>();
  for (const s of spans) byId.set(s.spanId, s);
  const out = new Set<string>();
  if (service === '') return out;
  for (const s of spans) {
    if (s.kind !== SERVER || s.service !== service) continue;
    const parent = byId.get(s.parentSpanId);
    if (parent?.kind !== CLIENT || parent.peer === undefined) continue;
    const host = peerParts(parent.peer).host;
    if (host !== '') out.add(host);
  }
  return out;
}

/** `spans` with each client span calling one of `own` hosts calling `to` instead (spans not changed are shared). */
export function foldOwnHosts(spans: readonly TraceSpan[], own: ReadonlySet<string>, to: string): TraceSpan[] {
  if (own.size === 0 || (own.size === 1 && own.has(to))) return [...spans];
  return spans.map((s) => {
    if (s.kind !== CLIENT || s.peer === undefined) return s;
    const host = peerParts(s.peer).host;
    if (host === '' || host === to || !own.has(host)) return s;
    // `host` ends the authority (after the scheme and any credentials); a peer without a scheme is the host.
    const scheme = s.peer.indexOf('://');
    if (scheme < 0) return { ...s, peer: to };
    const start = scheme + 3;
    const slash = s.peer.indexOf('/', start);
    const end = slash < 0 ? s.peer.length : slash;
    return { ...s, peer: s.peer.slice(0, end - host.length) + to + s.peer.slice(end) };
  });
}

/**
 * A production span as the run may hold it: its texts (name, status message, route, peer,
 * exceptions) redacted with `text`, and the request it recorded (headers, query, body) left out,
 * since nothing compares it. Ids, kinds, timings, the service and the code mapping stay.
 */
export function redactSpan(s: TraceSpan, text: (value: string) => string): TraceSpan {
  const { request: _request, ...rest } = s;
  return {
    ...rest,
    name: text(s.name),
    statusMessage: text(s.statusMessage),
    httpRoute: text(s.httpRoute),
    ...(s.peer !== undefined ? { peer: text(s.peer) } : {}),
    exceptions: s.exceptions.map((e) => ({ type: text(e.type), message: text(e.message) })),
  };
}
