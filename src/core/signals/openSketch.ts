import { binLimit, EMPTY_BINS, SKETCH_MIN_POSITIVE, sketchKey, type LatencySketch } from './latencySketch';

/**
 * The sketch an owner is recording into, held open: its bins and their offset, and the counts added
 * since the sketch itself was last brought up to date. An owner (TimeSeries) extends this class so
 * that these are fields of its own object: with tens of thousands of series, an add then misses the
 * cache on the bins only, not also on the sketch. Adds outside the bins, or that would overflow a
 * bin's width, go through the sketch, which replaces them. Anything that reads the sketch must call
 * `settleSketch` first.
 */
export class OpenSketch {
  private openedSketch: LatencySketch | null = null;
  private bins = EMPTY_BINS;
  private binBase = 0;
  private binCount = 0;
  private offset = 0;
  /** Largest count the bins hold (a small integer: see binLimit). */
  private limit = 0;
  private addedPositive = 0;
  private addedZero = 0;

  /** Records into `sketch` from now on (null: into none); the one open before must be settled. */
  protected openSketch(sketch: LatencySketch | null): void {
    this.openedSketch = sketch;
    this.readBins();
  }

  /** Reads the open sketch's bins again (after anything that may have moved them: its own adds, a relocation). */
  protected readBins(): void {
    this.bins = this.openedSketch?.bins ?? EMPTY_BINS;
    this.binBase = this.openedSketch?.base ?? 0;
    this.binCount = this.openedSketch?.size ?? 0;
    this.offset = this.openedSketch?.offset ?? 0;
    this.limit = binLimit(this.bins);
  }

  /** Adds one latency (ms, >= 0) to the open sketch. */
  protected acceptLatency(value: number): void {
    const sketch = this.openedSketch;
    if (sketch === null) return;
    if (value > SKETCH_MIN_POSITIVE) {
      const key = sketchKey(value);
      const i = key - this.offset;
      this.addedPositive++;
      if (i >= 0 && i < this.binCount) {
        const at = this.binBase + i;
        const count = this.bins[at];
        if (count < this.limit) {
          this.bins[at] = count + 1;
          return;
        }
      }
      // Outside the bins, or a bin that would overflow its width: the sketch's own path, which replaces them.
      sketch.addKey(key, 1);
      this.readBins();
    } else {
      this.addedZero++;
    }
  }

  /** Brings the open sketch's counts up to date with the adds made through its bins. */
  protected settleSketch(): void {
    const sketch = this.openedSketch;
    if (sketch === null || this.addedPositive + this.addedZero === 0) return;
    sketch.zeroCount += this.addedZero;
    sketch.count += this.addedPositive + this.addedZero;
    this.addedPositive = 0;
    this.addedZero = 0;
  }
}
