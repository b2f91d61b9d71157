import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
// The store class is not re-exported at the package root; its module is part of the published typings.
import { CollapsingLowestDenseStore } from '@datadog/sketches-js/dist/ddsketch/store';

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

/** Bins the store grows by; the library's 128 makes every sketch ~2 KB however narrow its range. */
const STORE_CHUNK = 32;

/**
 * Latencies are never negative (they are clamped at 0, which the sketch counts apart), so every
 * sketch can share one empty negative store: nothing writes to it, and merging an empty store is a no-op.
 */
const SHARED_EMPTY_NEGATIVE_STORE = new CollapsingLowestDenseStore(SKETCH_BIN_LIMIT, STORE_CHUNK);

/** A new empty latency sketch. */
export function newSketch(): LatencySketch {
  const sketch = newUnsharedSketch();
  sketch.mapping = SHARED_MAPPING;
  sketch.store = new CollapsingLowestDenseStore(SKETCH_BIN_LIMIT, STORE_CHUNK);
  sketch.negativeStore = SHARED_EMPTY_NEGATIVE_STORE;
  return sketch;
}

/** Serializes a sketch for the snapshot file. */
export function sketchToBase64(sketch: LatencySketch): string {
  return Buffer.from(sketch.toProto()).toString('base64');
}

/** Restores a sketch written by `sketchToBase64`, merged into a fresh sketch of ours. */
export function sketchFromBase64(text: string): LatencySketch {
  const decoded = LogCollapsingLowestDenseDDSketch.fromProto(Buffer.from(text, 'base64'));
  // Merging copies negative values into the shared negative store: a snapshot must never carry any.
  if (decoded.negativeStore.count > 0 || decoded.mapping.gamma !== SHARED_MAPPING.gamma) throw new Error('sketch in the snapshot has foreign parameters or negative latencies');
  const sketch = newSketch();
  sketch.merge(decoded);
  return sketch;
}

/** The value at quantile q (0..1), or 0 for an empty sketch. */
export function quantile(sketch: LatencySketch, q: number): number {
  return sketch.count > 0 ? sketch.getValueAtQuantile(q) : 0;
}
