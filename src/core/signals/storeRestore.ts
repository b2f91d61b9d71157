/**
 * Reading a parsed snapshot back into store entries: each entry is validated field by field
 * (snapshotState.ts) and built with its store key; a bad entry is skipped and reported, and
 * entries past the store's limits are not read at all.
 */
import { callKey, type CallEntry } from './callEntries';
import { errorGroupKey } from './errorGroups';
import type { ExemplarPool } from './exemplars';
import { MAX_SNAPSHOT_REASONS } from './snapshotLimits';
import { SNAPSHOT_READERS, type snapshotFrame, type SnapshotKind } from './snapshotState';
import { joinKey, locationKey, type ErrorEntry, type LocationEntry, type OperationEntry, type UnmappedEntry } from './storeEntries';
import type { RestoreReport } from './storeTypes';
import { TimeSeries } from './timeSeries';

/** One entry read from a snapshot, with the key the store files it under. */
export type RestoredEntry =
  | { kind: 'locations'; key: string; entry: LocationEntry }
  | { kind: 'operations'; key: string; entry: OperationEntry }
  | { kind: 'errors'; key: string; entry: ErrorEntry }
  | { kind: 'calls'; key: string; entry: CallEntry }
  | { kind: 'unmapped'; key: string; entry: UnmappedEntry };

/** What building entries needs from the store. */
export interface RestoreContext {
  retentionMs: number;
  exemplars: ExemplarPool;
  /** Recent error exemplars kept per location. */
  errorExemplars: number;
}

/** Reads one snapshot entry; throws a one-line Error when it is not valid. */
export function restoredEntry(kind: SnapshotKind, raw: unknown, ctx: RestoreContext): RestoredEntry {
  const r = ctx.retentionMs;
  if (kind === 'locations') {
    const { slowest, recentErrors, series, ...fields } = SNAPSHOT_READERS.locations(raw);
    const restored = TimeSeries.fromState(r, series);
    const slot = ctx.exemplars.allocate();
    for (const x of slowest) ctx.exemplars.offerSlowest(slot, x, x.durationMs, x.time, -Infinity);
    // Newest first in the snapshot: offered oldest first.
    for (const x of recentErrors.slice(0, ctx.errorExemplars).reverse()) ctx.exemplars.offerRecent(slot, x.traceId, x.spanId, x.durationMs, x.time);
    const entry: LocationEntry = { ...fields, touched: 0, series: restored, exemplars: slot };
    return { kind, key: locationKey(entry.service, entry.environment, entry), entry };
  }
  if (kind === 'operations') {
    const e = SNAPSHOT_READERS.operations(raw);
    return { kind, key: joinKey(e.service, e.environment, e.name), entry: { ...e, touched: 0, series: TimeSeries.fromState(r, e.series) } };
  }
  if (kind === 'errors') {
    const e = SNAPSHOT_READERS.errors(raw);
    const frame = e.location ? `${e.location.file}:${e.location.function}` : '';
    return { kind, key: errorGroupKey(e.service, e.environment, e.type, e.message, frame), entry: { ...e, touched: 0, series: TimeSeries.fromState(r, e.series, false) } };
  }
  if (kind === 'calls') {
    const e = SNAPSHOT_READERS.calls(raw);
    return { kind, key: callKey(e.service, e.environment, e, e.target), entry: { ...e, touched: 0, series: TimeSeries.fromState(r, e.series) } };
  }
  const e = SNAPSHOT_READERS.unmapped(raw);
  return { kind, key: joinKey(e.service, e.environment, e.name, e.reason), entry: { ...e, touched: 0, series: TimeSeries.fromState(r, e.series, false) } };
}

/**
 * Files the entries of every list of `frame` through `file`, at most `caps` of each kind; an
 * entry `file` throws for is skipped and named in the report.
 */
export function restoreLists(frame: ReturnType<typeof snapshotFrame>, caps: Map<SnapshotKind, number>, file: (kind: SnapshotKind, raw: unknown) => void): RestoreReport {
  const report: RestoreReport = { restored: 0, skipped: 0, reasons: [] };
  for (const [kind, cap] of caps) {
    const items = frame.lists.get(kind) ?? [];
    let restored = 0;
    for (let i = 0; i < items.length; i++) {
      if (restored >= cap) {
        noteSkipped(report, items.length - i, `${items.length - i} ${kind} past the store's limit of ${cap}`);
        break;
      }
      try {
        file(kind, items[i]);
        restored++;
      } catch (err) {
        noteSkipped(report, 1, `${kind}[${i}]: ${(err as Error).message}`);
      }
    }
    report.restored += restored;
  }
  return report;
}

/** Counts skipped entries; the first few reasons are kept for the one-line report. */
function noteSkipped(report: RestoreReport, n: number, reason: string): void {
  report.skipped += n;
  if (report.reasons.length < MAX_SNAPSHOT_REASONS) report.reasons.push(reason);
}
