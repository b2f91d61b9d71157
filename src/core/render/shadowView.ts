/**
 * The shadow report's view models: the report webview's (summary strip, per-route table, per-function
 * deltas, warnings) and the Live Signals panel's one line. Texts from the report came from traffic and
 * spans: they are flattened to one line without control or bidi characters here, and the webview puts
 * them in text nodes only.
 */
import type { Severity } from '../api/panelView';
import type { CallDelta, ErrorDelta, FunctionDelta, RouteDelta, ShadowReport } from '../api/shadowReport';
import type { ShadowCell, ShadowDetail, ShadowFunctionRow, ShadowPanelLine, ShadowReportView, ShadowRouteRow, ShadowTile } from '../api/shadowView';
import { formatCount, formatMs } from '../format';
import { plainText as t } from './escape';
import { callBadges, errorsRoseVsProduction, formatRatio, functionChanged, latencyLevel, perRequest, plural, routeChanged, skipLabel } from './shadowDeltas';

export type { ShadowFunctionRow, ShadowPanelLine, ShadowReportView, ShadowRouteRow, ShadowTile } from '../api/shadowView';

/** Mappings less sure than this say so on their row. */
const UNSURE_MAPPING = 0.5;
const RANK: Record<Severity, number> = { ok: 0, warning: 1, error: 2 };

/** The key of a function's row: what a CodeLens names to bring that row into view. */
export function shadowFunctionKey(f: Pick<FunctionDelta, 'file' | 'line' | 'function'>): string {
  return t(`${f.file}:${f.line}:${f.function}`);
}

/** True when the run was cancelled (the report then covers what was replayed until then). */
export function wasCancelled(report: ShadowReport): boolean {
  return report.warnings.some((w) => w.startsWith('cancelled after '));
}

/** Builds the report webview's model: changed routes and functions first, the worst first. */
export function buildShadowView(report: ShadowReport): ShadowReportView {
  const routes = report.routes.map(routeRow).sort(byChange);
  const functions = report.functions.map(functionRow).sort(byChange);
  const changedRoutes = routes.filter((r) => r.changed);
  const changedFunctions = functions.filter((f) => f.changed);
  const level = worst([...changedRoutes, ...changedFunctions].map((r) => r.level));
  const nothing = changedRoutes.length === 0 && changedFunctions.length === 0;
  const verdict = nothing
    ? { text: report.run.baseline ? 'No differences beyond the baseline’s own noise' : 'No differences from what production answered', level: 'ok' as Severity }
    : { text: `${plural(changedRoutes.length, 'route')} and ${plural(changedFunctions.length, 'function')} changed behaviour`, level };
  // The CLI names a worktree baseline in a warning; it reads better as the baseline itself.
  const worktree = report.warnings.find((w) => w.startsWith('baseline: '));
  const facts = [
    { label: 'Candidate', value: t(report.run.candidate) },
    { label: 'Baseline', value: worktree ? t(worktree.slice('baseline: '.length)) : report.run.baseline ? t(report.run.baseline) : 'none (compared with production)' },
    { label: 'Traffic', value: t(report.run.traffic) },
    ...(report.run.changedCode
      ? [{ label: 'Picked first', value: `${plural(report.run.changedCode.replayed, 'request')} through the ${plural(report.run.changedCode.functions, 'function')} changed since ${t(report.run.changedCode.since)}` }]
      : []),
    { label: 'Took', value: formatMs(report.run.durationMs) },
  ];
  return {
    verdict,
    facts,
    startedAt: report.run.startedAt,
    tiles: tiles(report),
    skipped: Object.entries(report.skipped)
      .filter(([, n]) => n > 0)
      .map(([reason, count]) => ({ reason: t(reason), label: t(skipLabel(reason)), count })),
    routes,
    functions,
    warnings: report.warnings.filter((w) => w !== worktree).map(t),
    hasBaseline: report.run.baseline !== undefined,
    cancelled: wasCancelled(report),
  };
}

/** The Live Signals panel's line: the headline figures that are not zero, or that nothing changed. */
export function shadowPanelLine(report: ShadowReport): ShadowPanelLine {
  const s = report.summary;
  const parts: string[] = [];
  if (s.statusMismatches > 0) parts.push(plural(s.statusMismatches, 'status mismatch', 'status mismatches'));
  if (s.newErrors > 0) parts.push(plural(s.newErrors, 'new error'));
  if (s.shapeChanges > 0) parts.push(plural(s.shapeChanges, 'shape change'));
  if (s.newCalls > 0) parts.push(plural(s.newCalls, 'new call'));
  const slower = s.p95Ratio !== null && s.p95Ratio >= 1.2 && s.slower !== false;
  if (s.p95Ratio !== null && (parts.length > 0 || slower)) parts.push(`p95 ${formatRatio(s.p95Ratio)} vs base`);
  const level: Severity = s.statusMismatches + s.newErrors + s.shapeChanges > 0 ? 'error' : s.newCalls > 0 || slower ? 'warning' : 'ok';
  const detail = [`${formatCount(report.replayed)} of ${formatCount(report.requests)} requests`, t(report.run.traffic), wasCancelled(report) ? 'cancelled' : ''].filter((x) => x !== '').join(' · ');
  return { text: parts.length > 0 ? parts.join(' · ') : 'No differences beyond the baseline’s own noise', level, startedAt: report.run.startedAt, detail };
}

function tiles(report: ShadowReport): ShadowTile[] {
  const s = report.summary;
  const count = (key: ShadowTile['key'], label: string, n: number, detail: string, bad: Severity): ShadowTile => ({ key, label, value: formatCount(n), detail, level: n > 0 ? bad : 'ok' });
  return [
    { key: 'replayed', label: 'Replayed', value: formatCount(report.replayed), detail: `of ${formatCount(report.requests)} requests read`, level: report.replayed === 0 ? 'warning' : 'ok' },
    count('status', 'Status mismatches', s.statusMismatches, 'answered unlike the baseline', 'error'),
    count('errors', 'New errors', s.newErrors, 'raised only by the candidate', 'error'),
    count('shape', 'Shape changes', s.shapeChanges, 'JSON fields changed', 'error'),
    count('calls', 'New calls', s.newCalls, 'downstream calls changed', 'warning'),
    {
      key: 'p95',
      label: 'p95 vs base',
      value: s.p95Ratio === null ? '–' : formatRatio(s.p95Ratio),
      detail: s.p95Ratio === null ? 'no baseline' : 'candidate p95 / baseline p95',
      // A ratio the paired test does not back is the machine's noise, shown but not coloured.
      level: s.p95Ratio === null || s.slower === false ? 'ok' : s.p95Ratio >= 2 ? 'error' : s.p95Ratio >= 1.2 ? 'warning' : 'ok',
    },
  ];
}

function routeRow(r: RouteDelta): ShadowRouteRow {
  const details: ShadowDetail[] = [];
  if (r.statusMismatches > 0) {
    const ex = r.examples[0];
    const example = ex ? `, e.g. ${t(ex.request)}: ${ex.baseline ?? '?'} → ${ex.candidate}` : '';
    details.push({ kind: 'status', level: 'error', text: `${r.statusMismatches} of ${r.requests} requests answered with another status than the baseline${example}` });
  }
  if (r.productionMismatches > 0) details.push({ kind: 'production', level: 'warning', text: `${r.productionMismatches} of ${r.requests} answered with another status than production did` });
  for (const c of r.shapeChanges) {
    const what = c.change === 'retyped' ? `${t(c.from ?? '?')} → ${t(c.to ?? '?')}` : c.change;
    details.push({ kind: 'shape', level: c.change === 'added' ? 'warning' : 'error', text: `${t(c.path)} ${what} (${plural(c.requests, 'request')})` });
  }
  if (r.latency && latencyLevel(r.latency) !== 'ok') details.push({ kind: 'latency', level: latencyLevel(r.latency), text: latencyText(r.latency) });
  if ((r.valueChanges ?? 0) > 0) details.push({ kind: 'values', level: 'warning', text: `field values or headers differ in ${plural(r.valueChanges ?? 0, 'request')}` });
  for (const e of r.newErrors) details.push(errorDetail(e));
  const changed = routeChanged(r);
  const statusLevel: Severity = r.statusMismatches > 0 ? 'error' : r.productionMismatches > 0 ? 'warning' : 'ok';
  const shapeLevel: Severity = r.shapeChanges.some((c) => c.change !== 'added') ? 'error' : r.shapeChanges.length > 0 ? 'warning' : 'ok';
  const errorsLevel: Severity = r.newErrors.length > 0 ? 'error' : 'ok';
  return {
    key: t(`${r.method} ${r.route}`),
    method: t(r.method),
    route: t(r.route),
    requests: formatCount(r.requests),
    changed,
    level: worst([statusLevel, shapeLevel, errorsLevel, latencyLevel(r.latency), (r.valueChanges ?? 0) > 0 ? 'warning' : 'ok']),
    status: {
      text: r.statusMismatches > 0 ? `${r.statusMismatches} of ${r.requests}` : r.productionMismatches > 0 ? `${r.productionMismatches} vs prod` : '0',
      level: statusLevel,
      title: `${r.statusMismatches} differ from the baseline, ${r.productionMismatches} from production`,
    },
    shape: { text: String(r.shapeChanges.length), level: shapeLevel },
    p95: latencyCell(r.latency),
    errors: { text: String(r.newErrors.length), level: errorsLevel },
    details,
  };
}

function functionRow(f: FunctionDelta): ShadowFunctionRow {
  const details: ShadowDetail[] = [];
  const badges: ShadowCell[] = [];
  const slow = latencyLevel(f.latency);
  if (f.latency && slow !== 'ok') {
    details.push({ kind: 'latency', level: slow, text: latencyText(f.latency) });
    badges.push({ text: `p95 ${formatRatio(f.latency.p95Ratio)}`, level: slow });
  }
  if (f.newErrors.length > 0) badges.push({ text: plural(f.newErrors.length, 'new error'), level: 'error' });
  else if (f.errorSpans.candidate > f.errorSpans.baseline) badges.push({ text: `errors in ${f.errorSpans.candidate}`, level: 'error' });
  for (const b of callBadges(f.calls)) badges.push({ text: b, level: 'warning' });
  for (const b of callBadges(f.productionCalls ?? [])) badges.push({ text: `${b} vs prod`, level: 'warning' });
  for (const c of f.calls) details.push(callDetail(c, ''));
  for (const c of f.productionCalls ?? []) details.push(callDetail(c, 'Against production: '));
  if (f.errorSpans.candidate > f.errorSpans.baseline) {
    details.push({ kind: 'errorSpans', level: 'error', text: `Its spans errored in ${plural(f.errorSpans.candidate, 'request')} (baseline: ${f.errorSpans.baseline})` });
  }
  const prod = f.productionErrorSpans;
  if (prod && errorsRoseVsProduction(f)) {
    details.push({ kind: 'errorSpans', level: 'error', text: `Against production: its spans errored in ${prod.candidate} of ${plural(prod.requests, 'request')} (production: ${prod.production})` });
    if (f.newErrors.length === 0 && f.errorSpans.candidate <= f.errorSpans.baseline) badges.push({ text: `errors in ${prod.candidate} vs prod`, level: 'error' });
  }
  for (const e of f.newErrors) details.push(errorDetail(e));
  const changed = functionChanged(f);
  return {
    key: shadowFunctionKey(f),
    function: t(f.function),
    service: t(f.service),
    file: f.file,
    line: f.line,
    location: `${t(f.file)}:${f.line}`,
    requests: formatCount(f.requests),
    changed,
    level: changed ? worst([...badges.map((b) => b.level), ...details.map((d) => d.level)]) : 'ok',
    p95: latencyCell(f.latency),
    badges,
    details,
    confidence: f.confidence < UNSURE_MAPPING ? `mapped with ${Math.round(f.confidence * 100)}% confidence` : '',
  };
}

/** One call change as a detail row; `prefix` says what it is compared with when that is not the baseline. */
function callDetail(c: CallDelta, prefix: string): ShadowDetail {
  const per = `${perRequest(c.baselinePerRequest)} → ${perRequest(c.candidatePerRequest)} per request in ${plural(c.requests, 'request')}`;
  const what = c.change === 'added' ? 'new call to' : c.change === 'missing' ? 'no longer calls' : 'repeats the call to';
  const text = prefix === '' ? `${what[0].toUpperCase()}${what.slice(1)}` : `${prefix}${what}`;
  return { kind: 'call', level: 'warning', text: `${text} ${t(c.target)}: ${per}`, ...(c.line ? { line: c.line } : {}) };
}

function errorDetail(e: ErrorDelta): ShadowDetail {
  const where = e.file && e.line ? ` at ${t(e.file)}:${e.line}` : '';
  return {
    kind: 'error',
    level: 'error',
    text: `${t(e.type)}: ${t(e.message)}${where} (${plural(e.candidate, 'request')}, baseline ${e.baseline})`,
    ...(e.line ? { line: e.line } : {}),
  };
}

function latencyText(l: NonNullable<RouteDelta['latency']>): string {
  return `p95 ${formatRatio(l.p95Ratio)} vs base: ${formatMs(l.baselineP95Ms)} → ${formatMs(l.candidateP95Ms)} (p50 ${formatRatio(l.p50Ratio)})`;
}

function latencyCell(l: RouteDelta['latency']): ShadowCell {
  if (!l) return { text: '–', level: 'ok', title: 'no baseline latency to compare with' };
  return { text: formatRatio(l.p95Ratio), level: latencyLevel(l), title: `p95 ${formatMs(l.baselineP95Ms)} → ${formatMs(l.candidateP95Ms)}; p50 ${formatMs(l.baselineP50Ms)} → ${formatMs(l.candidateP50Ms)}` };
}

function worst(levels: Severity[]): Severity {
  return levels.reduce<Severity>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');
}

/** Changed rows first, the worst first; the rest keep the report's order (sort is stable). */
function byChange(a: { changed: boolean; level: Severity; details: unknown[] }, b: { changed: boolean; level: Severity; details: unknown[] }): number {
  return Number(b.changed) - Number(a.changed) || RANK[b.level] - RANK[a.level] || b.details.length - a.details.length;
}
