// OldestFirst keeps one iterator to drop a Map's oldest entries (see its comment for why): it must
// still drop in insertion order through re-insertions, deletions elsewhere, clear and refill.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OldestFirst } from '../../src/core/oldestFirst';

test('drops in insertion order, and a re-inserted key counts as new', () => {
  const map = new Map<string, number>([
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ]);
  const oldest = new OldestFirst(map);
  assert.deepEqual(oldest.drop(), ['a', 1]);
  map.delete('b');
  map.set('b', 20);
  map.set('d', 4);
  map.delete('c');
  assert.deepEqual(oldest.drop(), ['b', 20]);
  assert.deepEqual(oldest.drop(), ['d', 4]);
  assert.equal(oldest.drop(), undefined);
  assert.equal(map.size, 0);
});

test('keeps working after the map is cleared or emptied and refilled, and on a Set', () => {
  const map = new Map<number, number>();
  const oldest = new OldestFirst(map);
  for (let i = 0; i < 10; i++) map.set(i, i);
  assert.deepEqual(oldest.drop(), [0, 0]);
  map.clear();
  for (let i = 100; i < 105; i++) map.set(i, i);
  assert.deepEqual(oldest.drop(), [100, 100]);
  while (map.size > 0) oldest.drop();
  for (let i = 200; i < 20_000; i++) map.set(i, i);
  assert.deepEqual(oldest.drop(), [200, 200]);
  const set = new Set(['x', 'y']);
  assert.deepEqual(new OldestFirst(set).drop(), ['x', 'x']);
  assert.deepEqual([...set], ['y']);
});

test('as an LRU bound: 200,000 keys through a 1,000-key map keep the newest 1,000', () => {
  const map = new Map<number, number>();
  const oldest = new OldestFirst(map);
  for (let i = 0; i < 200_000; i++) {
    map.set(i, i);
    // Every third key is used again at once (moved to the newest end).
    if (i % 3 === 0) {
      map.delete(i - 1);
      map.set(i - 1, i - 1);
    }
    while (map.size > 1_000) oldest.drop();
  }
  const kept = [...map.keys()];
  assert.equal(kept.length, 1_000);
  assert.ok(kept.every((k) => k >= 200_000 - 1_002));
});
