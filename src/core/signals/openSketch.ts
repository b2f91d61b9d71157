import { SKETCH_MIN_POSITIVE, sketchBins, sketchKey, type LatencySketch, type SketchBins } from './latencySketch';

const CLOSED: SketchBins = { bins: new Uint16Array(0), lo: 0, hi: -1, offset: 0, limit: 0 };

/**
 * The sketch an owner is recording into, held open: its bins, their key range, and what was added
 * since the sketch itself was last brought up to date. An owner (TimeSeries) extends this class so
 * that these are fields of its own object: with tens of thousands of series, an add then misses the
 * cache on the bins only, not also on the sketch and its store. Adds that need the bins to grow,
 * shift or widen go through the sketch. Anything that reads the sketch must call `settleSketch` first.
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
  private addedSum = 0;
  private addedMin = Infinity;
  private addedMax = -Infinity;

  /** Records into `sketch` from now on (null: into none), settling the one open before. */
  protected openSketch(sketch: LatencySketch | null): void {
    this.settleSketch();
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

  /** Adds one latency (ms, >= 0) to the open sketch. */
  protected acceptLatency(value: number): void {
    const sketch = this.openedSketch;
    if (sketch === null) return;
    if (value > SKETCH_MIN_POSITIVE) {
      const key = sketchKey(value);
      const count = key >= this.lo && key <= this.hi ? this.bins[key - this.offset] : this.limit;
      if (count >= this.limit) {
        // Outside the bins, or a bin that would overflow its width: the store's own path.
        this.settleSketch();
        sketch.accept(value);
        this.readBins();
        return;
      }
      this.bins[key - this.offset] = count + 1;
      this.addedPositive++;
    } else {
      this.addedZero++;
    }
    this.addedSum += value;
    if (value < this.addedMin) this.addedMin = value;
    if (value > this.addedMax) this.addedMax = value;
  }

  /** Brings the open sketch's totals up to date with the adds made through its bins. */
  protected settleSketch(): void {
    const sketch = this.openedSketch;
    if (sketch === null || this.addedPositive + this.addedZero === 0) return;
    sketch.store.count += this.addedPositive;
    sketch.zeroCount += this.addedZero;
    sketch.count += this.addedPositive + this.addedZero;
    sketch.sum += this.addedSum;
    if (this.addedMin < sketch.min) sketch.min = this.addedMin;
    if (this.addedMax > sketch.max) sketch.max = this.addedMax;
    this.addedPositive = 0;
    this.addedZero = 0;
    this.addedSum = 0;
    this.addedMin = Infinity;
    this.addedMax = -Infinity;
  }
}
