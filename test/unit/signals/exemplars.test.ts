import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExemplarPool } from '../../../src/core/signals/exemplars';
import { SignalStore } from '../../../src/core/signals/signalStore';
import { span } from '../../support/records';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

test('the slowest few are kept slowest first, ids and numbers exact', () => {
  const pool = new ExemplarPool(3, 5);
  const slot = pool.allocate();
  const durations = [5, 50, 1, 70, 20, 70.25, 3];
  durations.forEach((d, i) => pool.offerSlowest(slot, { traceId: `ab${hex(i, 30)}`, spanId: `cd${hex(i, 14)}` }, d, 1000 + i, 0));
  const list = pool.slowest(slot);
  assert.deepEqual(
    list.map((e) => e.durationMs),
    [70.25, 70, 50],
  );
  assert.deepEqual(list[0], { traceId: `ab${hex(5, 30)}`, spanId: `cd${hex(5, 14)}`, durationMs: 70.25, time: 1005, kind: 'slowest' });
  assert.equal(pool.offerSlowest(slot, { traceId: 'f'.repeat(32), spanId: 'f'.repeat(16) }, 40, 2000, 0), false);
  assert.equal(pool.offerSlowest(slot, { traceId: 'f'.repeat(32), spanId: 'f'.repeat(16) }, 60, 2000, 0), true);
  assert.deepEqual(
    pool.slowest(slot).map((e) => e.durationMs),
    [70.25, 70, 60],
  );
});

test('slowest traces older than the retention make room for newer, faster ones', () => {
  const pool = new ExemplarPool(2, 0);
  const slot = pool.allocate();
  pool.offerSlowest(slot, { traceId: hex(1, 32), spanId: hex(1, 16) }, 900, 100, 0);
  pool.offerSlowest(slot, { traceId: hex(2, 32), spanId: hex(2, 16) }, 800, 5000, 0);
  assert.equal(pool.offerSlowest(slot, { traceId: hex(3, 32), spanId: hex(3, 16) }, 10, 6000, 1000), true);
  assert.deepEqual(
    pool.slowest(slot).map((e) => e.traceId),
    [hex(2, 32), hex(3, 32)],
  );
  assert.deepEqual(pool.recent(slot), []);
});

test('recent failing traces are a ring, newest first', () => {
  const pool = new ExemplarPool(1, 3);
  const slot = pool.allocate();
  for (let i = 1; i <= 5; i++) pool.offerRecent(slot, hex(i, 32), hex(i, 16), i, i * 10);
  assert.deepEqual(
    pool.recent(slot).map((e) => e.durationMs),
    [5, 4, 3],
  );
  assert.ok(pool.recent(slot).every((e) => e.kind === 'error'));
  assert.equal(pool.recent(slot)[0].spanId, hex(5, 16));
});

test('ids that are not lowercase hex come back as they were sent', () => {
  const pool = new ExemplarPool(2, 2);
  const slot = pool.allocate();
  pool.offerSlowest(slot, { traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: 'span-1' }, 30, 1, 0);
  pool.offerSlowest(slot, { traceId: hex(7, 32), spanId: hex(7, 16) }, 40, 2, 0);
  pool.offerRecent(slot, 'not-an-id', 'x', 1, 3);
  assert.deepEqual(
    pool.slowest(slot).map((e) => [e.traceId, e.spanId]),
    [
      [hex(7, 32), hex(7, 16)],
      ['ABCDEF0123456789ABCDEF0123456789', 'span-1'],
    ],
  );
  assert.deepEqual(
    pool.recent(slot).map((e) => e.traceId),
    ['not-an-id'],
  );
});

test('a released slot is reused empty, and slots grow past the first allocation', () => {
  const pool = new ExemplarPool(3, 5);
  const slots = Array.from({ length: 200 }, () => pool.allocate());
  slots.forEach((s, i) => pool.offerSlowest(s, { traceId: hex(i, 32), spanId: hex(i, 16) }, i, i, 0));
  assert.equal(pool.slowest(slots[150])[0].traceId, hex(150, 32));
  pool.release(slots[3]);
  const again = pool.allocate();
  assert.equal(again, slots[3]);
  assert.deepEqual(pool.slowest(again), []);
  assert.deepEqual(pool.recent(again), []);
  assert.equal(pool.size, 200);
});

test('the store keeps exemplars per location across a snapshot and frees them on eviction', () => {
  const now = Date.now();
  const clock = { now: () => now };
  const store = new SignalStore({ maxLocations: 100, slowExemplars: 2, errorExemplars: 2 }, clock);
  const loc = (line: number) => ({ file: 'src/a.ts', line, function: `f${line}`, mappedBy: 'code-attributes' as const, confidence: 1 });
  const first = loc(1);
  for (let i = 0; i < 5; i++) {
    store.recordSpan(span({ traceId: hex(i + 1, 32), spanId: hex(i + 1, 16), durationMs: 10 * (i + 1), startMs: now - 1000, error: i % 2 === 0 }), first, '');
  }
  const row = () => store.query({ windowMs: 300_000 }).functions.find((f) => f.line === 1)!;
  const before = row().exemplars;
  assert.deepEqual(
    before.map((e) => [e.kind, e.durationMs]),
    [
      ['slowest', 50],
      ['slowest', 40],
      ['error', 50],
      ['error', 30],
    ],
  );
  const copy = new SignalStore({ maxLocations: 100, slowExemplars: 2, errorExemplars: 2 }, clock);
  copy.restore(JSON.parse(JSON.stringify(store.toState())));
  assert.deepEqual(copy.query({ windowMs: 300_000 }).functions.find((f) => f.line === 1)!.exemplars, before);
  // 150 more locations in a store of 100, the last 50 wanted three times (a key is admitted past the
  // cap once it was wanted more than the entry it replaces): the oldest are evicted and their slots
  // reused, not leaked.
  const uses = (line: number) => (line >= 102 ? 3 : 1);
  for (let k = 0; k < 3; k++) {
    for (let line = 2; line < 152; line++) {
      if (k < uses(line)) store.recordSpan(span({ traceId: hex(line * 10 + k, 32), spanId: hex(line * 10 + k, 16), durationMs: line, startMs: now - 1000 }), loc(line), '');
    }
  }
  assert.ok(store.evicted().locations > 0);
  const rows = store.query({ windowMs: 300_000 }).functions.filter((f) => f.line > 1);
  assert.ok(rows.length >= 90, `${rows.length} later locations held`);
  assert.ok(rows.filter((f) => f.line >= 102).length >= 40, 'the busier newcomers got in');
  // Every row's exemplars are its own spans': a reused slot carries nothing of the evicted location.
  for (const f of rows) {
    const own = new Set([0, 1, 2].map((k) => hex(f.line * 10 + k, 32)));
    assert.ok(f.exemplars.length > 0 && f.exemplars.every((e) => own.has(e.traceId)), `line ${f.line}: ${f.exemplars.map((e) => e.traceId)}`);
  }
});

test('through the store, a faster span takes the place of slowest exemplars past the retention, after a restore too', () => {
  // The store skips the pool for a span no slower than the bar while nothing has expired (it holds
  // the bar and the oldest time on the entry): expiry must still let a faster span in.
  let now = Date.UTC(2026, 11, 5, 12);
  const clock = { now: () => now };
  const options = { slowExemplars: 2, errorExemplars: 0, retentionMs: 3_600_000 };
  const store = new SignalStore(options, clock);
  const loc = { file: 'src/a.ts', line: 1, function: 'f', mappedBy: 'code-attributes' as const, confidence: 1 };
  const file = (s: SignalStore, n: number, durationMs: number) => s.recordSpan(span({ traceId: hex(n, 32), spanId: hex(n, 16), durationMs, startMs: now - 1000 }), loc, '');
  const slowest = (s: SignalStore) => s.query({ windowMs: 300_000 }).functions[0]?.exemplars.map((e) => [e.traceId, e.durationMs]);
  file(store, 1, 900);
  file(store, 2, 800);
  file(store, 3, 10); // faster than both, nothing expired: not kept
  assert.deepEqual(slowest(store), [
    [hex(1, 32), 900],
    [hex(2, 32), 800],
  ]);
  now += 3_600_000 + 60_000;
  file(store, 4, 10); // the two are past the retention now
  assert.deepEqual(slowest(store), [[hex(4, 32), 10]]);
  file(store, 5, 20);
  const copy = new SignalStore(options, clock);
  copy.restore(JSON.parse(JSON.stringify(store.toState())));
  file(copy, 6, 15); // a restored entry has no bar held: offered, and the list is full with 20 and 15
  assert.deepEqual(slowest(copy), [
    [hex(5, 32), 20],
    [hex(6, 32), 15],
  ]);
  file(copy, 7, 15); // no slower than the bar now: not kept
  assert.deepEqual(slowest(copy), [
    [hex(5, 32), 20],
    [hex(6, 32), 15],
  ]);
});
