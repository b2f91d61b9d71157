/**
 * What the readers of a span-metrics source look at: every `signals()` query notes its window,
 * environment and file (or top N), and a refresh round asks Prometheus about the union of what was
 * asked recently, in one query. An interest not asked again for a while expires, so a closed file
 * or panel stops costing anything.
 */
import type { SignalsQuery } from '../telemetrySource';
import type { SpanGroup } from './spanMetricsGroups';
import type { DetectedSpanMetrics } from './spanMetricsNaming';
import type { FileScope, WindowAsk } from './spanMetricsQueries';

/** One thing a reader looks at. */
export interface Interest {
  windowMs: number;
  environment?: string;
  /** A file's functions; absent for an unscoped query (the panel, the status). */
  file?: string;
  /** For an unscoped query: at most this many rows (absent: all). */
  top?: number;
}

/** Interests kept at most (the least recently asked go first). */
const MAX_INTERESTS = 256;
/** Windows a round asks about at most (custom windows each count). */
export const MAX_WINDOWS = 6;
/** Files a window asks about at most. */
export const MAX_FILES_PER_WINDOW = 32;

/** The interests of one source. */
export class SpanMetricsInterests {
  private readonly asked = new Map<string, { interest: Interest; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Notes that `query` was asked now. */
  note(query: SignalsQuery): Interest {
    const interest: Interest = {
      windowMs: query.windowMs,
      ...(query.environment !== undefined ? { environment: query.environment } : {}),
      ...(query.file !== undefined ? { file: query.file } : query.top !== undefined ? { top: query.top } : {}),
    };
    const key = JSON.stringify([interest.windowMs, interest.environment ?? null, interest.file ?? null, interest.top ?? null]);
    // Re-inserted last: the map runs from the least to the most recently asked.
    this.asked.delete(key);
    this.asked.set(key, { interest, at: this.now() });
    if (this.asked.size > MAX_INTERESTS) this.asked.delete(this.asked.keys().next().value as string);
    return interest;
  }

  /** The interests asked within the time to live, the most recent first. */
  live(): Interest[] {
    const since = this.now() - this.ttlMs;
    for (const [key, { at }] of this.asked) if (at < since) this.asked.delete(key);
    return [...this.asked.values()].reverse().map((a) => a.interest);
  }

  /** What a round asks: per window, the union of its interests; `scopeOf` says how a file's series are found. */
  plan(scopeOf: (file: string) => FileScope): WindowAsk[] {
    const byWindow = new Map<number, Interest[]>();
    for (const i of this.live()) {
      const list = byWindow.get(i.windowMs);
      if (list !== undefined) list.push(i);
      else if (byWindow.size < MAX_WINDOWS) byWindow.set(i.windowMs, [i]);
    }
    return [...byWindow].map(([windowMs, list]) => {
      const environments = list.some((i) => i.environment === undefined) ? 'all' : [...new Set(list.map((i) => i.environment!))].sort();
      const unscoped = list.filter((i) => i.file === undefined);
      const all = unscoped.some((i) => i.top === undefined);
      const tops = unscoped.map((i) => i.top ?? 0);
      const files = all ? [] : [...new Set(list.flatMap((i) => (i.file === undefined ? [] : [i.file])))].slice(0, MAX_FILES_PER_WINDOW).map(scopeOf);
      return { windowMs, environments, all, ...(!all && tops.length > 0 ? { top: Math.max(...tops) } : {}), files };
    });
  }
}

/** Whether a round that asked `ask` holds everything `interest` needs (exactly as its own query would have). */
export function covers(ask: WindowAsk, interest: Interest): boolean {
  if (ask.windowMs !== interest.windowMs) return false;
  if (ask.environments !== 'all' && (interest.environment === undefined || !ask.environments.includes(interest.environment))) return false;
  if (ask.all) return true;
  if (interest.file !== undefined) return ask.files.some((f) => f.relative === interest.file);
  return interest.top !== undefined && ask.top !== undefined && ask.top >= interest.top;
}

/**
 * Whether the busiest 2 × top groups asked for were every group there is: topk returns k groups of
 * an environment holding k or more, so fewer than k (files' groups included) means it holds no
 * more. Such a round covers every file and top of its window (a small deployment needs no round
 * per newly opened file).
 */
export function complete(ask: WindowAsk, groups: readonly SpanGroup[], m: DetectedSpanMetrics): boolean {
  if (ask.all || ask.top === undefined) return ask.all;
  const k = Math.max(1, Math.floor(ask.top)) * 2;
  const perEnvironment = new Map<string, number>();
  for (const g of groups) {
    const env = m.environmentLabel ? (g.labels.get(m.environmentLabel) ?? '') : '';
    perEnvironment.set(env, (perEnvironment.get(env) ?? 0) + 1);
  }
  return [...perEnvironment.values()].every((n) => n < k);
}
