/**
 * When and what a trace backend source pulls: a time cursor per service (each search starts where
 * the last good one ended, less an overlap for spans that reach the backend late), the services
 * listed again now and then, and a budget of requests per minute shared by all of it, spent on the
 * services waiting longest first. Pure: the clock is injected and nothing here does I/O.
 */

/** How much a source may pull. */
export interface PullOptions {
  /** A pull round every this many ms. */
  refreshMs: number;
  /** The first search of a service reaches this far back (ms). */
  lookbackMs: number;
  /** Each later search starts this long before the last one ended: spans reach the backend late. */
  overlapMs: number;
  /** At most this many traces per service per search (the newest are taken: a sample). */
  maxTracesPerPull: number;
  /** Requests per minute in all: service listings and searches. */
  maxPullsPerMinute: number;
  /** The service list is asked again after this long (ms). */
  servicesRefreshMs: number;
}

/** Defaults for an editor session: 6 requests a minute at most, 20 traces per service per search. */
export const DEFAULT_PULL_OPTIONS: PullOptions = {
  refreshMs: 20_000,
  lookbackMs: 15 * 60_000,
  overlapMs: 30_000,
  maxTracesPerPull: 20,
  maxPullsPerMinute: 6,
  servicesRefreshMs: 60_000,
};

/** One search to make. */
export interface DueSearch {
  service: string;
  startMinMs: number;
  startMaxMs: number;
  limit: number;
}

const MINUTE = 60_000;

/** Cursors and the request budget of one source. */
export class PullSchedule {
  readonly options: PullOptions;
  private services: string[] = [];
  private listedAt: number | null = null;
  /** Where each service's next search starts (end of its last good search). */
  private readonly cursors = new Map<string, number>();
  /** When each service was last searched, for fairness. */
  private readonly searchedAt = new Map<string, number>();
  private readonly spent: number[] = [];

  constructor(
    options: Partial<PullOptions> = {},
    private readonly only: readonly string[] = [],
    private readonly now: () => number = Date.now,
  ) {
    // Only the pull options are taken: callers may pass a wider settings object.
    const picked = { ...DEFAULT_PULL_OPTIONS };
    for (const key of Object.keys(DEFAULT_PULL_OPTIONS) as (keyof PullOptions)[]) {
      const v = options[key] ?? DEFAULT_PULL_OPTIONS[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < (key === 'overlapMs' ? 0 : 1)) throw new Error(`pull option ${key} must be a positive number, got ${String(v)}`);
      picked[key] = v;
    }
    this.options = picked;
  }

  /** Requests left in the current minute. */
  budget(): number {
    const since = this.now() - MINUTE;
    while (this.spent.length > 0 && this.spent[0] <= since) this.spent.shift();
    return Math.max(0, this.options.maxPullsPerMinute - this.spent.length);
  }

  /** Whether the service list should be asked for now (and the budget allows it). */
  wantsServices(): boolean {
    // No services yet (a Jaeger started before its first span): ask every round until some appear.
    const stale = this.listedAt === null || this.services.length === 0 || this.now() - this.listedAt >= this.options.servicesRefreshMs;
    return stale && this.budget() > 0;
  }

  /** Spends one request of the budget. */
  spend(): void {
    this.spent.push(this.now());
  }

  /** The service list arrived: services no longer listed lose their cursors. */
  listed(services: readonly string[]): void {
    this.listedAt = this.now();
    const wanted = this.only.length === 0 ? services : services.filter((s) => this.only.includes(s));
    this.services = [...new Set(wanted)];
    for (const s of [...this.cursors.keys()]) if (!this.services.includes(s)) this.cursors.delete(s);
    for (const s of [...this.searchedAt.keys()]) if (!this.services.includes(s)) this.searchedAt.delete(s);
  }

  /** The services known now. */
  known(): readonly string[] {
    return this.services;
  }

  /**
   * The searches of this round: never-searched services first, then those searched longest ago;
   * no more than a round's share of the minute's budget, so one round cannot spend the minute.
   */
  due(): DueSearch[] {
    const perRound = Math.max(1, Math.ceil((this.options.maxPullsPerMinute * this.options.refreshMs) / MINUTE));
    const n = Math.min(perRound, this.budget(), this.services.length);
    const now = this.now();
    const order = [...this.services].sort((a, b) => (this.searchedAt.get(a) ?? -Infinity) - (this.searchedAt.get(b) ?? -Infinity));
    return order.slice(0, n).map((service) => {
      const cursor = this.cursors.get(service);
      const floor = now - this.options.lookbackMs;
      const startMinMs = cursor === undefined ? floor : Math.max(floor, cursor - this.options.overlapMs);
      return { service, startMinMs, startMaxMs: now, limit: this.options.maxTracesPerPull };
    });
  }

  /** A search went out (spends the budget); `ok` when it answered, moving the cursor to its end. */
  searched(search: DueSearch, ok: boolean): void {
    this.searchedAt.set(search.service, this.now());
    if (ok) this.cursors.set(search.service, search.startMaxMs);
  }

  /** Where a service's next search starts, or undefined before its first good one. */
  cursorOf(service: string): number | undefined {
    return this.cursors.get(service);
  }
}
