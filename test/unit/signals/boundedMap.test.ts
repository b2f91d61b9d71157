// The store's caps under any cardinality (issue 15 §1): the cap holds, every eviction is counted,
// eviction looks at O(1) entries per insert however many distinct keys arrive (counted, not timed),
// and it approximates least-recently-used: an entry used since it was placed is spared.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedMap } from '../../../src/core/signals/boundedMap';

type E = { touched: number; evicted?: boolean; placed?: number; group: string; n: number };
const entry = (group: string, n: number): E => ({ touched: 0, group, n });

for (const groups of [0, 1, 10, 1_000]) {
  test(`${groups === 0 ? 'no groups' : `${groups} groups`}: 200,000 new keys into a cap of 10,000 hold the cap, count every eviction and cost O(1) each`, () => {
    const released: E[] = [];
    const map = new BoundedMap<E>(10_000, undefined, (e) => released.push(e), groups === 0 ? undefined : (e) => e.group);
    const inserted = 200_000;
    for (let i = 0; i < inserted; i++) {
      const e = entry(`g${groups === 0 ? 0 : i % groups}`, i);
      map.set(`k${i}`, e);
      assert.ok(map.size <= 10_000);
      // Half the keys are used again at once (a route that repeats): that costs a move at most.
      if (i % 2 === 0) assert.equal(map.get(`k${i}`), e);
    }
    assert.equal(map.evicted, inserted - map.size);
    assert.equal(released.length, map.evicted);
    assert.ok(released.every((e) => e.evicted === true));
    // Spared entries are examined twice, evicted ones once; and rounds (which share the eviction out
    // among groups at O(groups × log cap) each) come a tenth of the cap apart.
    assert.ok(map.examined <= 3 * inserted, `examined ${map.examined} for ${inserted} inserts`);
    assert.ok(map.rounds <= Math.ceil((inserted - 10_000) / 1_000) + 1, `${map.rounds} rounds`);
    // What is held is the recent end: nothing older than two caps' worth of inserts survives.
    for (const e of map.values()) assert.ok(e.n >= inserted - 20_000, `k${e.n} still held`);
  });
}

test('an entry used since it was placed is spared once; untouched ones go in insertion order', () => {
  const map = new BoundedMap<E>(10);
  for (let i = 0; i < 10; i++) map.set(`k${i}`, entry('', i));
  map.get('k0');
  map.get('k3');
  map.set('k10', entry('', 10));
  // One round frees a tenth of the cap (1): k0 was used, so k1 goes.
  assert.equal(map.get('k1'), undefined);
  assert.ok(map.get('k0'));
  map.set('k11', entry('', 11));
  assert.equal(map.get('k2'), undefined, 'k2 was never used');
  assert.equal(map.evicted, 2);
});

test('a replaced entry moves to its new group and the old one is not evicted twice', () => {
  const released: E[] = [];
  const map = new BoundedMap<E>(
    4,
    undefined,
    (e) => released.push(e),
    (e) => e.group,
  );
  map.set('a', entry('x', 1));
  map.set('a', entry('y', 2));
  for (let i = 0; i < 4; i++) map.set(`y${i}`, entry('y', 10 + i));
  assert.equal(map.size, 4);
  assert.equal(map.evicted, 1);
  assert.deepEqual(
    released.map((e) => e.n),
    [2],
  );
});

// Admission past the cap (TinyLFU): what a stream of rare keys costs, and who gets in.
const admitAll = (map: BoundedMap<E>, key: string, group: string, n: number): boolean => {
  if (map.get(key) !== undefined) return true;
  if (!map.admit(key)) return false;
  map.set(key, entry(group, n));
  return true;
};

for (const groups of [1, 10, 1_000]) {
  test(`${groups} group(s): keys cycling over twice the cap settle instead of churning, and refusing one costs O(1)`, () => {
    const map = new BoundedMap<E>(10_000, undefined, undefined, (e) => e.group);
    const distinct = 20_000;
    const uses = 400_000;
    for (let i = 0; i < uses; i++) {
      const k = (i * 7_919) % distinct;
      admitAll(map, `k${k}`, `g${k % groups}`, k);
      assert.ok(map.size <= 10_000);
    }
    // Every use either found its entry, created one (under the cap or by evicting one) or was refused.
    assert.equal(map.size, 10_000);
    // Without admission every use past the first 10,000 would create and evict an entry (390,000);
    // with it, a key as rare as the stored ones is refused and the stored set stays.
    assert.ok(map.evicted < uses / 20, `${map.evicted} evicted`);
    assert.ok(map.refused > uses / 3, `${map.refused} refused`);
    // The work of finding victims stays O(1) per use, refused ones included.
    assert.ok(map.examined <= 2 * uses, `examined ${map.examined}`);
  });
}

test('a key wanted more often than the stored ones is admitted at the cap, and the coldest goes', () => {
  const released: E[] = [];
  const map = new BoundedMap<E>(100, undefined, (e) => released.push(e));
  for (let i = 0; i < 100; i++) admitAll(map, `cold${i}`, '', i);
  for (let k = 0; k < 3; k++) for (let i = 50; i < 100; i++) map.get(`cold${i}`);
  // Once: as rare as the coldest stored key, so refused, and counted.
  assert.equal(admitAll(map, 'hot', '', 1_000), false);
  assert.equal(map.refused, 1);

  // Wanted again: still within one use of the coldest (cold0, used once); a third time, it is
  // wanted more than that margin, and the coldest makes room.
  assert.equal(admitAll(map, 'hot', '', 1_000), false);
  assert.equal(admitAll(map, 'hot', '', 1_000), true);
  assert.deepEqual(
    released.map((e) => e.n),
    [0],
  );
  assert.equal(map.size, 100);
  assert.equal(map.evicted, 1);
});

test('frequencies fade: after ten caps of uses, a once-popular stored key can be replaced', () => {
  const map = new BoundedMap<E>(10);
  for (let i = 0; i < 10; i++) admitAll(map, `k${i}`, '', i);
  for (let k = 0; k < 12; k++) for (let i = 0; i < 10; i++) map.get(`k${i}`);
  assert.equal(admitAll(map, 'new', '', 99), false, 'the stored keys were each used 13 times');
  // 100 uses of the other keys since: the counts halved on the way, and a newcomer wanted 3 times gets in.
  for (let k = 0; k < 10; k++) for (let i = 1; i < 10; i++) map.get(`k${i}`);
  for (let i = 0; i < 40; i++) map.get('k1');
  const admitted = [0, 1, 2, 3, 4].some(() => admitAll(map, 'new', '', 99));
  assert.ok(admitted, 'k0, unused since, gave way');
  assert.equal(map.get('k0'), undefined);
});
