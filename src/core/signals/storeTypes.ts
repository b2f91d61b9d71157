/**
 * The signal store's contract: where a span was tied to in the code, the store's limits, a query,
 * and the snapshot format. The store itself is in signalStore.ts.
 */
import type { Exemplar, SignalsResponse } from '../api/signals';
import type { CallEntry } from './callEntries';
import type { ErrorEntry, LocationEntry, OperationEntry, UnmappedEntry } from './storeEntries';
import type { TimeSeriesState } from './timeSeries';

export type { CodeLocation } from '../mapping/codeLocation';

/** Limits and defaults of a store. */
export interface StoreOptions {
  /** Longest window kept, ms (default one hour). */
  retentionMs: number;
  maxLocations: number;
  maxOperations: number;
  maxErrorGroups: number;
  maxUnmapped: number;
  /** Outgoing-call aggregates (call site x target). */
  maxCalls: number;
  slowExemplars: number;
  errorExemplars: number;
  /** Environment answered when a query names none; '' picks the busiest one. */
  defaultEnvironment: string;
}

/** Defaults that fit a developer machine. */
export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  retentionMs: 3_600_000,
  maxLocations: 20_000,
  maxOperations: 10_000,
  maxErrorGroups: 5_000,
  maxUnmapped: 2_000,
  maxCalls: 5_000,
  slowExemplars: 3,
  errorExemplars: 5,
  defaultEnvironment: '',
};

/** A query of the store. */
export interface SignalQuery {
  windowMs: number;
  environment?: string;
  /** Only locations and errors in this workspace-relative file. */
  file?: string;
  /** Include per-minute points for sparklines. */
  perMinute?: boolean;
  /**
   * Without `file`: only the top N functions by error rate, by p95 and by impact (rate x p95), their
   * union sorted by impact, and the top N operations, error groups and calls.
   */
  top?: number;
}

/** The serialized store, as written into the snapshot file. */
export interface StoreState {
  version: 1;
  locations: (Omit<LocationEntry, 'series' | 'touched' | 'exemplars'> & { series: TimeSeriesState; slowest: Exemplar[]; recentErrors: Exemplar[] })[];
  operations: (Omit<OperationEntry, 'series' | 'touched'> & { series: TimeSeriesState })[];
  errors: (Omit<ErrorEntry, 'series' | 'touched'> & { series: TimeSeriesState })[];
  unmapped: (Omit<UnmappedEntry, 'series' | 'touched'> & { series: TimeSeriesState })[];
  /** Absent in snapshots written before outgoing calls were kept. */
  calls?: (Omit<CallEntry, 'series' | 'touched'> & { series: TimeSeriesState })[];
  evicted: SignalsResponse['evicted'];
  /** When the data begins (ms); absent in older snapshots (then taken as long before). */
  dataSinceMs?: number;
}

/** What a restore read from a snapshot: entries filed, entries skipped (wrong types, sizes or sketches; past a limit) and the first few reasons. */
export interface RestoreReport {
  restored: number;
  skipped: number;
  reasons: string[];
}
