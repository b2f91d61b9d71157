import type { ResourceInfo, SpanRecord } from '../ingest/records';
import { plausibleRevision } from '../ingest/revisionText';
import { pendingWorkOf } from '../mapping/pendingDrift';
import type { BoundedMap } from './boundedMap';
import type { ExemplarPool } from './exemplars';
import type { FileIndex } from './fileIndex';
import { keyHash } from './frequencySketch';
import { RefusedLocations, RefusedOperations } from './refusedKeys';
import { joinKey, locationKey, OTHER_OPERATIONS, type LocationEntry, type OperationEntry } from './storeEntries';
import type { CodeLocation } from './storeTypes';
import type { TimeSeries } from './timeSeries';

/** What the lookup files into: the store's own maps and makers. */
export interface LookupStore {
  locations: BoundedMap<LocationEntry>;
  operations: BoundedMap<OperationEntry>;
  exemplars: ExemplarPool;
  locationFiles: FileIndex<LocationEntry>;
  newSeries(): TimeSeries;
  /** An operation entry was added (the store's environment list is recomputed). */
  operationsChanged(): void;
}

/**
 * The signal store's hot path: a span's location and operation entries, found without building a
 * composite key (references per mapping result, resource key and name), made when new, or refused a
 * row of their own past the caps (BoundedMap.admit) and then remembered with the hash to ask again by.
 */
export class EntryLookup {
  /**
   * Per mapping result, its entry, or a Map per resource key when one result is filed under several:
   * the single entry (the usual case) saves the inner Map and its table, two cache misses per span.
   */
  private readonly locationRefs = new WeakMap<CodeLocation, LocationEntry | Map<string, LocationEntry>>();
  /** Per resource key and name, its entry (checked by `refMethod`), or a Map per method. */
  private readonly operationRefs = new Map<string, Map<string, OperationEntry | Map<string, OperationEntry>>>();
  /** Per resource key, its "(other operations)" row. */
  private readonly otherOperationRefs = new Map<string, OperationEntry>();
  /** Keys refused a row past the caps, with the hash to ask again by (bounded at four caps' worth). */
  private readonly refusedOperations: RefusedOperations;
  private readonly refusedLocations: RefusedLocations;
  private readonly resourceKeys = new Map<string, string>();
  private lastResource: ResourceInfo | null = null;
  private lastResourceKey = '';

  constructor(
    private readonly store: LookupStore,
    caps: { maxOperations: number; maxLocations: number },
  ) {
    this.refusedOperations = new RefusedOperations(4 * caps.maxOperations);
    this.refusedLocations = new RefusedLocations(4 * caps.maxLocations);
  }

  /** Drops the references to operation entries (after an eviction round; they are found by key again). */
  forgetOperations(): void {
    this.operationRefs.clear();
    this.otherOperationRefs.clear();
  }

  /**
   * The entry of a mapped location (null: refused a row past the cap). Mapping results are shared objects (the mapper caches them), so
   * the entry is remembered per result and resource: the hot path is a WeakMap lookup (and a Map by
   * resource key when one result serves several), instead of building and hashing a composite key per span.
   */
  location(res: ResourceInfo, resKey: string, loc: CodeLocation): LocationEntry | null {
    const ref = this.locationRefs.get(loc);
    let entry = recall(ref, resKey, refKeyOf);
    if (entry !== undefined && !entry.evicted) {
      this.store.locations.touch(entry);
      return entry;
    }
    // Past the cap, a function used less than every stored one gets no figures of its own (its span
    // still counts under its operation); the refusal is counted. A refused one asks again by hash.
    const refused = this.refusedLocations.get(loc, resKey);
    if (refused !== undefined) {
      if (!this.store.locations.admitHash(refused)) return null;
      this.refusedLocations.delete(loc, resKey);
    }
    const key = locationKey(res.service, res.environment, loc);
    entry = this.store.locations.get(key);
    if (entry === undefined) {
      if (refused === undefined && !this.store.locations.admit(key)) {
        this.refusedLocations.add(loc, resKey, keyHash(key));
        return null;
      }
      entry = {
        ...loc,
        touched: 0,
        service: res.service,
        environment: res.environment,
        revision: plausibleRevision(res.revision),
        serviceVersion: plausibleRevision(res.serviceVersion),
        series: this.store.newSeries(),
        exemplars: this.store.exemplars.allocate(),
        refKey: resKey,
      };
      this.store.locations.set(key, entry);
      this.store.locationFiles.add(entry.file, entry);
    } else if (replacesProvisional(entry, loc)) {
      // Filed while git was still being asked (ingest does not wait): git's answer is filled in now.
      entry.drift = loc.drift;
      entry.deployedLine = loc.deployedLine;
    }
    // Remembered only once it has an entry: refused keys must not grow the references.
    entry.refKey ??= resKey;
    this.locationRefs.set(loc, remember(ref, resKey, entry, refKeyOf));
    return entry;
  }

  /** The entry of an operation (`METHOD route`, or the span name), found through per-resource maps without building a key. */
  operation(res: ResourceInfo, resKey: string, span: SpanRecord): OperationEntry {
    const byName = this.operationRefs.get(resKey);
    const name = span.httpRoute || span.name;
    const ref = byName?.get(name);
    const method = span.httpRoute ? span.httpMethod : '';
    let entry = recall(ref, method, refMethodOf);
    if (entry !== undefined && !entry.evicted) {
      this.store.operations.touch(entry);
      return entry;
    }
    // A refused one asks again by hash, without building its key.
    const refused = this.refusedOperations.get(resKey, name, method);
    if (refused !== undefined) {
      if (!this.store.operations.admitHash(refused)) return this.otherOperations(res, resKey, span.kind);
      this.refusedOperations.delete(resKey, name, method);
    }
    const opName = method ? `${method} ${name}` : name;
    const key = joinKey(res.service, res.environment, opName);
    entry = this.store.operations.get(key);
    if (entry === undefined) {
      if (refused === undefined && !this.store.operations.admit(key)) {
        this.refusedOperations.add(resKey, name, method, keyHash(key));
        return this.otherOperations(res, resKey, span.kind);
      }
      entry = { touched: 0, service: res.service, environment: res.environment, name: opName, kind: span.kind, series: this.store.newSeries(), refMethod: method };
      this.store.operations.set(key, entry);
      this.store.operationsChanged();
    }
    // Remembered only once it has an entry: refused names must not grow the references.
    entry.refMethod ??= method;
    const remembered = remember(ref, method, entry, refMethodOf);
    if (byName !== undefined) byName.set(name, remembered);
    else this.operationRefs.set(resKey, new Map([[name, remembered]]));
    return entry;
  }

  /** The row of a service's operations refused a row of their own past the cap (see BoundedMap.admit). */
  private otherOperations(res: ResourceInfo, resKey: string, kind: number): OperationEntry {
    let entry = this.otherOperationRefs.get(resKey);
    if (entry !== undefined && !entry.evicted) {
      this.store.operations.touch(entry);
      return entry;
    }
    const key = joinKey(res.service, res.environment, OTHER_OPERATIONS);
    entry = this.store.operations.get(key);
    if (entry === undefined) {
      entry = { touched: 0, service: res.service, environment: res.environment, name: OTHER_OPERATIONS, kind, series: this.store.newSeries() };
      this.store.operations.insertOne(key, entry);
    }
    this.otherOperationRefs.set(resKey, entry);
    return entry;
  }

  /** One string per distinct resource identity, reused while spans come from the same resource object. */
  resourceKey(res: ResourceInfo): string {
    if (res === this.lastResource) return this.lastResourceKey;
    const key = joinKey(res.service, res.environment, res.revision, res.serviceVersion);
    this.lastResource = res;
    this.lastResourceKey = this.resourceKeys.get(key) ?? key;
    this.resourceKeys.set(key, this.lastResourceKey);
    if (this.resourceKeys.size > 10_000) this.resourceKeys.clear();
    return this.lastResourceKey;
  }
}

type Ref<E> = E | Map<string, E>;
const refKeyOf = (e: LocationEntry) => e.refKey;
const refMethodOf = (e: OperationEntry) => e.refMethod;

/** The entry remembered under `key`: a single entry is checked by the key it holds. */
function recall<E>(ref: Ref<E> | undefined, key: string, keyOf: (e: E) => string | undefined): E | undefined {
  if (ref === undefined) return undefined;
  if (ref instanceof Map) return ref.get(key);
  return keyOf(ref) === key ? ref : undefined;
}

/** What to remember once `entry` is known under `key`: the entry alone while it is the only one, else a Map by key. */
function remember<E>(ref: Ref<E> | undefined, key: string, entry: E, keyOf: (e: E) => string | undefined): Ref<E> {
  if (ref instanceof Map) return ref.set(key, entry);
  const other = ref === undefined ? undefined : keyOf(ref);
  if (keyOf(entry) === key && (other === undefined || other === key)) return entry;
  const map = new Map<string, E>();
  if (ref !== undefined && other !== undefined && other !== key) map.set(other, ref);
  return map.set(key, entry);
}

/** True when `held` was filed with a provisional drift and `incoming` brings git's answer. */
export function replacesProvisional(held: CodeLocation, incoming: CodeLocation): boolean {
  return held.drift !== incoming.drift && pendingWorkOf(held.drift) !== undefined && pendingWorkOf(incoming.drift) === undefined;
}
