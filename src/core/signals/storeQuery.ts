import type { CallSignal, Deployed, Exemplar, DriftSummary, ErrorSignal, FunctionSignal, OperationSignal, SignalsResponse, UnmappedSignal, WindowFigures } from '../api/signals';
import { plausibleRevision } from '../ingest/revisionText';
import type { CallEntry } from './callEntries';
import { quantile } from './latencySketch';
import type { CodeLocation, SignalQuery } from './storeTypes';
import type { ErrorEntry, LocationEntry, OperationEntry, UnmappedEntry } from './storeEntries';
import type { TimeSeries } from './timeSeries';

/** What a query reads: the store's entries (all environments; rows are filtered here). */
export interface QuerySource {
  locations: Iterable<LocationEntry>;
  operations: Iterable<OperationEntry>;
  errorGroups: Iterable<ErrorEntry>;
  unmapped: Iterable<UnmappedEntry>;
  calls: Iterable<CallEntry>;
  /** The exemplars of a location entry. */
  exemplarsOf: (e: LocationEntry) => Exemplar[];
  /** When the store's data begins (ms; -Infinity when unknown, e.g. restored from a snapshot). */
  dataSinceMs: number;
}

type Rows = Pick<SignalsResponse, 'functions' | 'operations' | 'errors' | 'unmapped' | 'calls'>;

/** A row and the series its sparkline comes from (added only to the rows kept). */
type Pending<R> = [R, TimeSeries];

const impact = (r: WindowFigures): number => r.ratePerMin * r.p95Ms;
const byImpact = (a: Pending<WindowFigures>, b: Pending<WindowFigures>): number => impact(b[0]) - impact(a[0]);
const byCount = (a: Pending<{ count: number }>, b: Pending<{ count: number }>): number => b[0].count - a[0].count;

/** The rows of one window for one environment, each list in its default order; `examined` counts the entries read. */
export function queryRows(source: QuerySource, q: SignalQuery, environment: string, now: number): Rows & { examined: number } {
  const minutes = Math.round(q.windowMs / 60_000);
  const top = q.file === undefined && q.top !== undefined && q.top > 0 ? q.top : Infinity;
  let examined = 0;
  const finish = <R extends object>(rows: Pending<R>[]): R[] => rows.map(([r, s]) => (q.perMinute ? { ...r, perMinute: s.perMinute(now, Math.min(minutes, 60)) } : r));

  let functions: Pending<FunctionSignal>[] = [];
  for (const e of source.locations) {
    examined++;
    if (e.environment !== environment || (q.file !== undefined && e.file !== q.file)) continue;
    const w = e.series.window(now, q.windowMs);
    if (w.count === 0) continue;
    functions.push([
      {
        service: e.service,
        environment: e.environment,
        function: e.function,
        file: e.file,
        line: e.line,
        ...figures(w, now, source.dataSinceMs),
        mappedBy: e.mappedBy,
        confidence: e.confidence,
        exemplars: source.exemplarsOf(e),
        ...deployed(e.revision, e.serviceVersion),
        ...placement(e),
      },
      e.series,
    ]);
  }
  functions.sort(byImpact);
  if (functions.length > top) functions = topFunctions(functions, top);

  const operations: Pending<OperationSignal>[] = [];
  for (const e of source.operations) {
    examined++;
    if (e.environment !== environment) continue;
    const w = e.series.window(now, q.windowMs);
    if (w.count === 0) continue;
    operations.push([{ service: e.service, environment: e.environment, name: e.name, kind: e.kind, ...figures(w, now, source.dataSinceMs) }, e.series]);
  }
  operations.sort(byCount);

  const errors: ErrorSignal[] = [];
  for (const g of source.errorGroups) {
    examined++;
    if (g.environment !== environment || (q.file !== undefined && g.location?.file !== q.file)) continue;
    const count = g.series.window(now, q.windowMs).count;
    if (count > 0) errors.push(errorSignal(g, count));
  }
  errors.sort((a, b) => b.count - a.count);

  const unmapped: UnmappedSignal[] = [];
  for (const u of source.unmapped) {
    examined++;
    if (u.environment !== environment) continue;
    const count = u.series.window(now, q.windowMs).count;
    if (count > 0) unmapped.push({ service: u.service, environment: u.environment, name: u.name, reason: u.reason, count });
  }
  unmapped.sort((a, b) => b.count - a.count);

  const calls: Pending<CallSignal>[] = [];
  for (const c of source.calls) {
    examined++;
    if (c.environment !== environment || (q.file !== undefined && c.file !== q.file)) continue;
    const w = c.series.window(now, q.windowMs);
    if (w.count === 0) continue;
    calls.push([
      {
        service: c.service,
        environment: c.environment,
        function: c.function,
        file: c.file,
        line: c.line,
        target: c.target,
        lineMatch: c.lineMatch,
        ...figures(w, now, source.dataSinceMs),
      },
      c.series,
    ]);
  }
  calls.sort(byImpact);

  return {
    functions: finish(functions),
    operations: finish(operations.slice(0, top)),
    errors: errors.slice(0, top),
    unmapped,
    calls: finish(calls.slice(0, top)),
    examined,
  };
}

/** The top `n` by error rate, by p95 and by impact, their union sorted by impact (`rows` come sorted by impact). */
function topFunctions(rows: Pending<FunctionSignal>[], n: number): Pending<FunctionSignal>[] {
  const keep = new Set(rows.slice(0, n));
  const failing = rows.filter((r) => r[0].errors > 0).sort((a, b) => b[0].errorRate - a[0].errorRate || b[0].errors - a[0].errors);
  for (const r of failing.slice(0, n)) keep.add(r);
  for (const r of [...rows].sort((a, b) => b[0].p95Ms - a[0].p95Ms).slice(0, n)) keep.add(r);
  return rows.filter((r) => keep.has(r));
}

/** The API row of an error group, with `count` occurrences in the window asked for. */
export function errorSignal(g: ErrorEntry, count: number): ErrorSignal {
  return {
    service: g.service,
    environment: g.environment,
    type: g.type,
    message: g.message,
    count,
    totalCount: g.total,
    function: g.location?.function ?? '',
    file: g.location?.file ?? '',
    line: g.location?.line ?? 0,
    firstSeen: g.firstSeen,
    lastSeen: g.lastSeen,
    mappedBy: g.location?.mappedBy ?? null,
    stacktrace: g.stacktrace,
    traceIds: g.traceIds,
    ...(g.operations.length > 0 ? { operations: g.operations } : {}),
    ...deployed(g.revision, g.serviceVersion),
    ...(g.location ? placement(g.location) : {}),
  };
}

/**
 * A window's figures. The rate divides by the part of the window the store has data for (at least a
 * minute): a receiver started two minutes ago has not seen the first three minutes of a 5m window.
 */
function figures(w: ReturnType<TimeSeries['window']>, now: number, dataSinceMs: number): WindowFigures {
  const sketch = w.sketch;
  return {
    count: w.count,
    errors: w.errors,
    errorRate: w.count > 0 ? w.errors / w.count : 0,
    ratePerMin: round((w.count * 60_000) / Math.min(w.coveredMs, Math.max(60_000, now - dataSinceMs))),
    p50Ms: sketch ? round(quantile(sketch, 0.5)) : 0,
    p95Ms: sketch ? round(quantile(sketch, 0.95)) : 0,
    p99Ms: sketch ? round(quantile(sketch, 0.99)) : 0,
  };
}

/** The deployment a row names; implausible revisions and versions (from old snapshots too) are never answered. */
function deployed(rawRevision: string, rawVersion: string): { deployed?: Deployed } {
  const revision = plausibleRevision(rawRevision);
  const version = plausibleRevision(rawVersion);
  return revision || version ? { deployed: { revision, version } } : {};
}

function placement(loc: CodeLocation): { deployedLine?: number; drift?: DriftSummary } {
  return { ...(loc.deployedLine !== undefined ? { deployedLine: loc.deployedLine } : {}), ...(loc.drift ? { drift: loc.drift } : {}) };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
