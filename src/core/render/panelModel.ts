/**
 * The Live Signals panel's view model, built from one `/api/signals` answer (queried with `top=`
 * and `perMinute`): services, the top functions by impact / error rate / p95, error groups, and
 * whether there is anything to show at all. The webview only lays these rows out.
 */
import { type ErrorSignal, type FunctionSignal, type MappedBy, type OperationSignal, OTHER_OPERATIONS, type SignalsResponse, type SparkPoint, type WindowFigures } from '../api/signals';
import { compareText } from '../compareText';
import { formatMs, formatPercent, formatRate } from '../format';
import { DEFAULT_THRESHOLDS, errorRateSeverity, latencySeverity } from './severity';
import type { Thresholds } from './severity';
import { functionStaleMark, provenanceLine } from './sourcesText';

/** The hover of a service's "(other operations)" row: why its requests are not under their own names. */
export const OTHER_OPERATIONS_HINT =
  "Requests of this service's rarer operations: past the receiver's cap on distinct operations, each was used less than every operation kept, so they are counted here together and the service's totals stay whole.";
import type { ErrorGroupRow, FunctionRow, PanelModel, RowFigures, ServiceRow } from '../api/panelView';
export type { EndpointRow, ErrorGroupRow, FunctionRow, PanelModel, ReceiverStatusView, RowFigures, ServiceRow, SourceRowView } from '../api/panelView';

/** Endpoints listed under a service: the panel has room for this many at any width. */
export const SERVICE_ENDPOINTS = 3;

/** Options of {@link buildPanelModel}. */
export interface PanelModelOptions {
  /** Rows per top list and error groups shown (default 8). */
  top?: number;
  thresholds?: Thresholds;
}

/** Span kinds that start a request into a service: SERVER (2) and CONSUMER (5). */
const ENTRY_KINDS = new Set([2, 5]);

/** Builds the panel model; `undefined` (no receiver reachable) gives the empty model. */
export function buildPanelModel(res: SignalsResponse | undefined, window: string, options: PanelModelOptions = {}): PanelModel {
  const top = options.top ?? 8;
  const th = options.thresholds ?? DEFAULT_THRESHOLDS;
  if (!res) {
    return { window, environment: '', environments: [], generatedAt: 0, empty: true, services: [], top: { impact: [], errors: [], p95: [] }, errors: [], unmappedSpans: 0 };
  }
  const functions = res.functions.map((f) => functionRow(f, th));
  const ranked = (score: (r: FunctionRow) => number, keep: (r: FunctionRow) => boolean = () => true) => {
    const rows = functions
      .filter((r) => keep(r) && score(r) > 0)
      .sort((a, b) => score(b) - score(a) || b.count - a.count || compareText(a.key, b.key))
      .slice(0, top);
    const max = rows.length > 0 ? score(rows[0]) : 0;
    return rows.map((r) => ({ ...r, bar: max > 0 ? score(r) / max : 0 }));
  };
  return {
    window: res.window,
    environment: res.environment,
    environments: [...res.environments],
    generatedAt: res.generatedAt,
    empty: res.functions.length === 0 && res.operations.length === 0 && res.errors.length === 0 && res.unmapped.length === 0,
    services: serviceRows(res.operations, th, res.generatedAt),
    top: {
      impact: ranked((r) => r.impactMs),
      errors: ranked(
        (r) => r.errorRate,
        (r) => r.errors > 0,
      ),
      p95: ranked((r) => r.p95Ms),
    },
    errors: [...res.errors]
      .sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen)
      .slice(0, top)
      .map(errorGroupRow),
    unmappedSpans: res.unmapped.reduce((n, u) => n + u.count, 0),
  };
}

/** The row for an error group (from a signals answer or the live stream). */
export function errorGroupRow(e: ErrorSignal): ErrorGroupRow {
  return {
    key: rowKey(['error', e.service, e.environment, e.type, e.message, e.file, e.line]),
    service: e.service,
    environment: e.environment,
    type: e.type,
    message: e.message,
    count: e.count,
    totalCount: e.totalCount,
    function: e.function,
    file: e.file,
    line: e.line,
    firstSeen: e.firstSeen,
    lastSeen: e.lastSeen,
    ...(e.traceIds.length > 0 ? { traceId: e.traceIds[e.traceIds.length - 1] } : {}),
  };
}

/** The stable key of a function's row, shared by the top lists and a focus request. */
export function functionKey(f: { service: string; environment: string; file: string; line: number; function: string }): string {
  return rowKey(['fn', f.service, f.environment, f.file, f.line, f.function]);
}

const MAPPED_BY: Record<MappedBy, string> = {
  'code-attributes': 'code.* attributes',
  stacktrace: 'stack trace',
  sourcemap: 'source map',
  route: 'route',
  'span-name': 'span name',
};

/** How a span was tied to code, in words (`code.* attributes`, `stack trace`, ...). */
export function mappedByLabel(by: MappedBy): string {
  return MAPPED_BY[by] ?? String(by);
}

/** Figures and their formatted text, shared by every row kind. */
export function rowFigures(w: Pick<WindowFigures, 'count' | 'errors' | 'errorRate' | 'ratePerMin' | 'p95Ms'>, th: Thresholds): RowFigures {
  return {
    ratePerMin: w.ratePerMin,
    errorRate: w.errorRate,
    p95Ms: w.p95Ms,
    count: w.count,
    errors: w.errors,
    rate: `${formatRate(w.ratePerMin)}/min`,
    errorRateText: formatPercent(w.errorRate),
    p95: formatMs(w.p95Ms),
    latencyLevel: latencySeverity(w.p95Ms, th),
    errorLevel: errorRateSeverity(w.errorRate, th),
  };
}

/**
 * The q-quantile of several operations together. Quantiles do not add up, so this treats each
 * operation as a piecewise-linear CDF through its p50/p95/p99 and solves the count-weighted mix;
 * with one operation (or identical ones) it returns that operation's own figure.
 */
export function mixedQuantile(parts: Array<{ count: number; p50Ms: number; p95Ms: number; p99Ms: number }>, q: number): number {
  const live = parts.filter((p) => p.count > 0);
  if (live.length === 0) return 0;
  const total = live.reduce((n, p) => n + p.count, 0);
  const cdf = (x: number) => live.reduce((s, p) => s + p.count * pieceCdf(p, x), 0) / total;
  let lo = 0;
  let hi = Math.max(...live.map((p) => p.p99Ms * 1.25)) || 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Polyline points of a sparkline `width`×`height` (y grows down), scaled to `max` (default: the series' max). */
export function sparkPoints(values: number[], width: number, height: number, max = Math.max(0, ...values)): Array<[number, number]> {
  if (values.length === 0) return [];
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (v: number) => (max > 0 ? height - (Math.max(0, v) / max) * height : height);
  const pts = values.map((v, i): [number, number] => [round2(i * step), round2(y(v))]);
  // One point draws nothing: stretch it into a flat line across the box.
  return pts.length === 1
    ? [
        [0, pts[0][1]],
        [width, pts[0][1]],
      ]
    : pts;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function pieceCdf(p: { p50Ms: number; p95Ms: number; p99Ms: number }, x: number): number {
  // Knots (0,0) (p50,.5) (p95,.95) (p99,.99) (1.25·p99,1): the tail past p99 is unknown, kept short.
  const xs = [0, p.p50Ms, Math.max(p.p95Ms, p.p50Ms), Math.max(p.p99Ms, p.p95Ms, p.p50Ms)];
  xs.push(xs[3] * 1.25);
  const ys = [0, 0.5, 0.95, 0.99, 1];
  if (x <= 0) return 0;
  for (let i = 1; i < xs.length; i++) {
    if (x <= xs[i]) {
      const span = xs[i] - xs[i - 1];
      return span <= 0 ? ys[i] : ys[i - 1] + ((x - xs[i - 1]) / span) * (ys[i] - ys[i - 1]);
    }
  }
  return 1;
}

function functionRow(f: FunctionSignal, th: Thresholds): FunctionRow {
  const impactMs = f.ratePerMin * f.p95Ms;
  return {
    ...rowFigures(f, th),
    key: functionKey(f),
    service: f.service,
    environment: f.environment,
    function: f.function,
    file: f.file,
    line: f.line,
    impactMs,
    impact: `${formatMs(impactMs)}/min`,
    bar: 0,
    ...staleAndProvenance(f),
  };
}

function staleAndProvenance(f: FunctionSignal): Pick<FunctionRow, 'stale' | 'provenance'> {
  const stale = functionStaleMark(f.figures);
  const provenance = provenanceLine(f.figures);
  return { ...(stale ? { stale } : {}), ...(provenance ? { provenance } : {}) };
}

function serviceRows(operations: OperationSignal[], th: Thresholds, now: number): ServiceRow[] {
  const byService = new Map<string, OperationSignal[]>();
  for (const op of operations) {
    const k = rowKey([op.service, op.environment]);
    const list = byService.get(k);
    if (list) list.push(op);
    else byService.set(k, [op]);
  }
  const rows: ServiceRow[] = [];
  for (const [key, ops] of byService) {
    // Entry spans count each request once; nested internal/client spans would count it again.
    // A service without any (a batch job) falls back to all its operations.
    const entry = ops.filter((o) => ENTRY_KINDS.has(o.kind));
    const used = entry.length > 0 ? entry : ops;
    const count = sum(used, (o) => o.count);
    const errors = sum(used, (o) => o.errors);
    const figures = { count, errors, errorRate: count > 0 ? errors / count : 0, ratePerMin: sum(used, (o) => o.ratePerMin), p95Ms: mixedQuantile(used, 0.95) };
    const spark = completeMinutes(mergeSpark(used.map((o) => o.perMinute ?? [])), now);
    const endpoints = used
      .map((o) => ({ ...rowFigures(o, th), key: rowKey(['op', o.service, o.environment, o.name, o.kind]), name: o.name, ...(o.name === OTHER_OPERATIONS ? { hint: OTHER_OPERATIONS_HINT } : {}) }))
      .sort((a, b) => b.ratePerMin * b.p95Ms - a.ratePerMin * a.p95Ms || compareText(a.name, b.name))
      .slice(0, SERVICE_ENDPOINTS);
    rows.push({
      ...rowFigures(figures, th),
      key,
      service: ops[0].service,
      environment: ops[0].environment,
      sparkCounts: spark.map((p) => p.count),
      sparkErrors: spark.map((p) => p.errors),
      endpoints,
      ...(used.some((o) => o.source === 'sampled') ? { sampled: true } : {}),
    });
  }
  return rows.sort((a, b) => b.ratePerMin - a.ratePerMin || compareText(a.service, b.service));
}

/** Adds per-minute series up by minute (operations may start at different minutes). */
function mergeSpark(series: SparkPoint[][]): Array<{ t: number; count: number; errors: number }> {
  const byT = new Map<number, { t: number; count: number; errors: number }>();
  for (const points of series) {
    for (const p of points) {
      const at = byT.get(p.t) ?? { t: p.t, count: 0, errors: 0 };
      at.count += p.count;
      at.errors += p.errors;
      byT.set(p.t, at);
    }
  }
  return [...byT.values()].sort((a, b) => a.t - b.t);
}

/** Drops the minute still in progress: its partial count would draw a drop in traffic that is not there. */
function completeMinutes<T extends { t: number }>(points: T[], now: number): T[] {
  if (points.length < 3 || points[points.length - 1].t + 60_000 <= now) return points;
  return points.slice(0, -1);
}

function sum<T>(items: T[], f: (t: T) => number): number {
  return items.reduce((n, t) => n + f(t), 0);
}

function rowKey(parts: Array<string | number>): string {
  return JSON.stringify(parts);
}
