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
const STORE_CHUNK = 16;

/** Bin arrays by width: a store starts with 16-bit counts and widens a step when a bin would overflow. */
type Bins = Uint16Array | Uint32Array | Float64Array;

function limitOf(bins: Bins): number {
  return bins instanceof Uint16Array ? 0xffff : bins instanceof Uint32Array ? 0xffffffff : Infinity;
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
    const Wider = Number.isInteger(value) && value <= 0xffffffff ? Uint32Array : Float64Array;
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
    const Kind = !integral ? Float64Array : max <= 0xffff ? Uint16Array : max <= 0xffffffff ? Uint32Array : Float64Array;
    const bins = new Kind(source.length);
    for (let i = 0; i < source.length; i++) bins[i] = source[i];
    this.typed = bins;
    this.count = store.count;
    this.minKey = store.minKey;
    this.maxKey = store.maxKey;
    this.offset = store.offset;
    this.isCollapsed = store.isCollapsed ?? false;
  }

  override _shiftBins(shift: number): void {
    if (shift === 0) return;
    const old = this.typed;
    const bins = this.sized(old.length);
    if (shift > 0) bins.set(old.subarray(0, old.length - shift), shift);
    else bins.set(old.subarray(-shift));
    this.typed = bins;
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

/** A new empty latency sketch. */
export function newSketch(): LatencySketch {
  const sketch = newUnsharedSketch();
  sketch.mapping = SHARED_MAPPING;
  sketch.store = new CompactStore();
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
