/**
 * A refresh's answers folded into groups (one per distinct set of grouping labels): calls and
 * errors from the counter, cumulative bucket counts from the histogram, and the quantiles those
 * buckets give, computed as PromQL's histogram_quantile does so groups that map to one function
 * can be merged before quantiles are taken.
 */
import type { BucketRange } from '../../api/signals';
import type { PromSample } from './promApi';
import { WINDOW_LABEL } from './spanMetricsQueries';

/** Calls, errors and latency buckets of one group in the window. */
export interface SpanGroup {
  /** The grouping labels' values ('' when a series lacks one). */
  labels: ReadonlyMap<string, string>;
  count: number;
  errors: number;
  /** Cumulative counts by upper bound in ms (+Infinity last). */
  buckets: Map<number, number>;
}

/** The `status_code` value of failed spans in both the collector's and Tempo's span metrics. */
export const ERROR_STATUS = 'STATUS_CODE_ERROR';

/** The groups of a refresh, keyed by their labels' values. */
export function foldGroups(groupBy: readonly string[], calls: readonly PromSample[], buckets: readonly PromSample[], toMs: number): Map<string, SpanGroup> {
  const groups = new Map<string, SpanGroup>();
  const groupOf = (s: PromSample): SpanGroup => {
    const values = groupBy.map((l) => s.labels.get(l) ?? '');
    const key = JSON.stringify(values);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { labels: new Map(groupBy.map((l, i) => [l, values[i]])), count: 0, errors: 0, buckets: new Map() }));
    return g;
  };
  for (const s of calls) {
    if (!Number.isFinite(s.value) || s.value <= 0) continue;
    // A change over the window is whole; only the increase() fallback after a reset is not.
    const n = Math.round(s.value);
    const g = groupOf(s);
    g.count += n;
    if (s.labels.get('status_code') === ERROR_STATUS) g.errors += n;
  }
  for (const s of buckets) {
    const le = boundOf(s.labels.get('le'));
    if (le === undefined || !Number.isFinite(s.value) || s.value < 0) continue;
    const g = groupOf(s);
    const bound = le * toMs;
    g.buckets.set(bound, (g.buckets.get(bound) ?? 0) + s.value);
  }
  return groups;
}

/**
 * A round's answer folded per window: each row carries its window (ms) in WINDOW_LABEL; rows with
 * `le` are bucket counts, the rest calls. Rows of a window not asked about are dropped.
 */
export function foldRound(groupBy: readonly string[], rows: readonly PromSample[], toMs: number, windows: ReadonlySet<number>): Map<number, SpanGroup[]> {
  const split = new Map<number, { calls: PromSample[]; buckets: PromSample[] }>();
  for (const r of rows) {
    const windowMs = Number(r.labels.get(WINDOW_LABEL));
    if (!windows.has(windowMs)) continue;
    let parts = split.get(windowMs);
    if (parts === undefined) split.set(windowMs, (parts = { calls: [], buckets: [] }));
    (r.labels.has('le') ? parts.buckets : parts.calls).push(r);
  }
  return new Map([...split].map(([windowMs, { calls, buckets }]) => [windowMs, [...foldGroups(groupBy, calls, buckets, toMs).values()]]));
}

/** Adds `from`'s calls, errors and buckets into `into` (groups tied to one function). */
export function mergeGroup(into: SpanGroup, from: SpanGroup): void {
  into.count += from.count;
  into.errors += from.errors;
  for (const [bound, n] of from.buckets) into.buckets.set(bound, (into.buckets.get(bound) ?? 0) + n);
}

/**
 * The q-quantile (0..1) of cumulative buckets as PromQL's histogram_quantile computes it: linear
 * interpolation inside the bucket holding the rank, the first bucket starting at 0, a rank in the
 * +Inf bucket answered with the highest finite bound. NaN when the buckets hold nothing.
 */
export function bucketQuantile(q: number, buckets: ReadonlyMap<number, number>): number {
  const found = rankBucket(q, buckets);
  if (found === undefined) return NaN;
  const { sorted, i, rank } = found;
  if (i === sorted.length - 1) return sorted[sorted.length - 2][0];
  if (i === 0 && sorted[0][0] <= 0) return sorted[0][0];
  const start = i === 0 ? 0 : sorted[i - 1][0];
  const below = i === 0 ? 0 : sorted[i - 1][1];
  const inside = sorted[i][1] - below;
  if (inside <= 0) return sorted[i][0];
  return start + (sorted[i][0] - start) * ((rank - below) / inside);
}

/**
 * The bucket the q-quantile lies in, [lower, upper] (upper null for the +Inf bucket): all the
 * buckets can say about it. Undefined when the buckets hold nothing.
 */
export function bucketRange(q: number, buckets: ReadonlyMap<number, number>): BucketRange | undefined {
  const found = rankBucket(q, buckets);
  if (found === undefined) return undefined;
  const { sorted, i } = found;
  const lower = i === 0 ? Math.min(0, sorted[0][0]) : sorted[i - 1][0];
  return [lower, sorted[i][0] === Infinity ? null : sorted[i][0]];
}

/** Sorted, non-decreasing cumulative buckets, the q-quantile's rank and the index of the bucket holding it. */
function rankBucket(q: number, buckets: ReadonlyMap<number, number>): { sorted: [number, number][]; i: number; rank: number } | undefined {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  if (sorted.length < 2 || sorted[sorted.length - 1][0] !== Infinity) return undefined;
  // Counts from separate series can be off by a scrape: keep them non-decreasing, as Prometheus does.
  for (let i = 1; i < sorted.length; i++) if (sorted[i][1] < sorted[i - 1][1]) sorted[i] = [sorted[i][0], sorted[i - 1][1]];
  const total = sorted[sorted.length - 1][1];
  if (!(total > 0)) return undefined;
  const rank = q * total;
  return { sorted, i: sorted.findIndex(([, n]) => n >= rank), rank };
}

function boundOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** A round's groups of one window as text, to tell whether the figures moved. */
export function fingerprintOf(groups: readonly SpanGroup[]): string {
  const each = groups.map((g) => JSON.stringify([[...g.labels.values()], g.count, g.errors, [...g.buckets]]));
  return each.sort().join('\n');
}
