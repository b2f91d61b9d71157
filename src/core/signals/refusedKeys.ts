/**
 * Keys the store's caps refused a row of their own (see BoundedMap.admitHash), remembered by the
 * parts a span's hot path already holds, with the hash admission needs. A span of a refused key
 * then asks again without building and hashing its composite key, so a long tail past the caps
 * costs no more per span than the keys within them. Bounded: past `max` remembered keys, all are
 * forgotten at once, and found by their composite key again.
 */

/** Refused operations, by resource key, operation name and method. */
export class RefusedOperations {
  private byResource = new Map<string, Map<string, Map<string, number>>>();
  private size = 0;

  constructor(private readonly max: number) {}

  /** The hash a refused operation was remembered with, or undefined. */
  get(resKey: string, name: string, method: string): number | undefined {
    return this.byResource.get(resKey)?.get(name)?.get(method);
  }

  add(resKey: string, name: string, method: string, hash: number): void {
    if (this.size >= this.max) this.clear();
    let byName = this.byResource.get(resKey);
    if (byName === undefined) this.byResource.set(resKey, (byName = new Map()));
    let byMethod = byName.get(name);
    if (byMethod === undefined) byName.set(name, (byMethod = new Map()));
    if (!byMethod.has(method)) this.size++;
    byMethod.set(method, hash);
  }

  /** Forgets one (it was admitted). */
  delete(resKey: string, name: string, method: string): void {
    if (this.byResource.get(resKey)?.get(name)?.delete(method)) this.size--;
  }

  clear(): void {
    this.byResource = new Map();
    this.size = 0;
  }
}

/** Refused locations, by the mapper's location object (shared per mapping result) and resource key. */
export class RefusedLocations {
  private byLocation = new WeakMap<object, Map<string, number>>();
  /** Remembered since the last clear (some may have been collected with their location). */
  private size = 0;

  constructor(private readonly max: number) {}

  get(location: object, resKey: string): number | undefined {
    return this.byLocation.get(location)?.get(resKey);
  }

  add(location: object, resKey: string, hash: number): void {
    if (this.size >= this.max) this.clear();
    let byResource = this.byLocation.get(location);
    if (byResource === undefined) this.byLocation.set(location, (byResource = new Map()));
    if (!byResource.has(resKey)) this.size++;
    byResource.set(resKey, hash);
  }

  delete(location: object, resKey: string): void {
    if (this.byLocation.get(location)?.delete(resKey)) this.size--;
  }

  clear(): void {
    this.byLocation = new WeakMap();
    this.size = 0;
  }
}
