import { RETRY_AFTER_SECONDS } from './limits';
import { HttpError } from './httpErrors';

/**
 * Bytes of request bodies held by all requests together. Each request takes from it through a
 * lease as it reads, inflates and copies its body, and gives everything back when it is done, so
 * many concurrent (or compressed) bodies cannot add up to more than the budget.
 */
export class MemoryBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Bytes currently held by all leases. */
  get inUse(): number {
    return this.used;
  }

  /** A lease for one request; release it in a `finally`. */
  lease(): BudgetLease {
    return new BudgetLease(this);
  }

  /** Takes `bytes` if they fit; false (nothing taken) when they do not. */
  tryTake(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  /** Gives back bytes taken with `tryTake`. */
  give(bytes: number): void {
    this.used -= bytes;
  }
}

/** One request's share of a MemoryBudget. */
export class BudgetLease {
  private held = 0;

  constructor(private readonly budget: MemoryBudget) {}

  /** Takes `bytes` more, or throws the 503 (with Retry-After) a sender retries later. */
  take(bytes: number): void {
    if (!this.budget.tryTake(bytes)) throw busy(this.budget.limit);
    this.held += bytes;
  }

  /** Gives back `bytes` of what this lease holds (memory the request no longer references). */
  give(bytes: number): void {
    const n = Math.min(bytes, this.held);
    this.held -= n;
    this.budget.give(n);
  }

  /** Gives back everything; safe to call twice. */
  release(): void {
    this.give(this.held);
  }
}

function busy(limit: number): HttpError {
  return new HttpError(503, `receiver is busy: request bodies in flight would pass ${limit} bytes; retry later`, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
}
