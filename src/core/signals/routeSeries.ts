/**
 * Counts, errors and latency of one route over rolling time, filed from metric deltas: each delta
 * brings many requests at once (weighted), which the span-oriented TimeSeries does not take.
 * Counts are kept per minute for the whole retention. Latency is kept as TimeSeries keeps it: a
 * sketch per minute for the last few minutes, merged into fifteen-minute blocks after that, so a
 * route busy for the whole hour holds about a dozen sketches, not sixty.
 */
import type { SparkPoint } from '../api/signals';
import { newSketch, type LatencySketch } from './latencySketch';

const MINUTE_MS = 60_000;
/** Width of a coarse sketch block, in minutes. */
const BLOCK_MINUTES = 15;
/** Windows up to this many minutes are answered from per-minute sketches. */
const FINE_MAX_MINUTES = 5;
/** Minute sketches kept behind the newest minute before they roll up into their block. */
const FINE_KEPT = FINE_MAX_MINUTES + 2;

interface MinuteSlot {
  count: number;
  errors: number;
  sumMs: number;
  maxMs: number;
  /** null once rolled up into its block. */
  sketch: LatencySketch | null;
}

/** What one window of a route adds up to. */
export interface RouteWindow {
  count: number;
  errors: number;
  /** Merged latency sketch; null when the window holds no latency. */
  sketch: LatencySketch | null;
  /** How much time the summed minutes cover, ms: the window plus the partial minute at its old edge. */
  coveredMs: number;
}

/** A per-minute series of weighted observations (see the file comment). */
export class RouteSeries {
  private readonly minutes = new Map<number, MinuteSlot>();
  private readonly blocks = new Map<number, LatencySketch>();
  private readonly keepMinutes: number;
  /** The newest minute filed: minute sketches this far behind it have rolled up. */
  private newest = -Infinity;

  constructor(retentionMs: number) {
    // +2: the current partial minute and the partial one at a window's old edge.
    this.keepMinutes = Math.ceil(retentionMs / MINUTE_MS) + 2;
  }

  /** Files `count` requests (`errors` of them failed) at unix time `timeMs`, their latencies as [ms, weight] pairs. */
  add(timeMs: number, count: number, errors: number, sumMs: number, maxMs: number, latencies: [number, number][]): void {
    const minute = Math.floor(timeMs / MINUTE_MS);
    let slot = this.minutes.get(minute);
    if (slot === undefined) {
      slot = { count: 0, errors: 0, sumMs: 0, maxMs: 0, sketch: null };
      this.minutes.set(minute, slot);
      this.prune(minute);
    }
    slot.count += count;
    slot.errors += errors;
    slot.sumMs += sumMs;
    if (maxMs > slot.maxMs) slot.maxMs = maxMs;
    if (latencies.length === 0) return;
    // A late point for a minute already rolled up goes straight into its block.
    const sketch = slot.sketch ?? (this.newest - minute >= FINE_KEPT ? this.block(minute) : (slot.sketch = newSketch()));
    for (const [ms, weight] of latencies) sketch.accept(ms, weight);
  }

  private block(minute: number): LatencySketch {
    const id = Math.floor(minute / BLOCK_MINUTES);
    let sketch = this.blocks.get(id);
    if (sketch === undefined) {
      sketch = newSketch();
      this.blocks.set(id, sketch);
    }
    return sketch;
  }

  /** Totals over the `windowMs` ending at `nowMs`, to minute granularity (the minute holding the old edge counts whole). */
  window(nowMs: number, windowMs: number): RouteWindow {
    const last = Math.floor(nowMs / MINUTE_MS);
    const first = Math.floor((nowMs - windowMs) / MINUTE_MS);
    let count = 0;
    let errors = 0;
    const hits: LatencySketch[] = [];
    for (const [minute, slot] of this.minutes) {
      if (minute < first || minute > last) continue;
      count += slot.count;
      errors += slot.errors;
      if (slot.sketch !== null) hits.push(slot.sketch);
    }
    // Long windows read whole blocks (up to fourteen minutes more than the window at its old edge).
    if (last - first > FINE_MAX_MINUTES) {
      const firstBlock = Math.floor(first / BLOCK_MINUTES);
      for (const [id, sketch] of this.blocks) if (id >= firstBlock) hits.push(sketch);
    }
    let sketch: LatencySketch | null = null;
    for (const hit of hits) {
      if (hit.count === 0) continue;
      sketch ??= newSketch();
      sketch.merge(hit);
    }
    return { count, errors, sketch, coveredMs: nowMs - first * MINUTE_MS };
  }

  /** One point per minute for the `minutes` ending at `nowMs`, oldest first (for sparklines). */
  perMinute(nowMs: number, minutes: number): SparkPoint[] {
    const last = Math.floor(nowMs / MINUTE_MS);
    const points: SparkPoint[] = [];
    for (let minute = last - minutes + 1; minute <= last; minute++) {
      const slot = this.minutes.get(minute);
      points.push({
        t: minute * MINUTE_MS,
        count: slot?.count ?? 0,
        errors: slot?.errors ?? 0,
        avgMs: slot !== undefined && slot.count > 0 ? slot.sumMs / slot.count : 0,
        maxMs: slot?.maxMs ?? 0,
      });
    }
    return points;
  }

  /** Drops minutes past the retention of the newest one, and rolls minute sketches past the fine range up into their blocks. */
  private prune(minute: number): void {
    if (minute <= this.newest) return;
    this.newest = minute;
    for (const [m, slot] of this.minutes) {
      if (minute - m >= this.keepMinutes) this.minutes.delete(m);
      else if (slot.sketch !== null && minute - m >= FINE_KEPT) {
        this.block(m).merge(slot.sketch);
        slot.sketch = null;
      }
    }
    const oldestBlock = Math.floor((minute - this.keepMinutes) / BLOCK_MINUTES);
    for (const id of this.blocks.keys()) if (id < oldestBlock) this.blocks.delete(id);
  }
}
