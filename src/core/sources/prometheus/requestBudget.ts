/**
 * A source's requests in the last minute, counted as they are sent (detection included), so the
 * refresh rounds and the rounds a new file asks for share one bound: at most N per sliding minute.
 */

const MINUTE_MS = 60_000;

/** At most `perMinute` requests in any 60 s. */
export class RequestBudget {
  private readonly sent: number[] = [];

  constructor(
    readonly perMinute: number,
    private readonly now: () => number,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error(`requests per minute must be a whole number of at least 1, got ${String(perMinute)}`);
  }

  /** Requests that may still be sent within the current minute, under `limit` (default the budget's own). */
  left(limit = this.perMinute): number {
    const since = this.now() - MINUTE_MS;
    while (this.sent.length > 0 && this.sent[0] <= since) this.sent.shift();
    return Math.max(0, limit - this.sent.length);
  }

  /** Counts `n` requests sent now. */
  spend(n = 1): void {
    const at = this.now();
    for (let i = 0; i < n; i++) this.sent.push(at);
  }
}
