/**
 * The status of a remote source in the seam's terms: when it last answered, how old its figures
 * are, and whether they are stale (older than the source's refresh interval allows).
 */
import type { SourceStatus } from '../telemetrySource';

/** Figures count as stale once their last refresh is this many refresh intervals old. */
export const STALE_AFTER_INTERVALS = 2;

/** Tracks one remote source's refreshes. */
export class SourceHealth {
  private lastSuccess: number | null = null;
  private dataTime: number | null = null;
  private lastError: string | undefined;
  private stopped = false;

  constructor(
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A refresh answered; `dataTimeMs` is how recent its newest figure is, when the backend says. */
  succeeded(dataTimeMs?: number): void {
    this.lastSuccess = this.now();
    this.dataTime = dataTimeMs ?? this.lastSuccess;
    this.lastError = undefined;
  }

  /** A refresh failed with this one-line reason; the last figures are kept. */
  failed(error: string): void {
    this.lastError = error;
  }

  /** The source was disposed. */
  stop(): void {
    this.stopped = true;
  }

  /** How old the last good figures are (ms), or null before the first. */
  ageMs(): number | null {
    return this.lastSuccess === null ? null : Math.max(0, this.now() - this.lastSuccess);
  }

  /** True when the last good figures are older than the refresh interval allows. */
  isStale(): boolean {
    const age = this.ageMs();
    return age !== null && age > this.refreshMs * STALE_AFTER_INTERVALS;
  }

  status(): SourceStatus {
    const stalenessMs = this.dataTime === null ? null : Math.max(0, this.now() - this.dataTime);
    const base = { lastSuccess: this.lastSuccess, stalenessMs };
    if (this.stopped) return { state: 'stopped', ...base };
    if (this.lastError !== undefined) return { state: this.lastSuccess === null ? 'error' : 'stale', ...base, error: this.lastError };
    if (this.lastSuccess === null) return { state: 'starting', ...base };
    return this.isStale() ? { state: 'stale', ...base, error: `no refresh for ${Math.round(this.ageMs()! / 1000)} s` } : { state: 'ok', ...base };
  }
}
