/** A Map or a Set: what `OldestFirst` needs of it. */
interface Ordered<K, V> {
  entries(): IterableIterator<[K, V]>;
  delete(key: K): boolean;
  readonly size: number;
}

/**
 * Deletes a Map's (or Set's) entries oldest first, in insertion order, at O(1) amortized each.
 *
 * `map.delete(map.keys().next().value)` looks O(1) but is not in V8: every deletion leaves a hole
 * that a fresh iterator walks over until the table is compacted, and a map kept at a constant size
 * is rarely compacted. Dropping 1M keys from a 100,000-key Map that way took 55 s here, against
 * 0.35 s with one iterator kept. That iterator is what this holds: entries are only ever appended,
 * and every entry it has passed was deleted, so its next entry is the oldest one left. Code that
 * re-inserts a key to mark it recently used (delete, then set) keeps working: the key moves past it.
 */
export class OldestFirst<K, V> {
  private cursor: Iterator<[K, V]> | undefined;

  constructor(private readonly collection: Ordered<K, V>) {}

  /** Deletes the oldest entry and returns it; undefined when the collection is empty. */
  drop(): [K, V] | undefined {
    if (this.collection.size === 0) return undefined;
    let next = this.cursor?.next();
    if (next === undefined || next.done) {
      // First use, or the collection was emptied and refilled since: start over from its front.
      this.cursor = this.collection.entries();
      next = this.cursor.next();
      if (next.done) return undefined;
    }
    this.collection.delete(next.value[0]);
    return next.value;
  }
}
