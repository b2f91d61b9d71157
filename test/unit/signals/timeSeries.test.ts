import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSketch, quantile, sketchFromBase64, sketchToBase64 } from '../../../src/core/signals/latencySketch';
import { TimeSeries } from '../../../src/core/signals/timeSeries';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

test('window sums only the minutes inside it', () => {
  const s = new TimeSeries(HOUR);
  s.add(T0, 10, false);
  s.add(T0 + 60_000, 20, true);
  s.add(T0 + 4 * 60_000, 30, false);
  const now = T0 + 4 * 60_000 + 5_000;
  assert.equal(s.window(now, 60_000).count, 1);
  assert.equal(s.window(now, 5 * 60_000).count, 3);
  assert.equal(s.window(now, 5 * 60_000).errors, 1);
  assert.equal(s.window(now + 10 * 60_000, 5 * 60_000).count, 0);
});

test('quantiles are within 2% of the exact value', () => {
  const s = new TimeSeries(HOUR);
  const values: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const v = 1 + ((i * 7919) % 5000) / 3; // spread over ~1..1700 ms
    values.push(v);
    s.add(T0 + (i % 50) * 1000, v, false);
  }
  values.sort((a, b) => a - b);
  const w = s.window(T0 + 59_000, 60_000);
  for (const q of [0.5, 0.95, 0.99]) {
    const exact = values[Math.ceil(q * values.length) - 1];
    const got = quantile(w.sketch!, q);
    assert.ok(Math.abs(got - exact) / exact <= 0.02, `q${q}: got ${got}, exact ${exact}`);
  }
});

test('long windows merge five-minute blocks and keep counts exact', () => {
  const s = new TimeSeries(HOUR);
  for (let m = 0; m < 60; m++) s.add(T0 + m * 60_000, m + 1, false);
  const now = T0 + 59 * 60_000 + 1;
  const w = s.window(now, HOUR);
  assert.equal(w.count, 60);
  assert.ok(Math.abs(quantile(w.sketch!, 0.5) - 30) <= 1);
  // The minute holding the window's old edge counts whole: minutes 29..59.
  assert.equal(s.window(now, 30 * 60_000).count, 31);
});

test('old minutes are overwritten by the ring, not accumulated', () => {
  const s = new TimeSeries(10 * 60_000);
  s.add(T0, 5, false);
  s.add(T0 + 12 * 60_000, 5, false); // same ring slot (10 minutes + 2 partial ones), twelve minutes later
  assert.equal(s.window(T0 + 12 * 60_000, 10 * 60_000).count, 1);
});

test('perMinute gives one point per minute, oldest first, zero where empty', () => {
  const s = new TimeSeries(HOUR);
  s.add(T0, 10, false);
  s.add(T0 + 2 * 60_000, 30, true);
  s.add(T0 + 2 * 60_000 + 1000, 50, false);
  const points = s.perMinute(T0 + 2 * 60_000, 3);
  assert.deepEqual(
    points.map((p) => p.count),
    [1, 0, 2],
  );
  assert.equal(points[2].errors, 1);
  assert.equal(points[2].avgMs, 40);
  assert.equal(points[2].maxMs, 50);
});

test('state round-trips through toState/fromState', () => {
  const s = new TimeSeries(HOUR);
  for (let i = 0; i < 500; i++) s.add(T0 + i * 1000, 1 + (i % 100), i % 10 === 0);
  const copy = TimeSeries.fromState(HOUR, JSON.parse(JSON.stringify(s.toState())));
  const now = T0 + 499_000;
  for (const w of [60_000, 5 * 60_000, HOUR]) {
    const a = s.window(now, w);
    const b = copy.window(now, w);
    assert.equal(b.count, a.count);
    assert.equal(b.errors, a.errors);
    assert.ok(Math.abs(quantile(a.sketch!, 0.95) - quantile(b.sketch!, 0.95)) < 1e-9);
  }
});

test('an empty sketch shares its empty bins with no one once written to, through adds and merges', () => {
  const a = newSketch();
  const b = newSketch();
  assert.equal(a.bins, b.bins);
  b.accept(0);
  b.accept(12);
  a.merge(b);
  assert.notEqual(a.bins, b.bins);
  assert.equal(newSketch().bins.length, 0, 'the shared empty bins stay empty');
  assert.equal(sketchFromBase64(sketchToBase64(a)).count, 2);
});

test('a sparse series keeps every minute within the retention as its ring grows', () => {
  const s = new TimeSeries(HOUR);
  // Minutes that collide in a small ring (0, 4, 8 and 16 share a slot of a 4-minute ring).
  const minutes = [0, 4, 8, 16, 17, 33, 50];
  for (const m of minutes) s.add(T0 + m * 60_000, m + 1, m % 2 === 0);
  const now = T0 + 50 * 60_000 + 1;
  const w = s.window(now, HOUR);
  assert.equal(w.count, minutes.length);
  assert.equal(w.errors, minutes.filter((m) => m % 2 === 0).length);
  const points = s.perMinute(now, 51);
  assert.deepEqual(
    points.flatMap((p, i) => (p.count > 0 ? [i] : [])),
    minutes,
  );
  assert.equal(points[16].maxMs, 17);
});

test('a late minute within the retention is kept after newer minutes, not dropped or overwritten', () => {
  const s = new TimeSeries(HOUR);
  for (let m = 10; m < 14; m++) s.add(T0 + m * 60_000, 5, false);
  s.add(T0 + 30 * 60_000, 5, false); // grows the ring past four minutes
  s.add(T0 + 2 * 60_000, 7, true); // late, but 28 minutes old in a one-hour retention
  s.add(T0 + 11 * 60_000 + 500, 9, false); // late, into a minute already held
  const now = T0 + 30 * 60_000 + 1;
  assert.equal(s.window(now, HOUR).count, 7);
  assert.equal(s.window(now, HOUR).errors, 1);
  const points = s.perMinute(now, 31);
  assert.equal(points[2].count, 1);
  assert.equal(points[11].count, 2);
  assert.equal(points[11].maxMs, 9);
  // Past the retention the ring is at its full size and reuses slots: a minute an hour and more old is gone.
  s.add(T0 + 95 * 60_000, 5, false);
  assert.equal(s.window(T0 + 95 * 60_000 + 1, HOUR).count, 1);
});

test('a grown ring round-trips through toState/fromState, late minutes included', () => {
  const s = new TimeSeries(HOUR);
  const minutes = [3, 9, 22, 41, 40, 5, 58];
  for (const m of minutes) for (let i = 0; i < 3; i++) s.add(T0 + m * 60_000 + i * 1000, 10 * (m + 1) + i, i === 0);
  const copy = TimeSeries.fromState(HOUR, JSON.parse(JSON.stringify(s.toState())));
  const now = T0 + 58 * 60_000 + 1;
  assert.deepEqual(copy.perMinute(now, 60), s.perMinute(now, 60));
  for (const w of [60_000, 5 * 60_000, 20 * 60_000, HOUR]) {
    const a = s.window(now, w);
    const b = copy.window(now, w);
    assert.equal(b.count, a.count);
    assert.equal(b.errors, a.errors);
    assert.equal(b.sumMs, a.sumMs);
    if (a.sketch) assert.equal(quantile(b.sketch!, 0.5), quantile(a.sketch, 0.5));
  }
  assert.equal(copy.window(now, HOUR).count, minutes.length * 3);
});

test('the minute being recorded is seen by every reader, through switches between minutes', () => {
  // A series keeps the minute being recorded in fields of its own and writes it to the ring when
  // another minute comes or before anything reads: each reader must see every add.
  const s = new TimeSeries(HOUR);
  s.add(T0 + 120_000, 10, false);
  s.add(T0 + 120_000, 30, true);
  s.add(T0, 5, false); // a late span for an older minute
  s.add(T0 + 120_000, 20, false); // and back
  s.markError(T0 + 120_000);
  s.markError(T0 + 120_000);
  s.markError(T0 + 120_000); // no more errors than calls
  const now = T0 + 150_000;
  const w = s.window(now, 60_000);
  assert.deepEqual([w.count, w.errors, w.sumMs], [3, 3, 60]);
  assert.equal(w.sketch!.count, 3);
  assert.ok(Math.abs(quantile(w.sketch!, 1) - 30) / 30 <= 0.02);
  const all = s.window(now, 5 * 60_000);
  assert.deepEqual([all.count, all.errors, all.sumMs], [4, 3, 65]);
  const points = s.perMinute(now, 3);
  assert.deepEqual(
    points.map((p) => [p.count, p.errors, p.maxMs]),
    [
      [1, 0, 5],
      [0, 0, 0],
      [3, 3, 30],
    ],
  );
  // Adds after a read go on counting in the same minute, and a restore sees them all.
  s.add(T0 + 120_000, 40, false);
  const restored = TimeSeries.fromState(HOUR, s.toState());
  assert.deepEqual([restored.window(now, 60_000).count, restored.window(now, 60_000).sumMs], [4, 100]);
  assert.equal(restored.perMinute(now, 1)[0].maxMs, 40);
});

test('an add for a minute the ring has moved past is dropped, and the minute being recorded is kept', () => {
  const s = new TimeSeries(HOUR);
  s.add(T0 + 2 * HOUR, 7, false);
  s.add(T0, 5, false); // older than the retention of what the ring holds
  s.add(T0 + 2 * HOUR, 9, false);
  const w = s.window(T0 + 2 * HOUR + 1_000, 3 * HOUR);
  assert.deepEqual([w.count, w.sumMs], [2, 16]);
});

test('fifteen-minute blocks appear once a minute leaves the fine range, and a snapshot keeps them', () => {
  const s = new TimeSeries(HOUR);
  for (let m = 0; m < 7; m++) s.add(T0 + m * 60_000, m + 1, false);
  assert.deepEqual(s.toState().coarse, [], 'seven minutes fit the per-minute sketches');
  for (let m = 7; m < 40; m++) s.add(T0 + m * 60_000, m + 1, false);
  const state = JSON.parse(JSON.stringify(s.toState()));
  assert.ok(state.coarse.length > 0);
  const copy = TimeSeries.fromState(HOUR, state);
  const now = T0 + 39 * 60_000 + 1;
  const a = s.window(now, HOUR);
  const b = copy.window(now, HOUR);
  assert.equal(b.count, 40);
  assert.equal(b.count, a.count);
  assert.ok(Math.abs(quantile(a.sketch!, 0.5) - quantile(b.sketch!, 0.5)) < 1e-9);
  assert.ok(Math.abs(quantile(b.sketch!, 0.5) - 20) <= 1);
});
