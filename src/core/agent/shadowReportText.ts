/**
 * A shadow run's report as an agent reads it: one summary line, the routes that answered
 * differently (status, shape, new errors, values, p95), the functions that behaved differently
 * (p95 ratio, new errors, call changes, with file:line), and the run's warnings; rows past the
 * budget are dropped and counted. Routes, paths, messages and hosts came from traffic: safeText.
 */
import type { RouteDelta, ShadowReport } from '../api/shadowReport';
import { fitRows } from './answerBudget';
import { table } from './agentTable';
import { fileLine, fmtMs, fmtNumber, safeText } from './agentText';
import { functionDeltaParts, functionDiffers, latencyText, routeDiffers } from './shadowDeltaText';

/** The report in at most `maxTokens` tokens. */
export function renderShadowReport(report: ShadowReport, maxTokens: number): string {
  const s = report.summary;
  const run = report.run;
  const header: string[] = [];
  header.push(
    `shadow run: ${report.replayed} of ${report.requests} requests replayed against ${safeText(run.candidate, 80)}${run.baseline ? `, baseline ${safeText(run.baseline, 80)}` : ', no baseline'}; traffic ${safeText(run.traffic, 80)}; ${fmtMs(run.durationMs)}`,
  );
  const p95 = s.p95Ratio === null ? 'p95 not compared (no baseline)' : `p95 ×${fmtNumber(s.p95Ratio)}${s.slower ? ' (slower)' : ''}`;
  header.push(
    `summary: ${counted(s.statusMismatches, 'status mismatch', 'es')}, ${counted(s.newErrors, 'new error')}, ${counted(s.shapeChanges, 'shape change')}, ${counted(s.newCalls, 'new call')}${s.valueChanges !== undefined ? `, ${counted(s.valueChanges, 'value change')}` : ''}; ${p95}`,
  );
  const skipped = Object.entries(report.skipped).filter(([, n]) => n > 0);
  if (skipped.length > 0) header.push(`skipped: ${skipped.map(([why, n]) => `${safeText(why, 40)} ${n}`).join(', ')}`);
  if (run.changedCode) header.push(`picked by code changed since ${safeText(run.changedCode.since, 60)}: ${run.changedCode.replayed} replayed requests ran through ${run.changedCode.functions} changed functions`);

  const rows: string[] = [];
  const routes = report.routes.filter(routeDiffers);
  const functions = report.functions.filter(functionDiffers);
  if (routes.length === 0 && functions.length === 0) {
    header.push(report.replayed === 0 ? 'nothing was replayed: no differences to show' : 'no route or function behaved differently');
  }
  if (routes.length > 0) {
    const t = table(
      [
        { title: 'route', max: 60 },
        { title: 'requests', align: 'right' },
        { title: 'status≠', align: 'right' },
        { title: 'example', max: 60 },
        { title: 'shape', max: 60 },
        { title: 'new errors', max: 100 },
        { title: 'values≠', align: 'right' },
        { title: 'latency', max: 24 },
      ],
      routes.map((r) => [`${safeText(r.method, 10)} ${safeText(r.route, 60)}`, String(r.requests), String(r.statusMismatches), exampleCell(r), shapeCell(r), errorsCell(r), String(r.valueChanges ?? 0), routeLatency(r)]),
    );
    rows.push(`routes that answered differently (${routes.length} of ${report.routes.length}):`, ...t.header, ...t.rows);
  }
  if (functions.length > 0) {
    const t = table(
      [
        { title: 'function', max: 50 },
        { title: 'file:line', max: 60 },
        { title: 'requests', align: 'right' },
        { title: 'what changed', max: 160 },
      ],
      functions.map((f) => [safeText(f.function, 50), fileLine(f.file, f.line), String(f.requests), functionDeltaParts(f).join('; ')]),
    );
    rows.push(`functions that behaved differently (${functions.length} of ${report.functions.length}):`, ...t.header, ...t.rows);
  }
  const footer = report.warnings.slice(0, 5).map((w) => `warning: ${safeText(w, 200)}`);
  if (report.warnings.length > 5) footer.push(`… ${report.warnings.length - 5} more warnings`);
  return fitRows(header, rows, maxTokens, footer);
}

function exampleCell(r: RouteDelta): string {
  const e = r.examples[0];
  if (!e) return '–';
  const other = e.baseline !== undefined ? `baseline ${e.baseline}` : e.production !== undefined ? `production ${e.production}` : '';
  return `${safeText(e.request, 40)} → ${e.candidate}${other ? ` (${other})` : ''}`;
}

function shapeCell(r: RouteDelta): string {
  if (r.shapeChanges.length === 0) return '–';
  const parts = r.shapeChanges.slice(0, 2).map((c) => `${safeText(c.path, 30)} ${c.change === 'retyped' ? `${c.from}→${c.to}` : c.change}`);
  return `${parts.join(', ')}${r.shapeChanges.length > 2 ? `, +${r.shapeChanges.length - 2}` : ''}`;
}

function errorsCell(r: RouteDelta): string {
  if (r.newErrors.length === 0) return '–';
  const e = r.newErrors[0]!;
  const at = e.file ? ` at ${fileLine(e.file, e.line ?? 0)}` : '';
  return `${safeText(`${e.type}: ${e.message}`, 70)} ×${e.candidate}${at}${r.newErrors.length > 1 ? `, +${r.newErrors.length - 1}` : ''}`;
}

function routeLatency(r: RouteDelta): string {
  return latencyText(r.latency) || '–';
}

function counted(n: number, what: string, suffix = 's'): string {
  return `${n} ${what}${n === 1 ? '' : suffix}`;
}
