import { FrequencySketch, keyHash } from './frequencySketch';

/**
 * An entry a `BoundedMap` can age: `touched` is bumped on every use. Entries made on the ingest
 * path write all four fields in their object literal (`touched: 0, evicted: false, placed: 0,
 * uses: 0`), not spread in or left to the map to add: a field added after an object is made lives
 * in a separate array, one more object per entry for the GC and one more cache miss per read.
 */
export interface Touchable {
  touched: number;
  /** Set when the entry is evicted, so callers holding a direct reference can tell. */
  evicted?: boolean;
  /** The `touched` value when the entry was last placed at the back of its eviction order (BoundedMap's own). */
  placed?: number;
  /** Uses lately, halved now and then (BoundedMap's own): what a newcomer must beat to take its place; 0 or absent until placed. */
  uses?: number;
}

/** An entry `admit` would evict, with where it stands. */
interface Victim<V> {
  key: string;
  value: V;
  order: Map<string, V>;
  group?: string;
  /** How often it was wanted lately: what a newcomer must exceed. */
  wanted: number;
}

/** Frequencies above this are not told apart (the sketch's counters saturate there). */
const MAX_USES = 15;

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
 *
 * Past the cap, a caller may ask `admit` before creating an entry (TinyLFU admission): a key not
 * wanted lately by at least two uses more than the entry it would replace is refused, and the caller files
 * its use elsewhere (an "other" row). A long tail of rare keys then costs a sketch update per use,
 * instead of an entry created and evicted per use, while a key that turns busy gets in within a few.
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
  /** Keys `admit` refused since creation (a use each). */
  refused = 0;
  /** How often keys that are not stored were wanted; made on the first `admit` at the cap. */
  private sketch: FrequencySketch | undefined;
  /** Uses and admission attempts since the last aging; every 10 × cap, all frequencies halve. */
  private sinceAging = 0;
  /** Bumped whenever an entry is added or evicted: which group is largest is worked out again then. */
  private version = 0;
  /** Where `victim` stands in the order it last looked at: its iterator and the front entry found. */
  private cursor: { order: Map<string, V>; it: Iterator<[string, V]>; head: [string, V] | undefined; wanted?: number; wantedAt?: number } | undefined;
  /** Agings so far (a victim's sketched frequency is read again after one). */
  private agings = 0;
  private largest: { version: number; order: Map<string, V>; group?: string } | undefined;
  /** What `victim` returns, reused. */
  private found: Victim<V> | undefined;
  /** Evictions by `admit` whose `onEvict` is still owed (it runs once per tenth of the cap). */
  private pendingEvictions = 0;

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
    if (value !== undefined) this.touch(value);
    return value;
  }

  /** Marks an entry held by reference as used, without a lookup. */
  touch(value: V): void {
    value.touched = ++this.tick;
    value.uses = (value.uses ?? 0) + 1;
    if (++this.sinceAging >= 10 * this.cap) this.age();
  }

  /**
   * Whether `key`, which is not stored, may get an entry now: always under the cap; at the cap only
   * if it was wanted lately by at least two uses more than the entry it would replace, which is
   * then evicted.
   * Each call counts as one use of the key.
   */
  admit(key: string): boolean {
    if (this.map.size < this.cap || this.map.has(key)) return true;
    return this.admitHash(keyHash(key));
  }

  /**
   * `admit` for a key known not to be stored, by its `keyHash`: a caller that remembers a refused
   * key's hash asks again without building the key.
   */
  admitHash(h: number): boolean {
    if (this.map.size < this.cap) return true;
    // Eight counters per stored entry and row: the rare keys asked about far outnumber the stored ones.
    this.sketch ??= new FrequencySketch(8 * this.cap);
    const wanted = this.sketch.increment(h);
    if (++this.sinceAging >= 10 * this.cap) this.age();
    const victim = this.victim();
    if (victim === undefined) return true;
    // By two uses more than the victim, not one: estimates carry collisions, and with a margin of one
    // a tail of keys as rare as the stored ones still churned 5% of its uses (bench:caps).
    if (wanted <= victim.wanted + 1) {
      this.refused++;
      return false;
    }
    this.evictVictim(victim);
    return true;
  }

  /**
   * Inserts (or replaces) an entry; a new key past the cap first evicts a round of the least recently
   * used, so the entry being inserted is never among them.
   */
  set(key: string, value: V): void {
    if (this.map.size >= this.cap && !this.map.has(key)) this.evictRound();
    value.touched = ++this.tick;
    value.placed = value.touched;
    // A key admitted past the cap brings the uses it was refused before (else any newcomer would
    // beat it on its second try, and a long tail would churn as before).
    if (!value.uses) value.uses = Math.max(1, this.sketch?.estimate(keyHash(key)) ?? 0);
    this.version++;
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

  /** Inserts like `set`, but a new key at the cap evicts just the admission victim, not a round. */
  insertOne(key: string, value: V): void {
    if (this.map.size >= this.cap && !this.map.has(key)) {
      const victim = this.victim();
      if (victim !== undefined) this.evictVictim(victim);
    }
    this.set(key, value);
  }

  /** Halves every frequency, stored or sketched, so that popularity fades. O(cap) once per 10 × cap uses. */
  private age(): void {
    this.sinceAging = 0;
    this.agings++;
    this.sketch?.halve();
    for (const value of this.map.values()) value.uses = (value.uses ?? 0) >>> 1;
  }

  /**
   * The entry the next admission would evict: the front of the largest group's order (or of the
   * map), after second chances for those used since placed. A cursor is kept per order: a fresh
   * iterator would walk every entry evicted from the front since V8 last compacted the Map (see
   * OldestFirst), and refusing a stream of rare keys would cost that much each.
   */
  private victim(): Victim<V> | undefined {
    const largest = this.groupOf === undefined ? undefined : this.largestGroup();
    const order = largest === undefined ? this.map : largest.order;
    const group = largest?.group;
    let c = this.cursor;
    if (c === undefined || c.order !== order) c = this.cursor = { order, it: order.entries(), head: undefined };
    let restarted = false;
    for (;;) {
      if (c.head === undefined) {
        const next = c.it.next();
        if (next.done) {
          if (order.size === 0 || restarted) return undefined;
          restarted = true;
          c.it = order.entries();
          continue;
        }
        c.head = next.value;
        c.wanted = undefined;
      }
      const [key, value] = c.head;
      if (order.get(key) !== value) {
        // Evicted or replaced since it was the front.
        c.head = undefined;
        continue;
      }
      if (value.touched !== value.placed) {
        // Used since placed: to the back, spared this once (the cursor meets it again at the end).
        this.examined++;
        value.placed = value.touched;
        order.delete(key);
        order.set(key, value);
        c.head = undefined;
        continue;
      }
      // How often it is wanted: its uses, or what the sketch holds for its key when more (what it
      // was refused with before, and the same collisions a newcomer's estimate carries). Read once
      // per head and aging: a use would have sent it to the back, so only aging changes it.
      if (c.wanted === undefined || c.wantedAt !== this.agings) {
        c.wanted = Math.max(Math.min(value.uses ?? 0, MAX_USES), this.sketch?.estimate(keyHash(key)) ?? 0);
        c.wantedAt = this.agings;
      }
      // One object per map, filled again on every call: both callers use it at once (an admission per new key made one each).
      const found = (this.found ??= { key, value, order, group, wanted: c.wanted });
      found.key = key;
      found.value = value;
      found.order = order;
      found.group = group;
      found.wanted = c.wanted;
      return found;
    }
  }

  /** The largest group and its order (the current cursor's among equals); recomputed after changes only, O(groups). */
  private largestGroup(): { order: Map<string, V>; group?: string } {
    if (this.largest !== undefined && this.largest.version === this.version) return this.largest;
    let order = this.map;
    let best: string | undefined;
    let bestSize = -1;
    for (const [group, members] of this.groups) {
      if (members.size > bestSize || (members.size === bestSize && members === this.cursor?.order)) {
        order = members;
        best = group;
        bestSize = members.size;
      }
    }
    const largest = (this.largest ??= { version: this.version, order, group: best });
    largest.version = this.version;
    largest.order = order;
    largest.group = best;
    return this.largest;
  }

  /** Evicts the admission victim; `onEvict` runs once a tenth of the cap has gone this way. */
  private evictVictim(victim: Victim<V>): void {
    victim.order.delete(victim.key);
    if (victim.group !== undefined) {
      this.map.delete(victim.key);
      if (victim.order.size === 0) this.groups.delete(victim.group);
    }
    victim.value.evicted = true;
    this.release?.(victim.value);
    this.evicted++;
    this.version++;
    if (this.cursor !== undefined) this.cursor.head = undefined;
    if (++this.pendingEvictions >= Math.ceil(this.cap / 10)) {
      this.pendingEvictions = 0;
      this.onEvict();
    }
  }

  private evictRound(): void {
    // Room for one more, and a tenth of the cap besides, so rounds stay rare.
    const batch = Math.max(this.map.size + 1 - this.cap, Math.ceil(this.cap / 10));
    let evicted = 0;
    this.rounds++;
    if (this.groupOf === undefined) evicted = this.evictFrom(this.map, batch);
    else for (const [group, quota] of this.quotas(batch)) evicted += this.evictFrom(this.groups.get(group)!, quota, group);
    this.evicted += evicted;
    this.version++;
    this.cursor = undefined;
    this.pendingEvictions = 0;
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
