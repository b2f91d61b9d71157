import type { ResourceInfo, SpanRecord } from '../ingest/records';
import { plausibleRevision } from '../ingest/revisionText';
import { pendingWorkOf } from '../mapping/pendingDrift';
import type { BoundedMap } from './boundedMap';
import type { ExemplarPool } from './exemplars';
import type { FileIndex } from './fileIndex';
import { keyHash } from './frequencySketch';
import { OTHER_OPERATIONS } from '../api/signals';
import { joinKey, locationKey, type LocationEntry, type OperationEntry } from './storeEntries';
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
   * A key refused a row past the caps is held the same way, as a Refused.
   */
  private locationRefs = new WeakMap<CodeLocation, Ref<LocationEntry | Refused>>();
  /** Per resource key and name, its entry (checked by `refMethod`) or Refused, or a Map per method. */
  private readonly operationRefs = new Map<string, Map<string, Ref<OperationEntry | Refused>>>();
  /** Per resource key, its "(other operations)" row. */
  private readonly otherOperationRefs = new Map<string, OperationEntry>();
  /** Refused keys held since the refs were last dropped, and how many may be (four caps' worth each). */
  private refusedLocations = 0;
  private refusedOperations = 0;
  private readonly maxRefusedLocations: number;
  private readonly maxRefusedOperations: number;
  private readonly resourceKeys = new Map<string, string>();
  private lastResource: ResourceInfo | null = null;
  private lastResourceKey = '';

  constructor(
    private readonly store: LookupStore,
    caps: { maxOperations: number; maxLocations: number },
  ) {
    this.maxRefusedOperations = 4 * caps.maxOperations;
    this.maxRefusedLocations = 4 * caps.maxLocations;
  }

  /** Drops the references to operation entries (after an eviction round; they are found by key again). */
  forgetOperations(): void {
    this.operationRefs.clear();
    this.otherOperationRefs.clear();
    this.refusedOperations = 0;
  }

  /**
   * The entry of a mapped location (null: refused a row past the cap). Mapping results are shared objects (the mapper caches them), so
   * the entry is remembered per result and resource: the hot path is a WeakMap lookup (and a Map by
   * resource key when one result serves several), instead of building and hashing a composite key per span.
   */
  location(res: ResourceInfo, resKey: string, loc: CodeLocation): LocationEntry | null {
    const ref = this.locationRefs.get(loc);
    const held = recall(ref, resKey, refKeyOf);
    // Past the cap, a function used less than every stored one gets no figures of its own (its span
    // still counts under its operation); the refusal is counted. A refused one asks again by hash.
    const refused = held instanceof Refused;
    if (refused) {
      if (!this.store.locations.admitHash(held.hash)) return null;
    } else if (held !== undefined && !held.evicted) {
      this.store.locations.touch(held);
      return held;
    }
    const key = locationKey(res.service, res.environment, loc);
    let entry = this.store.locations.get(key);
    if (entry === undefined) {
      if (!refused && !this.store.locations.admit(key)) {
        // Held only up to a bound: past it every reference is dropped (they are found by key again).
        if (++this.refusedLocations > this.maxRefusedLocations) {
          this.locationRefs = new WeakMap();
          this.refusedLocations = 0;
        } else this.locationRefs.set(loc, remember(ref, resKey, new Refused(resKey, '', keyHash(key)), refKeyOf));
        return null;
      }
      entry = {
        file: loc.file,
        line: loc.line,
        function: loc.function,
        mappedBy: loc.mappedBy,
        confidence: loc.confidence,
        deployedLine: loc.deployedLine,
        drift: loc.drift,
        touched: 0,
        evicted: false,
        placed: 0,
        uses: 0,
        service: res.service,
        environment: res.environment,
        revision: plausibleRevision(res.revision),
        serviceVersion: plausibleRevision(res.serviceVersion),
        series: this.store.newSeries(),
        exemplars: this.store.exemplars.allocate(),
        refKey: resKey,
        // Fields from the start (not added on first use): V8 keeps them in the object itself.
        slowBar: -1,
        slowSince: -Infinity,
      };
      this.store.locations.set(key, entry);
      this.store.locationFiles.add(entry.file, entry);
    } else if (replacesProvisional(entry, loc)) {
      // Filed while git was still being asked (ingest does not wait): git's answer is filled in now.
      entry.drift = loc.drift;
      entry.deployedLine = loc.deployedLine;
    }
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
    const held = recall(ref, method, refMethodOf);
    // A refused one asks again by hash, without building its key.
    const refused = held instanceof Refused;
    if (refused) {
      if (!this.store.operations.admitHash(held.hash)) return this.otherOperations(res, resKey, span.kind);
    } else if (held !== undefined && !held.evicted) {
      this.store.operations.touch(held);
      return held;
    }
    const opName = method ? `${method} ${name}` : name;
    const key = joinKey(res.service, res.environment, opName);
    let entry = this.store.operations.get(key);
    if (entry === undefined) {
      if (!refused && !this.store.operations.admit(key)) {
        if (++this.refusedOperations > this.maxRefusedOperations) this.forgetOperations();
        else this.rememberOperation(resKey, byName, name, remember(ref, method, new Refused('', method, keyHash(key)), refMethodOf));
        return this.otherOperations(res, resKey, span.kind);
      }
      entry = { touched: 0, evicted: false, placed: 0, uses: 0, service: res.service, environment: res.environment, name: opName, kind: span.kind, series: this.store.newSeries(), refMethod: method };
      this.store.operations.set(key, entry);
      this.store.operationsChanged();
    }
    entry.refMethod ??= method;
    this.rememberOperation(resKey, byName, name, remember(ref, method, entry, refMethodOf));
    return entry;
  }

  private rememberOperation(resKey: string, byName: Map<string, Ref<OperationEntry | Refused>> | undefined, name: string, ref: Ref<OperationEntry | Refused>): void {
    if (byName !== undefined) byName.set(name, ref);
    else this.operationRefs.set(resKey, new Map([[name, ref]]));
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
      entry = { touched: 0, evicted: false, placed: 0, uses: 0, service: res.service, environment: res.environment, name: OTHER_OPERATIONS, kind, series: this.store.newSeries(), refMethod: undefined };
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
const refKeyOf = (e: LocationEntry | Refused) => e.refKey;
const refMethodOf = (e: OperationEntry | Refused) => e.refMethod;

/**
 * A key refused a row of its own past the caps (BoundedMap.admitHash), held where its entry would
 * be, with the hash to ask again by: a span of a long tail past the caps then costs the same lookup
 * as one within them, with no key built. `refKey` or `refMethod` is what it is checked by.
 */
class Refused {
  constructor(
    readonly refKey: string,
    readonly refMethod: string,
    readonly hash: number,
  ) {}
}

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
