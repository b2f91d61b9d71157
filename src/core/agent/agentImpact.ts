/**
 * The hotspot ranking key, in milliseconds of waiting per minute: every call's p95 latency, plus
 * each failed call counted as ERROR_COST_MS of waiting (a failure costs a user at least as much as a
 * ten-second wait). The same idea as the analysis's production ranking, restated here because the
 * agent folder may not import analysis (its sibling): impact = rate × p95 + rate × errorRate × 10 000.
 */
import type { WindowFigures } from '../api/signals';

/** What one failed call weighs in the impact score, in ms of latency. */
export const ERROR_COST_MS = 10_000;

/** `ratePerMin × p95Ms + ratePerMin × errorRate × ERROR_COST_MS`; negative or non-finite figures count as 0. */
export function impactScore(f: Pick<WindowFigures, 'ratePerMin' | 'p95Ms' | 'errorRate'>): number {
  const rate = positive(f.ratePerMin);
  return rate * positive(f.p95Ms) + rate * positive(f.errorRate) * ERROR_COST_MS;
}

/** An impact as `1.2M ms/min`, `45k ms/min`, `830 ms/min`. */
export function fmtImpact(impact: number): string {
  const n = positive(impact);
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function positive(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}
