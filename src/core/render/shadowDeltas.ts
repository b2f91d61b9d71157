/**
 * What counts as a change in a shadow report, and how its figures read, shared by the report view,
 * the CodeLens and the panel line so the three never disagree.
 */
import type { CallDelta, FunctionDelta, LatencyDelta, RouteDelta } from '../api/shadowReport';
import type { Severity } from '../api/panelView';
import { errorsRose } from '../shadow/productionCallTally';

/** A p95 at least this many times the baseline's is a change (as in the CLI's text report). */
export const SLOWER_RATIO = 1.2;
/** ... and at least this many times, an alarming one. */
export const MUCH_SLOWER_RATIO = 2;

/** `×1.4`, `×0.6`, `×12`, `×0.04`: two significant figures at most, no trailing zero. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio < 0) return '×?';
  if (ratio >= 10) return `×${Math.round(ratio)}`;
  const digits = ratio >= 1 ? 1 : ratio >= 0.1 ? 1 : 2;
  return `×${Number(ratio.toFixed(digits))}`;
}

/** ... by at least this much: ×1.5 on a 0.4 ms function is timer noise, not a change anyone can act on. */
export const MIN_SLOWER_MS = 2;

/** The level of a latency ratio: slower by SLOWER_RATIO (and MIN_SLOWER_MS) warns, by MUCH_SLOWER_RATIO alarms. */
export function latencyLevel(l: LatencyDelta | null): Severity {
  // A difference the paired test does not back is noise (a loaded machine slows both sides alike).
  if (!l || l.slower === false || l.candidateP95Ms - l.baselineP95Ms < MIN_SLOWER_MS) return 'ok';
  return l.p95Ratio >= MUCH_SLOWER_RATIO ? 'error' : l.p95Ratio >= SLOWER_RATIO ? 'warning' : 'ok';
}

/** True when the route behaved differently (status, shape, errors, or slower). */
export function routeChanged(r: RouteDelta): boolean {
  return r.statusMismatches > 0 || r.productionMismatches > 0 || r.shapeChanges.length > 0 || r.newErrors.length > 0 || latencyLevel(r.latency) !== 'ok';
}

/** True when the function behaved differently (calls against the baseline or production, errors, or slower). */
export function functionChanged(f: FunctionDelta): boolean {
  return f.calls.length > 0 || (f.productionCalls?.length ?? 0) > 0 || f.newErrors.length > 0 || f.errorSpans.candidate > f.errorSpans.baseline || errorsRoseVsProduction(f) || latencyLevel(f.latency) !== 'ok';
}

/** True when its spans now error where production's did not (see errorsRose). */
export function errorsRoseVsProduction(f: FunctionDelta): boolean {
  return errorsRose(f.productionErrorSpans);
}

/** `1 new error`, `2 new errors`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `3.5` or `1`: per-request counts with one decimal at most. */
export function perRequest(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(1)));
}

/** The short form of the calls of one function: `+1 call`, `−2 calls`, `1 call repeated ×3.5`. */
export function callBadges(calls: CallDelta[]): string[] {
  const added = calls.filter((c) => c.change === 'added').length;
  const missing = calls.filter((c) => c.change === 'missing').length;
  const repeated = calls.filter((c) => c.change === 'repeated');
  const out: string[] = [];
  if (added > 0) out.push(`+${plural(added, 'call')}`);
  if (missing > 0) out.push(`−${plural(missing, 'call')}`);
  if (repeated.length > 0) {
    const worst = Math.max(...repeated.map((c) => (c.baselinePerRequest > 0 ? c.candidatePerRequest / c.baselinePerRequest : c.candidatePerRequest)));
    out.push(`${plural(repeated.length, 'call')} repeated ${formatRatio(worst)}`);
  }
  return out;
}

/** Skip reasons as people say them. */
export function skipLabel(reason: string): string {
  const known: Record<string, string> = {
    'method-not-allowed': 'method not allowed',
    'needs-body': 'needs a body',
    unreadable: 'unreadable',
    'over-budget': 'over budget',
    'not-http': 'not HTTP',
  };
  return Object.hasOwn(known, reason) ? known[reason] : reason.replace(/-/g, ' ');
}
