import type { SignalsResponse } from '../api/signals';
import type { BoundedMap, Touchable } from './boundedMap';
import type { CallEntry } from './callEntries';
import type { ExemplarPool } from './exemplars';
import type { FileIndex } from './fileIndex';
import { SNAPSHOT_ENTRIES_PER_CHUNK } from './snapshotLimits';
import type { LocationState } from './snapshotState';
import { lazyStates, snapshotText, type SnapshotList } from './snapshotText';
import type { ErrorEntry, LocationEntry, OperationEntry, UnmappedEntry } from './storeEntries';
import type { RestoredEntry } from './storeRestore';
import type { StoreState } from './storeTypes';
import type { TimeSeries, TimeSeriesState } from './timeSeries';

/** The store's entries and their file indexes, as the snapshot writes and restores them. */
export interface StoreContents {
  locations: BoundedMap<LocationEntry>;
  operations: BoundedMap<OperationEntry>;
  errorGroups: BoundedMap<ErrorEntry>;
  unmapped: BoundedMap<UnmappedEntry>;
  calls: BoundedMap<CallEntry>;
  exemplars: ExemplarPool;
  locationFiles: FileIndex<LocationEntry>;
  errorFiles: FileIndex<ErrorEntry>;
  callFiles: FileIndex<CallEntry>;
}

/** The whole store as plain JSON-able data. */
export function storeState(c: StoreContents, dataSinceMs: number, evicted: SignalsResponse['evicted']): StoreState {
  return {
    version: 1,
    ...(Number.isFinite(dataSinceMs) ? { dataSinceMs } : {}),
    locations: [...c.locations.values()].map((e) => locationState(c, e)),
    operations: [...c.operations.values()].map(seriesState),
    errors: [...c.errorGroups.values()].map(seriesState),
    unmapped: [...c.unmapped.values()].map(seriesState),
    calls: [...c.calls.values()].map(seriesState),
    evicted,
  };
}

/**
 * The snapshot as JSON text in pieces of `perChunk` entries (see snapshotText.ts): the entries are
 * listed now and serialized as the pieces are pulled; those evicted in between are left out.
 */
export function storeSnapshotPieces(c: StoreContents, dataSinceMs: number, evicted: () => SignalsResponse['evicted'], perChunk = SNAPSHOT_ENTRIES_PER_CHUNK): Generator<string, void, undefined> {
  const live =
    <E extends { evicted?: boolean; series: TimeSeries; touched: number }>(toState: (e: E) => object) =>
    (e: E) =>
      e.evicted ? undefined : toState(e);
  const lists: SnapshotList[] = [
    {
      name: 'locations',
      states: lazyStates(
        [...c.locations.values()],
        live((e: LocationEntry) => locationState(c, e)),
      ),
    },
    { name: 'operations', states: lazyStates([...c.operations.values()], live(seriesState)) },
    { name: 'errors', states: lazyStates([...c.errorGroups.values()], live(seriesState)) },
    { name: 'unmapped', states: lazyStates([...c.unmapped.values()], live(seriesState)) },
    { name: 'calls', states: lazyStates([...c.calls.values()], live(seriesState)) },
  ];
  return snapshotText(dataSinceMs, lists, evicted, perChunk);
}

/** Files one entry read from a snapshot under its map and file index. */
export function fileRestored(c: StoreContents, r: RestoredEntry): void {
  if (r.kind === 'locations') {
    c.locations.set(r.key, r.entry);
    c.locationFiles.add(r.entry.file, r.entry);
  } else if (r.kind === 'operations') {
    c.operations.set(r.key, r.entry);
  } else if (r.kind === 'errors') {
    c.errorGroups.set(r.key, r.entry);
    if (r.entry.location !== null) c.errorFiles.add(r.entry.location.file, r.entry);
  } else if (r.kind === 'calls') {
    c.calls.set(r.key, r.entry);
    c.callFiles.add(r.entry.file, r.entry);
  } else {
    c.unmapped.set(r.key, r.entry);
  }
}

function locationState(c: StoreContents, e: LocationEntry): LocationState {
  const { exemplars, ...rest } = seriesState(e);
  return { ...rest, slowest: c.exemplars.slowest(exemplars), recentErrors: c.exemplars.recent(exemplars) };
}

/** An entry as the snapshot holds it: its series serialized; the bounded map's and the lookup's own fields left out. */
type Internal = 'series' | 'touched' | 'evicted' | 'placed' | 'uses' | 'refKey' | 'refMethod' | 'slowBar' | 'slowSince';
function seriesState<T extends Touchable & { series: TimeSeries; refKey?: string; refMethod?: string; slowBar?: number; slowSince?: number }>(e: T): Omit<T, Internal> & { series: TimeSeriesState } {
  const { series, touched: _touched, evicted: _evicted, placed: _placed, uses: _uses, refKey: _refKey, refMethod: _refMethod, slowBar: _slowBar, slowSince: _slowSince, ...rest } = e;
  return { ...rest, series: series.toState() };
}
