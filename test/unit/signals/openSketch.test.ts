import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSketch, sketchToBase64, type LatencySketch } from '../../../src/core/signals/latencySketch';
import { OpenSketch } from '../../../src/core/signals/openSketch';

/** An owner that records into sketches through OpenSketch, as TimeSeries does. */
class Owner extends OpenSketch {
  open(sketch: LatencySketch | null): void {
    this.settle();
    this.openSketch(sketch);
  }
  add(value: number): void {
    this.acceptLatency(value);
  }
  settle(): void {
    this.settleSketch();
  }
}

function same(open: LatencySketch, plain: LatencySketch, what: string): void {
  assert.equal(sketchToBase64(open), sketchToBase64(plain), `${what}: bins`);
  for (const field of ['count', 'zeroCount'] as const) assert.equal(open[field], plain[field], `${what}: ${field}`);
}

test('adds through an open sketch give the sketch accept() would build, on every path', () => {
  const cases: [string, number[]][] = [
    ['one bin', Array.from({ length: 100 }, () => 12)],
    // 1 ms has bin key 0, which an empty store's key range must not seem to hold.
    ['a first latency of 1 ms', [1, 1, 5, 1]],
    ['zeros and tiny values', [0, 0, 1e-12, 5, 0, 3]],
    ['a range that grows both ways', [50, 40, 60, 1, 9_000, 0.5, 120_000, 3]],
    // 16-bit bins overflow and widen on the sketch's own path.
    ['a bin past 65,535', Array.from({ length: 70_000 }, (_, i) => (i % 7 === 0 ? 80 : 10))],
    // More than the bin limit's range: the lowest bins collapse.
    ['a collapsing range', Array.from({ length: 3_000 }, (_, i) => 1.03 ** (i % 1500) * 1e-3)],
  ];
  for (const [what, values] of cases) {
    const owner = new Owner();
    const open = newSketch();
    const plain = newSketch();
    owner.open(open);
    for (const [i, v] of values.entries()) {
      owner.add(v);
      plain.accept(v);
      // Reading in between (settle) changes nothing.
      if (i === values.length >> 1) {
        owner.settle();
        same(open, plain, `${what}, halfway`);
      }
    }
    owner.settle();
    same(open, plain, what);
  }
});

test('an owner settling before it opens another sketch leaves each its own adds, and a closed owner adds nothing', () => {
  const owner = new Owner();
  const first = newSketch();
  const second = newSketch();
  owner.open(first);
  owner.add(5);
  owner.add(0);
  owner.open(second);
  assert.deepEqual([first.count, first.zeroCount, Array.from(first.bins).reduce((a, b) => a + b, 0)], [2, 1, 1]);
  owner.add(7);
  owner.open(null);
  owner.add(9);
  assert.equal(second.count, 1);
  assert.equal(first.count, 2);
});
