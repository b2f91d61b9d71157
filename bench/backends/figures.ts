/**
 * Figures from the backends (Jaeger + Prometheus through `serve --no-receiver`) against the embedded
 * receiver's on the same traffic, function by function: how many agree within 2%, and the worst.
 * Percentiles from a Prometheus histogram can only be placed within a bucket (histogram_quantile
 * interpolates linearly inside it), so for them we also say how many fall in the same bucket as the
 * receiver's (sketch, about 1% relative accuracy), and how many of the receiver's lie inside the
 * bucket the backends' answer names for them (`latencyBuckets`, within 2% at its edges): the claim
 * the editor shows, and as close as the histogram can tell.
 */
import type { BucketRange, FunctionSignal, LatencyBuckets, SignalsResponse } from '../../src/core/api/signals';

/** One measure's agreement over the functions compared. */
export interface Agreement {
  measure: string;
  compared: number;
  /** Functions whose two figures differ by at most 2% (relative; both zero counts as equal). */
  within2: number;
  /** Largest relative difference, and where. */
  worst: number;
  worstAt: string;
  /** For percentiles: how many lie in the same histogram bucket on both sides. */
  sameBucket?: number;
  /** For percentiles: how many of the receiver's lie in the bucket the backends name (±2% at its edges). */
  inNamedBucket?: number;
}

/** The comparison of one set of answers. */
export interface FigureComparison {
  functions: number;
  /** Rows one side has and the other lacks. */
  onlyEmbedded: string[];
  onlyBackends: string[];
  agreements: Agreement[];
}

const keyOf = (f: FunctionSignal): string => `${f.service} ${f.file} ${f.function}`;

/** |b - a| / a, with 0 when both are 0 and 1 when only a is 0. */
export function relativeDifference(a: number, b: number): number {
  if (a === b) return 0;
  if (a === 0) return 1;
  return Math.abs(b - a) / Math.abs(a);
}

/** Index of the histogram bucket holding `v`: the first bound >= v (bounds.length for +Inf). */
export function bucketOf(v: number, bounds: readonly number[]): number {
  const i = bounds.findIndex((b) => v <= b);
  return i < 0 ? bounds.length : i;
}

type Pick = (f: FunctionSignal) => number;
type Quantile = keyof LatencyBuckets | undefined;
const MEASURES: [string, Pick, Quantile][] = [
  ['calls (count)', (f) => f.count, undefined],
  ['errors', (f) => f.errors, undefined],
  ['error rate', (f) => f.errorRate, undefined],
  ['rate per minute', (f) => f.ratePerMin, undefined],
  ['p50', (f) => f.p50Ms, 'p50Ms'],
  ['p95', (f) => f.p95Ms, 'p95Ms'],
];

/** Whether `v` lies in the bucket [lower, upper] (upper null: no bound), within 2% at its edges. */
function inBucket(v: number, range: BucketRange | undefined): boolean {
  if (range === undefined) return false;
  const [lower, upper] = range;
  return v >= lower * 0.98 && (upper === null || v <= upper * 1.02);
}

/** Compares the answers for the same files from both servers. */
export function compareFigures(embedded: SignalsResponse[], backends: SignalsResponse[], bounds: readonly number[], measures: readonly string[] = MEASURES.map((m) => m[0])): FigureComparison {
  const a = new Map<string, FunctionSignal>();
  const b = new Map<string, FunctionSignal>();
  for (const r of embedded) for (const f of r.functions) a.set(keyOf(f), f);
  // Figures from a sample of traces are not all traffic: they are left out of the comparison (and counted apart).
  for (const r of backends) for (const f of r.functions) if (f.figures?.traffic.basis !== 'sampled') b.set(keyOf(f), f);
  const both = [...a.keys()].filter((k) => b.has(k));
  const agreements: Agreement[] = [];
  for (const [measure, pick, quantile] of MEASURES) {
    if (!measures.includes(measure)) continue;
    const ag: Agreement = { measure, compared: both.length, within2: 0, worst: 0, worstAt: '', ...(quantile ? { sameBucket: 0, inNamedBucket: 0 } : {}) };
    for (const k of both) {
      const [x, y] = [pick(a.get(k)!), pick(b.get(k)!)];
      const d = relativeDifference(x, y);
      if (d <= 0.02) ag.within2++;
      if (d > ag.worst) [ag.worst, ag.worstAt] = [d, `${k}: ${round(x)} vs ${round(y)}`];
      if (quantile && bucketOf(x, bounds) === bucketOf(y, bounds)) ag.sameBucket!++;
      if (quantile && inBucket(x, b.get(k)!.figures?.traffic.latencyBuckets?.[quantile])) ag.inNamedBucket!++;
    }
    agreements.push(ag);
  }
  return {
    functions: both.length,
    onlyEmbedded: [...a.keys()].filter((k) => !b.has(k)),
    onlyBackends: [...b.keys()].filter((k) => !a.has(k)),
    agreements,
  };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
