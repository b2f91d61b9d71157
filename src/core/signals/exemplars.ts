import type { Exemplar } from '../api/signals';

/**
 * The slowest few traces of a location, with the bar a new trace must clear kept as plain numbers
 * on the holder, so the per-span check reads no array (the store is memory-bound).
 */
export class SlowestExemplars {
  readonly list: Exemplar[] = [];
  /** Duration a trace must exceed to enter a full list. */
  private bar = -1;
  /** Oldest time in the list: past the retention the list is pruned. */
  private oldest = Infinity;

  constructor(private readonly keep: number, restored: Exemplar[] = []) {
    for (const e of restored) this.offer(e, e.durationMs, e.time, -Infinity);
  }

  /** Offers a trace; the exemplar object is only built when it may be kept. Returns the kept exemplar, else null. */
  offer(ids: { traceId: string; spanId: string }, durationMs: number, time: number, oldestAllowedMs: number): Exemplar | null {
    if (durationMs <= this.bar && this.oldest >= oldestAllowedMs) return null;
    const candidate: Exemplar = { traceId: ids.traceId, spanId: ids.spanId, durationMs, time, kind: 'slowest' };
    offerSlowest(this.list, candidate, this.keep, oldestAllowedMs);
    this.bar = this.list.length < this.keep ? -1 : this.list[this.list.length - 1].durationMs;
    this.oldest = this.list.reduce((min, e) => Math.min(min, e.time), Infinity);
    return this.list.includes(candidate) ? candidate : null;
  }
}

/** Keeps the slowest few traces of a location, forgetting those older than the retention. */
export function offerSlowest(list: Exemplar[], candidate: Exemplar, keep: number, oldestMs: number): void {
  for (let i = list.length - 1; i >= 0; i--) if (list[i].time < oldestMs) list.splice(i, 1);
  if (list.length >= keep && candidate.durationMs <= list[list.length - 1].durationMs) return;
  let at = list.length;
  while (at > 0 && list[at - 1].durationMs < candidate.durationMs) at--;
  list.splice(at, 0, candidate);
  if (list.length > keep) list.length = keep;
}

/** Keeps the most recent few failing traces, newest first. */
export function offerRecent(list: Exemplar[], candidate: Exemplar, keep: number): void {
  list.unshift(candidate);
  if (list.length > keep) list.length = keep;
}
