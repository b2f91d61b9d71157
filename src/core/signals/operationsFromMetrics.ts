/**
 * Joins operation rows from spans with route figures from metrics. Metrics count every request,
 * where traces may be sampled, so a route with metric figures in the window takes its count,
 * errors, rate and latency from them; a route seen only in metrics gets a row of its own.
 */
import type { OperationSignal } from '../api/signals';
import { joinKey } from './storeEntries';

/**
 * The operation rows of one answer: `fromSpans` with the figures of the matching `fromMetrics` row
 * (same service, environment and name `METHOD route`) where there is one, marked with their
 * source; sorted by count, the busiest first, at most `top` (all when undefined).
 */
export function operationsFromMetrics(fromSpans: readonly OperationSignal[], fromMetrics: readonly OperationSignal[], top?: number): OperationSignal[] {
  const metrics = new Map<string, OperationSignal>();
  for (const m of fromMetrics) metrics.set(joinKey(m.service, m.environment, m.name), m);
  const rows: OperationSignal[] = [];
  for (const op of fromSpans) {
    const key = joinKey(op.service, op.environment, op.name);
    const m = metrics.get(key);
    if (m === undefined) {
      rows.push({ ...op, source: 'spans' });
      continue;
    }
    metrics.delete(key);
    rows.push({
      ...op,
      count: m.count,
      errors: m.errors,
      errorRate: m.errorRate,
      ratePerMin: m.ratePerMin,
      p50Ms: m.p50Ms,
      p95Ms: m.p95Ms,
      p99Ms: m.p99Ms,
      source: 'metrics',
      // The caller asks both sides for sparklines or neither; the row's is drawn from the same figures.
      ...(m.perMinute !== undefined ? { perMinute: m.perMinute } : {}),
    });
  }
  for (const m of metrics.values()) rows.push({ ...m, source: 'metrics' });
  rows.sort((a, b) => b.count - a.count);
  return top !== undefined && rows.length > top ? rows.slice(0, top) : rows;
}
