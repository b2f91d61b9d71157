// The mapping is not re-exported at the package root; its module is part of the published typings.
import { LogarithmicMapping } from '@datadog/sketches-js/dist/ddsketch/mapping';
import { takeZeroed, type BinSlab, type SlabKind } from './binSlab';
import { decodeSketch, encodeSketch } from './sketchProto';
import { MAX_SNAPSHOT_SKETCH_CHARS } from './snapshotLimits';

/**
 * Relative accuracy of every latency sketch: quantiles are within 2% of the true value. At 2%, a
 * typical function's latencies (a 10x range) fall in ~60 bins; 1% would double that for every
 * minute of every location.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.02;
/** Bins kept per sketch; past it the lowest bins collapse, so the tail quantiles stay accurate. */
export const SKETCH_BIN_LIMIT = 1024;

/** The index mapping of every sketch (DDSketch's logarithmic one, from @datadog/sketches-js): immutable, so shared. */
const MAPPING = new LogarithmicMapping(SKETCH_RELATIVE_ACCURACY);

/** Latencies a sketch holds, ms: 1 ns (OTLP's resolution) to ~3,000 years; a sketch read back with keys outside was not ours. */
const MAX_LATENCY_MS = 1e14;

/** Bins a sketch's range grows by, so that a widening range reallocates now and then, not on every new key. */
const CHUNK = 16;

/** Bin arrays by width: 16-bit counts until one would overflow, then 32-bit, then doubles (also for fractional weights). */
export type Bins = Uint16Array | Uint32Array | Float64Array;

/**
 * Largest count the 32-bit bins take: 2^30 - 1, not 2^32 - 1, so that the limit, which every open
 * series copies, stays one of V8's small integers (with pointer compression, as in Electron) rather
 * than a heap number per series. Double bins keep it as their limit too: past it an add takes the
 * sketch's own path, which knows doubles do not overflow.
 */
const U32_LIMIT = 0x3fffffff;

/** Largest count a bin of `bins` holds before its sketch widens them. */
export function binLimit(bins: Bins): number {
  return bins instanceof Uint16Array ? 0xffff : U32_LIMIT;
}

/**
 * A mergeable quantile sketch of latencies in milliseconds: a DDSketch (relative accuracy 2%, the
 * lowest bins collapsing past 1,024) with positive values and zeros only, as latencies are, in the
 * DDSketch protobuf format when written (see sketchProto).
 *
 * Its own class rather than the library's sketch, for memory: tens of thousands of series hold a
 * few sketches each, and the library's shape (a sketch object, a store object, and five fields
 * holding doubles, each a heap number of its own) cost ~330 bytes of V8 heap per sketch besides its
 * bins; this is one object of small integers. The bins are typed, of the narrowest width that
 * holds the counts (2 bytes a bin for a typical minute): a plain array of small integers costs 8
 * bytes a bin in Node's builds (no pointer compression). A store's series keep them in regions of
 * the store's slab (see BinSlab), other sketches in arrays of their own. A series recording an hour
 * of a ~100x latency spread (bench:memory) held 9.8 KB with the library's sketch, 13.2 with plain
 * arrays, 7.0 with arrays of their own, 5.8 in a slab.
 */
export class LatencySketch {
  /**
   * The array holding the counts of the keys `offset` .. `offset + size - 1` (zeros at either end
   * are slack), from index `base`: the sketch's own array, or a view of its slab's chunk.
   */
  bins: Bins = EMPTY_BINS;
  base = 0;
  size = 0;
  offset = 0;
  /** Every value accepted, zeros included (their weights, when weighted). */
  count = 0;
  /** Values at or below SKETCH_MIN_POSITIVE (latencies are never negative; those count here too). */
  zeroCount = 0;

  /** A sketch whose bins are regions of `slab` (a store's series'), or arrays of its own (null). */
  constructor(private slab: BinSlab | null = null) {}

  /** Moves the bins into a new region of `slab` (a compaction; see BinSlab), which the sketch uses from now on. */
  relocate(slab: BinSlab): void {
    const { bins, base, size } = this;
    this.slab = slab;
    if (size === 0) return;
    this.allocate(bins.constructor as BinsKind, size);
    copyBins(bins, base, this.bins, this.base, size);
  }

  /** Replaces the bins by `size` zeroed bins of `Kind`. */
  private allocate(Kind: BinsKind, size: number): void {
    const [bins, base] = takeZeroed(this.slab, Kind, size);
    this.bins = bins as Bins;
    this.base = base;
    this.size = size;
  }

  /** Adds `value` (ms) `weight` times (a positive weight, 1 by default). */
  accept(value: number, weight = 1): void {
    if (!(weight > 0)) throw new Error(`sketch weight must be positive, not ${weight}`);
    if (value > MAPPING.minPossible) this.addKey(sketchKey(value), weight);
    else this.zeroCount += weight;
    this.count += weight;
  }

  /** Adds `weight` to the bin of `key`, reshaping the bins when it has none; `count` is the caller's. */
  addKey(key: number, weight: number): void {
    if (key < this.offset || key >= this.offset + this.size) this.reshape(key, key);
    // Below the bins only when the lowest collapsed: into the lowest bin.
    this.bump(Math.max(key, this.offset) - this.offset, weight);
  }

  /** Adds every value of `other` to this sketch. */
  merge(other: LatencySketch): void {
    if (other.count === 0) return;
    const from = firstUsed(other);
    if (from >= 0) {
      const to = lastUsed(other);
      this.reshape(other.offset + from, other.offset + to);
      const { bins, base } = other;
      for (let i = from; i <= to; i++) {
        const c = bins[base + i];
        if (c !== 0) this.bump(Math.max(other.offset + i, this.offset) - this.offset, c);
      }
    }
    this.zeroCount += other.zeroCount;
    this.count += other.count;
  }

  /** Adds `weight` to the bin at index `i`, widening the bins first when the sum would not fit. */
  private bump(i: number, weight: number): void {
    const next = this.bins[this.base + i] + weight;
    if (next > binLimit(this.bins) || !Number.isInteger(next)) this.widen(next);
    this.bins[this.base + i] = next;
  }

  private widen(value: number): void {
    const { bins, base, size } = this;
    if (bins instanceof Float64Array) return;
    this.allocate(Number.isInteger(value) && value <= U32_LIMIT ? Uint32Array : Float64Array, size);
    copyBins(bins, base, this.bins, this.base, size);
  }

  /**
   * Makes the bins cover keys `low`..`high` and every key they hold; when that is more than
   * SKETCH_BIN_LIMIT keys, the lowest collapse into the lowest kept bin, as DDSketch's
   * collapsing-lowest store does (the bins are then exactly that long, from the lowest kept key).
   */
  private reshape(low: number, high: number): void {
    const { bins, base, size } = this;
    const from = firstUsed(this);
    if (from >= 0) {
      low = Math.min(low, this.offset + from);
      high = Math.max(high, this.offset + lastUsed(this));
    }
    const bottom = Math.max(low, high - SKETCH_BIN_LIMIT + 1);
    if (bottom >= this.offset && high < this.offset + size) return;
    const span = high - bottom + 1;
    const length = Math.min(SKETCH_BIN_LIMIT, Math.ceil(span / CHUNK) * CHUNK);
    // The slack split around the keys in use, so a range drifting either way has room.
    const offset = bottom - ((length - span) >> 1);
    const oldOffset = this.offset;
    this.allocate(bins.constructor as BinsKind, length);
    const next = this.bins;
    let collapsed = 0;
    for (let i = Math.max(from, 0); i < size; i++) {
      const key = oldOffset + i;
      if (key < bottom) collapsed += bins[base + i];
      else next[this.base + key - offset] = bins[base + i];
    }
    this.offset = offset;
    if (collapsed > 0) this.bump(bottom - offset, collapsed);
  }

  /** The value at quantile q (0..1) as DDSketch answers it (the lower rank), NaN when empty. */
  valueAt(q: number): number {
    if (!(q >= 0 && q <= 1) || this.count === 0) return NaN;
    const rank = q * (this.count - 1);
    if (rank < this.zeroCount) return 0;
    const positiveRank = rank - this.zeroCount;
    let running = 0;
    const { bins, base, size } = this;
    for (let i = 0; i < size; i++) {
      running += bins[base + i];
      if (running > positiveRank) return MAPPING.value(this.offset + i);
    }
    return MAPPING.value(this.offset + lastUsed(this));
  }
}

/** Shared by every empty sketch (and a closed OpenSketch): `addKey` and `merge` replace it before writing, so it stays empty. */
export const EMPTY_BINS: Bins = new Uint16Array(0);

type BinsKind = SlabKind & (new (length: number) => Bins);

/** Index (from the sketch's first bin) of its first bin holding a count; -1 when none does. */
function firstUsed(s: LatencySketch): number {
  for (let i = 0; i < s.size; i++) if (s.bins[s.base + i] !== 0) return i;
  return -1;
}

function lastUsed(s: LatencySketch): number {
  for (let i = s.size - 1; i >= 0; i--) if (s.bins[s.base + i] !== 0) return i;
  return -1;
}

function copyBins(from: Bins, fromBase: number, to: Bins, toBase: number, size: number): void {
  for (let i = 0; i < size; i++) to[toBase + i] = from[fromBase + i];
}

/** Smallest latency the sketches file in a bin of their own; those at or below it count as zero. */
export const SKETCH_MIN_POSITIVE = MAPPING.minPossible;

/** The bin key of a latency above SKETCH_MIN_POSITIVE; past the ceiling (a histogram's infinite bound, say), the ceiling's: an infinite key has no bin. */
export function sketchKey(value: number): number {
  return MAPPING.key(value < MAX_LATENCY_MS ? value : MAX_LATENCY_MS);
}

/** A new empty latency sketch. */
export function newSketch(slab: BinSlab | null = null): LatencySketch {
  return new LatencySketch(slab);
}

/** The index mapping's parameters, as the protobuf holds them. */
const MAPPING_PROTO = MAPPING.toProto() as { gamma: number; indexOffset: number; interpolation: number };

/** The index mapping every sketch has, as its protobuf message (gamma, then the index offset). */
const MAPPING_BYTES = (() => {
  const bytes = Buffer.alloc(18);
  bytes[0] = 0x09;
  bytes.writeDoubleLE(MAPPING_PROTO.gamma, 1);
  bytes[9] = 0x11;
  bytes.writeDoubleLE(MAPPING_PROTO.indexOffset, 10);
  return bytes;
})();

/** Serializes a sketch for the snapshot file (DDSketch's protobuf, as the library's toProto writes it). */
export function sketchToBase64(sketch: LatencySketch): string {
  const from = firstUsed(sketch);
  const bins = from < 0 ? EMPTY_BINS : sketch.bins.subarray(sketch.base + from, sketch.base + lastUsed(sketch) + 1);
  return encodeSketch(MAPPING_BYTES, bins, sketch.offset + Math.max(from, 0), sketch.zeroCount).toString('base64');
}

const MIN_KEY = MAPPING.key(1e-6);
const MAX_KEY = MAPPING.key(MAX_LATENCY_MS);

function isCount(c: number): boolean {
  return Number.isInteger(c) && c >= 0;
}

/**
 * Restores a sketch written by `sketchToBase64` (or by the library's toProto with our parameters).
 * Work is linear in the text and bounded: the text, the bin count and the key range are checked
 * before any bin is stored. Throws a one-line Error for anything our sketches never hold.
 */
export function sketchFromBase64(text: string): LatencySketch {
  if (typeof text !== 'string') throw new Error('sketch is not a string');
  if (text.length > MAX_SNAPSHOT_SKETCH_CHARS) throw new Error(`sketch of ${text.length} characters is larger than any sketch we write (${MAX_SNAPSHOT_SKETCH_CHARS})`);
  const m = decodeSketch(Buffer.from(text, 'base64'), SKETCH_BIN_LIMIT);
  if (m.gamma !== MAPPING_PROTO.gamma || m.indexOffset !== MAPPING_PROTO.indexOffset || m.interpolation !== MAPPING_PROTO.interpolation) {
    throw new Error('sketch has foreign parameters (another index mapping)');
  }
  // Latencies are clamped at 0, and we never write sparse bins.
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
  // Zero bins around the used ones are padding (trimmed); the used ones must be latencies.
  if (first >= 0 && (!Number.isInteger(offset) || offset + first < MIN_KEY || offset + last > MAX_KEY)) {
    throw new Error(`sketch bins ${offset + first}..${offset + last} are outside the latencies a sketch holds`);
  }
  if (!isCount(zeroCount) || !Number.isSafeInteger(total + zeroCount)) throw new Error('sketch counts are not whole numbers below 2^53');
  const sketch = new LatencySketch();
  if (first >= 0) {
    const Kind = total <= 0xffff ? Uint16Array : total <= U32_LIMIT ? Uint32Array : Float64Array;
    sketch.bins = new Kind(counts.subarray(first, last + 1));
    sketch.size = sketch.bins.length;
    sketch.offset = offset + first;
  }
  sketch.zeroCount = zeroCount;
  sketch.count = total + zeroCount;
  return sketch;
}

/** The value at quantile q (0..1), or 0 for an empty sketch. */
export function quantile(sketch: LatencySketch, q: number): number {
  return sketch.count > 0 ? sketch.valueAt(q) : 0;
}
