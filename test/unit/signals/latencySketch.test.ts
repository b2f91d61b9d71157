import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import { newSketch, quantile, sketchFromBase64, sketchToBase64, SKETCH_RELATIVE_ACCURACY, type LatencySketch } from '../../../src/core/signals/latencySketch';

/** A seeded generator, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latencies spread like real ones: log-normal around ~40 ms with a long tail. */
function latencies(n: number, seed: number): number[] {
  const rnd = random(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const gauss = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    out.push(Math.exp(3.7 + 1.1 * gauss));
  }
  return out;
}

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

function assertClose(sketch: LatencySketch, values: number[], qs = [0.5, 0.95, 0.99]): void {
  const sorted = [...values].sort((a, b) => a - b);
  for (const q of qs) {
    const exact = exactQuantile(sorted, q);
    const got = quantile(sketch, q);
    assert.ok(Math.abs(got - exact) / exact <= SKETCH_RELATIVE_ACCURACY + 1e-9, `q${q}: got ${got}, exact ${exact}`);
  }
}

/** Sum of a sketch's bins: every positive value is in one. */
function binTotal(sketch: LatencySketch): number {
  return Array.from(sketch.bins).reduce((a, b) => a + b, 0);
}

/** The library's sketch of the same parameters, as one of ours (through the protobuf both write). */
function fromLibrary(library: LogCollapsingLowestDenseDDSketch): LatencySketch {
  return sketchFromBase64(Buffer.from(library.toProto()).toString('base64'));
}

test('quantiles of a log-normal stream are within 2% of the exact ones', () => {
  const values = latencies(50_000, 1);
  const sketch = newSketch();
  for (const v of values) sketch.accept(v);
  assert.equal(sketch.count, values.length);
  assertClose(sketch, values, [0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999]);
});

test('a busy bin widens the bins from 16 to 32 bits, then to doubles, and no count is lost', () => {
  const sketch = newSketch();
  for (let i = 0; i < 70_000; i++) sketch.accept(12.5);
  sketch.accept(900);
  assert.ok(sketch.bins instanceof Uint32Array, `bins are ${sketch.bins.constructor.name}`);
  assert.equal(binTotal(sketch), 70_001);
  sketch.accept(12.5, 2 ** 30);
  assert.ok(sketch.bins instanceof Float64Array, `bins are ${sketch.bins.constructor.name}`);
  assert.equal(sketch.count, 2 ** 30 + 70_001);
  assert.equal(binTotal(sketch), 2 ** 30 + 70_001);
  assert.ok(Math.abs(quantile(sketch, 0.5) - 12.5) / 12.5 <= SKETCH_RELATIVE_ACCURACY);
  assert.ok(Math.abs(quantile(sketch, 1) - 900) / 900 <= SKETCH_RELATIVE_ACCURACY);
});

test('a fractional weight is kept', () => {
  const sketch = newSketch();
  sketch.accept(10);
  sketch.accept(20, 0.5);
  assert.ok(sketch.bins instanceof Float64Array);
  assert.equal(sketch.count, 1.5);
  assert.equal(binTotal(sketch), 1.5);
  assert.throws(() => sketch.accept(5, 0), /weight must be positive/);
  assert.equal(sketch.count, 1.5);
});

test('zeros and negative latencies count as zero, apart from the bins', () => {
  const sketch = newSketch();
  for (const v of [0, -3, Number.MIN_VALUE, 4]) sketch.accept(v);
  assert.deepEqual([sketch.count, sketch.zeroCount, binTotal(sketch)], [4, 3, 1]);
  assert.equal(quantile(sketch, 0.5), 0);
  assert.ok(Math.abs(quantile(sketch, 1) - 4) / 4 <= SKETCH_RELATIVE_ACCURACY);
});

test('a range wider than the bin limit collapses the lowest bins and conserves the count', () => {
  const sketch = newSketch();
  const values: number[] = [];
  // 1e-9 .. 1e14 ms (the ceiling) at 2% accuracy needs ~1,320 bins, past the 1,024-bin limit.
  for (let e = -9; e <= 14; e += 0.01) values.push(10 ** e);
  for (const v of values) sketch.accept(v);
  assert.equal(sketch.bins.length, 1024, 'the bins stop at the limit');
  assert.equal(sketch.count, values.length);
  assert.equal(binTotal(sketch), values.length);
  // The high quantiles stay exact to 2%; only the collapsed low end loses resolution.
  assertClose(sketch, values, [0.5, 0.9, 0.99]);
});

test('merging a library sketch and one of ours adds counts and keeps quantiles within 2%', () => {
  const a = latencies(20_000, 2);
  const b = latencies(20_000, 3).map((v) => v * 3);
  const library = new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY, binLimit: 1024 });
  for (const v of b) library.accept(v);
  const ours = newSketch();
  for (const v of a) ours.accept(v);
  ours.merge(fromLibrary(library));
  assert.equal(ours.count, a.length + b.length);
  assertClose(ours, [...a, ...b]);

  // Into an empty one of ours (the copy path), and ours into another of ours with a lower range.
  const empty = newSketch();
  empty.merge(fromLibrary(library));
  assert.equal(empty.count, b.length);
  assertClose(empty, b);
  const low = newSketch();
  for (const v of a) low.accept(v / 50);
  low.merge(ours);
  assert.equal(low.count, a.length * 2 + b.length);
  assertClose(low, [...a.map((v) => v / 50), ...a, ...b]);
});

test('merging keeps the counts of both and leaves the merged sketch as it was', () => {
  const big = newSketch();
  for (let i = 0; i < 40_000; i++) big.accept(7);
  const other = newSketch();
  for (let i = 0; i < 40_000; i++) other.accept(7);
  other.accept(0);
  const before = sketchToBase64(other);
  big.merge(other);
  assert.equal(big.count, 80_001);
  assert.equal(big.zeroCount, 1);
  assert.equal(binTotal(big), 80_000);
  assert.ok(big.bins instanceof Uint32Array, 'a merged bin past 16 bits widens the target');
  assert.equal(sketchToBase64(other), before);
  big.merge(newSketch());
  assert.equal(big.count, 80_001);
});

test('a sketch survives the snapshot round trip with its counts and quantiles', () => {
  const values = latencies(30_000, 4);
  const sketch = newSketch();
  for (const v of values) sketch.accept(v);
  for (let i = 0; i < 70_000; i++) sketch.accept(41); // a bin past 16 bits
  const restored = sketchFromBase64(sketchToBase64(sketch));
  assert.equal(restored.count, sketch.count);
  for (const q of [0.1, 0.5, 0.95, 0.99]) assert.equal(quantile(restored, q), quantile(sketch, q));
  // The restored sketch keeps accepting like a fresh one.
  restored.accept(5000);
  assert.equal(restored.count, sketch.count + 1);
  assert.ok(Math.abs(quantile(restored, 1) - 5000) / 5000 <= SKETCH_RELATIVE_ACCURACY);
});

test('a snapshot sketch with other parameters is refused', () => {
  const foreign = new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: 0.05 });
  foreign.accept(10);
  assert.throws(() => sketchFromBase64(Buffer.from(foreign.toProto()).toString('base64')), /foreign parameters/);
});

test('our sketch answers every quantile exactly as the library sketch does, as its range grows, shifts and collapses', () => {
  const rnd = random(7);
  for (const spread of [0.5, 3, 12]) {
    const library = new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY, binLimit: 1024 });
    const ours = newSketch();
    // Values that walk up and down the range (recentring the bins both ways), then jump far past the bin limit.
    for (let i = 0; i < 3_000; i++) {
      const v = Math.exp(3 + spread * Math.sin(i / 40) + 0.3 * rnd()) * (i % 997 === 0 ? 1e9 : 1);
      library.accept(v);
      ours.accept(v);
    }
    assert.equal(ours.count, library.count);
    for (let q = 0; q <= 1; q += 0.01) assert.equal(quantile(ours, q), library.getValueAtQuantile(q), `spread ${spread}, q ${q}`);
  }
});
