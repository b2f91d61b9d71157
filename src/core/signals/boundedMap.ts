/** An entry a `BoundedMap` can age: `touched` is bumped on every use. */
export interface Touchable {
  touched: number;
  /** Set when the entry is evicted, so callers holding a direct reference can tell. */
  evicted?: boolean;
}

/**
 * A Map with a size cap and least-recently-used eviction. Evicting the oldest tenth at once
 * keeps the per-insert cost O(1) amortized instead of maintaining a linked list on the hot path.
 */
export class BoundedMap<V extends Touchable> {
  private readonly map = new Map<string, V>();
  private tick = 0;
  /** How many entries were evicted since creation. */
  evicted = 0;

  /**
   * `onEvict` runs after each eviction round, e.g. to drop caches that reference entries;
   * `release` runs for each evicted entry, e.g. to free what it holds outside the map.
   */
  constructor(private readonly cap: number, private readonly onEvict: () => void = () => {}, private readonly release?: (value: V) => void) {}

  /** The entry for `key`, marked as used, or undefined. */
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) value.touched = ++this.tick;
    return value;
  }

  /** Marks an entry held by reference as used, without a lookup. */
  touch(value: V): void {
    value.touched = ++this.tick;
  }

  /** Inserts (or replaces) an entry, evicting the least recently used ones when over the cap. */
  set(key: string, value: V): void {
    value.touched = ++this.tick;
    this.map.set(key, value);
    if (this.map.size > this.cap) this.evictOldest();
  }

  get size(): number {
    return this.map.size;
  }

  /** Entries with their keys, in insertion order. */
  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  /** Entries, in insertion order. */
  values(): IterableIterator<V> {
    return this.map.values();
  }

  private evictOldest(): void {
    const excess = this.map.size - this.cap;
    const batch = Math.max(excess, Math.ceil(this.cap / 10));
    const byAge = [...this.map.entries()].sort((a, b) => a[1].touched - b[1].touched);
    for (let i = 0; i < batch && i < byAge.length; i++) {
      this.map.delete(byAge[i][0]);
      byAge[i][1].evicted = true;
      this.release?.(byAge[i][1]);
    }
    this.evicted += Math.min(batch, byAge.length);
    this.onEvict();
  }
}
