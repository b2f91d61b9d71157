/**
 * How the team's sources and the provenance of figures read in the editor: the status bar's
 * summary and tooltip, the panel's Sources rows, the `stale 4m` mark of a figure, and the hover's
 * "from where" line. Names and errors come from settings and backends: callers escape for their
 * surface (iconSafe, markdownText); here they are only cut to one line.
 */
import type { SourceRowView } from '../api/panelView';
import type { BucketRange, FigureSource, FunctionFigureSources, LatencyBuckets, SourceSummary } from '../api/signals';
import { formatAgo, formatCount, formatMs } from '../format';

/** A duration as the compact age marks use: `45s`, `4m`, `2h`, `3d`. */
export function shortAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h` : `${Math.floor(h / 24)}d`;
}

/** `stale 4m` when a figure's source has not refreshed in time, else ''. */
export function staleMark(source: FigureSource | undefined): string {
  if (!source?.stale) return '';
  return source.ageMs !== undefined ? `stale ${shortAge(source.ageMs)}` : 'stale';
}

/** The stale mark of a function's figures: the older of its traffic and errors marks. */
export function functionStaleMark(figures: FunctionFigureSources | undefined): string {
  if (!figures) return '';
  const stale = [figures.traffic, figures.errors].filter((f) => f.stale);
  if (stale.length === 0) return '';
  return staleMark(stale.reduce((a, b) => ((b.ageMs ?? 0) > (a.ageMs ?? 0) ? b : a)));
}

/** What a CodeLens title gets after its figures: ` · $(history) stale 4m`, or ''. */
export function lensStaleSuffix(figures: FunctionFigureSources | undefined): string {
  const mark = functionStaleMark(figures);
  return mark ? ` · $(history) ${mark}` : '';
}

const BASIS: Record<FigureSource['basis'], string> = { spans: 'every span', sampled: 'sampled', metrics: 'span metrics', logs: 'logs' };

/** `jaeger (sampled, 212 traces)`, `prometheus (span metrics)`, `embedded (every span)`, plus the stale mark; `esc` is applied to the source's name. */
export function figureSourceText(f: FigureSource, esc: (text: string) => string = (t) => t): string {
  const basis = Object.hasOwn(BASIS, f.basis) ? BASIS[f.basis] : 'unknown basis';
  const traces = f.basis === 'sampled' && f.traces !== undefined ? `, ${formatCount(f.traces)} trace${f.traces === 1 ? '' : 's'}` : '';
  const stale = staleMark(f);
  return `${esc(oneLine(f.source))} (${basis}${traces}${stale ? `, ${stale}` : ''})`;
}

/** Where a function's figures came from, one line: `Figures from prometheus (span metrics); errors from jaeger (sampled, 212 traces)`. */
export function provenanceLine(figures: FunctionFigureSources | undefined, esc: (text: string) => string = (t) => t): string {
  if (!figures) return '';
  const traffic = figureSourceText(figures.traffic, esc);
  const errors = figureSourceText(figures.errors, esc);
  return traffic === errors ? `Figures from ${traffic}` : `Figures from ${traffic}; errors from ${errors}`;
}

/** `p50 in 10–50 ms · p95 in 50–100 ms · p99 above 15 s`: what histogram buckets say of the percentiles. */
export function latencyBucketsText(b: LatencyBuckets): string {
  const range = ([lo, hi]: BucketRange): string => {
    if (hi === null) return `above ${formatMs(lo)}`;
    const [low, high] = [formatMs(lo), formatMs(hi)];
    const unit = (t: string) => t.slice(t.lastIndexOf(' '));
    return `in ${unit(low) === unit(high) ? low.slice(0, low.lastIndexOf(' ')) : low}–${high}`;
  };
  return `p50 ${range(b.p50Ms)} · p95 ${range(b.p95Ms)} · p99 ${range(b.p99Ms)}`;
}

/** One source as a row of the panel's Sources section or a line of the status bar's tooltip. */
export type SourceRowText = SourceRowView;

/** The rows of the sources, in the answer's order. */
export function sourceRows(sources: readonly SourceSummary[], now: number): SourceRowText[] {
  return sources.map((s) => {
    const parts: string[] = [s.state];
    parts.push(s.lastSuccess === null ? 'no answer yet' : `last success ${formatAgo(s.lastSuccess, now)}`);
    if (s.stalenessMs !== null && s.stalenessMs !== undefined) parts.push(`lag ${shortAge(s.stalenessMs)}`);
    return { name: oneLine(s.name), kind: oneLine(s.kind), state: s.state, text: parts.join(' · '), ...(s.error ? { error: oneLine(s.error).slice(0, 300) } : {}) };
  });
}

/**
 * The status bar's part for the sources: `2 sources · jaeger stale 3m` (the first source that is not
 * ok names itself; `+1` more), or '' when only the embedded receiver answers.
 */
export function sourcesStatusText(sources: readonly SourceSummary[] | undefined, now: number): { text: string; tooltip: string[]; problem: boolean } {
  const remote = (sources ?? []).filter((s) => s.kind !== 'embedded');
  if (remote.length === 0) return { text: '', tooltip: [], problem: false };
  const unwell = remote.filter((s) => s.state === 'stale' || s.state === 'error');
  const first = unwell[0];
  const mark = (s: SourceSummary): string => {
    if (s.state === 'error') return `${oneLine(s.name)} error`;
    const age = s.lastSuccess !== null ? now - s.lastSuccess : s.stalenessMs;
    return `${oneLine(s.name)} stale${age !== null && age !== undefined ? ` ${shortAge(age)}` : ''}`;
  };
  const head = `${remote.length} source${remote.length === 1 ? '' : 's'}`;
  const text = first ? `${head} · ${mark(first)}${unwell.length > 1 ? ` +${unwell.length - 1}` : ''}` : head;
  const tooltip = sourceRows(sources ?? [], now).map((r) => `${r.name} (${r.kind}): ${r.text}${r.error ? ` — ${r.error}` : ''}`);
  return { text, tooltip, problem: unwell.length > 0 };
}

function oneLine(text: string): string {
  return String(text)
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .trim();
}
