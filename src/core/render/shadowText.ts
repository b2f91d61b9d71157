/**
 * A shadow run's report as terminal text: the headline, then each route and function that behaved
 * differently, then warnings. Texts that came from traffic or spans go through `esc` (terminalText).
 */
import type { CallDelta, FunctionDelta, LatencyDelta, RouteDelta, ShadowReport } from '../api/shadowReport';
import { formatMs } from '../format';
import { errorsRoseVsProduction } from './shadowDeltas';

/** The report as lines of text ending in a newline. */
export function shadowText(report: ShadowReport, esc: (text: string) => string = (t) => t): string {
  const out: string[] = [];
  const skipped = Object.entries(report.skipped).filter(([, n]) => n > 0);
  const skippedText = skipped.length > 0 ? ` (skipped: ${skipped.map(([why, n]) => `${why} ${n}`).join(', ')})` : '';
  out.push(`Shadow run: ${report.replayed} of ${report.requests} requests replayed${skippedText}`);
  out.push(`  candidate ${esc(report.run.candidate)}${report.run.baseline ? ` against baseline ${esc(report.run.baseline)}` : ' (no baseline: compared with production only)'}; traffic ${esc(report.run.traffic)}`);
  const changed = report.run.changedCode;
  if (changed) out.push(`  ${changed.replayed} replayed requests ran through the ${changed.functions} functions changed since ${esc(changed.since)} in production (picked first)`);
  const s = report.summary;
  const ratio = s.p95Ratio === null ? '' : ` · p95 ×${s.p95Ratio.toFixed(2)}`;
  out.push(`  ${s.statusMismatches} status mismatches · ${s.newErrors} new errors · ${s.shapeChanges} shape changes · ${s.newCalls} new calls${ratio}`);
  const routes = report.routes.filter(changedRoute);
  if (routes.length > 0) out.push('', 'Routes that changed:', ...routes.flatMap((r) => routeLines(r, esc)));
  const functions = report.functions.filter(changedFunction);
  if (functions.length > 0) out.push('', 'Functions that changed:', ...functions.flatMap((f) => functionLines(f, esc)));
  if (routes.length === 0 && functions.length === 0) out.push('', 'No differences beyond the baseline’s own noise.');
  if (report.warnings.length > 0) out.push('', 'Warnings:', ...report.warnings.map((w) => `  ! ${esc(w)}`));
  return `${out.join('\n')}\n`;
}

function changedRoute(r: RouteDelta): boolean {
  return r.statusMismatches > 0 || r.productionMismatches > 0 || r.shapeChanges.length > 0 || r.newErrors.length > 0 || slower(r.latency);
}

function changedFunction(f: FunctionDelta): boolean {
  return f.calls.length > 0 || (f.productionCalls?.length ?? 0) > 0 || f.newErrors.length > 0 || f.errorSpans.candidate > f.errorSpans.baseline || errorsRoseVsProduction(f) || slower(f.latency);
}

/** A p95 at least 1.2 times the baseline's is worth a line. */
function slower(l: LatencyDelta | null): boolean {
  return l !== null && (l.slower ?? l.p95Ratio >= 1.2);
}

function routeLines(r: RouteDelta, esc: (t: string) => string): string[] {
  const lines = [`  ${esc(r.method)} ${esc(r.route)} (${r.requests} requests)`];
  if (r.statusMismatches > 0) {
    const ex = r.examples[0];
    lines.push(`    status differs from the baseline in ${r.statusMismatches}${ex ? `, e.g. ${esc(ex.request)}: ${ex.baseline ?? '?'} -> ${ex.candidate}` : ''}`);
  }
  if (r.productionMismatches > 0) lines.push(`    status differs from production in ${r.productionMismatches}`);
  for (const c of r.shapeChanges) lines.push(`    ${esc(c.path)} ${c.change === 'retyped' ? `${c.from} -> ${c.to}` : c.change} (${c.requests} requests)`);
  if (r.latency && slower(r.latency)) lines.push(`    ${latencyText(r.latency)}`);
  for (const e of r.newErrors) lines.push(`    new error ${esc(e.type)}: ${esc(e.message)} (${e.candidate} requests, baseline ${e.baseline})`);
  return lines;
}

function functionLines(f: FunctionDelta, esc: (t: string) => string): string[] {
  const lines = [`  ${esc(f.function)} ${esc(f.file)}:${f.line} (${f.service ? `${esc(f.service)}, ` : ''}${f.requests} requests)`];
  if (f.latency && slower(f.latency)) lines.push(`    ${latencyText(f.latency)}`);
  for (const c of f.calls) lines.push(`    ${callText(c, esc)}`);
  for (const c of f.productionCalls ?? []) lines.push(`    against production: ${callText(c, esc)}`);
  if (f.errorSpans.candidate > f.errorSpans.baseline) lines.push(`    spans errored in ${f.errorSpans.candidate} requests (baseline ${f.errorSpans.baseline})`);
  const p = f.productionErrorSpans;
  if (p && errorsRoseVsProduction(f)) lines.push(`    against production: spans errored in ${p.candidate} of ${p.requests} requests (production ${p.production})`);
  for (const e of f.newErrors) lines.push(`    new error ${esc(e.type)}: ${esc(e.message)}${e.line ? ` at line ${e.line}` : ''}`);
  return lines;
}

function latencyText(l: LatencyDelta): string {
  return `p95 ×${l.p95Ratio.toFixed(2)} (${formatMs(l.baselineP95Ms)} -> ${formatMs(l.candidateP95Ms)}), p50 ×${l.p50Ratio.toFixed(2)}`;
}

/** One call change; in `productionCalls`, the "before" side is production. */
function callText(c: CallDelta, esc: (t: string) => string): string {
  const where = c.line ? ` (line ${c.line})` : '';
  const per = `${trim(c.baselinePerRequest)} -> ${trim(c.candidatePerRequest)} per request`;
  const what = c.change === 'added' ? 'new call to' : c.change === 'missing' ? 'no longer calls' : 'repeats the call to';
  return `${what} ${esc(c.target)}${where}: ${per}, in ${c.requests} requests`;
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
