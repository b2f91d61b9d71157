import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
// The store class is not re-exported at the package root; its module is part of the published typings.
import { CollapsingLowestDenseStore } from '@datadog/sketches-js/dist/ddsketch/store';
import { decodeSketch, encodeSketch } from './sketchProto';
import { MAX_SNAPSHOT_SKETCH_CHARS } from './snapshotLimits';

/**
 * Relative accuracy of every latency sketch: quantiles are within 2% of the true value. At 2%, 128
 * bins (the store's first allocation) span a 150x range of latencies, so a typical function's
 * sketch stays at ~1 KB; 1% would double that for every minute of every location.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.02;
/** Bins kept per sketch; past it the lowest bins collapse, so the tail quantiles stay accurate. */
export const SKETCH_BIN_LIMIT = 1024;

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
const STORE_CHUNK = 16;

/** Bin arrays by width: a store starts with 16-bit counts and widens a step when a bin would overflow. */
type Bins = Uint16Array | Uint32Array | Float64Array;

/**
 * Largest count the 32-bit bins take: 2^30 - 1, not 2^32 - 1, so that the limit, which every open
 * series copies, stays one of V8's small integers rather than a heap number per series.
 */
const U32_LIMIT = 0x3fffffff;

function limitOf(bins: Bins): number {
  return bins instanceof Uint16Array ? 0xffff : bins instanceof Uint32Array ? U32_LIMIT : Infinity;
}

/**
 * The library's collapsing store with its bins in a typed array of the narrowest width that holds
 * the counts (16-bit for a typical minute) instead of a JS array of 8-byte elements grown with
 * slack: a sketch of a ~100-bin latency range drops from ~2 KB of V8 heap to ~0.5 KB. Thousands
 * of locations keep a dozen sketches each, and V8 keeps its heap at 2-3x the live size, so this is
 * most of the receiver's RSS. The library reads `bins` by index only; every method that reshapes
 * or writes it is overridden here.
 */
class CompactStore extends CollapsingLowestDenseStore {
  /** Largest count a bin of the current width holds. */
  private limit = 0xffff;

  constructor() {
    super(SKETCH_BIN_LIMIT, STORE_CHUNK);
    this.bins = EMPTY_BINS as unknown as number[];
  }

  private get typed(): Bins {
    return this.bins as unknown as Bins;
  }

  private set typed(bins: Bins) {
    this.bins = bins as unknown as number[];
    this.limit = limitOf(bins);
  }

  /** Adds `weight` to the bin at `index`, widening the bins first when it would overflow. */
  private bump(index: number, weight: number): void {
    const next = this.typed[index] + weight;
    if (next > this.limit || !Number.isInteger(next)) this.widen(next);
    this.typed[index] = next;
  }

  private widen(value: number): void {
    const Wider = Number.isInteger(value) && value <= U32_LIMIT ? Uint32Array : Float64Array;
    const bins = new Wider(this.typed.length);
    bins.set(this.typed);
    this.typed = bins;
  }

  private sized(length: number): Bins {
    const Same = this.typed.constructor as new (n: number) => Bins;
    return new Same(length);
  }

  override add(key: number, weight = 1): void {
    this.bump(this._getIndex(key), weight);
    this.count += weight;
  }

  override merge(store: CollapsingLowestDenseStore): void {
    if (store.count === 0) return;
    if (this.count === 0) {
      this.copy(store);
      return;
    }
    if (store.minKey < this.minKey || store.maxKey > this.maxKey) this._extendRange(store.minKey, store.maxKey);
    // Keys of `store` below this store's range collapse into its first bin, as in the library.
    let from = store.minKey;
    if (store.minKey < this.minKey) {
      let collapsed = 0;
      const end = Math.min(this.minKey, store.maxKey + 1);
      for (let key = store.minKey; key < end; key++) collapsed += store.bins[key - store.offset];
      if (collapsed > 0) this.bump(0, collapsed);
      from = end;
    }
    for (let key = from; key <= store.maxKey; key++) {
      const c = store.bins[key - store.offset];
      if (c !== 0) this.bump(key - this.offset, c);
    }
    this.count += store.count;
  }

  override copy(store: CollapsingLowestDenseStore): void {
    const source = store.bins as unknown as ArrayLike<number>;
    let max = 0;
    let integral = true;
    for (let i = 0; i < source.length; i++) {
      const c = source[i];
      if (c > max) max = c;
      if (!Number.isInteger(c)) integral = false;
    }
    const Kind = !integral ? Float64Array : max <= 0xffff ? Uint16Array : max <= U32_LIMIT ? Uint32Array : Float64Array;
    const bins = new Kind(source.length);
    for (let i = 0; i < source.length; i++) bins[i] = source[i];
    this.typed = bins;
    this.count = store.count;
    this.minKey = store.minKey;
    this.maxKey = store.maxKey;
    this.offset = store.offset;
    this.isCollapsed = store.isCollapsed ?? false;
  }

  /** Shifts in place: the library's (and a copy into new bins) made garbage on every recentring. */
  override _shiftBins(shift: number): void {
    if (shift === 0) return;
    const bins = this.typed;
    if (shift > 0) {
      bins.copyWithin(shift, 0, bins.length - shift);
      bins.fill(0, 0, Math.min(shift, bins.length));
    } else {
      bins.copyWithin(0, -shift);
      bins.fill(0, Math.max(0, bins.length + shift));
    }
    this.offset -= shift;
  }

  override _extendRange(key: number, secondKey?: number): void {
    secondKey = secondKey || key;
    const newMinKey = Math.min(key, secondKey, this.minKey);
    const newMaxKey = Math.max(key, secondKey, this.maxKey);
    if (this.length() === 0) {
      this.typed = new Uint16Array(this._getNewLength(newMinKey, newMaxKey));
      this.offset = newMinKey;
      this._adjust(newMinKey, newMaxKey);
    } else if (newMinKey >= this.minKey && newMaxKey < this.offset + this.length()) {
      this.minKey = newMinKey;
      this.maxKey = newMaxKey;
    } else {
      const newLength = this._getNewLength(newMinKey, newMaxKey);
      if (newLength > this.length()) {
        const bins = this.sized(newLength);
        bins.set(this.typed);
        this.typed = bins;
      }
      this._adjust(newMinKey, newMaxKey);
    }
  }

  /** The library's collapse of the lowest bins when the range passes the bin limit, with widening writes. */
  override _adjust(newMinKey: number, newMaxKey: number): void {
    if (newMaxKey - newMinKey + 1 <= this.length()) {
      this._centerBins(newMinKey, newMaxKey);
      this.minKey = newMinKey;
      this.maxKey = newMaxKey;
      return;
    }
    newMinKey = newMaxKey - this.length() + 1;
    if (newMinKey >= this.maxKey) {
      this.offset = newMinKey;
      this.minKey = newMinKey;
      this.typed.fill(0);
      this.bump(0, this.count);
    } else {
      const shift = this.offset - newMinKey;
      if (shift < 0) {
        const start = this.minKey - this.offset;
        const end = newMinKey - this.offset;
        let collapsed = 0;
        for (let i = start; i <= end; i++) collapsed += this.typed[i];
        this.typed.fill(0, start, end);
        this.typed[end] = 0;
        this.bump(end, collapsed);
      }
      this.minKey = newMinKey;
      this._shiftBins(shift);
    }
    this.maxKey = newMaxKey;
    this.isCollapsed = true;
  }

  /** The bins, for the snapshot encoder and OpenSketch (read only, except by OpenSketch within `countLimit`). */
  get binsView(): ArrayLike<number> {
    return this.typed;
  }

  /** Largest count a bin holds at the bins' current width. */
  get countLimit(): number {
    return this.limit;
  }

  /** Loads bins read from a snapshot (at most the bin limit of them, already validated), trimmed to the non-zero ones. */
  load(counts: ArrayLike<number>, offset: number, total: number): void {
    let first = 0;
    let last = counts.length - 1;
    while (first <= last && counts[first] === 0) first++;
    while (last >= first && counts[last] === 0) last--;
    if (first > last) return;
    const Kind = total <= 0xffff ? Uint16Array : total <= U32_LIMIT ? Uint32Array : Float64Array;
    const bins = new Kind(last - first + 1);
    for (let i = first; i <= last; i++) bins[i - first] = counts[i];
    this.typed = bins;
    this.count = total;
    this.offset = offset + first;
    this.minKey = offset + first;
    this.maxKey = offset + last;
  }

  override toProto(): ReturnType<CollapsingLowestDenseStore['toProto']> {
    // The library's encoder, given the bins as the plain array it expects.
    return CollapsingLowestDenseStore.prototype.toProto.call({ bins: Array.from(this.typed), offset: this.offset } as CollapsingLowestDenseStore);
  }
}

const EMPTY_BINS = new Uint16Array(0);

/**
 * Latencies are never negative (they are clamped at 0, which the sketch counts apart), so every
 * sketch can share one empty negative store: nothing writes to it, and merging an empty store is a no-op.
 */
const SHARED_EMPTY_NEGATIVE_STORE = new CollapsingLowestDenseStore(SKETCH_BIN_LIMIT, STORE_CHUNK);

/** Where an add of a positive latency lands in a sketch's bins, for OpenSketch's fast path. */
export interface SketchBins {
  /** The bins (never written past `limit`; the store widens them on its own path). */
  bins: Bins;
  /** Keys `lo`..`hi` have a bin, at `key - offset`. */
  lo: number;
  hi: number;
  offset: number;
  limit: number;
}

/** The bins of a sketch made by `newSketch`, or null for any other. */
export function sketchBins(sketch: LatencySketch): SketchBins | null {
  const store = sketch.store;
  if (!(store instanceof CompactStore)) return null;
  const bins = store.binsView as Bins;
  // Small integers (`| 0`), so that the open series' copies are not heap numbers of their own; an
  // empty store's range (the library's +-Infinity) as an empty one that holds no key, not even 0.
  if (bins.length === 0) return { bins, lo: 0, hi: -1, offset: 0, limit: store.countLimit };
  return { bins, lo: store.minKey | 0, hi: store.maxKey | 0, offset: store.offset | 0, limit: store.countLimit };
}

/** Smallest latency the sketches file in a bin of their own; those at or below it count as zero. */
export const SKETCH_MIN_POSITIVE = SHARED_MAPPING.minPossible;

/** The bin key of a latency above SKETCH_MIN_POSITIVE. */
export function sketchKey(value: number): number {
  return SHARED_MAPPING.key(value);
}

/** A new empty latency sketch. */
export function newSketch(): LatencySketch {
  const sketch = newUnsharedSketch();
  sketch.mapping = SHARED_MAPPING;
  sketch.store = new CompactStore();
  sketch.negativeStore = SHARED_EMPTY_NEGATIVE_STORE;
  return sketch;
}

/** The index mapping every sketch has, as its protobuf message (gamma, then the index offset). */
const MAPPING_BYTES = (() => {
  const m = SHARED_MAPPING.toProto() as { gamma: number; indexOffset: number; interpolation: number };
  const bytes = Buffer.alloc(18);
  bytes[0] = 0x09;
  bytes.writeDoubleLE(m.gamma, 1);
  bytes[9] = 0x11;
  bytes.writeDoubleLE(m.indexOffset, 10);
  return bytes;
})();
const MAPPING = SHARED_MAPPING.toProto() as { gamma: number; indexOffset: number; interpolation: number };

/** Serializes a sketch for the snapshot file (the library's protobuf format, written directly). */
export function sketchToBase64(sketch: LatencySketch): string {
  const store = sketch.store;
  // Only our shape is written directly; anything else (a sketch not made by newSketch) by the library.
  if (!(store instanceof CompactStore) || sketch.negativeStore.count > 0 || sketch.mapping !== SHARED_MAPPING) return Buffer.from(sketch.toProto()).toString('base64');
  return encodeSketch(MAPPING_BYTES, store.binsView, store.offset, sketch.zeroCount).toString('base64');
}

/** Latencies a sketch read back may hold, ms: 1 ns (OTLP's resolution) to ~3,000 years; keys outside were not ours. */
const MIN_KEY = SHARED_MAPPING.key(1e-6);
const MAX_KEY = SHARED_MAPPING.key(1e14);

function isCount(c: number): boolean {
  return Number.isInteger(c) && c >= 0;
}

/**
 * Restores a sketch written by `sketchToBase64`. Work is linear in the text and bounded: the text,
 * the bin count and the key range are checked before any bin is stored (the library's own
 * fromProto grows its store bin by bin, quadratic in the bins a crafted sketch declares). Throws a
 * one-line Error for anything our sketches never hold.
 */
export function sketchFromBase64(text: string): LatencySketch {
  if (typeof text !== 'string') throw new Error('sketch is not a string');
  if (text.length > MAX_SNAPSHOT_SKETCH_CHARS) throw new Error(`sketch of ${text.length} characters is larger than any sketch we write (${MAX_SNAPSHOT_SKETCH_CHARS})`);
  const m = decodeSketch(Buffer.from(text, 'base64'), SKETCH_BIN_LIMIT);
  if (m.gamma !== MAPPING.gamma || m.indexOffset !== MAPPING.indexOffset || m.interpolation !== MAPPING.interpolation) {
    throw new Error('sketch has foreign parameters (another index mapping)');
  }
  // Latencies are clamped at 0: every sketch shares one empty negative store, and we never write sparse bins.
  if (m.foreignBins) throw new Error('sketch holds negative latencies or sparse bins, which we never write');
  const { counts, offset, zeroCount } = m;
  let total = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < counts.length; i++) {
    if (!isCount(counts[i])) throw new Error('sketch has a bin count that is not a whole number >= 0');
    total += counts[i];
    if (counts[i] === 0) continue;
    if (first < 0) first = i;
    last = i;
  }
  // Zero bins around the used ones are padding (trimmed on load); the used ones must be latencies.
  if (first >= 0 && (!Number.isInteger(offset) || offset + first < MIN_KEY || offset + last > MAX_KEY)) {
    throw new Error(`sketch bins ${offset + first}..${offset + last} are outside the latencies a sketch holds`);
  }
  if (!isCount(zeroCount) || !Number.isSafeInteger(total + zeroCount)) throw new Error('sketch counts are not whole numbers below 2^53');
  const sketch = newSketch();
  (sketch.store as CompactStore).load(counts, offset, total);
  sketch.zeroCount = zeroCount;
  sketch.count = total + zeroCount;
  return sketch;
}

/** The value at quantile q (0..1), or 0 for an empty sketch. */
export function quantile(sketch: LatencySketch, q: number): number {
  return sketch.count > 0 ? sketch.getValueAtQuantile(q) : 0;
}
