/**
 * Span-metrics groups turned into read-API rows: one function row per code location (groups tied
 * to one function merged, their buckets summed before quantiles are taken), an operation row per
 * (service, span name, kind) for every group (all traffic, so the panel's service rates are counted,
 * not sampled), and for groups tied to no code an unmapped row saying why.
 */
import type { FunctionSignal, LatencyBuckets, OperationSignal, SignalsResponse, UnmappedSignal, WindowFigures } from '../../api/signals';
import type { SignalsQuery } from '../telemetrySource';
import { bucketQuantile, bucketRange, mergeGroup, type SpanGroup } from './spanMetricsGroups';
import { spanKindOf, type SpanMetricsJoin } from './spanMetricsJoin';
import type { DetectedSpanMetrics } from './spanMetricsNaming';

/** What a file query may use to find a file's series: production paths and span names seen mapping to it. */
export interface LearnedFile {
  productionPaths: Set<string>;
  spanNames: Map<string, { service: string; spanName: string }>;
}

/** A function's row with the histogram buckets its percentiles lie in, until provenance is stamped on it. */
export type MetricsFunction = FunctionSignal & { latencyBuckets?: LatencyBuckets };

/** The rows of one refresh, before provenance is stamped on them. */
export interface SpanMetricsRows {
  environment: string;
  environments: string[];
  functions: MetricsFunction[];
  operations: OperationSignal[];
  unmapped: UnmappedSignal[];
}

/** Builds the rows of `groups` for `query`; `learn` is told which file each group landed in. */
export async function spanMetricsRows(
  groups: Iterable<SpanGroup>,
  m: DetectedSpanMetrics,
  join: SpanMetricsJoin,
  query: SignalsQuery,
  fixedEnvironment: string,
  learn: (file: string, group: SpanGroup, viaProductionPath: string | undefined) => void,
): Promise<SpanMetricsRows> {
  const all = [...groups].filter((g) => g.count > 0);
  const envOf = (g: SpanGroup): string => (m.environmentLabel ? (g.labels.get(m.environmentLabel) ?? '') : fixedEnvironment);
  const environments = [...new Set(all.map(envOf))].sort();
  const environment = query.environment ?? busiest(all, envOf) ?? fixedEnvironment;
  const mine = all.filter((g) => envOf(g) === environment);
  const minutes = query.windowMs / 60_000;

  const byLocation = new Map<string, { row: Omit<FunctionSignal, keyof WindowFigures>; group: SpanGroup }>();
  const byOperation = new Map<string, { row: Omit<OperationSignal, keyof WindowFigures>; group: SpanGroup }>();
  const unmappedBy = new Map<string, { service: string; name: string; reason: string; count: number }>();
  for (const g of mine) {
    const service = g.labels.get(m.serviceLabel) ?? '';
    const spanName = g.labels.get('span_name') ?? '';
    const kind = spanKindOf(g.labels.get('span_kind') ?? '');
    const opKey = JSON.stringify([service, spanName, kind]);
    const op = byOperation.get(opKey);
    if (op !== undefined) mergeGroup(op.group, g);
    else byOperation.set(opKey, { row: { service, environment, name: spanName, kind, source: 'metrics' }, group: copy(g) });
    const joined = await join.locate(g.labels, m.serviceLabel);
    if (joined.location !== null) {
      const loc = joined.location;
      learn(loc.file, g, joined.viaProductionPath);
      const key = JSON.stringify([service, loc.file, loc.function, loc.line]);
      const hit = byLocation.get(key);
      if (hit !== undefined) {
        mergeGroup(hit.group, g);
        // A merged row is as sure as its least sure part.
        hit.row.confidence = Math.min(hit.row.confidence, loc.confidence);
        continue;
      }
      const row = {
        service,
        environment,
        function: loc.function,
        file: loc.file,
        line: loc.line,
        mappedBy: loc.mappedBy,
        confidence: loc.confidence,
        exemplars: [],
        ...(loc.deployedLine !== undefined ? { deployedLine: loc.deployedLine } : {}),
        ...(loc.drift !== undefined ? { drift: loc.drift } : {}),
      };
      byLocation.set(key, { row, group: copy(g) });
      continue;
    }
    const unmapped = unmappedBy.get(opKey);
    if (unmapped !== undefined) unmapped.count += g.count;
    else unmappedBy.set(opKey, { service, name: spanName, reason: joined.reason, count: g.count });
  }

  let functions = [...byLocation.values()].map(({ row, group }) => ({ ...row, ...figuresOf(group, minutes), ...bucketsOf(group) }) as MetricsFunction);
  if (query.file !== undefined) functions = functions.filter((f) => f.file === query.file);
  functions.sort((a, b) => b.ratePerMin * b.p95Ms - a.ratePerMin * a.p95Ms || b.count - a.count);
  const operations = [...byOperation.values()].map(({ row, group }) => ({ ...row, ...figuresOf(group, minutes) }) as OperationSignal).sort((a, b) => b.count - a.count);
  const unmapped = [...unmappedBy.values()].map((u) => ({ ...u, environment })).sort((a, b) => b.count - a.count);
  const top = query.file === undefined && query.top !== undefined ? query.top : Infinity;
  // As the embedded store does, a file query lists no operations or unmapped spans.
  return {
    environment,
    environments: environments.length > 0 ? environments : [environment],
    functions: functions.slice(0, top),
    operations: query.file === undefined ? operations.slice(0, top) : [],
    unmapped: query.file === undefined ? unmapped.slice(0, top) : [],
  };
}

/** The read-API answer of `rows` as of `at`: every figure says it came from metrics of `source`, how old, and whether stale. */
export function signalsResponse(query: SignalsQuery, rows: SpanMetricsRows, at: number, now: number, source: string, stale: boolean): SignalsResponse {
  const from = { source, basis: 'metrics' as const, ageMs: Math.max(0, now - at), ...(stale ? { stale: true } : {}) };
  const functions: FunctionSignal[] = rows.functions.map(({ latencyBuckets, ...f }) => ({ ...f, figures: { traffic: latencyBuckets ? { ...from, latencyBuckets } : from, errors: from } }));
  return {
    window: query.window,
    environment: rows.environment,
    environments: rows.environments,
    generatedAt: at,
    functions,
    operations: rows.operations,
    errors: [],
    unmapped: rows.unmapped,
    calls: [],
    evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
  };
}

/** A group's window figures; quantiles 0 when it has no buckets (a histogram switched off). */
export function figuresOf(g: SpanGroup, minutes: number): WindowFigures {
  const q = (p: number): number => {
    const v = bucketQuantile(p, g.buckets);
    return Number.isFinite(v) ? v : 0;
  };
  return {
    count: g.count,
    errors: g.errors,
    errorRate: g.count > 0 ? g.errors / g.count : 0,
    ratePerMin: minutes > 0 ? g.count / minutes : 0,
    p50Ms: q(0.5),
    p95Ms: q(0.95),
    p99Ms: q(0.99),
  };
}

/** The buckets a group's percentiles lie in; nothing when it has no buckets. */
function bucketsOf(g: SpanGroup): { latencyBuckets?: LatencyBuckets } {
  const [p50Ms, p95Ms, p99Ms] = [0.5, 0.95, 0.99].map((p) => bucketRange(p, g.buckets));
  return p50Ms && p95Ms && p99Ms ? { latencyBuckets: { p50Ms, p95Ms, p99Ms } } : {};
}

function busiest(groups: SpanGroup[], envOf: (g: SpanGroup) => string): string | undefined {
  const totals = new Map<string, number>();
  for (const g of groups) totals.set(envOf(g), (totals.get(envOf(g)) ?? 0) + g.count);
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

function copy(g: SpanGroup): SpanGroup {
  return { labels: g.labels, count: g.count, errors: g.errors, buckets: new Map(g.buckets) };
}
