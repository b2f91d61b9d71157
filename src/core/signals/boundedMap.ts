/** An entry a `BoundedMap` can age: `touched` is bumped on every use. */
export interface Touchable {
  touched: number;
  /** Set when the entry is evicted, so callers holding a direct reference can tell. */
  evicted?: boolean;
}

/**
 * A Map with a size cap and least-recently-used eviction. Evicting the oldest tenth at once
 * keeps the per-insert cost O(1) amortized instead of maintaining a linked list on the hot path.
 * With `groupOf` (the store groups by service), eviction is fair: the largest groups give up their
 * oldest entries first, so one high-cardinality sender cannot push every other group out.
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
  constructor(
    private readonly cap: number,
    private readonly onEvict: () => void = () => {},
    private readonly release?: (value: V) => void,
    private readonly groupOf?: (value: V) => string,
  ) {}

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
    const entries = [...this.map.entries()];
    const byAge = (this.groupOf === undefined ? entries : this.largestGroups(entries, batch)).sort((a, b) => a[1].touched - b[1].touched);
    for (let i = 0; i < batch && i < byAge.length; i++) {
      this.map.delete(byAge[i][0]);
      byAge[i][1].evicted = true;
      this.release?.(byAge[i][1]);
    }
    this.evicted += Math.min(batch, byAge.length);
    this.onEvict();
  }

  /**
   * The entries of the fewest largest groups that, cut down to the size of the next group, would
   * free `batch` entries (water-filling): smaller groups are not touched while larger ones can pay.
   */
  private largestGroups(entries: [string, V][], batch: number): [string, V][] {
    const counts = new Map<string, number>();
    for (const [, value] of entries) {
      const group = this.groupOf!(value);
      counts.set(group, (counts.get(group) ?? 0) + 1);
    }
    const sizes = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    let total = 0;
    let k = 0;
    while (k < sizes.length) {
      total += sizes[k][1];
      k++;
      const next = k < sizes.length ? sizes[k][1] : 0;
      if (total - k * next >= batch) break;
    }
    if (k >= sizes.length) return entries;
    const payers = new Set(sizes.slice(0, k).map(([group]) => group));
    return entries.filter(([, value]) => payers.has(this.groupOf!(value)));
  }
}
