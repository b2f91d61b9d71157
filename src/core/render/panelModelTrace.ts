/**
 * The trace view's waterfall: spans of one `TraceResponse` in tree order (children under their
 * parent, by start time), with offsets and widths as fractions of the whole trace.
 */
import type { TraceResponse, TraceSpan } from '../api/signals';
import { compareText } from '../compareText';
import { formatMs } from '../format';
import { mappedByLabel } from './panelModel';
import type { WaterfallRow, TraceWaterfall } from '../api/panelView';
export type { WaterfallRow, TraceWaterfall } from '../api/panelView';

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** Builds the waterfall; spans whose parent is missing become roots (marked orphan). */
export function buildTraceWaterfall(trace: TraceResponse): TraceWaterfall {
  const spans = [...trace.spans].sort((a, b) => a.startMs - b.startMs || compareText(a.spanId, b.spanId));
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const s of spans) {
    if (s.parentSpanId && s.parentSpanId !== s.spanId && ids.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId);
      if (list) list.push(s);
      else children.set(s.parentSpanId, [s]);
    } else {
      roots.push(s);
    }
  }
  const start = spans.length > 0 ? spans[0].startMs : 0;
  const end = spans.reduce((m, s) => Math.max(m, s.startMs + Math.max(0, s.durationMs)), start);
  const total = end - start;
  const services: string[] = [];
  const rows: WaterfallRow[] = [];
  const visited = new Set<string>();
  // Iterative DFS: deep traces must not hit the call stack limit, and a parent cycle must not loop.
  const stack: Array<{ span: TraceSpan; depth: number }> = roots.reverse().map((span) => ({ span, depth: 0 }));
  const pushRoots = () => {
    // Spans only reachable through a cycle never appear from the roots; show them flat at the end.
    for (const s of spans) if (!visited.has(s.spanId)) return stack.push({ span: s, depth: 0 });
    return 0;
  };
  while (stack.length > 0 || pushRoots() > 0) {
    const { span, depth } = stack.pop()!;
    if (visited.has(span.spanId)) continue;
    visited.add(span.spanId);
    let serviceIndex = services.indexOf(span.service);
    if (serviceIndex < 0) serviceIndex = services.push(span.service) - 1;
    rows.push(row(span, depth, serviceIndex, start, total, depth === 0 && span.parentSpanId !== '' && !ids.has(span.parentSpanId)));
    const kids = children.get(span.spanId) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: depth + 1 });
  }
  return {
    traceId: trace.traceId,
    startMs: start,
    duration: formatMs(total),
    spanCount: spans.length,
    errorCount: spans.filter((s) => s.error).length,
    services,
    rows,
    ticks: [0, 0.25, 0.5, 0.75, 1].map((at) => ({ at, label: at === 0 ? '0' : formatMs(total * at) })),
  };
}

function row(s: TraceSpan, depth: number, serviceIndex: number, start: number, total: number, orphan: boolean): WaterfallRow {
  const offset = total > 0 ? (s.startMs - start) / total : 0;
  const width = total > 0 ? Math.max(0, s.durationMs) / total : 1;
  const problems = [...(s.statusMessage ? [s.statusMessage] : []), ...s.exceptions.map((e) => (e.message ? `${e.type}: ${e.message}` : e.type)).filter((p) => p !== s.statusMessage)];
  return {
    spanId: s.spanId,
    depth,
    name: s.name,
    service: s.service,
    serviceIndex,
    kind: KINDS[s.kind] ?? 'unspecified',
    offset: clamp01(offset),
    width: clamp01(width),
    duration: formatMs(s.durationMs),
    start: `+${formatMs(s.startMs - start)}`,
    error: s.error,
    problems,
    route: s.httpRoute ? `${s.httpMethod ? `${s.httpMethod} ` : ''}${s.httpRoute}` : '',
    ...(s.mapping
      ? {
          mapping: {
            file: s.mapping.file,
            line: s.mapping.line,
            function: s.mapping.function,
            label: `${mappedByLabel(s.mapping.mappedBy)} · ${Math.round(s.mapping.confidence * 100)}%`,
          },
        }
      : {}),
    orphan,
  };
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
