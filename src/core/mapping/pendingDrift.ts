/**
 * Provisional drift: ingest never waits on git, so a span whose deployment git has not answered
 * for yet is mapped as reported and marked "unknown" with a summary registered here. The mapper
 * maps such spans again once the work settles; the store replaces the summary when it learns more.
 */
import type { DriftSummary } from '../api/signals';

/** Git work a provisional mapping waits for; `settled` turns true when asking again may tell more. */
export interface PendingWork {
  settled: boolean;
}

const provisional = new WeakMap<DriftSummary, PendingWork>();

/** A drift summary that says git is still being asked, settled when `work` settles. */
export function provisionalDrift(deployed: string, work: Promise<unknown>): DriftSummary {
  const summary: DriftSummary = { deployed, status: 'unknown', behind: 0, ahead: 0, reason: 'git is still being asked where this deployment stands' };
  const pending: PendingWork = { settled: false };
  const settle = () => void (pending.settled = true);
  work.then(settle, settle);
  provisional.set(summary, pending);
  return summary;
}

/** The work a provisional summary waits for; undefined for a final one. */
export function pendingWorkOf(drift: DriftSummary | undefined): PendingWork | undefined {
  return drift === undefined ? undefined : provisional.get(drift);
}
