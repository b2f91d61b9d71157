import { OldestFirst } from '../oldestFirst';

/** A Map that keeps at most `cap` entries, forgetting the least recently used first. */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  private readonly oldest = new OldestFirst(this.map);

  constructor(private readonly cap: number) {}

  /** The value for `key`, marked as most recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    // Re-inserting moves the key to the end of Map's insertion order: the newest.
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  /** Stores `value` as the most recently used, forgetting the oldest entry when over the cap. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.cap) this.oldest.drop();
  }

  /** The value for `key` without marking it used. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
