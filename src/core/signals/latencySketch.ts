import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

/**
 * Relative accuracy of every latency sketch: quantiles are within 2% of the true value. At 2%, 128
 * bins (the store's first allocation) span a 150x range of latencies, so a typical function's
 * sketch stays at ~1 KB; 1% would double that for every minute of every location.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.02;
/** Bins kept per sketch; past it the lowest bins collapse, so the tail quantiles stay accurate. */
const SKETCH_BIN_LIMIT = 1024;

/** A mergeable quantile sketch of latencies in milliseconds (DDSketch). */
export type LatencySketch = LogCollapsingLowestDenseDDSketch;

/**
 * Every sketch has the same (immutable) index mapping; sharing one instance keeps it in the CPU
 * cache instead of one more object to fetch per insert across thousands of sketches.
 */
const SHARED_MAPPING = newUnsharedSketch().mapping;

function newUnsharedSketch(): LatencySketch {
  return new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY, binLimit: SKETCH_BIN_LIMIT });
}

/** A new empty latency sketch. */
export function newSketch(): LatencySketch {
  const sketch = newUnsharedSketch();
  sketch.mapping = SHARED_MAPPING;
  return sketch;
}

/** Serializes a sketch for the snapshot file. */
export function sketchToBase64(sketch: LatencySketch): string {
  return Buffer.from(sketch.toProto()).toString('base64');
}

/** Restores a sketch written by `sketchToBase64`, merged into a fresh sketch of ours. */
export function sketchFromBase64(text: string): LatencySketch {
  const decoded = LogCollapsingLowestDenseDDSketch.fromProto(Buffer.from(text, 'base64'));
  const sketch = newSketch();
  sketch.merge(decoded);
  return sketch;
}

/** The value at quantile q (0..1), or 0 for an empty sketch. */
export function quantile(sketch: LatencySketch, q: number): number {
  return sketch.count > 0 ? sketch.getValueAtQuantile(q) : 0;
}
