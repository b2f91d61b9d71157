import type { SignalsResponse } from '../api/signals';
import type { ExceptionInfo, ResourceInfo, SpanRecord } from '../ingest/records';
import { plausibleRevision } from '../ingest/revisionText';
import { systemClock, type Clock } from '../logger';
import type { CallSite } from '../mapping/callSites';
import { BinSlab } from './binSlab';
import { BoundedMap } from './boundedMap';
import { callKey, newCallEntry, type CallEntry } from './callEntries';
import { ChangeSet, type Changes } from './changeSet';
import { Environments } from './environments';
import { errorGroupKey } from './errorGroups';
import { ExemplarPool } from './exemplars';
import { FileIndex } from './fileIndex';
import { EntryLookup, replacesProvisional } from './entryLookup';
import { joinKey, MAX_GROUP_OPERATIONS, newErrorGroup, OTHER_UNMAPPED, OTHER_UNMAPPED_REASON, type ErrorEntry, type LocationEntry, type OperationEntry, type UnmappedEntry } from './storeEntries';
import { queryRows, type QuerySource } from './storeQuery';
import type { SpanFiling } from './requestFold';
import { snapshotFrame, type SnapshotKind } from './snapshotState';
import { restoredEntry, restoreLists } from './storeRestore';
import { fileRestored, storeSnapshotPieces, storeState, type StoreContents } from './storeSnapshot';
import { DEFAULT_STORE_OPTIONS, type CodeLocation, type RestoreReport, type SignalQuery, type StoreOptions, type StoreState } from './storeTypes';
import { TimeSeries } from './timeSeries';
import { formatWindow } from './windows';

/**
 * Aggregates spans and exceptions per code location, per operation and per error group, over
 * rolling windows, with bounded memory. Environments are kept apart in every key.
 */
export class SignalStore {
  private readonly locations: BoundedMap<LocationEntry>;
  private readonly operations: BoundedMap<OperationEntry>;
  private readonly errorGroups: BoundedMap<ErrorEntry>;
  private readonly unmapped: BoundedMap<UnmappedEntry>;
  private readonly calls: BoundedMap<CallEntry>;
  private readonly exemplars: ExemplarPool;
  /** Where the series' slots and sketch bins live (see BinSlab); compacted between spans. */
  private readonly slab = new BinSlab();
  private readonly locationFiles = new FileIndex<LocationEntry>();
  private readonly errorFiles = new FileIndex<ErrorEntry>();
  private readonly callFiles = new FileIndex<CallEntry>();
  private changes: ChangeSet | null = null;
  /** How many times `takeChanges` handed out changes (each becomes a `changed` notice to stream clients). */
  changeNotices = 0;
  private readonly environmentNames: Environments;
  private readonly options: StoreOptions;
  /** Finds (or makes, or refuses past the caps) the location and operation entries of a span. */
  private readonly lookup: EntryLookup;
  /** The maps and indexes above, as the snapshot writes and restores them. */
  private readonly contents: StoreContents;
  /** Spans whose timestamps were outside [now - retention, now + 1 min] and were filed at arrival time. */
  clampedSpans = 0;
  /** Entries the last query read (a `file` query must read only that file's). */
  lastQueryExamined = 0;
  /** The earliest span end filed (ms): rates divide by the part of a window there is data for. */
  private dataSinceMs = Infinity;
  /** Called when an exemplar or an error group starts naming a trace (the trace buffer pins it). */
  onTraceReferenced: ((traceId: string) => void) | null = null;
  /** Called once per new error group, after its first occurrence is filed. */
  onNewErrorGroup: ((group: ErrorEntry) => void) | null = null;

  constructor(
    options: Partial<StoreOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { ...DEFAULT_STORE_OPTIONS, ...options };
    this.environmentNames = new Environments(() => [...this.operations.values(), ...this.errorGroups.values()], this.options.defaultEnvironment, this.options.retentionMs);
    const forgetEnvironments = () => this.environmentNames.invalidate();
    this.exemplars = new ExemplarPool(this.options.slowExemplars, this.options.errorExemplars);
    // Eviction is fair across services: a high-cardinality sender gives up its own entries first.
    const byService = (e: { service: string }) => e.service;
    this.locations = new BoundedMap<LocationEntry>(
      this.options.maxLocations,
      () => this.locationFiles.prune(),
      (e) => this.exemplars.release(e.exemplars),
      byService,
    );
    this.operations = new BoundedMap<OperationEntry>(
      this.options.maxOperations,
      () => {
        this.lookup.forgetOperations();
        forgetEnvironments();
      },
      undefined,
      byService,
    );
    this.errorGroups = new BoundedMap<ErrorEntry>(
      this.options.maxErrorGroups,
      () => {
        this.errorFiles.prune();
        forgetEnvironments();
      },
      undefined,
      byService,
    );
    this.unmapped = new BoundedMap<UnmappedEntry>(this.options.maxUnmapped, undefined, undefined, byService);
    this.calls = new BoundedMap<CallEntry>(this.options.maxCalls, () => this.callFiles.prune(), undefined, byService);
    this.lookup = new EntryLookup(
      {
        locations: this.locations,
        operations: this.operations,
        exemplars: this.exemplars,
        locationFiles: this.locationFiles,
        newSeries: () => this.newSeries(),
        operationsChanged: forgetEnvironments,
      },
      this.options,
    );
    this.contents = {
      locations: this.locations,
      operations: this.operations,
      errorGroups: this.errorGroups,
      unmapped: this.unmapped,
      calls: this.calls,
      exemplars: this.exemplars,
      locationFiles: this.locationFiles,
      errorFiles: this.errorFiles,
      callFiles: this.callFiles,
    };
  }

  /** Starts (or stops and forgets) collecting which files and environments change, for `takeChanges`. */
  trackChanges(on: boolean): void {
    this.changes = on ? (this.changes ?? new ChangeSet()) : null;
  }

  /** Files and environments whose figures changed since the last call; null when none (or not tracking). */
  takeChanges(): Changes | null {
    const changes = this.changes?.take() ?? null;
    if (changes !== null) this.changeNotices++;
    return changes;
  }

  private newCountSeries(): TimeSeries {
    return new TimeSeries(this.options.retentionMs, false, this.slab);
  }

  /**
   * Compacts the slab when one is due: at the start of a filing, when no series is recording.
   * Every series the store holds moves; one it no longer holds keeps its old regions (see BinSlab).
   */
  private settleSlab(): void {
    if (!this.slab.due) return;
    const maps = [this.locations, this.operations, this.errorGroups, this.unmapped, this.calls];
    this.slab.compact(() => {
      for (const map of maps) for (const entry of map.values()) entry.series.relocate(this.slab);
    });
  }

  /** The slab's figures (for tests and benchmarks). */
  slabStats(): ReturnType<BinSlab['stats']> {
    return this.slab.stats();
  }

  /**
   * Files one span under its operation and, when mapped and counted, its code location; unmapped
   * spans are listed with the reason. A folded span (part of a call already counted, see
   * RequestFold) counts under its operation only. Returns the location entry it counted in, if any.
   */
  recordSpan(span: SpanRecord, location: CodeLocation | null, unmappedReason: string, filing: SpanFiling = 'count'): LocationEntry | null {
    this.settleSlab();
    const now = this.clock.now();
    const res = span.resource;
    const resKey = this.lookup.resourceKey(res);
    const time = this.timeOf(span.startMs + span.durationMs, now);
    if (time < this.dataSinceMs) this.dataSinceMs = time;
    this.lookup.operation(res, resKey, span).series.add(time, span.durationMs, span.error);
    if (this.changes !== null) this.changes.note(res.environment, location === null ? '' : location.file);
    if (filing === 'fold') return null;
    if (location === null) {
      this.recordUnmapped(res, span.name, unmappedReason, time, span.durationMs, span.error);
      return null;
    }
    const entry = this.lookup.location(res, resKey, location);
    if (entry === null) return null;
    entry.series.add(time, span.durationMs, span.error);
    // The pool's bar and oldest time, mirrored on the entry (absent after a restore: then offered):
    // a span no slower than the bar, with nothing expired, reads no pool memory, a cache miss saved.
    const cutoff = now - this.options.retentionMs;
    if (!(span.durationMs <= (entry.slowBar ?? -1) && (entry.slowSince ?? -Infinity) >= cutoff)) {
      if (this.exemplars.offerSlowest(entry.exemplars, span, span.durationMs, time, cutoff)) this.onTraceReferenced?.(span.traceId);
      entry.slowBar = this.exemplars.slowestBar(entry.exemplars);
      entry.slowSince = this.exemplars.slowestSince(entry.exemplars);
    }
    if (span.error) {
      this.exemplars.offerRecent(entry.exemplars, span.traceId, span.spanId, span.durationMs, time);
      this.onTraceReferenced?.(span.traceId);
    }
    return entry;
  }

  /** Marks a call counted in `entry` at unix ms `time` as failed, because `outer` (the same call's outer span) failed. */
  markFailed(entry: LocationEntry, time: number, outer: SpanRecord): void {
    if (entry.evicted) return;
    entry.series.markError(time);
    this.exemplars.offerRecent(entry.exemplars, outer.traceId, outer.spanId, outer.durationMs, time);
    this.onTraceReferenced?.(outer.traceId);
    this.changes?.note(entry.environment, entry.file);
  }

  /** Files one outgoing call under its call site and target. */
  recordCall(resource: ResourceInfo, site: CallSite, target: string, endMs: number, durationMs: number, error: boolean): void {
    this.settleSlab();
    const time = this.timeOf(endMs);
    const key = callKey(resource.service, resource.environment, site, target);
    let entry = this.calls.get(key);
    if (entry === undefined) {
      entry = newCallEntry(site, resource.service, resource.environment, target, this.newSeries());
      this.calls.set(key, entry);
      this.callFiles.add(entry.file, entry);
    }
    entry.series.add(time, durationMs, error);
    this.changes?.note(resource.environment, site.file);
  }

  /**
   * Files one exception (from a span event or a log record) under its error group. `operation` is
   * the request it happened in ('' when unknown). A repeat of an occurrence already counted
   * (`count` false, see ExceptionDedup) only adds what it knows of the request to an existing group.
   */
  recordException(
    resource: ResourceInfo,
    exception: ExceptionInfo,
    traceId: string,
    location: CodeLocation | null,
    frameKey: string,
    operation = '',
    count = true,
    /** Its errorGroupKey, when the caller has it already (the exception dedup's identity is the same string). */
    key = errorGroupKey(resource.service, resource.environment, exception.type, exception.message, frameKey),
  ): void {
    this.settleSlab();
    const time = this.timeOf(exception.timeMs || this.clock.now());
    let group = this.errorGroups.get(key);
    if (!count) {
      if (group !== undefined && operation !== '') noteOperation(group, operation);
      return;
    }
    const created = group === undefined;
    if (group === undefined) {
      const { service, environment, revision, serviceVersion } = resource;
      group = newErrorGroup(service, environment, exception, plausibleRevision(revision), plausibleRevision(serviceVersion), location, time, this.newCountSeries());
      this.errorGroups.set(key, group);
      if (location !== null) this.errorFiles.add(location.file, group);
      this.environmentNames.invalidate();
    } else if (group.location !== null && location !== null && location.file === group.location.file && replacesProvisional(group.location, location)) {
      group.location = location;
    }
    group.total++;
    group.series.add(time, 0, true);
    if (operation !== '') noteOperation(group, operation);
    if (time > group.lastSeen) group.lastSeen = time;
    if (time < group.firstSeen) group.firstSeen = time;
    if (traceId && !group.traceIds.includes(traceId)) {
      group.traceIds.unshift(traceId);
      if (group.traceIds.length > this.options.errorExemplars) group.traceIds.length = this.options.errorExemplars;
      this.onTraceReferenced?.(traceId);
    }
    this.changes?.note(resource.environment, location?.file ?? '');
    if (created) this.onNewErrorGroup?.(group);
  }

  /** Counts a log record or span that could not be tied to code. */
  recordUnmapped(resource: ResourceInfo, name: string, reason: string, time: number, durationMs = 0, error = false): void {
    this.settleSlab();
    time = this.timeOf(time);
    let key = joinKey(resource.service, resource.environment, name, reason);
    let entry = this.unmapped.get(key);
    if (entry === undefined && !this.unmapped.admit(key)) {
      // Refused a row of its own past the cap: counted in the service's "other" row.
      [name, reason] = [OTHER_UNMAPPED, OTHER_UNMAPPED_REASON];
      key = joinKey(resource.service, resource.environment, name, reason);
      entry = this.unmapped.get(key);
    }
    if (entry === undefined) {
      entry = { touched: 0, evicted: false, placed: 0, uses: 0, service: resource.service, environment: resource.environment, name, reason, series: this.newCountSeries() };
      this.unmapped.insertOne(key, entry);
    }
    entry.series.add(time, durationMs, error);
  }

  /**
   * Everything one window holds for one environment. A `file` query reads only that file's
   * locations, error groups and calls (operations and unmapped spans have no file: none are listed).
   */
  query(q: SignalQuery): SignalsResponse {
    const now = this.clock.now();
    const environments = this.environments();
    const environment = q.environment ?? this.environmentNames.pick(now);
    const exemplarsOf = (e: LocationEntry) => [...this.exemplars.slowest(e.exemplars), ...this.exemplars.recent(e.exemplars)];
    const source: QuerySource =
      q.file !== undefined
        ? { locations: this.locationFiles.get(q.file), operations: [], errorGroups: this.errorFiles.get(q.file), unmapped: [], calls: this.callFiles.get(q.file), exemplarsOf, dataSinceMs: this.dataSinceMs }
        : {
            locations: this.locations.values(),
            operations: this.operations.values(),
            errorGroups: this.errorGroups.values(),
            unmapped: this.unmapped.values(),
            calls: this.calls.values(),
            exemplarsOf,
            dataSinceMs: this.dataSinceMs,
          };

    const rows = queryRows(source, q, environment, now);
    this.lastQueryExamined = rows.examined;
    const { examined: _examined, ...lists } = rows;
    return { window: formatWindow(q.windowMs), environment, environments, generatedAt: now, ...lists, evicted: this.evicted(), pastCaps: this.pastCaps() };
  }

  /** Services seen (in any environment). */
  services(): string[] {
    const names = new Set<string>();
    for (const e of this.operations.values()) names.add(e.service);
    return [...names].sort();
  }

  /** Environments seen, sorted (recomputed only after new or evicted entries). */
  environments(): string[] {
    return this.environmentNames.all();
  }

  /** Evictions so far, per kind of entry. */
  evicted(): SignalsResponse['evicted'] {
    return {
      locations: this.locations.evicted,
      operations: this.operations.evicted,
      errorGroups: this.errorGroups.evicted,
      unmapped: this.unmapped.evicted,
    };
  }

  /** Uses refused a row of their own at the caps so far (see BoundedMap.admit); undefined when none. */
  pastCaps(): SignalsResponse['pastCaps'] {
    const counts = { locations: this.locations.refused, operations: this.operations.refused, unmapped: this.unmapped.refused };
    return counts.locations + counts.operations + counts.unmapped > 0 ? counts : undefined;
  }

  /** Current entry counts, for status and tests. */
  sizes(): { locations: number; operations: number; errorGroups: number; unmapped: number; calls: number } {
    return { locations: this.locations.size, operations: this.operations.size, errorGroups: this.errorGroups.size, unmapped: this.unmapped.size, calls: this.calls.size };
  }

  /** The whole store as plain JSON-able data. */
  toState(): StoreState {
    return storeState(this.contents, this.dataSinceMs, this.evicted());
  }

  /** The snapshot as JSON text in pieces of `perChunk` entries (see storeSnapshot.ts). */
  snapshotPieces(perChunk?: number): Generator<string, void, undefined> {
    return storeSnapshotPieces(this.contents, this.dataSinceMs, () => this.evicted(), perChunk);
  }

  /**
   * Loads entries from a parsed snapshot into this (empty) store. Throws a one-line Error when the
   * snapshot's frame is wrong; an entry with wrong field types or sizes, or a sketch we never
   * write, is skipped and reported, and entries past the store's limits are not read at all.
   */
  restore(raw: unknown): RestoreReport {
    const frame = snapshotFrame(raw);
    // Older snapshots do not say when their data begins: rates then use whole windows.
    this.dataSinceMs = frame.dataSinceMs ?? -Infinity;
    const o = this.options;
    const caps = new Map<SnapshotKind, number>([
      ['locations', o.maxLocations],
      ['operations', o.maxOperations],
      ['errors', o.maxErrorGroups],
      ['calls', o.maxCalls],
      ['unmapped', o.maxUnmapped],
    ]);
    const report = restoreLists(frame, caps, (kind, raw) => fileRestored(this.contents, restoredEntry(kind, raw, { retentionMs: o.retentionMs, exemplars: this.exemplars, errorExemplars: o.errorExemplars })));
    this.environmentNames.invalidate();
    this.locations.evicted += frame.evicted.locations;
    this.operations.evicted += frame.evicted.operations;
    this.errorGroups.evicted += frame.evicted.errorGroups;
    this.unmapped.evicted += frame.evicted.unmapped;
    return report;
  }

  private newSeries(): TimeSeries {
    return new TimeSeries(this.options.retentionMs, true, this.slab);
  }

  /** Files late or future-dated telemetry at arrival time rather than losing it. */
  private timeOf(t: number, now = this.clock.now()): number {
    if (t > now + 60_000 || t < now - this.options.retentionMs || !Number.isFinite(t)) {
      this.clampedSpans++;
      return now;
    }
    return t;
  }
}

/** Adds a request an error group happened in, while it names fewer than MAX_GROUP_OPERATIONS. */
function noteOperation(group: ErrorEntry, operation: string): void {
  if (group.operations.length < MAX_GROUP_OPERATIONS && !group.operations.includes(operation)) group.operations.push(operation);
}
