import type { CallSignal, Deployed, DriftSummary, ErrorSignal, Exemplar, FigureSource, FunctionFigureSources, MappedBy, SparkPoint, WindowFigures } from '../api/signals';
import { plausibleRevision } from '../ingest/revisionText';
import { codeSpan, markdownText } from './escape';
import { formatAgo, formatCount, formatMs, formatPercent, formatRate } from '../format';
import { errorRateSeverity, latencySeverity, type Severity, type Thresholds } from './severity';
import { sparklineSvg, svgDataUri } from './sparklineSvg';
import { figureSourceText, functionStaleMark, latencyBucketsText, provenanceLine, staleMark } from './sourcesText';

/** The command a hover link runs to open a trace in the built-in trace view. */
export const OPEN_TRACE_COMMAND = 'runtimeLens.openTrace';

/** One row of the per-window table; `figures` undefined = no calls in that window. */
export interface HoverWindow {
  window: string;
  figures: WindowFigures | undefined;
}

/** Everything a hover on a function (or on a hinted line) shows. */
export interface HoverInput {
  /** Function name, or the line's function when hovering an error or call line. */
  title: string;
  service: string;
  environment: string;
  /** The local (1-based) line the figures belong to. */
  line: number;
  /** Rows of the table (typically 1m, 5m, 1h); the selected one is emphasised. */
  windows: HoverWindow[];
  selectedWindow: string;
  /** Per-minute points for the sparkline and the window they cover. */
  perMinute?: SparkPoint[];
  sparkWindow?: string;
  errors: ErrorSignal[];
  calls: CallSignal[];
  exemplars: Exemplar[];
  mapping?: { mappedBy: MappedBy; confidence: number };
  deployed?: Deployed;
  deployedLine?: number;
  drift?: DriftSummary;
  /** Where the selected window's figures came from (remote sources); absent for the embedded receiver alone. */
  provenance?: FunctionFigureSources;
  /** Where the errors of an error line came from, when no function's figures say it. */
  errorSource?: FigureSource;
  /** `runtimeLens.traceUrlTemplate` ('' = none): `{traceId}` is replaced. */
  traceUrlTemplate: string;
  thresholds: Thresholds;
  now: number;
  /** Error groups and exemplar links listed at most (default 3 and 4). */
  maxErrors?: number;
  maxTraces?: number;
}

const MAPPED_BY: Record<MappedBy, string> = {
  'code-attributes': 'code.* attributes',
  stacktrace: 'a stack trace',
  sourcemap: 'a source map',
  route: 'the HTTP route',
  'span-name': 'the span name',
};

/**
 * Builds the hover's markdown (theme icons `$(…)` and `command:` links: the adapter trusts only
 * OPEN_TRACE_COMMAND). Every telemetry-derived field goes through markdownText or codeSpan.
 */
export function hoverMarkdown(input: HoverInput): string {
  const out: string[] = [];
  const where = [input.service, input.environment]
    .filter((s) => s !== '')
    .map(markdownText)
    .join(' · ');
  out.push(`**${markdownText(input.title)}**${where ? ` · ${where}` : ''}`);
  out.push('');
  out.push(...windowTable(input));
  const from = sourceLine(input);
  if (from) out.push('', from);
  const svg = input.perMinute ? sparklineSvg(input.perMinute) : '';
  if (svg) {
    out.push('');
    out.push(`![latency per minute](${svgDataUri(svg)})  `);
    out.push(`*average latency per minute${input.sparkWindow ? `, last ${input.sparkWindow}` : ''}; red ticks: minutes with errors*`);
  }
  const errors = errorLines(input);
  if (errors.length > 0) out.push('', '**Errors**', '', ...errors);
  const calls = callLines(input);
  if (calls.length > 0) out.push('', '**Outgoing calls**', '', ...calls);
  const traces = traceLinks(input);
  if (traces) out.push('', `**Traces** ${traces}`);
  const footer = footerLine(input);
  if (footer) out.push('', '---', '', footer);
  return out.join('\n');
}

function windowTable(input: HoverInput): string[] {
  if (!input.windows.some((w) => w.figures && w.figures.count > 0)) return [thrownLine(input) ?? '*No calls in the last ' + input.windows.map((w) => markdownText(w.window)).join(', ') + '.*'];
  const rows = ['| | p50 | p95 | p99 | errors | calls/min |', '|:--|--:|--:|--:|--:|--:|'];
  for (const w of input.windows) {
    const label = w.window === input.selectedWindow ? `**${markdownText(w.window)}**` : markdownText(w.window);
    const f = w.figures;
    if (!f || f.count === 0) {
      rows.push(`| ${label} | – | – | – | – | 0 |`);
      continue;
    }
    const errors = f.errors > 0 ? `${mark(errorRateSeverity(f.errorRate, input.thresholds))}${formatPercent(f.errorRate)} (${formatCount(f.errors)})` : '0%';
    rows.push(`| ${label} | ${formatMs(f.p50Ms)} | ${mark(latencySeverity(f.p95Ms, input.thresholds))}${formatMs(f.p95Ms)} | ${formatMs(f.p99Ms)} | ${errors} | ${formatRate(f.ratePerMin)} |`);
  }
  return rows;
}

/**
 * A function that only appears in stacks served no request of its own: it gets what it threw and
 * in which requests, never a rate (the requests belong to their handlers).
 */
function thrownLine(input: HoverInput): string | undefined {
  const threw = input.errors.reduce((n, e) => n + e.count, 0);
  if (threw === 0) return undefined;
  const requests = [...new Set(input.errors.flatMap((e) => e.operations ?? []))].slice(0, 3);
  const where = requests.length > 0 ? `requests of ${requests.map(codeSpan).join(', ')}` : 'requests served by other functions';
  return `Threw ${formatCount(threw)}× in ${where} in the last ${markdownText(input.selectedWindow)}; no requests of its own.`;
}

/** `$(history) **stale 4m** · *Figures from prometheus (span metrics); errors from jaeger (sampled, 212 traces)*`. */
function sourceLine(input: HoverInput): string {
  // Only the source names come from outside (settings, backends): they alone are escaped.
  const text = input.provenance ? provenanceLine(input.provenance, markdownText) : input.errorSource ? `Errors from ${figureSourceText(input.errorSource, markdownText)}` : '';
  if (!text) return '';
  const stale = input.provenance ? functionStaleMark(input.provenance) : staleMark(input.errorSource);
  const why = stale ? `$(history) **${stale}**: the source has not refreshed in time; these are its last figures  \n` : '';
  const buckets = input.provenance?.traffic.latencyBuckets;
  // Histogram percentiles are interpolated inside a bucket: say which, the only claim they can back.
  const range = buckets ? `  \n*Percentiles interpolated in histogram buckets: ${latencyBucketsText(buckets)}*` : '';
  return `${why}*${text}*${range}`;
}

function mark(severity: Severity): string {
  return severity === 'error' ? '$(error) ' : severity === 'warning' ? '$(warning) ' : '';
}

function errorLines(input: HoverInput): string[] {
  const max = input.maxErrors ?? 3;
  const sorted = [...input.errors].sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen);
  const lines = sorted.slice(0, max).map((e) => {
    const total = e.totalCount > e.count ? ` (${formatCount(e.totalCount)} in all)` : '';
    const trace = e.traceIds[0] && isTraceId(e.traceIds[0]) ? ` · ${traceLink('trace', e.traceIds[0])}` : '';
    return `- $(error) **${markdownText(e.type)}**: ${markdownText(truncate(e.message, 160))} — ${formatCount(e.count)}× in ${markdownText(input.selectedWindow)}${total} · first seen ${formatAgo(e.firstSeen, input.now)} · last seen ${formatAgo(e.lastSeen, input.now)}${trace}`;
  });
  if (sorted.length > max) lines.push(`- …and ${sorted.length - max} more error group${sorted.length - max === 1 ? '' : 's'} (see Problems)`);
  return lines;
}

function callLines(input: HoverInput): string[] {
  return [...input.calls]
    .sort((a, b) => b.ratePerMin * b.p95Ms - a.ratePerMin * a.p95Ms)
    .slice(0, 5)
    .map((c) => {
      const errors = c.errors > 0 ? ` · ${mark(errorRateSeverity(c.errorRate, input.thresholds))}${formatPercent(c.errorRate)} errors` : '';
      return `- ${markdownText(c.target)} (line ${c.line}): p95 ${mark(latencySeverity(c.p95Ms, input.thresholds))}${formatMs(c.p95Ms)}${errors} · ${formatRate(c.ratePerMin)}/min`;
    });
}

function traceLinks(input: HoverInput): string {
  const max = input.maxTraces ?? 4;
  const seen = new Set<string>();
  const links: string[] = [];
  // Error exemplars first: a failing trace explains more than a slow one.
  const ordered = [...input.exemplars].sort((a, b) => (a.kind === b.kind ? b.time - a.time : a.kind === 'error' ? -1 : 1));
  for (const e of ordered) {
    if (links.length >= max || seen.has(e.traceId) || !isTraceId(e.traceId)) continue;
    seen.add(e.traceId);
    const label = `${e.kind === 'error' ? '$(error) failed' : '$(watch) slowest'} ${formatMs(e.durationMs)}`;
    const external = externalTraceUrl(input.traceUrlTemplate, e.traceId);
    links.push(`${traceLink(label, e.traceId)}${external ? ` [$(link-external)](${external} "Open in the trace UI")` : ''}`);
  }
  return links.join(' · ');
}

function footerLine(input: HoverInput): string {
  const parts: string[] = [];
  if (input.mapping) parts.push(`Mapped by ${mappedByText(input.mapping.mappedBy)}, confidence ${Math.round(input.mapping.confidence * 100)}%`);
  const revision = driftText(input);
  if (revision) parts.push(revision);
  return parts.join(' · ');
}

function driftText(input: HoverInput): string {
  const d = input.drift;
  const deployed = input.deployed;
  // Whatever the source, a name that does not look like a revision is not shown (it is telemetry).
  const name = plausibleRevision(d?.deployed ?? '') || plausibleRevision(deployed?.revision ?? '');
  const version = plausibleRevision(deployed?.version ?? '');
  if (!name) return version ? `deployed version ${markdownText(version)}` : '';
  const label = `deployed ${codeSpan(shortRevision(name))}${version ? ` (${markdownText(version)})` : ''}`;
  const moved = input.deployedLine !== undefined && input.deployedLine !== input.line ? `; line ${input.deployedLine} there` : '';
  if (!d) return `${label}${moved}`;
  if (d.status === 'same') return `${label} = local HEAD${moved}`;
  if (d.status === 'unknown') return `${label}: ${markdownText(d.reason || 'not found locally')}${moved}`;
  const diff: string[] = [];
  if (d.behind > 0) diff.push(`${d.behind} commit${d.behind === 1 ? '' : 's'} behind local HEAD`);
  if (d.ahead > 0) diff.push(`${d.ahead} commit${d.ahead === 1 ? '' : 's'} not in local HEAD`);
  return `$(git-commit) ${label}: ${diff.join(', ') || 'differs from local HEAD'}${moved}`;
}

/** A `command:` link that opens the trace in the built-in trace view. */
export function traceLink(label: string, traceId: string): string {
  return `[${label}](command:${OPEN_TRACE_COMMAND}?${encodeURIComponent(JSON.stringify([traceId]))} "Open trace ${traceId.slice(0, 8)}…")`;
}

/** The team's trace UI link for a trace, or '' when the template is unset or not http(s). */
export function externalTraceUrl(template: string, traceId: string): string {
  if (!/^https?:\/\//i.test(template) || !/^[0-9a-fA-F]{1,64}$/.test(traceId)) return '';
  // Parentheses and spaces would end the markdown link early.
  return template
    .split('{traceId}')
    .join(traceId)
    .replace(/[ ()]/g, (c) => URL_ESCAPES[c]);
}

const URL_ESCAPES: Record<string, string> = { ' ': '%20', '(': '%28', ')': '%29' };

function shortRevision(revision: string): string {
  return /^[0-9a-f]{12,}$/i.test(revision) ? revision.slice(0, 7) : revision;
}

/** Only hex ids become links: an id is put into a link's target and title. */
function isTraceId(id: string): boolean {
  return /^[0-9a-fA-F]{1,64}$/.test(id);
}

function mappedByText(mappedBy: MappedBy): string {
  return Object.hasOwn(MAPPED_BY, mappedBy) ? MAPPED_BY[mappedBy] : markdownText(String(mappedBy));
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
