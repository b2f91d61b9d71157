/**
 * Exact percentiles of a set of durations (nearest rank: the smallest value with at least q of the
 * values at or below it, so every figure is a duration that was measured) and the candidate /
 * baseline latency delta built from them.
 */
import type { LatencyDelta } from '../api/shadowReport';

/** A baseline percentile below this (ms) is taken as this, so a ratio stays finite and JSON-safe. */
const MIN_BASE_MS = 0.001;

/** The nearest-rank percentile `q` (0..1) of `values`; NaN for none. Sorts a copy. */
export function percentile(values: readonly number[], q: number): number {
  return values.length === 0 ? Number.NaN : rank(sortedCopy(values), q);
}

/** Sign-test z a paired difference must reach: one-sided, about 1 in 740 by chance. */
const SLOWER_Z = 3;
/** A ratio and an absolute step a slower figure must also reach: a clear, actionable change. */
const SLOWER_RATIO = 1.2;
const SLOWER_MS = 1;

/**
 * Candidate against baseline p50/p95; null when either side has no duration. `pairs` are the
 * durations of the same requests answered by both sides at the same moment: load on the machine
 * slows both alike, so only a consistent difference in them says the candidate is slower.
 */
export function latencyDelta(candidate: readonly number[], baseline: readonly number[], pairs?: readonly (readonly [number, number])[]): LatencyDelta | null {
  if (candidate.length === 0 || baseline.length === 0) return null;
  const c = sortedCopy(candidate);
  const b = sortedCopy(baseline);
  const candidateP50Ms = rank(c, 0.5);
  const candidateP95Ms = rank(c, 0.95);
  const baselineP50Ms = rank(b, 0.5);
  const baselineP95Ms = rank(b, 0.95);
  return {
    candidateP50Ms: round(candidateP50Ms),
    candidateP95Ms: round(candidateP95Ms),
    baselineP50Ms: round(baselineP50Ms),
    baselineP95Ms: round(baselineP95Ms),
    p50Ratio: ratio(candidateP50Ms, baselineP50Ms),
    p95Ratio: ratio(candidateP95Ms, baselineP95Ms),
    ...(pairs !== undefined && pairs.length > 0 ? { slower: pairedSlower(pairs) && grewInPairs(pairs, baselineP50Ms) } : {}),
  };
}

/** Whether the candidate took longer in clearly more of the pairs than chance allows (ties left out). */
export function pairedSlower(pairs: readonly (readonly [number, number])[]): boolean {
  let longer = 0;
  let n = 0;
  for (const [c, b] of pairs) {
    if (c === b) continue;
    n++;
    if (c > b) longer++;
  }
  return n > 0 && (longer - n / 2) / Math.sqrt(n / 4) >= SLOWER_Z;
}

/**
 * Whether the typical pair grew by a step worth acting on: the median of the paired differences is
 * at least SLOWER_MS and a fifth of the baseline's p50. (Two processes of one build differ by tens of
 * microseconds consistently enough for the sign test; that is not a slower build.)
 */
function grewInPairs(pairs: readonly (readonly [number, number])[], baselineP50Ms: number): boolean {
  const step = rank(sortedCopy(pairs.map(([c, b]) => c - b)), 0.5);
  return step >= SLOWER_MS && step >= baselineP50Ms * (SLOWER_RATIO - 1);
}

/** Candidate over baseline, rounded to 3 decimals; equal zeros give 1. */
export function ratio(candidate: number, baseline: number): number {
  if (candidate === 0 && baseline === 0) return 1;
  return round(candidate / Math.max(baseline, MIN_BASE_MS));
}

function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

function rank(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
