/**
 * The PromQL a refresh round sends: ONE query for everything the readers look at, however many
 * files, windows and panels ask. Per window it selects the series of the files of interest (their
 * selectors OR-ed) and, for unscoped readers, the busiest groups, takes calls and buckets together
 * (one `__name__` matcher), sums them by the labels the join to code reads plus `status_code` and
 * `le` (calls have no `le`, so the two never share a label set), and tags the window's rows with a
 * label; the windows are OR-ed (their tags keep them apart). Each series' change over the window is
 * exact, not `increase()`: increase extrapolates (fractional counts) and ignores a series' first
 * sample, so a span name first seen inside the window, whose first scrape already counts its calls,
 * would show none of them.
 */
import { CODE_LABELS, type DetectedSpanMetrics } from './spanMetricsNaming';

/** How a file's series are found: its path (suffix), production paths and span names learned for it. */
export interface FileScope {
  relative: string;
  productionPaths: readonly string[];
  spanNames: readonly { service: string; spanName: string }[];
}

/** What a round asks about one window. */
export interface WindowAsk {
  windowMs: number;
  /** Only these environments (by the environment label); 'all' for no filter. */
  environments: readonly string[] | 'all';
  /** Every group of the window, unbounded (some reader asked for everything). */
  all: boolean;
  /** The busiest groups, 2 × top per environment by calls (readers asking for a top N). */
  top?: number;
  /** Files whose series are asked for. */
  files: readonly FileScope[];
}

/** The label a round's query tags each row with: the window (ms) the row belongs to. */
export const WINDOW_LABEL = 'runtime_lens_window';

/** Span-name alternatives a window may add at most (each service one series selector). */
export const MAX_SPAN_NAME_SELECTORS = 20;

/** The labels rows are grouped by for this naming: service, span, kind, environment and the code dimensions present. */
export function groupLabels(m: DetectedSpanMetrics): string[] {
  const labels = [m.serviceLabel, 'span_name', 'span_kind'];
  if (m.environmentLabel) labels.push(m.environmentLabel);
  for (const l of Object.values(CODE_LABELS)) if (m.labels.has(l)) labels.push(l);
  return labels;
}

/** The one query of a round, or undefined when no window can hold any series (nothing to ask). */
export function roundQuery(m: DetectedSpanMetrics, windows: readonly WindowAsk[]): string | undefined {
  const parts = windows.map((w) => windowPart(m, w)).filter((p): p is string => p !== undefined);
  return parts.length === 0 ? undefined : parts.join(' or ');
}

function windowPart(m: DetectedSpanMetrics, w: WindowAsk): string | undefined {
  const by = groupLabels(m).join(', ');
  const range = promDuration(w.windowMs);
  const base = environmentMatchers(m, w.environments);
  const both = `__name__=~${promString(`${regexEscape(m.calls)}|${regexEscape(m.bucket)}`)}`;
  const change = (matchers: string[]): string => windowChange(`{${[both, ...base, ...matchers].join(', ')}}`, range);
  const sum = (inner: string): string => `sum by (${by}, status_code, le) (${inner})`;
  const parts: string[] = [];
  if (w.all) parts.push(sum(change([])));
  else {
    const selectors = fileSelectors(m, w.files);
    if (selectors.length > 0) parts.push(sum(selectors.map((s) => `(${change(s)})`).join(' or ')));
    if (w.top !== undefined) {
      const k = Math.max(1, Math.floor(w.top)) * 2;
      const topk = m.environmentLabel ? `topk by (${m.environmentLabel}) (${k}, ` : `topk(${k}, `;
      const calls = windowChange(`${m.calls}{${base.join(', ')}}`, range);
      parts.push(`${sum(change([]))} and on (${by}) ${topk}sum by (${by}) (${calls}))`);
    }
  }
  if (parts.length === 0) return undefined;
  return `label_replace(${parts.map((p) => `(${p})`).join(' or ')}, ${promString(WINDOW_LABEL)}, ${promString(String(w.windowMs))}, "", "")`;
}

/**
 * A counter's change over the window, per series: now minus `range` ago; the whole value for a
 * series born since (counters start at zero); `increase()` only where the counter was reset.
 */
export function windowChange(series: string, range: string): string {
  return `((${series} - ${series} offset ${range}) >= 0) or (${series} unless ${series} offset ${range}) or increase(${series}[${range}])`;
}

function environmentMatchers(m: DetectedSpanMetrics, environments: readonly string[] | 'all'): string[] {
  if (environments === 'all' || !m.environmentLabel) return [];
  if (environments.length === 1) return [`${m.environmentLabel}=${promString(environments[0])}`];
  return [`${m.environmentLabel}=~${promString(environments.map(regexEscape).join('|'))}`];
}

/**
 * The matcher lists that select the files' series: one code-path regex for all of them, and per
 * service the span names learned for any of them (series without a code path). Empty when none
 * can match. spanMetricsSelection.ts answers the same question for one file locally: keep in step.
 */
function fileSelectors(m: DetectedSpanMetrics, files: readonly FileScope[]): string[][] {
  const selectors: string[][] = [];
  if (files.length === 0) return selectors;
  if (m.labels.has(CODE_LABELS.file)) selectors.push([`${CODE_LABELS.file}=~${promString(filePathsPattern(files))}`]);
  for (const [service, names] of spanNamesByService(files)) {
    const noFile = m.labels.has(CODE_LABELS.file) ? [`${CODE_LABELS.file}=""`] : [];
    selectors.push([...noFile, `${m.serviceLabel}=${promString(service)}`, `span_name=~${promString([...names].map(regexEscape).join('|'))}`]);
  }
  return selectors;
}

/** The (unanchored: PromQL and the local matcher anchor it) pattern of the code paths of `files`. */
export function filePathsPattern(files: readonly FileScope[]): string {
  const suffixes = [...new Set(files.map((f) => pathRegex(f.relative)).filter((p) => p !== ''))];
  const known = [...new Set(files.flatMap((f) => f.productionPaths))].map(regexEscape);
  const alternatives = suffixes.length > 0 ? [`(?:.*[/\\\\])?(?:${suffixes.join('|')})`, ...known] : known;
  // A pattern no path matches when there is nothing to match: keeps the selector valid and empty.
  return alternatives.length > 0 ? alternatives.join('|') : '[^\\s\\S]';
}

/** Span names per service over `files`, the first MAX_SPAN_NAME_SELECTORS services only. */
export function spanNamesByService(files: readonly FileScope[]): Map<string, Set<string>> {
  const byService = new Map<string, Set<string>>();
  for (const f of files)
    for (const { service, spanName } of f.spanNames) {
      let names = byService.get(service);
      if (names === undefined) {
        if (byService.size >= MAX_SPAN_NAME_SELECTORS) continue;
        byService.set(service, (names = new Set()));
      }
      names.add(spanName);
    }
  return byService;
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
