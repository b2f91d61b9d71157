/**
 * One shadow-run difference as a short phrase an agent reads in a table cell: `p95 ×2.1 (slower)`,
 * `new TypeError ×10`, `calls +127.0.0.1:41531/internal/carrier, 127.0.0.1:41531/internal/prices
 * 3.5/req (was 1)`, `errored in 10 requests (baseline 0)`. Shared by the diff-risk and shadow-run
 * tools. Every string in a report came from traffic: it goes through safeText.
 */
import type { CallDelta, FunctionDelta, LatencyDelta, RouteDelta } from '../api/shadowReport';
import { fmtNumber, safeText } from './agentText';

/** A p95 ratio that reads as slower when the run could not say (older reports have no `slower`): half again, and a millisecond more. */
const SLOWER_RATIO = 1.5;

/** Whether the candidate is slower: the run's own verdict, else a clear p95 ratio. */
export function isSlower(latency: LatencyDelta | null): boolean {
  if (latency === null) return false;
  if (latency.slower !== undefined) return latency.slower;
  return latency.p95Ratio >= SLOWER_RATIO && latency.candidateP95Ms - latency.baselineP95Ms >= 1;
}

/** `p95 ×2.1 (slower)`, `p95 ×0.79`; '' without a baseline. */
export function latencyText(latency: LatencyDelta | null): string {
  if (latency === null) return '';
  return `p95 ×${fmtNumber(latency.p95Ratio)}${isSlower(latency) ? ' (slower)' : ''}`;
}

/** `+host`, `-host`, `host 3.5/req (was 1)`: one call change. */
export function callText(call: CallDelta): string {
  const target = safeText(call.target, 60);
  if (call.change === 'added') return `+${target}`;
  if (call.change === 'missing') return `-${target}`;
  return `${target} ${fmtNumber(call.candidatePerRequest)}/req (was ${fmtNumber(call.baselinePerRequest)})`;
}

/** Whether a function did anything differently worth an agent's attention. */
export function functionDiffers(f: FunctionDelta): boolean {
  return f.newErrors.length > 0 || f.calls.length > 0 || (f.productionCalls?.length ?? 0) > 0 || f.errorSpans.candidate > f.errorSpans.baseline || isSlower(f.latency);
}

/** Whether a route answered differently. */
export function routeDiffers(r: RouteDelta): boolean {
  return r.statusMismatches > 0 || r.shapeChanges.length > 0 || r.newErrors.length > 0 || (r.valueChanges ?? 0) > 0 || isSlower(r.latency);
}

/** The phrases of what a function did differently, most serious first (new errors, errored requests, calls, latency). */
export function functionDeltaParts(f: FunctionDelta): string[] {
  const parts: string[] = [];
  for (const e of f.newErrors.slice(0, 2)) parts.push(`new ${safeText(e.type, 40)} ×${e.candidate}${e.line ? ` at line ${e.line}` : ''}`);
  if (f.newErrors.length > 2) parts.push(`+${f.newErrors.length - 2} more new errors`);
  if (f.errorSpans.candidate > f.errorSpans.baseline && f.newErrors.length === 0) parts.push(`errored in ${f.errorSpans.candidate} requests (baseline ${f.errorSpans.baseline})`);
  if (f.calls.length > 0) parts.push(`calls ${f.calls.slice(0, 3).map(callText).join(', ')}${f.calls.length > 3 ? `, +${f.calls.length - 3} more` : ''}`);
  if (f.productionCalls && f.productionCalls.length > 0) parts.push(`vs production: calls ${f.productionCalls.slice(0, 2).map(callText).join(', ')}`);
  const latency = latencyText(f.latency);
  if (latency !== '') parts.push(latency);
  return parts;
}
