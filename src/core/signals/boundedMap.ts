/** An entry a `BoundedMap` can age: `touched` is bumped on every use. */
export interface Touchable {
  touched: number;
  /** Set when the entry is evicted, so callers holding a direct reference can tell. */
  evicted?: boolean;
  /** The `touched` value when the entry was last placed at the back of its eviction order (BoundedMap's own). */
  placed?: number;
}

/**
 * A Map with a size cap and least-recently-used eviction, O(1) amortized per insert at any
 * cardinality: a stream of new keys past the cap (every span a new operation) costs the same per
 * key as one within it, and nothing is ever sorted by age.
 *
 * Eviction is second-chance ("clock") over insertion order: the front entry goes unless it was used
 * since it was last placed, in which case it moves to the back and is spared once. Each move is paid
 * for by a use, so a round of evictions costs what it evicts plus what was used since. Evicting a
 * tenth of the cap at once keeps rounds rare.
 *
 * With `groupOf` (the store groups by service), eviction is fair: the largest groups give up their
 * entries first (water-filling), so one high-cardinality sender cannot push every other group out;
 * among groups of equal size, those with the oldest front entry pay. Each group keeps its own order.
 */
export class BoundedMap<V extends Touchable> {
  private readonly map = new Map<string, V>();
  /** Per group, its entries in eviction order (with `groupOf`); without it, `map` is the one order. */
  private readonly groups = new Map<string, Map<string, V>>();
  private tick = 0;
  /** How many entries were evicted since creation. */
  evicted = 0;
  /** Entries eviction has looked at since creation, for tests to bound its cost. */
  examined = 0;
  /** Eviction rounds since creation; each also costs O(groups × log(cap)) to share it out. */
  rounds = 0;

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

  /**
   * Inserts (or replaces) an entry; a new key past the cap first evicts a round of the least recently
   * used, so the entry being inserted is never among them.
   */
  set(key: string, value: V): void {
    if (this.map.size >= this.cap && !this.map.has(key)) this.evictRound();
    value.touched = ++this.tick;
    value.placed = value.touched;
    if (this.groupOf !== undefined) {
      const old = this.map.get(key);
      if (old !== undefined) this.groups.get(this.groupOf(old))?.delete(key);
      const group = this.groupOf(value);
      let members = this.groups.get(group);
      if (members === undefined) this.groups.set(group, (members = new Map()));
      members.set(key, value);
    }
    this.map.set(key, value);
  }

  get size(): number {
    return this.map.size;
  }

  /** Entries with their keys, in insertion order (an entry spared by eviction counts as inserted again). */
  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  /** Entries, in the order of `entries`. */
  values(): IterableIterator<V> {
    return this.map.values();
  }

  private evictRound(): void {
    // Room for one more, and a tenth of the cap besides, so rounds stay rare.
    const batch = Math.max(this.map.size + 1 - this.cap, Math.ceil(this.cap / 10));
    let evicted = 0;
    this.rounds++;
    if (this.groupOf === undefined) evicted = this.evictFrom(this.map, batch);
    else for (const [group, quota] of this.quotas(batch)) evicted += this.evictFrom(this.groups.get(group)!, quota, group);
    this.evicted += evicted;
    this.onEvict();
  }

  /** Evicts `quota` entries of `order` (a group's, or the whole map), front first, sparing once those used since placed. */
  private evictFrom(order: Map<string, V>, quota: number, group?: string): number {
    let evicted = 0;
    const it = order.entries();
    while (evicted < quota) {
      const next = it.next();
      if (next.done) break;
      this.examined++;
      const [key, value] = next.value;
      if (value.touched !== value.placed) {
        // Used since placed: to the back, spared this once (the iterator meets it again at the end).
        value.placed = value.touched;
        order.delete(key);
        order.set(key, value);
        continue;
      }
      order.delete(key);
      if (group !== undefined) this.map.delete(key);
      value.evicted = true;
      this.release?.(value);
      evicted++;
    }
    if (group !== undefined && order.size === 0) this.groups.delete(group);
    return evicted;
  }

  /**
   * How many entries each group gives up so that `batch` are freed: the largest groups are cut down
   * to a common level (water-filling), and the few entries left over come one each from the groups
   * at that level whose front entry is oldest. Costs O(groups × log(size)), not O(entries).
   */
  private quotas(batch: number): Map<string, number> {
    const sizes = [...this.groups].map(([group, members]) => [group, members.size, members] as const);
    const freedAt = (level: number): number => sizes.reduce((n, [, size]) => n + Math.max(0, size - level), 0);
    // The highest level that still frees `batch`: freedAt only falls as the level rises.
    let low = 0;
    let high = sizes.reduce((m, [, size]) => Math.max(m, size), 0);
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (freedAt(mid) >= batch) low = mid;
      else high = mid - 1;
    }
    const level = low;
    const out = new Map<string, number>();
    let rest = batch;
    for (const [group, size] of sizes) {
      const take = Math.max(0, size - level - 1);
      if (take > 0) out.set(group, take);
      rest -= take;
    }
    if (rest > 0) {
      // The groups standing at level + 1 give one more each, those with the oldest front entry first.
      const atEdge = sizes.filter(([, size]) => size >= level + 1).map(([group, , members]) => [group, frontAge(members)] as const);
      atEdge.sort((a, b) => a[1] - b[1]);
      for (const [group] of atEdge.slice(0, rest)) out.set(group, (out.get(group) ?? 0) + 1);
    }
    return out;
  }
}

/** When a group's front entry was last used: the age its next eviction starts from. */
function frontAge<V extends Touchable>(members: Map<string, V>): number {
  const front = members.values().next();
  return front.done ? Number.POSITIVE_INFINITY : front.value.touched;
}
