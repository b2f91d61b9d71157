/**
 * The CodeLens of a function that changed behaviour in the last shadow run:
 * `shadow: p95 ×1.4 vs base · 2 new errors · +1 call`. Only numbers and fixed words: nothing from the
 * report's texts goes into the title (the tooltip takes them, flattened).
 */
import type { FunctionDelta, ShadowReport } from '../api/shadowReport';
import { plainText } from './escape';
import { callBadges, errorsRoseVsProduction, formatRatio, functionChanged, latencyLevel, plural } from './shadowDeltas';

/** One function's lens: where it goes and what it says. */
export interface ShadowLens {
  file: string;
  /** 1-based. */
  line: number;
  function: string;
  title: string;
  tooltip: string;
}

/** The lens title of one function, or undefined when it did not change behaviour. */
export function shadowLensTitle(f: FunctionDelta): string | undefined {
  if (!functionChanged(f)) return undefined;
  const parts: string[] = [];
  if (f.latency && latencyLevel(f.latency) !== 'ok') parts.push(`p95 ${formatRatio(f.latency.p95Ratio)} vs base`);
  if (f.newErrors.length > 0) parts.push(plural(f.newErrors.length, 'new error'));
  else if (f.errorSpans.candidate > f.errorSpans.baseline) parts.push(`errors in ${plural(f.errorSpans.candidate, 'request')}`);
  else if (errorsRoseVsProduction(f)) parts.push(`errors in ${plural(f.productionErrorSpans!.candidate, 'request')} vs prod`);
  parts.push(...callBadges(f.calls));
  parts.push(...callBadges(f.productionCalls ?? []).map((b) => `${b} vs prod`));
  return `shadow: ${parts.join(' · ')}`;
}

/** The lenses of `file` (workspace-relative) from a report, one per changed function, in line order. */
export function shadowLenses(report: ShadowReport, file: string): ShadowLens[] {
  const out: ShadowLens[] = [];
  for (const f of report.functions) {
    if (f.file !== file || !Number.isInteger(f.line) || f.line < 1) continue;
    const title = shadowLensTitle(f);
    if (!title) continue;
    const lines = [`${plainText(f.function)}: what the last shadow run saw change (${plural(f.requests, 'request')}); open the report`];
    for (const c of f.calls) lines.push(`${c.change} call: ${plainText(c.target)}${c.line ? ` (line ${c.line})` : ''}`);
    for (const c of f.productionCalls ?? []) lines.push(`${c.change} call against production: ${plainText(c.target)}${c.line ? ` (line ${c.line})` : ''}`);
    for (const e of f.newErrors) lines.push(`new error: ${plainText(e.type)}: ${plainText(e.message)}`);
    out.push({ file, line: f.line, function: f.function, title, tooltip: lines.join('\n') });
  }
  return out.sort((a, b) => a.line - b.line);
}
