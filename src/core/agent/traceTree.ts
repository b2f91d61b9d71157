/**
 * A trace as a compact indented tree for an agent, within a line budget: when the trace is too big,
 * the critical path (from each root, the child that ends last, down to a leaf) and the error spans
 * (with their ancestors) are kept first, then the shallowest remaining spans, and the answer says
 * how many were left out.
 */
import type { TraceSpan } from '../api/signals';
import { fileLine, fmtMs, safeText } from './agentText';

const KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];
// Past this depth indentation stops growing and the line names its depth instead.
const MAX_INDENT = 12;

/** The spans in tree order with their depth; spans whose parent is not in the trace are roots. */
export function treeOrder(spans: readonly TraceSpan[]): { span: TraceSpan; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const s of spans) {
    if (s.parentSpanId === '' || !ids.has(s.parentSpanId) || s.parentSpanId === s.spanId) roots.push(s);
    else {
      const list = children.get(s.parentSpanId);
      if (list) list.push(s);
      else children.set(s.parentSpanId, [s]);
    }
  }
  const byStart = (a: TraceSpan, b: TraceSpan) => a.startMs - b.startMs;
  const out: { span: TraceSpan; depth: number }[] = [];
  const seen = new Set<string>();
  // Iterative, so a deep trace cannot overflow the stack; `seen` guards against parent cycles.
  const stack = roots
    .sort(byStart)
    .reverse()
    .map((span) => ({ span, depth: 0 }));
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next.span.spanId)) continue;
    seen.add(next.span.spanId);
    out.push(next);
    const kids = [...(children.get(next.span.spanId) ?? [])].sort(byStart).reverse();
    for (const k of kids) stack.push({ span: k, depth: next.depth + 1 });
  }
  return out;
}

/** The spans to show when not all fit: critical path and errors (with ancestors) first, then shallow spans, up to `max`. */
export function pickSpans(order: readonly { span: TraceSpan; depth: number }[], max: number): Set<string> {
  if (order.length <= max) return new Set(order.map((o) => o.span.spanId));
  const byId = new Map(order.map((o) => [o.span.spanId, o.span]));
  const keep = new Set<string>();
  const withAncestors = (s: TraceSpan): boolean => {
    const chain: string[] = [];
    for (let cur: TraceSpan | undefined = s; cur && !keep.has(cur.spanId) && !chain.includes(cur.spanId); cur = byId.get(cur.parentSpanId)) chain.push(cur.spanId);
    if (keep.size + chain.length > max) return false;
    for (const id of chain) keep.add(id);
    return true;
  };
  const children = new Map<string, TraceSpan[]>();
  for (const { span } of order) {
    const list = children.get(span.parentSpanId);
    if (list) list.push(span);
    else children.set(span.parentSpanId, [span]);
  }
  // Critical path: from each root, follow the child that ends last.
  for (const { span, depth } of order) {
    if (depth !== 0) continue;
    let cur: TraceSpan | undefined = span;
    while (cur && withAncestors(cur)) {
      const kids: TraceSpan[] = children.get(cur.spanId) ?? [];
      cur = kids.reduce<TraceSpan | undefined>((best, k) => (!best || k.startMs + k.durationMs > best.startMs + best.durationMs ? k : best), undefined);
    }
  }
  for (const { span } of order) if (span.error || span.exceptions.length > 0) withAncestors(span);
  const shallow = [...order].sort((a, b) => a.depth - b.depth);
  for (const { span } of shallow) {
    if (keep.size >= max) break;
    withAncestors(span);
  }
  return keep;
}

/** One span as a line: name, duration, kind, service (when the trace has several), error, code location, route and status. */
export function spanLine(span: TraceSpan, depth: number, withService = true): string {
  const indent = depth <= MAX_INDENT ? '  '.repeat(depth) : `${'  '.repeat(MAX_INDENT)}[depth ${depth}] `;
  const parts = [`${indent}${safeText(span.name, 80)}`, fmtMs(span.durationMs)];
  const kind = KINDS[span.kind];
  if (kind) parts.push(kind);
  if (withService && span.service) parts.push(`svc ${safeText(span.service, 30)}`);
  if (span.error || span.exceptions.length > 0) {
    const ex = span.exceptions[0];
    const what = ex ? `${safeText(ex.type, 50)}: ${safeText(ex.message, 100)}` : safeText(span.statusMessage, 100);
    parts.push(`ERROR${what ? ` ${what}` : ''}${span.exceptions.length > 1 ? ` (+${span.exceptions.length - 1} more)` : ''}`);
  }
  if (span.mapping) parts.push(`→ ${fileLine(span.mapping.file, span.mapping.line)} ${safeText(span.mapping.function, 60)}`.trimEnd());
  const route = span.httpRoute ? `${span.httpMethod ? `${safeText(span.httpMethod, 10)} ` : ''}${safeText(span.httpRoute, 80)}` : '';
  const status = span.request && span.request.status > 0 ? String(span.request.status) : '';
  if (route || status) parts.push([route, status].filter(Boolean).join(' '));
  if (span.peer) parts.push(`to ${safeText(span.peer, 80)}`);
  return parts.join(' · ');
}
