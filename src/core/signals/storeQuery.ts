import type { Deployed, DriftSummary, ErrorSignal, FunctionSignal, OperationSignal, SignalsResponse, UnmappedSignal, WindowFigures } from '../api/signals';
import { quantile } from './latencySketch';
import type { CodeLocation, SignalQuery } from './signalStore';
import type { ErrorEntry, LocationEntry, OperationEntry, UnmappedEntry } from './storeEntries';
import type { TimeSeries } from './timeSeries';

/** What a query reads: the store's entries (all environments; rows are filtered here). */
export interface QuerySource {
  locations: Iterable<LocationEntry>;
  operations: Iterable<OperationEntry>;
  errorGroups: Iterable<ErrorEntry>;
  unmapped: Iterable<UnmappedEntry>;
}

/** The rows of one window for one environment, each list in its default order. */
export function queryRows(source: QuerySource, q: SignalQuery, environment: string, now: number): Pick<SignalsResponse, 'functions' | 'operations' | 'errors' | 'unmapped'> {
  const minutes = Math.round(q.windowMs / 60_000);
  const spark = (s: TimeSeries) => (q.perMinute ? { perMinute: s.perMinute(now, Math.min(minutes, 60)) } : {});

  const functions: FunctionSignal[] = [];
  for (const e of source.locations) {
    if (e.environment !== environment || (q.file !== undefined && e.file !== q.file)) continue;
    const w = e.series.window(now, q.windowMs);
    if (w.count === 0) continue;
    functions.push({
      service: e.service, environment: e.environment, function: e.function, file: e.file, line: e.line,
      ...figures(w), mappedBy: e.mappedBy, confidence: e.confidence,
      exemplars: [...e.slowest.list, ...e.recentErrors], ...deployed(e.revision, e.serviceVersion), ...placement(e), ...spark(e.series),
    });
  }
  functions.sort((a, b) => b.count * b.p95Ms - a.count * a.p95Ms);

  const operations: OperationSignal[] = [];
  for (const e of source.operations) {
    if (e.environment !== environment) continue;
    const w = e.series.window(now, q.windowMs);
    if (w.count === 0) continue;
    operations.push({ service: e.service, environment: e.environment, name: e.name, kind: e.kind, ...figures(w), ...spark(e.series) });
  }
  operations.sort((a, b) => b.count - a.count);

  const errors: ErrorSignal[] = [];
  for (const g of source.errorGroups) {
    if (g.environment !== environment || (q.file !== undefined && g.location?.file !== q.file)) continue;
    const count = g.series.window(now, q.windowMs).count;
    if (count === 0) continue;
    errors.push({
      service: g.service, environment: g.environment, type: g.type, message: g.message, count, totalCount: g.total,
      function: g.location?.function ?? '', file: g.location?.file ?? '', line: g.location?.line ?? 0,
      firstSeen: g.firstSeen, lastSeen: g.lastSeen, mappedBy: g.location?.mappedBy ?? null,
      stacktrace: g.stacktrace, traceIds: g.traceIds, ...deployed(g.revision, g.serviceVersion), ...(g.location ? placement(g.location) : {}),
    });
  }
  errors.sort((a, b) => b.count - a.count);

  const unmapped: UnmappedSignal[] = [];
  for (const u of source.unmapped) {
    if (u.environment !== environment) continue;
    const count = u.series.window(now, q.windowMs).count;
    if (count > 0) unmapped.push({ service: u.service, environment: u.environment, name: u.name, reason: u.reason, count });
  }
  unmapped.sort((a, b) => b.count - a.count);

  return { functions, operations, errors, unmapped };
}

function figures(w: ReturnType<TimeSeries['window']>): WindowFigures {
  const sketch = w.sketch;
  return {
    count: w.count,
    errors: w.errors,
    errorRate: w.count > 0 ? w.errors / w.count : 0,
    ratePerMin: round((w.count * 60_000) / w.coveredMs),
    p50Ms: sketch ? round(quantile(sketch, 0.5)) : 0,
    p95Ms: sketch ? round(quantile(sketch, 0.95)) : 0,
    p99Ms: sketch ? round(quantile(sketch, 0.99)) : 0,
  };
}

function deployed(revision: string, version: string): { deployed?: Deployed } {
  return revision || version ? { deployed: { revision, version } } : {};
}

function placement(loc: CodeLocation): { deployedLine?: number; drift?: DriftSummary } {
  return { ...(loc.deployedLine !== undefined ? { deployedLine: loc.deployedLine } : {}), ...(loc.drift ? { drift: loc.drift } : {}) };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
