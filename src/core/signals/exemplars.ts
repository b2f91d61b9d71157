import type { Exemplar } from '../api/signals';

/** True when `offerSlowest` would keep a trace of this duration (checked before allocating one). */
export function wouldKeepSlowest(list: Exemplar[], durationMs: number, keep: number, oldestMs: number): boolean {
  return list.length < keep || durationMs > list[list.length - 1].durationMs || list[list.length - 1].time < oldestMs || list[0].time < oldestMs;
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
