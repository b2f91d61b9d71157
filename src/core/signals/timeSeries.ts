import { newSketch, sketchFromBase64, sketchToBase64, type LatencySketch } from './latencySketch';

const MINUTE_MS = 60_000;
/** Width of a coarse sketch block, in minutes. */
const COARSE_MINUTES = 5;
/** Windows up to this many minutes are answered from per-minute sketches (exact to the minute). */
const FINE_MAX_MINUTES = 5;

interface SketchSlot {
  id: number;
  sketch: LatencySketch;
}

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
 * Counts are kept per minute for the whole retention; latency sketches per minute for the last
 * few minutes and per five-minute block beyond, which keeps memory at ~20 sketches per series
 * for an hour of retention. Windows longer than five minutes therefore read latency at
 * five-minute granularity (up to four minutes more than the window at its old edge).
 */
export class TimeSeries {
  private readonly minuteIds: Int32Array;
  private readonly counts: Uint32Array;
  private readonly errors: Uint32Array;
  private readonly sums: Float64Array;
  private readonly maxes: Float32Array;
  private readonly fine: (SketchSlot | undefined)[];
  private readonly coarse: (SketchSlot | undefined)[];

  constructor(retentionMs: number) {
    // +2: the current partial minute and the partial one at the window's old edge.
    const minutes = Math.ceil(retentionMs / MINUTE_MS) + 2;
    this.minuteIds = new Int32Array(minutes).fill(-1);
    this.counts = new Uint32Array(minutes);
    this.errors = new Uint32Array(minutes);
    this.sums = new Float64Array(minutes);
    this.maxes = new Float32Array(minutes);
    this.fine = new Array(FINE_MAX_MINUTES + 2);
    this.coarse = new Array(Math.ceil(minutes / COARSE_MINUTES) + 1);
  }

  /** Adds one observation at unix time `timeMs`. */
  add(timeMs: number, durationMs: number, isError: boolean): void {
    const minute = Math.floor(timeMs / MINUTE_MS);
    const i = minute % this.minuteIds.length;
    if (this.minuteIds[i] !== minute) {
      this.minuteIds[i] = minute;
      this.counts[i] = 0;
      this.errors[i] = 0;
      this.sums[i] = 0;
      this.maxes[i] = 0;
    }
    this.counts[i]++;
    if (isError) this.errors[i]++;
    this.sums[i] += durationMs;
    if (durationMs > this.maxes[i]) this.maxes[i] = durationMs;
    const value = durationMs > 0 ? durationMs : 0;
    slotFor(this.fine, minute).sketch.accept(value);
    slotFor(this.coarse, Math.floor(minute / COARSE_MINUTES)).sketch.accept(value);
  }

  /** Totals over the `windowMs` ending at `nowMs`, to minute granularity (the minute holding the old edge counts whole). */
  window(nowMs: number, windowMs: number): WindowTotals {
    const last = Math.floor(nowMs / MINUTE_MS);
    const first = Math.floor((nowMs - windowMs) / MINUTE_MS);
    const coveredMs = nowMs - first * MINUTE_MS;
    let count = 0;
    let errors = 0;
    let sumMs = 0;
    for (let i = 0; i < this.minuteIds.length; i++) {
      const id = this.minuteIds[i];
      if (id >= first && id <= last) {
        count += this.counts[i];
        errors += this.errors[i];
        sumMs += this.sums[i];
      }
    }
    if (count === 0) return { count, errors, sumMs, sketch: null, coveredMs };
    const sketch = last - first <= FINE_MAX_MINUTES
      ? mergeSlots(this.fine, first, last)
      : mergeSlots(this.coarse, Math.floor(first / COARSE_MINUTES), Math.floor(last / COARSE_MINUTES));
    return { count, errors, sumMs, sketch, coveredMs };
  }

  /** One point per minute for the `minutes` ending at `nowMs`, oldest first (for sparklines). */
  perMinute(nowMs: number, minutes: number): MinutePoint[] {
    const last = Math.floor(nowMs / MINUTE_MS);
    const points: MinutePoint[] = [];
    for (let minute = last - Math.min(minutes, this.minuteIds.length) + 1; minute <= last; minute++) {
      const i = ((minute % this.minuteIds.length) + this.minuteIds.length) % this.minuteIds.length;
      const hit = this.minuteIds[i] === minute;
      const count = hit ? this.counts[i] : 0;
      points.push({
        t: minute * MINUTE_MS,
        count,
        errors: hit ? this.errors[i] : 0,
        avgMs: count > 0 ? this.sums[i] / count : 0,
        maxMs: hit ? this.maxes[i] : 0,
      });
    }
    return points;
  }

  /** Unix ms of the newest minute holding data, or 0. */
  lastMinuteMs(): number {
    let newest = -1;
    for (const id of this.minuteIds) if (id > newest) newest = id;
    return newest < 0 ? 0 : newest * MINUTE_MS;
  }

  /** Serializes the series for the snapshot. */
  toState(): TimeSeriesState {
    const minutes: TimeSeriesState['minutes'] = [];
    for (let i = 0; i < this.minuteIds.length; i++) {
      if (this.minuteIds[i] >= 0) minutes.push([this.minuteIds[i], this.counts[i], this.errors[i], this.sums[i], this.maxes[i]]);
    }
    const slots = (list: (SketchSlot | undefined)[]): [number, string][] =>
      list.filter((s): s is SketchSlot => s !== undefined).map((s) => [s.id, sketchToBase64(s.sketch)]);
    return { minutes, fine: slots(this.fine), coarse: slots(this.coarse) };
  }

  /** Restores a series written by `toState`; entries that do not fit are ignored. */
  static fromState(retentionMs: number, state: TimeSeriesState): TimeSeries {
    const series = new TimeSeries(retentionMs);
    for (const [id, count, errors, sum, max] of state.minutes) {
      const i = id % series.minuteIds.length;
      if (id < series.minuteIds[i]) continue;
      series.minuteIds[i] = id;
      series.counts[i] = count;
      series.errors[i] = errors;
      series.sums[i] = sum;
      series.maxes[i] = max;
    }
    for (const [id, b64] of state.fine) series.fine[id % series.fine.length] = { id, sketch: sketchFromBase64(b64) };
    for (const [id, b64] of state.coarse) series.coarse[id % series.coarse.length] = { id, sketch: sketchFromBase64(b64) };
    return series;
  }
}

function slotFor(ring: (SketchSlot | undefined)[], id: number): SketchSlot {
  const i = id % ring.length;
  let slot = ring[i];
  if (slot === undefined || slot.id !== id) {
    slot = { id, sketch: newSketch() };
    ring[i] = slot;
  }
  return slot;
}

function mergeSlots(ring: (SketchSlot | undefined)[], first: number, last: number): LatencySketch | null {
  const hits = ring.filter((s): s is SketchSlot => s !== undefined && s.id >= first && s.id <= last);
  if (hits.length === 0) return null;
  if (hits.length === 1) return hits[0].sketch;
  const merged = newSketch();
  for (const slot of hits) merged.merge(slot.sketch);
  return merged;
}
