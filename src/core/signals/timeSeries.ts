import { takeZeroed, type BinSlab } from './binSlab';
import { newSketch, sketchFromBase64, sketchToBase64, type LatencySketch } from './latencySketch';
import { OpenSketch } from './openSketch';
import { heldSketches, newSketchRing, periodIn, putSketch, ringSlots, sketchesWhere, sketchIn, type SketchRing } from './sketchRing';

const MINUTE_MS = 60_000;
/**
 * Minutes are counted from 2020-01-01 so that they, like per-minute counts, fit a float32 exactly
 * (below 2^24) until 2051: the slots array is Float32 to halve the memory of every series.
 */
const EPOCH_MINUTE = Date.UTC(2020, 0, 1) / MINUTE_MS;

function minuteOf(ms: number): number {
  const minute = Math.floor(ms / MINUTE_MS) - EPOCH_MINUTE;
  // A small integer (to 4,000 years out): a heap number here made `hotMinute` one more object per series.
  return (minute | 0) === minute ? minute | 0 : minute;
}
/** Width of a coarse sketch block, in minutes: an hour of retention holds four or five of them. */
const COARSE_MINUTES = 15;
/** Windows up to this many minutes are answered from per-minute sketches (exact to the minute). */
const FINE_MAX_MINUTES = 5;

/**
 * Minutes a new series' ring holds, and by how much it grows. Most series are young or sparse (a
 * location seen in a few minutes of the hour): the full ring (62 minutes, 1.2 KB each, for
 * thousands of series) is only allocated for those whose traffic spans that much.
 */
const INITIAL_MINUTES = 3;
const GROWTH = 4;

/** Layout of one minute slot in `TimeSeries.slots`. */
const FIELDS = 5;
const COUNT = 1;
const ERRORS = 2;
const SUM = 3;
const MAX = 4;

/** What one window of a series adds up to. */
export interface WindowTotals {
  count: number;
  errors: number;
  sumMs: number;
  /** Merged latency sketch of the window; null when the window is empty. */
  sketch: LatencySketch | null;
  /** How much time the summed minutes cover, ms: the window plus the partial minute at its old edge. */
  coveredMs: number;
}

/** One minute of a series, for sparklines. */
export interface MinutePoint {
  /** Start of the minute, unix ms. */
  t: number;
  count: number;
  errors: number;
  avgMs: number;
  maxMs: number;
}

/** Serialized form of a series inside the snapshot file. */
export interface TimeSeriesState {
  minutes: [number, number, number, number, number][];
  fine: [number, string][];
  coarse: [number, string][];
}

/**
 * Counts, errors and latency of one aggregate over rolling time.
 * Counts are kept per minute for the whole retention. Latency goes into one sketch per minute;
 * when a minute is older than the fine range it is merged into its fifteen-minute block, so each
 * observation costs one sketch insert and an hour of retention holds at most ~12 sketches. Windows
 * up to five minutes read latency per minute; longer ones at fifteen-minute granularity (up to
 * fourteen minutes more than the window at its old edge; counts stay exact to the minute).
 */
export class TimeSeries extends OpenSketch {
  /**
   * Per-minute slots packed in one array from `slotBase`, [minute, count, errors, sumMs, maxMs]
   * each, so that recording touches one cache line: with thousands of locations the store is
   * memory-bound. The array is the series' own, or a view of its slab's chunk.
   */
  private slots: Float32Array = EMPTY_SLOTS;
  private slotBase = 0;
  /** Minutes the ring holds now: it starts small and grows while the minutes it holds are all within the retention. */
  private size: number;
  /** Minutes the retention needs, the most the ring grows to. */
  private readonly capacity: number;
  private readonly fine: SketchRing | null;
  /**
   * Made at the first roll-up (see coarseBlocks): a series that lives less than the fine range
   * (most of a high-cardinality tail) never needs one, and an array of nothing was two objects more
   * per series for the GC.
   */
  private coarse: SketchRing | null = null;
  /**
   * The minute being recorded, with what it got since it was last written to `slots` (its sketch is
   * held open by OpenSketch): a span touches these fields of the series itself, not the ring and the
   * fine slot behind it (with tens of thousands of series each of those is a cache miss). Readers
   * flush first.
   */
  private hotMinute = -1;
  private hotCount = 0;
  private hotErrors = 0;
  // Of the latencies (clamped at 0) since the last flush.
  private hotSum = 0;
  private hotMax = 0;

  /**
   * `latency: false` keeps counts only (error groups need no quantiles). With a `slab`, the slots
   * and the sketches' bins are regions of it (a store's series; see BinSlab), else arrays of their own.
   */
  constructor(
    retentionMs: number,
    latency = true,
    private slab: BinSlab | null = null,
  ) {
    super();
    // +2: the current partial minute and the partial one at the window's old edge.
    const minutes = Math.ceil(retentionMs / MINUTE_MS) + 2;
    this.capacity = minutes;
    this.size = Math.min(INITIAL_MINUTES, minutes);
    this.newSlots(this.size);
    this.fine = latency ? newSketchRing(FINE_MAX_MINUTES + 2) : null;
  }

  /**
   * Moves the slots and every sketch's bins into new regions of `slab`, which the series uses from
   * now on (a compaction; the store calls it between spans, never while the series is recording).
   */
  relocate(slab: BinSlab): void {
    const [slots, base] = [this.slots, this.slotBase];
    this.slab = slab;
    this.newSlots(this.size);
    this.slots.set(slots.subarray(base, base + this.size * FIELDS), this.slotBase);
    for (const ring of [this.fine, this.coarse]) if (ring !== null) for (const [, sketch] of heldSketches(ring)) sketch.relocate(slab);
    this.readBins();
  }

  /** Makes the slots `minutes` empty slots (no minute: -1). */
  private newSlots(minutes: number): void {
    const length = minutes * FIELDS;
    const [slots, base] = takeZeroed(this.slab, Float32Array, length);
    this.slots = slots as Float32Array;
    this.slotBase = base;
    for (let at = this.slotBase; at < this.slotBase + length; at += FIELDS) this.slots[at] = -1;
  }

  /** The index past the last slot. */
  private get slotEnd(): number {
    return this.slotBase + this.size * FIELDS;
  }

  /** Adds one observation at unix time `timeMs`. */
  add(timeMs: number, durationMs: number, isError: boolean): void {
    const minute = minuteOf(timeMs);
    // Older than the ring: the store files such telemetry at arrival time, so this is not reached.
    if (minute !== this.hotMinute && !this.heat(minute)) return;
    const ms = durationMs > 0 ? durationMs : 0;
    this.hotCount++;
    if (isError) this.hotErrors++;
    this.hotSum += ms;
    if (ms > this.hotMax) this.hotMax = ms;
    this.acceptLatency(ms);
  }

  /** Makes `minute` the one being recorded; false when it is too old for the ring. */
  private heat(minute: number): boolean {
    this.flush();
    if (this.slotOf(minute) < 0) return false;
    this.hotMinute = minute;
    this.openSketch(this.fine === null ? null : this.fineSketch(minute));
    return true;
  }

  /** Writes what the minute being recorded got into its slot and sketch (every reader calls this first). */
  private flush(): void {
    if (this.hotCount === 0) return;
    this.settleSketch();
    const at = this.slotOf(this.hotMinute);
    if (at >= 0) {
      const slots = this.slots;
      slots[at + COUNT] += this.hotCount;
      slots[at + ERRORS] += this.hotErrors;
      slots[at + SUM] += this.hotSum;
      if (this.hotMax > slots[at + MAX]) slots[at + MAX] = this.hotMax;
    }
    this.hotCount = 0;
    this.hotErrors = 0;
    this.hotSum = 0;
    this.hotMax = 0;
  }

  /**
   * Marks one observation already added at `timeMs` as failed (a request counted from its inner span
   * whose outer span, arriving later, says it failed). No-op when the minute has left the ring.
   */
  markError(timeMs: number): void {
    this.flush();
    const minute = minuteOf(timeMs);
    const at = this.slotOf(minute);
    if (at < 0) return;
    if (this.slots[at + ERRORS] < this.slots[at + COUNT]) this.slots[at + ERRORS]++;
  }

  /** Totals over the `windowMs` ending at `nowMs`, to minute granularity (the minute holding the old edge counts whole). */
  window(nowMs: number, windowMs: number): WindowTotals {
    this.flush();
    const last = minuteOf(nowMs);
    const first = minuteOf(nowMs - windowMs);
    const coveredMs = nowMs - (first + EPOCH_MINUTE) * MINUTE_MS;
    let count = 0;
    let errors = 0;
    let sumMs = 0;
    for (let at = this.slotBase, end = this.slotEnd; at < end; at += FIELDS) {
      const id = this.slots[at];
      if (id >= first && id <= last) {
        count += this.slots[at + COUNT];
        errors += this.slots[at + ERRORS];
        sumMs += this.slots[at + SUM];
      }
    }
    if (count === 0 || this.fine === null) return { count, errors, sumMs, sketch: null, coveredMs };
    // Short windows read the minute sketches only; long ones whole blocks plus the minutes not rolled up yet.
    const hits = sketchesWhere(this.fine, (minute) => minute >= first && minute <= last);
    if (last - first > FINE_MAX_MINUTES && this.coarse !== null) {
      const firstBlock = Math.floor(first / COARSE_MINUTES);
      sketchesWhere(this.coarse, (block) => block >= firstBlock, hits);
    }
    return { count, errors, sumMs, sketch: merged(hits), coveredMs };
  }

  /** One point per minute for the `minutes` ending at `nowMs`, oldest first (for sparklines). */
  perMinute(nowMs: number, minutes: number): MinutePoint[] {
    this.flush();
    const last = minuteOf(nowMs);
    const points: MinutePoint[] = [];
    for (let minute = last - Math.min(minutes, this.capacity) + 1; minute <= last; minute++) {
      const at = this.slotBase + (((minute % this.size) + this.size) % this.size) * FIELDS;
      const hit = this.slots[at] === minute;
      const count = hit ? this.slots[at + COUNT] : 0;
      points.push({
        t: (minute + EPOCH_MINUTE) * MINUTE_MS,
        count,
        errors: hit ? this.slots[at + ERRORS] : 0,
        avgMs: count > 0 ? this.slots[at + SUM] / count : 0,
        maxMs: hit ? this.slots[at + MAX] : 0,
      });
    }
    return points;
  }

  /** Serializes the series for the snapshot. */
  toState(): TimeSeriesState {
    this.flush();
    const minutes: TimeSeriesState['minutes'] = [];
    for (let at = this.slotBase, end = this.slotEnd; at < end; at += FIELDS) {
      if (this.slots[at] >= 0) minutes.push([this.slots[at], this.slots[at + COUNT], this.slots[at + ERRORS], this.slots[at + SUM], this.slots[at + MAX]]);
    }
    const slots = (ring: SketchRing | null): [number, string][] => (ring === null ? [] : heldSketches(ring).map(([period, sketch]) => [period, sketchToBase64(sketch)]));
    return { minutes, fine: slots(this.fine), coarse: slots(this.coarse) };
  }

  /** Restores a series written by `toState`; entries that do not fit are ignored. */
  static fromState(retentionMs: number, state: TimeSeriesState, latency = true): TimeSeries {
    const series = new TimeSeries(retentionMs, latency);
    for (const [id, count, errors, sum, max] of [...state.minutes].sort((a, b) => a[0] - b[0])) {
      const at = series.slotOf(id);
      if (at >= 0) series.slots.set([id, count, errors, sum, max], at);
    }
    if (series.fine === null) return series;
    for (const [id, b64] of state.coarse) {
      const coarse = series.coarseBlocks();
      putSketch(coarse, id % ringSlots(coarse), id, sketchFromBase64(b64));
    }
    for (const [id, b64] of state.fine) series.fineSketch(id).merge(sketchFromBase64(b64));
    return series;
  }

  /**
   * The offset of `minute`'s slot, reset when it held an older minute; -1 when the minute is too old
   * to keep. Reusing a slot whose minute is still within the retention grows the ring instead.
   */
  private slotOf(minute: number): number {
    let at = this.slotBase + (minute % this.size) * FIELDS;
    const held = this.slots[at];
    if (held === minute) return at;
    if (held >= 0 && Math.abs(minute - held) < this.capacity && this.size < this.capacity) {
      this.grow(minute);
      at = this.slotBase + (minute % this.size) * FIELDS;
      if (this.slots[at] === minute) return at;
    }
    if (minute < this.slots[at]) return -1;
    const slots = this.slots;
    slots[at] = minute;
    slots[at + COUNT] = 0;
    slots[at + ERRORS] = 0;
    slots[at + SUM] = 0;
    slots[at + MAX] = 0;
    return at;
  }

  /**
   * Re-lays the ring out at a larger size, so `minute` and every kept minute within the retention of
   * it have slots of their own (at the full size they always do: they are less than `capacity` apart).
   */
  private grow(minute: number): void {
    const old = this.slots;
    let newest = minute;
    for (let at = this.slotBase, end = this.slotEnd; at < end; at += FIELDS) newest = Math.max(newest, old[at]);
    const kept: number[] = [];
    for (let at = this.slotBase, end = this.slotEnd; at < end; at += FIELDS) {
      const id = old[at];
      if (id >= 0 && newest - id < this.capacity) kept.push(at);
    }
    const ids = kept.map((at) => old[at]);
    if (newest - minute < this.capacity) ids.push(minute);
    let size = Math.min(this.size * GROWTH, this.capacity);
    if (new Set(ids.map((id) => id % size)).size < ids.length) size = this.capacity;
    this.newSlots(size);
    this.size = size;
    for (const from of kept) {
      const to = this.slotBase + (old[from] % size) * FIELDS;
      for (let f = 0; f < FIELDS; f++) this.slots[to + f] = old[from + f];
    }
  }

  /** The sketch of `minute`, rolling the minute it replaces into that minute's fifteen-minute block. */
  private fineSketch(minute: number): LatencySketch {
    const fine = this.fine!;
    const i = minute % ringSlots(fine);
    const held = sketchIn(fine, i);
    if (held !== undefined && periodIn(fine, i) === minute) return held;
    if (held !== undefined) this.rollUp(periodIn(fine, i), held);
    const sketch = newSketch(this.slab);
    putSketch(fine, i, minute, sketch);
    return sketch;
  }

  private coarseBlocks(): SketchRing {
    this.coarse ??= newSketchRing(Math.ceil(this.capacity / COARSE_MINUTES) + 1);
    return this.coarse;
  }

  private rollUp(minute: number, sketch: LatencySketch): void {
    const coarse = this.coarseBlocks();
    const block = Math.floor(minute / COARSE_MINUTES);
    const i = block % ringSlots(coarse);
    const target = sketchIn(coarse, i);
    if (target !== undefined && periodIn(coarse, i) === block) target.merge(sketch);
    else if (target === undefined || periodIn(coarse, i) < block) putSketch(coarse, i, block, sketch);
  }
}

const EMPTY_SLOTS = new Float32Array(0);

function merged(sketches: LatencySketch[]): LatencySketch | null {
  if (sketches.length === 0) return null;
  if (sketches.length === 1) return sketches[0];
  const sketch = newSketch();
  for (const s of sketches) sketch.merge(s);
  return sketch;
}
