/**
 * Which of a round's groups answer one query: exactly those the query's own PromQL would have
 * selected (its environment, its file's selectors, or the busiest 2 × top groups), so an answer
 * computed from a shared round equals the one a query of its own would get.
 */
import type { SignalsQuery } from '../telemetrySource';
import type { SpanGroup } from './spanMetricsGroups';
import { CODE_LABELS, type DetectedSpanMetrics } from './spanMetricsNaming';
import { filePathsPattern, spanNamesByService, type FileScope } from './spanMetricsQueries';

/** The groups of `groups` that `query` reads; `file` is how the query's file was (or would be) asked. */
export function selectGroups(groups: readonly SpanGroup[], m: DetectedSpanMetrics, query: SignalsQuery, file: FileScope | undefined, fixedEnvironment: string): SpanGroup[] {
  // Series carry no environment label: another environment than the configured one has none.
  if (query.environment !== undefined && !m.environmentLabel && query.environment !== fixedEnvironment) return [];
  const envLabel = m.environmentLabel;
  let out = query.environment !== undefined && envLabel ? groups.filter((g) => g.labels.get(envLabel) === query.environment) : [...groups];
  if (query.file !== undefined) {
    const belongs = fileMatcher(m, file ?? { relative: query.file, productionPaths: [], spanNames: [] });
    return out.filter((g) => belongs(g.labels));
  }
  if (query.top !== undefined) out = out.sort((a, b) => b.count - a.count).slice(0, Math.max(1, Math.floor(query.top)) * 2);
  return out;
}

/** The local twin of the file selectors in spanMetricsQueries.ts: whether a group's labels select it for `file`. */
export function fileMatcher(m: DetectedSpanMetrics, file: FileScope): (labels: ReadonlyMap<string, string>) => boolean {
  const hasPath = m.labels.has(CODE_LABELS.file);
  // PromQL anchors regexes at both ends, and (Prometheus 3) lets `.` match a newline.
  const path = hasPath ? new RegExp(`^(?:${filePathsPattern([file])})$`, 's') : undefined;
  const names = spanNamesByService([file]);
  return (labels) => {
    const p = labels.get(CODE_LABELS.file) ?? '';
    if (path?.test(p)) return true;
    if (hasPath && p !== '') return false;
    return names.get(labels.get(m.serviceLabel) ?? '')?.has(labels.get('span_name') ?? '') ?? false;
  };
}
