import type { GitPort, GitRunOptions } from './git';

/** What a `BoundedGit` has done, for tests and status. */
export interface GitCounters {
  /** Commands started (each is one git process). */
  started: number;
  /** Commands running now. */
  inFlight: number;
  /** Most commands ever running at once. */
  maxInFlight: number;
  /** Commands waiting for a slot now. */
  waiting: number;
}

/**
 * A GitPort that runs at most `limit` commands at once; the rest wait in order. Telemetry decides
 * which revisions are asked about, so without a bound a stream of them would fork git without end.
 */
export class BoundedGit implements GitPort {
  readonly counters: GitCounters = { started: 0, inFlight: 0, maxInFlight: 0, waiting: 0 };
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly inner: GitPort,
    private readonly limit: number,
  ) {
    if (!(limit >= 1)) throw new Error(`git concurrency must be at least 1, not ${limit}`);
  }

  /** Runs one command once a slot is free. */
  async run(args: string[], options?: GitRunOptions): Promise<string> {
    if (this.counters.inFlight >= this.limit) {
      this.counters.waiting++;
      // The finishing command hands its slot over, so a newcomer cannot slip in between.
      await new Promise<void>((resolve) => this.queue.push(resolve));
      this.counters.waiting--;
    } else {
      this.counters.inFlight++;
    }
    this.counters.started++;
    if (this.counters.inFlight > this.counters.maxInFlight) this.counters.maxInFlight = this.counters.inFlight;
    try {
      return await this.inner.run(args, options);
    } finally {
      const next = this.queue.shift();
      if (next !== undefined) next();
      else this.counters.inFlight--;
    }
  }
}
