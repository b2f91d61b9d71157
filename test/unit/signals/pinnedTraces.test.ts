import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceSpan } from '../../../src/core/api/signals';
import { PinnedTraces } from '../../../src/core/signals/pinnedTraces';

/** A seeded generator, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const span = (id: string): TraceSpan => ({ spanId: id }) as TraceSpan;

test('pinned traces behave as an insertion-ordered map re-keyed on every pin, through collisions, re-pins and drops', () => {
  for (const [capacity, hashes] of [
    [8, 3],
    [64, 1_000],
    [1, 2],
  ] as const) {
    const rnd = random(capacity * 31 + hashes);
    const pinned = new PinnedTraces(capacity);
    // The model: a Map whose order is recency, as TraceBuffer kept it before.
    const model = new Map<string, string[]>();
    // Few distinct hashes for many ids: probe runs collide and shift back on every deletion.
    const hashOf = (id: string): number => Math.imul(Number.parseInt(id.slice(1), 10) % hashes, 0x01000193);
    for (let step = 0; step < 20_000; step++) {
      const id = `t${Math.floor(rnd() * capacity * 3)}`;
      const h = hashOf(id);
      const r = rnd();
      if (r < 0.6) {
        const dropped = pinned.pin(id, h);
        if (model.has(id)) {
          const kept = model.get(id)!;
          model.delete(id);
          model.set(id, kept);
          assert.equal(dropped.length, 0);
        } else {
          let expected: string[] = [];
          if (model.size === capacity) {
            const [oldest, kept] = model.entries().next().value!;
            model.delete(oldest);
            expected = kept;
          }
          model.set(id, []);
          assert.deepEqual(
            dropped.map((s) => s.spanId),
            expected,
          );
        }
      } else if (r < 0.85) {
        const e = pinned.find(id, h);
        assert.equal(e >= 0, model.has(id));
        if (e >= 0) {
          pinned.keep(e, span(`${id}/${step}`));
          model.get(id)!.push(`${id}/${step}`);
        }
      } else if (r < 0.9) {
        const dropped = pinned.dropOldest();
        const first = model.entries().next();
        if (first.done) assert.equal(dropped.length, 0);
        else {
          model.delete(first.value[0]);
          assert.deepEqual(
            dropped.map((s) => s.spanId),
            first.value[1],
          );
        }
      } else {
        assert.deepEqual(
          pinned.spansOf(id, h)?.map((s) => s.spanId),
          model.get(id),
        );
        assert.equal(
          pinned.hasHash(h),
          [...model.keys()].some((k) => hashOf(k) === h),
        );
      }
      assert.equal(pinned.size, model.size);
      assert.equal(
        pinned.spanCount,
        [...model.values()].reduce((n, s) => n + s.length, 0),
      );
    }
    const order: string[] = [];
    pinned.forEach((id) => order.push(id));
    assert.deepEqual(order, [...model.keys()]);
  }
});

test('a capacity of zero pins nothing', () => {
  const pinned = new PinnedTraces(0);
  assert.deepEqual(pinned.pin('a', 1), []);
  assert.equal(pinned.size, 0);
  assert.equal(pinned.find('a', 1), -1);
  assert.equal(pinned.hasHash(1), false);
});
