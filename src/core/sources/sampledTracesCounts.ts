/**
 * How many distinct sampled traces a figure rests on: per key (a function's location key, an error
 * type), the traces seen with the time they were seen, bounded per key and in keys. A figure from
 * three traces reads very differently from one from three thousand; the count says which it is.
 */
import { OldestFirst } from '../oldestFirst';

/** Bounds of the counts. */
export interface TraceCountOptions {
  /** Traces remembered per key; a count at the cap means "at least this many". */
  maxTracesPerKey: number;
  /** Keys remembered; the least recently updated go first. */
  maxKeys: number;
}

const DEFAULTS: TraceCountOptions = { maxTracesPerKey: 1_000, maxKeys: 20_000 };

/** Distinct traces per key, by time. */
export class TraceCounts {
  private readonly keys = new Map<string, Map<string, number>>();
  private readonly keysOldest = new OldestFirst(this.keys);
  private readonly options: TraceCountOptions;

  constructor(options: Partial<TraceCountOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Notes that trace `traceId` touched `key` at `timeMs`. */
  add(key: string, traceId: string, timeMs: number): void {
    let traces = this.keys.get(key);
    if (traces === undefined) {
      if (this.keys.size >= this.options.maxKeys) this.keysOldest.drop();
      traces = new Map();
    } else this.keys.delete(key);
    this.keys.set(key, traces);
    const seen = traces.get(traceId);
    if (seen !== undefined) {
      if (timeMs > seen) traces.set(traceId, timeMs);
      return;
    }
    // Full: the trace seen first goes (insertion order); counts of recent windows stay right.
    if (traces.size >= this.options.maxTracesPerKey) traces.delete(traces.keys().next().value as string);
    traces.set(traceId, timeMs);
  }

  /** Distinct traces of `key` seen at or after `sinceMs`. */
  count(key: string, sinceMs: number): number {
    const traces = this.keys.get(key);
    if (traces === undefined) return 0;
    let n = 0;
    for (const t of traces.values()) if (t >= sinceMs) n++;
    return n;
  }
}
