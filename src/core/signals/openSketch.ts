import { SKETCH_MIN_POSITIVE, sketchBins, sketchKey, type LatencySketch, type SketchBins } from './latencySketch';

const CLOSED: SketchBins = { bins: new Uint16Array(0), lo: 0, hi: -1, offset: 0, limit: 0 };

/**
 * The sketch an owner is recording into, held open: its bins, their key range, and the counts
 * added since the sketch itself was last brought up to date. An owner (TimeSeries) extends this
 * class so that these are fields of its own object: with tens of thousands of series, an add then
 * misses the cache on the bins only, not also on the sketch and its store. Adds that need the bins
 * to grow, shift or widen go through the store. The owner keeps the sum, minimum and maximum of
 * what it added (it needs them for its own totals) and hands them to `settleSketch`, which anything
 * that reads the sketch must call first.
 */
export class OpenSketch {
  private openedSketch: LatencySketch | null = null;
  // The open sketch's bins (SketchBins), as fields of their own: an object would be one more miss.
  private bins = CLOSED.bins;
  private lo = CLOSED.lo;
  private hi = CLOSED.hi;
  private offset = CLOSED.offset;
  private limit = CLOSED.limit;
  private addedPositive = 0;
  private addedZero = 0;

  /** Records into `sketch` from now on (null: into none); the one open before must be settled. */
  protected openSketch(sketch: LatencySketch | null): void {
    this.openedSketch = sketch;
    this.readBins();
  }

  private readBins(): void {
    const b = (this.openedSketch && sketchBins(this.openedSketch)) ?? CLOSED;
    this.bins = b.bins;
    this.lo = b.lo;
    this.hi = b.hi;
    this.offset = b.offset;
    this.limit = b.limit;
  }

  /** Adds one latency (ms, >= 0) to the open sketch's bins; its sum, min and max come with `settleSketch`. */
  protected acceptLatency(value: number): void {
    const sketch = this.openedSketch;
    if (sketch === null) return;
    if (value > SKETCH_MIN_POSITIVE) {
      const key = sketchKey(value);
      const count = key >= this.lo && key <= this.hi ? this.bins[key - this.offset] : this.limit;
      if (count >= this.limit) {
        // Outside the bins, or a bin that would overflow its width: the store's own path (which
        // reshapes the bins by the store's count, so that is brought up to date first).
        this.settleCounts(sketch);
        sketch.store.add(key);
        sketch.count++;
        this.readBins();
        return;
      }
      this.bins[key - this.offset] = count + 1;
      this.addedPositive++;
    } else {
      this.addedZero++;
    }
  }

  /**
   * Brings the open sketch up to date with the adds made through its bins: `sum`, `min` and `max`
   * are those of every latency accepted since the last settle (none when `min > max`).
   */
  protected settleSketch(sum: number, min: number, max: number): void {
    const sketch = this.openedSketch;
    if (sketch === null || min > max) return;
    this.settleCounts(sketch);
    sketch.sum += sum;
    if (min < sketch.min) sketch.min = min;
    if (max > sketch.max) sketch.max = max;
  }

  private settleCounts(sketch: LatencySketch): void {
    if (this.addedPositive + this.addedZero === 0) return;
    sketch.store.count += this.addedPositive;
    sketch.zeroCount += this.addedZero;
    sketch.count += this.addedPositive + this.addedZero;
    this.addedPositive = 0;
    this.addedZero = 0;
  }
}
