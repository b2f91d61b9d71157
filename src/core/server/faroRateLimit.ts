import { OldestFirst } from '../oldestFirst';

/**
 * A token bucket per client for the Faro endpoint: a page in a loop (or a hostile sender) gets
 * 429 with the seconds until it may send again, and never crowds out other clients.
 */

/** Requests per second a client may sustain, and how many it may send at once. */
export interface RateLimitOptions {
  ratePerSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Clients remembered at once; past it the least recently seen is forgotten (it starts with a full bucket again). */
const MAX_CLIENTS = 10_000;

/** Per-client token buckets. */
export class ClientRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly bucketsOldest = new OldestFirst(this.buckets);

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request from `client`'s bucket: 0 when it may go ahead, else the whole seconds to wait (at least 1). */
  take(client: string): number {
    const { ratePerSecond, burst } = this.options;
    const now = this.now();
    let b = this.buckets.get(client);
    if (b === undefined) {
      if (this.buckets.size >= MAX_CLIENTS) this.bucketsOldest.drop();
      b = { tokens: burst, at: now };
    } else this.buckets.delete(client);
    this.buckets.set(client, b);
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * ratePerSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / ratePerSecond));
  }
}
