/**
 * Latencies a histogram's buckets stand for, to feed the store's latency sketch.
 *
 * A bucket says only that its requests took between its lower and upper bound. Its count is
 * spread evenly over the bucket (up to SPREAD values, each the midpoint of an equal slice, with
 * whole weights), as
 * Prometheus' histogram_quantile interpolates linearly within a bucket. Placing every request at
 * the upper bound would move each quantile up to the next bound (a route answering in 6 ms would
 * show p50 = 10 ms with the default bounds); the midpoint alone would collapse a wide bucket to one
 * value. The first bucket starts at 0 (or the point's min), the unbounded last bucket ends at the
 * point's max when known, else all of it sits at its lower bound (nothing is known above it).
 */
import type { PointDelta } from './metricDeltas';

/** Values a bucket's count is spread over. */
const SPREAD = 4;

/** [latency ms, weight] pairs whose weights add up to the delta's count (when it has buckets or a sum). */
export function bucketLatencies(d: PointDelta): [number, number][] {
  const out: [number, number][] = [];
  const n = d.bucketCounts.length;
  if (n === 0) {
    // No buckets configured: the mean is all there is.
    if (Number.isFinite(d.sumMs) && d.count > 0) out.push([Math.max(0, d.sumMs / d.count), d.count]);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const c = d.bucketCounts[i];
    if (c <= 0) continue;
    const lower = Math.max(0, i === 0 ? (Number.isFinite(d.minMs) ? d.minMs : 0) : d.boundsMs[i - 1]);
    const upperBound = i < n - 1 ? d.boundsMs[i] : Number.isFinite(d.maxMs) ? d.maxMs : lower;
    const upper = Math.max(lower, i === n - 1 || !Number.isFinite(d.maxMs) ? upperBound : Math.min(upperBound, d.maxMs));
    const k = upper > lower ? Math.min(c, SPREAD) : 1;
    const step = (upper - lower) / k;
    // Whole weights: a fractional one would widen the sketch's bins from 16 to 64 bits.
    const each = Math.floor(c / k);
    const extra = c - each * k;
    for (let j = 0; j < k; j++) out.push([lower + (j + 0.5) * step, j < extra ? each + 1 : each]);
  }
  return out;
}

/** The largest latency a delta can have had: its max when known, else the top of its highest non-empty bucket. */
export function maxLatency(d: PointDelta): number {
  if (Number.isFinite(d.maxMs)) return d.maxMs;
  for (let i = d.bucketCounts.length - 1; i >= 0; i--) {
    if (d.bucketCounts[i] > 0) return Math.max(0, i < d.boundsMs.length ? d.boundsMs[i] : (d.boundsMs[d.boundsMs.length - 1] ?? 0));
  }
  return Number.isFinite(d.sumMs) && d.count > 0 ? d.sumMs / d.count : 0;
}
