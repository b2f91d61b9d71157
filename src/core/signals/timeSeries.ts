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
 * Counts are kept per minute for the whole retention. Latency goes into one sketch per minute;
 * when a minute is older than the fine range it is merged into its five-minute block, so each
 * observation costs one sketch insert and an hour of retention holds ~18 sketches. Windows up to
 * five minutes read latency per minute; longer ones at five-minute granularity (up to four
 * minutes more than the window at its old edge).
 */
export class TimeSeries {
  private readonly minuteIds: Int32Array;
  private readonly counts: Uint32Array;
  private readonly errors: Uint32Array;
  private readonly sums: Float64Array;
  private readonly maxes: Float32Array;
  private readonly fine: (SketchSlot | undefined)[] | null;
  private readonly coarse: (SketchSlot | undefined)[] | null;

  /** `latency: false` keeps counts only (error groups need no quantiles). */
  constructor(retentionMs: number, latency = true) {
    // +2: the current partial minute and the partial one at the window's old edge.
    const minutes = Math.ceil(retentionMs / MINUTE_MS) + 2;
    this.minuteIds = new Int32Array(minutes).fill(-1);
    this.counts = new Uint32Array(minutes);
    this.errors = new Uint32Array(minutes);
    this.sums = new Float64Array(minutes);
    this.maxes = new Float32Array(minutes);
    this.fine = latency ? new Array(FINE_MAX_MINUTES + 2) : null;
    this.coarse = latency ? new Array(Math.ceil(minutes / COARSE_MINUTES) + 1) : null;
  }

  /** Adds one observation at unix time `timeMs`. */
  add(timeMs: number, durationMs: number, isError: boolean): void {
    const minute = Math.floor(timeMs / MINUTE_MS);
    const i = minute % this.minuteIds.length;
    if (this.minuteIds[i] !== minute) {
      if (minute < this.minuteIds[i]) return this.addLate();
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
    if (this.fine !== null) this.fineSlot(minute).sketch.accept(durationMs > 0 ? durationMs : 0);
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
    if (count === 0 || this.fine === null || this.coarse === null) return { count, errors, sumMs, sketch: null, coveredMs };
    // Short windows read the minute sketches only; long ones whole blocks plus the minutes not rolled up yet.
    const hits = this.fine.filter((s): s is SketchSlot => s !== undefined && s.id >= first && s.id <= last);
    if (last - first > FINE_MAX_MINUTES) {
      const firstBlock = Math.floor(first / COARSE_MINUTES);
      for (const s of this.coarse) if (s !== undefined && s.id >= firstBlock) hits.push(s);
    }
    return { count, errors, sumMs, sketch: merged(hits), coveredMs };
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
    const slots = (list: (SketchSlot | undefined)[] | null): [number, string][] =>
      (list ?? []).filter((s): s is SketchSlot => s !== undefined).map((s) => [s.id, sketchToBase64(s.sketch)]);
    return { minutes, fine: slots(this.fine), coarse: slots(this.coarse) };
  }

  /** Restores a series written by `toState`; entries that do not fit are ignored. */
  static fromState(retentionMs: number, state: TimeSeriesState, latency = true): TimeSeries {
    const series = new TimeSeries(retentionMs, latency);
    for (const [id, count, errors, sum, max] of state.minutes) {
      const i = id % series.minuteIds.length;
      if (id < series.minuteIds[i]) continue;
      series.minuteIds[i] = id;
      series.counts[i] = count;
      series.errors[i] = errors;
      series.sums[i] = sum;
      series.maxes[i] = max;
    }
    if (series.fine === null || series.coarse === null) return series;
    for (const [id, b64] of state.coarse) series.coarse[id % series.coarse.length] = { id, sketch: sketchFromBase64(b64) };
    for (const [id, b64] of state.fine) series.fineSlot(id).sketch.merge(sketchFromBase64(b64));
    return series;
  }

  /** The sketch of `minute`, rolling the minute it replaces into that minute's five-minute block. */
  private fineSlot(minute: number): SketchSlot {
    const fine = this.fine!;
    const i = minute % fine.length;
    let slot = fine[i];
    if (slot !== undefined && slot.id === minute) return slot;
    if (slot !== undefined) this.rollUp(slot);
    slot = { id: minute, sketch: newSketch() };
    fine[i] = slot;
    return slot;
  }

  private rollUp(slot: SketchSlot): void {
    const coarse = this.coarse!;
    const block = Math.floor(slot.id / COARSE_MINUTES);
    const i = block % coarse.length;
    const target = coarse[i];
    if (target !== undefined && target.id === block) target.sketch.merge(slot.sketch);
    else if (target === undefined || target.id < block) coarse[i] = { id: block, sketch: slot.sketch };
  }

  /** Telemetry older than the ring (the store files such spans at arrival time, so this is rare): counted nowhere. */
  private addLate(): void {
    this.lateDropped++;
  }

  /** Observations too old for the ring; the store prevents them by clamping times. */
  lateDropped = 0;
}

function merged(slots: SketchSlot[]): LatencySketch | null {
  if (slots.length === 0) return null;
  if (slots.length === 1) return slots[0].sketch;
  const sketch = newSketch();
  for (const slot of slots) sketch.merge(slot.sketch);
  return sketch;
}
