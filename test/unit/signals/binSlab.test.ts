import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BinSlab, type SlabKind } from '../../../src/core/signals/binSlab';
import { newSketch, quantile, sketchToBase64 } from '../../../src/core/signals/latencySketch';
import { SignalStore } from '../../../src/core/signals/signalStore';
import type { CodeLocation } from '../../../src/core/signals/storeTypes';
import { TimeSeries } from '../../../src/core/signals/timeSeries';
import { resource, span, TestClock } from '../../support/records';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

/** A small deterministic generator (xorshift), so that a failure replays. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test('regions are zeroed, 8-byte aligned and never overlap, across kinds and chunks', () => {
  const slab = new BinSlab();
  const kinds: SlabKind[] = [Uint8Array, Uint16Array, Uint32Array, Float32Array, Float64Array];
  const rnd = random(7);
  const regions: { Kind: SlabKind; base: number; length: number; view: ArrayLike<number> & { [i: number]: number }; id: number }[] = [];
  for (let id = 1; id <= 3_000; id++) {
    const Kind = kinds[id % kinds.length];
    const length = 1 + Math.floor(rnd() * 300);
    const base = slab.take(Kind, length);
    const view = slab.view(Kind);
    assert.equal((base * Kind.BYTES_PER_ELEMENT) % 8, 0, 'aligned');
    for (let i = 0; i < length; i++) assert.equal(view[base + i], 0, 'zeroed');
    for (let i = 0; i < length; i++) view[base + i] = id % 200;
    regions.push({ Kind, base, length, view, id });
  }
  // Every region still holds what its owner wrote: no later region was laid over it.
  for (const r of regions) for (let i = 0; i < r.length; i++) assert.equal(r.view[r.base + i], r.id % 200);
  assert.ok(new Set(regions.map((r) => r.view.constructor === r.Kind)).has(true));
  assert.ok(slab.stats().chunkBytes > 16 * 1024, 'it grew past its first chunk');
  assert.ok(slab.due, 'a compaction is due after this much');
});

test('a compaction moves what it visits into fresh chunks and lets the old ones go', () => {
  const slab = new BinSlab();
  const kept = new TimeSeries(HOUR, true, slab);
  for (let i = 0; i < 5_000; i++) newSketch(slab).accept(1 + i);
  kept.add(T0, 12, false);
  const before = sketchToBase64(kept.window(T0, MINUTE).sketch!);
  slab.compact(() => kept.relocate(slab));
  const stats = slab.stats();
  assert.equal(stats.compactions, 1);
  assert.ok(stats.liveBytes > 0 && stats.liveBytes < 1024, `live ${stats.liveBytes} bytes: the series' slots and one sketch`);
  assert.ok(stats.chunkBytes <= 64 * 1024, `held ${stats.chunkBytes} bytes after moving one series`);
  assert.equal(slab.due, false);
  kept.add(T0 + 1000, 14, true);
  const w = kept.window(T0 + 1000, MINUTE);
  assert.deepEqual([w.count, w.errors], [2, 1]);
  assert.notEqual(sketchToBase64(w.sketch!), before);
  assert.ok(Math.abs(quantile(w.sketch!, 1) - 14) / 14 <= 0.02);
});

/** Drives two series with the same observations: one in `slab` (compacted now and then), one with arrays of its own. */
function twins(slab: BinSlab, latency: boolean, seed: number, minutes: number, compactEvery: number, others: TimeSeries[] = []) {
  const own = new TimeSeries(HOUR, latency);
  const slabbed = new TimeSeries(HOUR, latency, slab);
  const rnd = random(seed);
  let t = T0;
  for (let m = 0; m < minutes; m++) {
    // Busy minutes, quiet ones and gaps (the ring grows, rolls up and skips).
    const n = rnd() < 0.2 ? 0 : rnd() < 0.1 ? 70_000 : Math.floor(rnd() * 400);
    const spread = rnd() < 0.5 ? 10 : 1e6;
    for (let i = 0; i < n; i++) {
      const ms = n > 1000 ? 12.5 : rnd() < 0.05 ? 0 : 0.5 + rnd() * spread;
      const err = rnd() < 0.1;
      const at = t + Math.floor((i / Math.max(n, 1)) * MINUTE);
      own.add(at, ms, err);
      slabbed.add(at, ms, err);
    }
    if (rnd() < 0.3) {
      own.markError(t - 2 * MINUTE);
      slabbed.markError(t - 2 * MINUTE);
    }
    if (m % compactEvery === compactEvery - 1) {
      slab.compact(() => {
        slabbed.relocate(slab);
        for (const o of others) o.relocate(slab);
      });
    }
    t += MINUTE;
    if (m % 7 === 0) assertSame(own, slabbed, t);
  }
  assertSame(own, slabbed, t);
  return { own, slabbed };
}

function assertSame(own: TimeSeries, slabbed: TimeSeries, now: number): void {
  assert.deepEqual(slabbed.toState(), own.toState());
  for (const windowMs of [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR]) {
    const [a, b] = [own.window(now, windowMs), slabbed.window(now, windowMs)];
    assert.deepEqual([b.count, b.errors, b.sumMs, b.coveredMs], [a.count, a.errors, a.sumMs, a.coveredMs]);
    assert.equal(b.sketch === null ? null : sketchToBase64(b.sketch), a.sketch === null ? null : sketchToBase64(a.sketch));
  }
  assert.deepEqual(slabbed.perMinute(now, 60), own.perMinute(now, 60));
}

test('a series in a slab answers exactly as one with arrays of its own, through growth, roll-ups, widening and compactions', () => {
  for (const [seed, compactEvery] of [
    [1, 1],
    [2, 3],
    [3, 17],
    [4, 1000],
  ]) {
    twins(new BinSlab(), true, seed, 150, compactEvery);
    twins(new BinSlab(), false, seed + 100, 90, compactEvery);
  }
});

test('a series the compaction does not visit keeps its figures and writes over no one', () => {
  const slab = new BinSlab();
  const left = new TimeSeries(HOUR, true, slab);
  const leftOwn = new TimeSeries(HOUR, true);
  for (let i = 0; i < 500; i++) {
    left.add(T0 + i, 1 + (i % 90), i % 9 === 0);
    leftOwn.add(T0 + i, 1 + (i % 90), i % 9 === 0);
  }
  // `left` is not visited by any compaction the twins' run makes, and keeps recording all along.
  const { own, slabbed } = twins(slab, true, 9, 40, 2);
  for (let m = 0; m < 40; m++) {
    for (let i = 0; i < 50; i++) {
      left.add(T0 + m * MINUTE + i, 3 + i * 40, false);
      leftOwn.add(T0 + m * MINUTE + i, 3 + i * 40, false);
    }
  }
  assertSame(leftOwn, left, T0 + 40 * MINUTE);
  assertSame(own, slabbed, T0 + 40 * MINUTE);
  assert.ok(slab.stats().compactions >= 20);
});

const loc = (fn: string): CodeLocation => ({ file: `src/${fn}.ts`, line: 10, function: fn, mappedBy: 'code-attributes', confidence: 0.95 });

test('the store compacts between spans and every kind of entry keeps its figures', () => {
  const clock = new TestClock(T0);
  const store = new SignalStore({}, clock);
  const res = resource('orders', 'production');
  const site = { file: 'src/pay.ts', line: 4, function: 'pay', lineMatch: 'url' as const };
  const FNS = 2_000;
  for (let round = 0; round < 6; round++) {
    for (let f = 0; f < FNS; f++) {
      const name = `f${f}`;
      store.recordSpan(span({ resource: res, name: `GET /${name}`, startMs: clock.t - 5, durationMs: 1 + f + round, error: round === 0 }), loc(name), '');
      store.recordUnmapped(res, `job${f % 300}`, 'no code attributes', clock.t, 2);
      store.recordException(res, { type: 'Error', message: `boom ${f % 200}`, stacktrace: '', timeMs: clock.t }, '', loc(name), `${name}:k`);
      if (f % 10 === 0) store.recordCall(res, site, `db${f % 50}`, clock.t, 3 + round, false);
    }
    clock.t += MINUTE;
  }
  assert.ok(store.slabStats().compactions >= 1, `compactions ${store.slabStats().compactions}`);
  const r = store.query({ windowMs: 15 * MINUTE });
  assert.equal(r.functions.length, FNS);
  for (const fn of r.functions) {
    const f = Number(fn.function.slice(1));
    assert.deepEqual([fn.count, fn.errors], [6, 1], fn.function);
    // Latencies f+1 .. f+6: the median within the sketch's 2%.
    assert.ok(Math.abs(fn.p50Ms - (f + 3.5)) / (f + 3.5) <= 0.2, `${fn.function} p50 ${fn.p50Ms}`);
  }
  assert.equal(
    r.operations.reduce((n, o) => n + o.count, 0),
    FNS * 6,
  );
  assert.equal(
    r.unmapped.reduce((n, u) => n + u.count, 0),
    FNS * 6,
  );
  assert.equal(
    r.errors.reduce((n, g) => n + g.count, 0),
    FNS * 6,
  );
  assert.equal(
    r.calls.reduce((n, c) => n + c.count, 0),
    (FNS / 10) * 6,
  );
});

test('past the caps the slab stays bounded: evicted series are left behind at the next compaction', () => {
  const clock = new TestClock(T0);
  const store = new SignalStore({ maxLocations: 200, maxOperations: 200 }, clock);
  const res = resource('orders', 'production');
  const held: number[] = [];
  for (let round = 0; round < 20; round++) {
    for (let f = 0; f < 2_000; f++) {
      const name = `r${round}f${f}`;
      // Each new location twice, so that admission lets it in and the old ones are evicted.
      for (let k = 0; k < 2; k++) store.recordSpan(span({ resource: res, name: `GET /${name}`, startMs: clock.t - 5, durationMs: 1 + (f % 500) }), loc(name), '');
    }
    held.push(store.slabStats().chunkBytes);
  }
  const sizes = store.sizes();
  assert.ok(sizes.locations <= 200 && sizes.operations <= 200);
  const evicted = store.evicted();
  assert.ok(evicted.locations + evicted.operations > 10_000, `evicted ${JSON.stringify(evicted)}`);
  assert.ok(store.slabStats().compactions >= 3, `compactions ${store.slabStats().compactions}`);
  // Over 10,000 series made and evicted (~100 bytes of slots and bins each): the slab holds what the
  // ~400 live ones need, plus what was taken since the last compaction, and it does not grow round on round.
  assert.ok(Math.max(...held) <= 1024 * 1024, `slab held ${JSON.stringify(held)} bytes`);
  assert.ok(Math.max(...held.slice(10)) <= Math.max(...held.slice(0, 10)) * 2, `slab held ${JSON.stringify(held)} bytes`);
  assert.ok(store.slabStats().liveBytes < 100 * 1024, `live ${store.slabStats().liveBytes} bytes`);
});

test('series read back from a snapshot join the slab at the next compaction with their figures', () => {
  const clock = new TestClock(T0);
  const before = new SignalStore({}, clock);
  const res = resource('orders', 'production');
  for (let f = 0; f < 300; f++) for (let k = 0; k < 5; k++) before.recordSpan(span({ resource: res, name: `GET /f${f}`, startMs: clock.t - 5, durationMs: 10 + f + k }), loc(`f${f}`), '');
  const after = new SignalStore({}, clock);
  after.restore(JSON.parse(JSON.stringify(before.toState())));
  const restored = after.query({ windowMs: 5 * MINUTE });
  // Enough new traffic to make compactions due; the restored series move with everything else.
  for (let f = 0; f < 4_000; f++) after.recordSpan(span({ resource: res, name: `GET /g${f}`, startMs: clock.t - 5, durationMs: 3 }), loc(`g${f}`), '');
  assert.ok(after.slabStats().compactions >= 1);
  for (let f = 0; f < 300; f++) after.recordSpan(span({ resource: res, name: `GET /f${f}`, startMs: clock.t - 5, durationMs: 10 + f + 5 }), loc(`f${f}`), '');
  const now = after.query({ windowMs: 5 * MINUTE });
  for (const fn of restored.functions) {
    const again = now.functions.find((g) => g.function === fn.function)!;
    assert.equal(again.count, fn.count + 1, fn.function);
    const f = Number(fn.function.slice(1));
    // Six latencies, 10+f .. 15+f: the p99 (DDSketch's lower rank) is the fifth, within 2%.
    assert.ok(Math.abs(again.p99Ms - (14 + f)) / (14 + f) <= 0.02, `${fn.function} p99 ${again.p99Ms}`);
  }
});
