/**
 * Reads a parsed snapshot back into typed entries, field by field. A snapshot is a file anyone
 * with access to the folder can edit, and what it holds is served by /api/signals: an entry whose
 * fields have the wrong types, sizes or values is skipped (and reported), never carried through,
 * and only the fields we know are copied (no stray property of the file reaches an entry).
 */
import type { DriftSummary, Exemplar, MappedBy } from '../api/signals';
import type { LineMatch } from '../mapping/callLines';
import { MAX_SNAPSHOT_EXEMPLARS, MAX_SNAPSHOT_SERIES_MINUTES, MAX_SNAPSHOT_SERIES_SKETCHES, MAX_SNAPSHOT_STRING_CHARS } from './snapshotLimits';
import type { CodeLocation, StoreState } from './storeTypes';
import { MAX_GROUP_OPERATIONS } from './storeEntries';
import type { TimeSeriesState } from './timeSeries';

type Obj = Record<string, unknown>;
/** One kind of entry of the snapshot, as `StoreState` lists it. */
export type LocationState = StoreState['locations'][number];
export type OperationState = StoreState['operations'][number];
export type ErrorState = StoreState['errors'][number];
export type UnmappedState = StoreState['unmapped'][number];
export type CallState = NonNullable<StoreState['calls']>[number];

const MAPPED_BY = new Set<string>(['code-attributes', 'stacktrace', 'sourcemap', 'route', 'span-name']);
const DRIFT_STATUS = new Set<string>(['same', 'drifted', 'unknown']);
const LINE_MATCH = new Set<string>(['url', 'only-call', 'function']);
/** Series keep minutes in a Float32Array, exact below 2^24 (until 2051; see timeSeries.ts). */
const MAX_MINUTE_ID = 2 ** 24;

function own(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} is not an object`);
  return v as Obj;
}

function str(o: Obj, key: string): string {
  const v = own(o, key);
  if (typeof v !== 'string') throw new Error(`${key} is not a string`);
  if (v.length > MAX_SNAPSHOT_STRING_CHARS) throw new Error(`${key} is longer than ${MAX_SNAPSHOT_STRING_CHARS} characters`);
  return v;
}

function num(o: Obj, key: string): number {
  const v = own(o, key);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${key} is not a finite number`);
  return v;
}

function count(o: Obj, key: string): number {
  const v = num(o, key);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${key} is not a whole number >= 0`);
  return v;
}

function oneOf<T extends string>(o: Obj, key: string, allowed: Set<string>): T {
  const v = str(o, key);
  if (!allowed.has(v)) throw new Error(`${key} "${v.slice(0, 40)}" is not one of ${[...allowed].join(', ')}`);
  return v as T;
}

function list(v: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what} is not an array`);
  if (v.length > max) throw new Error(`${what} has ${v.length} items, more than ${max}`);
  return v;
}

function drift(v: unknown): DriftSummary {
  const o = obj(v, 'drift');
  return { deployed: str(o, 'deployed'), status: oneOf(o, 'status', DRIFT_STATUS), behind: count(o, 'behind'), ahead: count(o, 'ahead'), reason: str(o, 'reason') };
}

function codeLocation(o: Obj): CodeLocation {
  const confidence = num(o, 'confidence');
  if (confidence < 0 || confidence > 1) throw new Error('confidence is not between 0 and 1');
  const loc: CodeLocation = { file: str(o, 'file'), line: count(o, 'line'), function: str(o, 'function'), mappedBy: oneOf<MappedBy>(o, 'mappedBy', MAPPED_BY), confidence };
  if (own(o, 'deployedLine') !== undefined) loc.deployedLine = count(o, 'deployedLine');
  if (own(o, 'drift') !== undefined) loc.drift = drift(own(o, 'drift'));
  return loc;
}

function exemplars(v: unknown, what: string, kind: Exemplar['kind']): Exemplar[] {
  if (v === undefined) return [];
  return list(v, what, MAX_SNAPSHOT_EXEMPLARS).map((x) => {
    const o = obj(x, what);
    return { traceId: str(o, 'traceId'), spanId: str(o, 'spanId'), durationMs: num(o, 'durationMs'), time: num(o, 'time'), kind };
  });
}

/** A series' rows and sketches; the sketches' bytes are checked when they are decoded (latencySketch.ts). */
function series(v: unknown): TimeSeriesState {
  const o = obj(v, 'series');
  const minutes = list(own(o, 'minutes'), 'series.minutes', MAX_SNAPSHOT_SERIES_MINUTES).map((row) => {
    const r = list(row, 'a series minute', 5);
    if (r.length !== 5 || !r.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) throw new Error('a series minute is not five finite numbers >= 0');
    if (!Number.isInteger(r[0]) || (r[0] as number) >= MAX_MINUTE_ID || !Number.isInteger(r[1]) || !Number.isInteger(r[2]) || (r[2] as number) > (r[1] as number))
      throw new Error('a series minute has a bad minute, count or error count');
    return r as TimeSeriesState['minutes'][number];
  });
  const sketches = (key: 'fine' | 'coarse') =>
    list(own(o, key), `series.${key}`, MAX_SNAPSHOT_SERIES_SKETCHES).map((pair) => {
      const p = list(pair, `a series.${key} item`, 2);
      if (p.length !== 2 || !Number.isInteger(p[0]) || (p[0] as number) < 0 || (p[0] as number) >= MAX_MINUTE_ID || typeof p[1] !== 'string') throw new Error(`a series.${key} item is not [minute, sketch]`);
      return p as [number, string];
    });
  const fine = sketches('fine');
  const coarse = sketches('coarse');
  if (fine.length + coarse.length > MAX_SNAPSHOT_SERIES_SKETCHES) throw new Error(`series has more than ${MAX_SNAPSHOT_SERIES_SKETCHES} sketches`);
  return { minutes, fine, coarse };
}

function location(v: unknown): LocationState {
  const o = obj(v, 'location');
  return {
    ...codeLocation(o),
    service: str(o, 'service'),
    environment: str(o, 'environment'),
    revision: str(o, 'revision'),
    serviceVersion: str(o, 'serviceVersion'),
    series: series(own(o, 'series')),
    slowest: exemplars(own(o, 'slowest'), 'slowest', 'slowest'),
    recentErrors: exemplars(own(o, 'recentErrors'), 'recentErrors', 'error'),
  };
}

function operation(v: unknown): OperationState {
  const o = obj(v, 'operation');
  const kind = count(o, 'kind');
  if (kind > 5) throw new Error('kind is not a SpanKind');
  return { service: str(o, 'service'), environment: str(o, 'environment'), name: str(o, 'name'), kind, series: series(own(o, 'series')) };
}

function errorGroup(v: unknown): ErrorState {
  const o = obj(v, 'error group');
  const at = own(o, 'location');
  const traceIds = list(own(o, 'traceIds'), 'traceIds', MAX_SNAPSHOT_EXEMPLARS).map((id) => {
    if (typeof id !== 'string' || id.length > MAX_SNAPSHOT_STRING_CHARS) throw new Error('a trace id is not a string');
    return id;
  });
  return {
    service: str(o, 'service'),
    environment: str(o, 'environment'),
    type: str(o, 'type'),
    message: str(o, 'message'),
    stacktrace: str(o, 'stacktrace'),
    revision: str(o, 'revision'),
    serviceVersion: str(o, 'serviceVersion'),
    location: at === null || at === undefined ? null : codeLocation(obj(at, 'location')),
    firstSeen: num(o, 'firstSeen'),
    lastSeen: num(o, 'lastSeen'),
    total: count(o, 'total'),
    series: series(own(o, 'series')),
    traceIds,
    // Snapshots written before error groups named their requests have none.
    operations:
      own(o, 'operations') === undefined
        ? []
        : list(own(o, 'operations'), 'operations', MAX_GROUP_OPERATIONS).map((op) => {
            if (typeof op !== 'string' || op.length > MAX_SNAPSHOT_STRING_CHARS) throw new Error('an operation is not a string');
            return op;
          }),
  };
}

function unmapped(v: unknown): UnmappedState {
  const o = obj(v, 'unmapped entry');
  return { service: str(o, 'service'), environment: str(o, 'environment'), name: str(o, 'name'), reason: str(o, 'reason'), series: series(own(o, 'series')) };
}

function call(v: unknown): CallState {
  const o = obj(v, 'call');
  return {
    file: str(o, 'file'),
    line: count(o, 'line'),
    function: str(o, 'function'),
    lineMatch: oneOf<LineMatch>(o, 'lineMatch', LINE_MATCH),
    service: str(o, 'service'),
    environment: str(o, 'environment'),
    target: str(o, 'target'),
    series: series(own(o, 'series')),
  };
}

/** Reads one kind of entry: each is returned typed, or as the one-line reason it was skipped. */
export const SNAPSHOT_READERS = { locations: location, operations: operation, errors: errorGroup, unmapped, calls: call } as const;

/** The kinds of entry a snapshot lists, in the order they are restored. */
export type SnapshotKind = keyof typeof SNAPSHOT_READERS;

/** The snapshot's frame: its version, its entry lists (unread) and its counters. Throws a one-line Error when the frame itself is wrong. */
export function snapshotFrame(raw: unknown): { lists: Map<SnapshotKind, unknown[]>; evicted: StoreState['evicted']; dataSinceMs: number | undefined } {
  const o = obj(raw, 'the snapshot');
  if (own(o, 'version') !== 1) throw new Error('unsupported snapshot format');
  const lists = new Map<SnapshotKind, unknown[]>();
  for (const kind of Object.keys(SNAPSHOT_READERS) as SnapshotKind[]) {
    const v = own(o, kind);
    // Outgoing calls came later: older snapshots have none.
    if (v === undefined && kind === 'calls') continue;
    if (!Array.isArray(v)) throw new Error(`${kind} is not an array`);
    lists.set(kind, v);
  }
  const e = own(o, 'evicted');
  const ev = e === undefined ? {} : obj(e, 'evicted');
  const evictedCount = (key: string) => (own(ev, key) === undefined ? 0 : count(ev, key));
  const evicted = { locations: evictedCount('locations'), operations: evictedCount('operations'), errorGroups: evictedCount('errorGroups'), unmapped: evictedCount('unmapped') };
  const since = own(o, 'dataSinceMs');
  return { lists, evicted, dataSinceMs: typeof since === 'number' && Number.isFinite(since) ? since : undefined };
}
