/** Severity of figures against the user's thresholds, for hint colours and hover marks. */
import type { Severity } from '../api/panelView';
export type { Severity } from '../api/panelView';

/** The `runtimeLens.thresholds.*` settings. */
export interface Thresholds {
  latencyWarningMs: number;
  latencyErrorMs: number;
  /** Ratios 0..1. */
  errorRateWarning: number;
  errorRateError: number;
}

/** The settings' defaults. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  latencyWarningMs: 300,
  latencyErrorMs: 1000,
  errorRateWarning: 0.01,
  errorRateError: 0.05,
};

const RANK: Record<Severity, number> = { ok: 0, warning: 1, error: 2 };

/** Severity of a latency (typically a p95) in milliseconds. */
export function latencySeverity(ms: number, t: Thresholds): Severity {
  if (ms >= t.latencyErrorMs) return 'error';
  if (ms >= t.latencyWarningMs) return 'warning';
  return 'ok';
}

/** Severity of an error rate (0..1); a rate of exactly 0 is always ok. */
export function errorRateSeverity(rate: number, t: Thresholds): Severity {
  if (rate <= 0) return 'ok';
  if (rate >= t.errorRateError) return 'error';
  if (rate >= t.errorRateWarning) return 'warning';
  return 'ok';
}

/** The worse of the p95 latency and error rate severities. */
export function figuresSeverity(figures: { p95Ms: number; errorRate: number }, t: Thresholds): Severity {
  return worst(latencySeverity(figures.p95Ms, t), errorRateSeverity(figures.errorRate, t));
}

/** The worse of two severities. */
export function worst(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}
