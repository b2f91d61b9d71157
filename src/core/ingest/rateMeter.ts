/** Turns a growing counter into a per-second rate over the last few samples. */
export class RateMeter {
  private readonly samples: { t: number; value: number }[] = [];

  constructor(private readonly spanMs = 5_000) {}

  /** Records the counter's value at time `t` (ms) and returns the rate per second. */
  sample(t: number, value: number): number {
    this.samples.push({ t, value });
    while (this.samples.length > 2 && t - this.samples[0].t > this.spanMs) this.samples.shift();
    return this.rate();
  }

  /** The latest rate per second (0 before two samples). */
  rate(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    return last.t > first.t ? ((last.value - first.value) * 1000) / (last.t - first.t) : 0;
  }
}
