/**
 * The PromQL a refresh sends: two queries, all functions at once, grouped by the labels the join
 * to code reads. Both take each series' exact change over the window, not `increase()`: increase
 * extrapolates (fractional counts) and ignores a series' first sample, so a span name first seen
 * inside the window, whose first scrape already counts its calls, would show none of them.
 */
import { CODE_LABELS, type DetectedSpanMetrics } from './spanMetricsNaming';

/** What one refresh asks about. */
export interface RefreshScope {
  windowMs: number;
  /** Only series of this environment (needs an environment label). */
  environment?: string;
  /** Only series whose `code_file_path` ends with one of these workspace-relative paths or is one of `productionPaths`. */
  file?: { relative: string; productionPaths: readonly string[]; spanNames: readonly { service: string; spanName: string }[] };
  /** At most this many groups (by calls in the window). */
  top?: number;
}

/** The two queries of a refresh. */
export interface RefreshQueries {
  /** Calls in the window per group and `status_code`. */
  calls: string;
  /** Cumulative bucket counts in the window per group and `le`. */
  buckets: string;
  /** The labels each answer is grouped by (besides `status_code` and `le`). */
  groupBy: string[];
}

/** Span-name alternatives a file query may add at most (each one a series selector). */
export const MAX_SPAN_NAME_SELECTORS = 20;

/** The labels rows are grouped by for this naming: service, span, kind, environment and the code dimensions present. */
export function groupLabels(m: DetectedSpanMetrics): string[] {
  const labels = [m.serviceLabel, 'span_name', 'span_kind'];
  if (m.environmentLabel) labels.push(m.environmentLabel);
  for (const l of Object.values(CODE_LABELS)) if (m.labels.has(l)) labels.push(l);
  return labels;
}

/** Builds a refresh's queries. */
export function refreshQueries(m: DetectedSpanMetrics, scope: RefreshScope): RefreshQueries {
  const groupBy = groupLabels(m);
  const by = groupBy.join(', ');
  const range = promDuration(scope.windowMs);
  const selectors = seriesSelectors(m, scope);
  const change = (metric: string): string => selectors.map((s) => `(${windowChange(`${metric}{${s}}`, range)})`).join(' or ');
  const topGroups = scope.top !== undefined && scope.file === undefined ? ` and on (${by}) topk(${scope.top * 2}, sum by (${by}) (${change(m.calls)}))` : '';
  return {
    calls: `sum by (${by}, status_code) (${change(m.calls)})${topGroups}`,
    buckets: `sum by (${by}, le) (${change(m.bucket)})${topGroups}`,
    groupBy,
  };
}

/**
 * A counter's change over the window, per series: now minus `range` ago; the whole value for a
 * series born since (counters start at zero); `increase()` only where the counter was reset.
 */
export function windowChange(series: string, range: string): string {
  return `((${series} - ${series} offset ${range}) >= 0) or (${series} unless ${series} offset ${range}) or increase(${series}[${range}])`;
}

/** The matcher lists a refresh reads: one, or for a file query one per way a series can belong to that file. */
function seriesSelectors(m: DetectedSpanMetrics, scope: RefreshScope): string[] {
  const base: string[] = [];
  if (scope.environment !== undefined && m.environmentLabel) base.push(`${m.environmentLabel}=${promString(scope.environment)}`);
  if (scope.file === undefined) return [base.join(', ')];
  const selectors: string[] = [];
  if (m.labels.has(CODE_LABELS.file)) {
    const known = scope.file.productionPaths.map(regexEscape);
    const alternatives = [`(?:.*[/\\\\])?${pathRegex(scope.file.relative)}`, ...known].join('|');
    selectors.push([...base, `${CODE_LABELS.file}=~${promString(alternatives)}`].join(', '));
  }
  // Series without a file that the span-name join tied to this file before.
  const byService = new Map<string, string[]>();
  for (const { service, spanName } of scope.file.spanNames) {
    const names = byService.get(service) ?? [];
    names.push(regexEscape(spanName));
    byService.set(service, names);
  }
  for (const [service, names] of [...byService].slice(0, MAX_SPAN_NAME_SELECTORS)) {
    const noFile = m.labels.has(CODE_LABELS.file) ? [`${CODE_LABELS.file}=""`] : [];
    selectors.push([...base, ...noFile, `${m.serviceLabel}=${promString(service)}`, `span_name=~${promString(names.join('|'))}`].join(', '));
  }
  // Nothing can belong to the file: a selector no series matches keeps the query valid and empty.
  if (selectors.length === 0) selectors.push([...base, 'span_name="", span_name!=""'].join(', '));
  return selectors;
}

/** A workspace-relative path as a regex whose separators match `/` or `\` (Windows production paths). */
function pathRegex(relative: string): string {
  return relative
    .split('/')
    .filter((s) => s !== '')
    .map(regexEscape)
    .join('[/\\\\]');
}

/** A PromQL duration for a window (whole seconds, at least one). */
export function promDuration(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

/** A PromQL double-quoted string literal holding `value` exactly. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** `text` as an RE2 pattern matching itself literally (PromQL regexes are anchored at both ends). */
export function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
