import type { TimeSeries } from './timeSeries';

/** Entries that name an environment and count spans. */
interface Counted {
  environment: string;
  series: TimeSeries;
}

const PICK_TTL_MS = 5_000;

/**
 * The environments a store has seen and the one a query without `environment` answers for.
 * Both are cached: the list until entries are added or evicted, the busiest pick for a few
 * seconds, so a per-file query does not walk the whole store.
 */
export class Environments {
  private list: string[] | null = null;
  private picked = { at: -Infinity, environment: '' };

  constructor(
    private readonly entries: () => Iterable<Counted>,
    private readonly defaultEnvironment: string,
    private readonly retentionMs: number,
  ) {}

  /** Call when entries were added or evicted. */
  invalidate(): void {
    this.list = null;
  }

  /** Environments seen, sorted. */
  all(): string[] {
    if (this.list !== null) return this.list;
    const names = new Set<string>();
    for (const e of this.entries()) names.add(e.environment);
    this.list = [...names].sort();
    return this.list;
  }

  /** The configured default when seen, else the only one, else the busiest over the retention. */
  pick(now: number): string {
    const environments = this.all();
    if (this.defaultEnvironment && environments.includes(this.defaultEnvironment)) return this.defaultEnvironment;
    if (environments.length <= 1) return environments[0] ?? this.defaultEnvironment;
    if (now - this.picked.at < PICK_TTL_MS && environments.includes(this.picked.environment)) return this.picked.environment;
    const totals = new Map<string, number>(environments.map((e) => [e, 0]));
    for (const e of this.entries()) totals.set(e.environment, (totals.get(e.environment) ?? 0) + e.series.window(now, this.retentionMs).count);
    const environment = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
    this.picked = { at: now, environment };
    return environment;
  }
}
