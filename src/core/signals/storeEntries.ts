import type { ExceptionInfo } from '../ingest/records';
import type { Touchable } from './boundedMap';
import type { CodeLocation } from './storeTypes';
import type { TimeSeries } from './timeSeries';

/** Separates the parts of composite keys. */
export const SEP = '\u0000';

/** A code location's aggregate. */
export interface LocationEntry extends CodeLocation, Touchable {
  service: string;
  environment: string;
  revision: string;
  serviceVersion: string;
  series: TimeSeries;
  /** Its slot in the store's ExemplarPool (slowest and recent failing traces). */
  exemplars: number;
  /** The resource key it was first filed under (EntryLookup's own; not in snapshots). */
  refKey?: string;
  /** Its exemplar slot's slowest bar and oldest time, mirrored (SignalStore.recordSpan's own; not in snapshots). */
  slowBar?: number;
  slowSince?: number;
}

/** An operation's aggregate (METHOD route, or span name). */
export interface OperationEntry extends Touchable {
  service: string;
  environment: string;
  name: string;
  kind: number;
  series: TimeSeries;
  /** The HTTP method its name was built with, '' when none (EntryLookup's own; not in snapshots). */
  refMethod?: string;
}

/** An error group. */
export interface ErrorEntry extends Touchable {
  service: string;
  environment: string;
  type: string;
  message: string;
  stacktrace: string;
  revision: string;
  serviceVersion: string;
  location: CodeLocation | null;
  firstSeen: number;
  lastSeen: number;
  total: number;
  series: TimeSeries;
  traceIds: string[];
  /** The requests (server operations, `GET /price/{item}`) it happened in, first seen first; at most MAX_GROUP_OPERATIONS. */
  operations: string[];
}

/** A new error group for `exception` first seen at `time`, every field in one literal (see Touchable). */
export function newErrorGroup(service: string, environment: string, exception: ExceptionInfo, revision: string, serviceVersion: string, location: CodeLocation | null, time: number, series: TimeSeries): ErrorEntry {
  return {
    touched: 0,
    evicted: false,
    placed: 0,
    uses: 0,
    service,
    environment,
    type: exception.type || 'Error',
    message: exception.message,
    stacktrace: exception.stacktrace,
    revision,
    serviceVersion,
    location,
    firstSeen: time,
    lastSeen: time,
    total: 0,
    series,
    traceIds: [],
    operations: [],
  };
}

/** The unmapped row of a service's unmapped names refused a row of their own at the cap. */
export const OTHER_UNMAPPED = '(other spans)';
export const OTHER_UNMAPPED_REASON = 'more distinct unmapped names than the store keeps; these were rarer than the ones kept';

/** Requests named per error group (a hover lists them; more would not be read). */
export const MAX_GROUP_OPERATIONS = 3;

/** Spans or logs that could not be tied to code, per reason. */
export interface UnmappedEntry extends Touchable {
  service: string;
  environment: string;
  name: string;
  reason: string;
  series: TimeSeries;
}

/**
 * A composite key as one flat string. Built with `+`, a key stays a tree of cons strings plus the
 * flat copy V8 makes to hash it, for as long as the map holds it (tens of thousands of entries).
 */
export function joinKey(...parts: (string | number)[]): string {
  return parts.join(SEP);
}

/** The key of a location entry. */
export function locationKey(service: string, environment: string, loc: { function: string; file: string; line: number }): string {
  return joinKey(service, environment, loc.function, loc.file, loc.line);
}
