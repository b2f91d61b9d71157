/**
 * Stops asking a backend that keeps failing: after `threshold` failed calls in a row it opens for a
 * cool-down, then lets one call through (half-open); a success closes it, a failure opens it again
 * for twice as long (up to a bound). Sources keep their last figures meanwhile, marked stale.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private coolDownMs: number;
  private probing = false;

  constructor(
    private readonly threshold = 3,
    private readonly baseCoolDownMs = 5_000,
    private readonly maxCoolDownMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.coolDownMs = baseCoolDownMs;
  }

  /** Whether a call may go out now; while half-open only one does. */
  allows(): boolean {
    if (this.failures < this.threshold) return true;
    if (this.now() < this.openUntil || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** Milliseconds until the next call may go out (0 when closed). */
  coolDownLeftMs(): number {
    return Math.max(0, this.openUntil - this.now());
  }

  /** `closed` (asking), `open` (not asking), `half-open` (one probe out or allowed). */
  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.threshold) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  succeeded(): void {
    this.failures = 0;
    this.probing = false;
    this.coolDownMs = this.baseCoolDownMs;
  }

  failed(): void {
    this.failures++;
    if (this.failures < this.threshold) return;
    if (this.probing) this.coolDownMs = Math.min(this.coolDownMs * 2, this.maxCoolDownMs);
    this.probing = false;
    this.openUntil = this.now() + this.coolDownMs;
  }
}
