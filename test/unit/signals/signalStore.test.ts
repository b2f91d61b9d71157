import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { SignalStore } from '../../../src/core/signals/signalStore';
import type { CodeLocation } from '../../../src/core/signals/storeTypes';
import { restoreSnapshot, writeSnapshot } from '../../../src/core/signals/snapshot';
import { resource, span, TestClock } from '../../support/records';

const loc = (fn: string, line = 10, file = 'src/orders.ts'): CodeLocation => ({ file, line, function: fn, mappedBy: 'code-attributes', confidence: 0.95 });

test('aggregates per location with count, errors, rate and quantiles', () => {
  const clock = new TestClock();
  const store = new SignalStore({}, clock);
  for (let i = 1; i <= 100; i++) {
    store.recordSpan(span({ startMs: clock.t - 30_000, durationMs: i, error: i % 10 === 0 }), loc('createOrder'), '');
  }
  const r = store.query({ windowMs: 5 * 60_000 });
  assert.equal(r.environment, 'production');
  assert.equal(r.functions.length, 1);
  const f = r.functions[0];
  assert.equal(f.count, 100);
  assert.equal(f.errors, 10);
  assert.equal(f.errorRate, 0.1);
  // All 100 arrived in the last 30 s of a store that had no data before: 100 in its first minute.
  assert.equal(f.ratePerMin, 100);
  assert.ok(Math.abs(f.p50Ms - 50) <= 1, `p50 ${f.p50Ms}`);
  assert.ok(Math.abs(f.p99Ms - 99) <= 2, `p99 ${f.p99Ms}`);
  assert.deepEqual(
    f.exemplars.filter((e) => e.kind === 'slowest').map((e) => e.durationMs),
    [100, 99, 98],
  );
  assert.equal(f.exemplars.filter((e) => e.kind === 'error').length, 5);
});

test('environments are never mixed; a query names one or gets the busiest', () => {
  const clock = new TestClock();
  const store = new SignalStore({}, clock);
  for (let i = 0; i < 3; i++) store.recordSpan(span({ resource: resource('orders', 'staging'), startMs: clock.t - 1000 }), loc('createOrder'), '');
  for (let i = 0; i < 5; i++) store.recordSpan(span({ resource: resource('orders', 'production'), startMs: clock.t - 1000 }), loc('createOrder'), '');
  assert.equal(store.query({ windowMs: 60_000 }).functions[0].count, 5);
  const staging = store.query({ windowMs: 60_000, environment: 'staging' });
  assert.equal(staging.environment, 'staging');
  assert.equal(staging.functions[0].count, 3);
  assert.deepEqual(staging.environments, ['production', 'staging']);
  const pinned = new SignalStore({ defaultEnvironment: 'staging' }, clock);
  pinned.recordSpan(span({ resource: resource('orders', 'staging'), startMs: clock.t }), loc('a'), '');
  pinned.recordSpan(span({ resource: resource('orders', 'production'), startMs: clock.t }), loc('a'), '');
  pinned.recordSpan(span({ resource: resource('orders', 'production'), startMs: clock.t }), loc('a'), '');
  assert.equal(pinned.query({ windowMs: 60_000 }).environment, 'staging');
});

test('error groups merge messages that differ only in ids and numbers', () => {
  const clock = new TestClock();
  const store = new SignalStore({}, clock);
  const res = resource();
  for (const id of [17, 42, 99]) {
    store.recordException(res, { type: 'TypeError', message: `order ${id} not found`, stacktrace: 'at x', timeMs: clock.t - id }, `trace${id}`, loc('getOrder', 12), 'src/orders.ts:getOrder');
  }
  store.recordException(res, { type: 'RangeError', message: 'order 1 not found', stacktrace: '', timeMs: clock.t }, 't', loc('getOrder', 12), 'src/orders.ts:getOrder');
  const r = store.query({ windowMs: 5 * 60_000 });
  assert.equal(r.errors.length, 2);
  const group = r.errors.find((e) => e.type === 'TypeError')!;
  assert.equal(group.count, 3);
  assert.equal(group.firstSeen, clock.t - 99);
  assert.equal(group.lastSeen, clock.t - 17);
  assert.deepEqual(group.traceIds, ['trace99', 'trace42', 'trace17']);
  assert.equal(group.line, 12);
});

test('caps bound the entries and count every location past them, evicted or refused a row', () => {
  const clock = new TestClock();
  const store = new SignalStore({ maxLocations: 100 }, clock);
  for (let i = 0; i < 1000; i++) store.recordSpan(span({ startMs: clock.t }), loc(`fn${i}`, i), '');
  assert.equal(store.sizes().locations, 100);
  // Each of the 900 past the cap was either admitted (evicting one) or refused a row of its own.
  assert.equal(store.evicted().locations + (store.pastCaps()?.locations ?? 0), 900);
  // A location wanted more often than the stored ones gets in, the least recently used goes.
  for (let k = 0; k < 3; k++) store.recordSpan(span({ startMs: clock.t }), loc('hot', 5_000), '');
  const names = store.query({ windowMs: 60_000 }).functions.map((f) => f.function);
  assert.ok(names.includes('hot'));
  assert.ok(!names.includes('fn0'));
});

test('unmapped spans are listed with their reason, not dropped', () => {
  const clock = new TestClock();
  const store = new SignalStore({}, clock);
  store.recordSpan(span({ name: 'mystery', startMs: clock.t }), null, 'no code attributes, stack trace, route or name');
  const r = store.query({ windowMs: 60_000 });
  assert.deepEqual(
    r.unmapped.map((u) => [u.name, u.count, u.reason]),
    [['mystery', 1, 'no code attributes, stack trace, route or name']],
  );
  assert.equal(r.operations[0].name, 'mystery');
});

test('late and future-dated spans are filed at arrival time', () => {
  const clock = new TestClock();
  const store = new SignalStore({}, clock);
  store.recordSpan(span({ startMs: clock.t - 5 * 3_600_000 }), loc('a'), '');
  store.recordSpan(span({ startMs: clock.t + 3_600_000 }), loc('a'), '');
  assert.equal(store.clampedSpans, 2);
  assert.equal(store.query({ windowMs: 60_000 }).functions[0].count, 2);
});

test('snapshot round-trips and a corrupt snapshot is set aside', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rl-snap-'));
  try {
    const clock = new TestClock();
    const store = new SignalStore({}, clock);
    for (let i = 0; i < 50; i++) store.recordSpan(span({ startMs: clock.t - i * 1000, durationMs: i }), loc('createOrder'), '');
    store.recordException(resource(), { type: 'Error', message: 'boom', stacktrace: 's', timeMs: clock.t }, 't1', loc('createOrder'), 'f');
    const file = path.join(dir, 'nested', 'signals.json');
    await writeSnapshot(file, store.toState());
    const copy = new SignalStore({}, clock);
    assert.match(await restoreSnapshot(file, copy), /restored 1 locations and 1 error groups/);
    assert.deepEqual(copy.query({ windowMs: 300_000 }), store.query({ windowMs: 300_000 }));

    await fs.writeFile(file, '{"version":1,"locations":[{"broken"');
    const fresh = new SignalStore({}, clock);
    const message = await restoreSnapshot(file, fresh);
    assert.match(message, /unreadable.*moved it to .*corrupt-/);
    assert.equal(fresh.sizes().locations, 0);
    const left = await fs.readdir(path.dirname(file));
    assert.ok(left.some((f) => f.startsWith('signals.json.corrupt-')));
    assert.ok(!left.includes('signals.json'));
    assert.match(await restoreSnapshot(file, fresh), /no snapshot/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('rates divide by the part of the window the store has data for, and by the whole window once it has', () => {
  const clock = new TestClock();
  const store = new SignalStore({}, clock);
  // Two minutes of data at 30 spans a minute, asked for over five minutes.
  for (let s = 120; s > 0; s -= 2) store.recordSpan(span({ startMs: clock.t - s * 1000, durationMs: 5 }), loc('createOrder'), '');
  const young = store.query({ windowMs: 5 * 60_000 }).functions[0];
  assert.equal(young.count, 60);
  assert.ok(young.ratePerMin >= 29 && young.ratePerMin <= 31, `rate ${young.ratePerMin}`);
  // Ten minutes on at the same pace: the 5m window is covered and the rate stays the same.
  for (let m = 0; m < 10; m++) {
    clock.t += 60_000;
    for (let s = 60; s > 0; s -= 2) store.recordSpan(span({ startMs: clock.t - s * 1000, durationMs: 5 }), loc('createOrder'), '');
  }
  const old = store.query({ windowMs: 5 * 60_000 }).functions[0];
  assert.ok(old.ratePerMin >= 25 && old.ratePerMin <= 31, `rate ${old.ratePerMin}`);
});

test('one mapping result filed under several resources and methods keeps each figure apart, through eviction', () => {
  // The lookup remembers a single entry per mapping result (and per route name) and turns to a
  // map per resource key (or method) when a second one comes: every combination must land right.
  const clock = new TestClock();
  const store = new SignalStore({ maxLocations: 2, maxOperations: 10 }, clock);
  const shared = loc('handle');
  const at = clock.t - 1000;
  const file = (res: ReturnType<typeof resource>, method: string, n: number) => {
    for (let i = 0; i < n; i++) store.recordSpan(span({ resource: res, startMs: at, httpRoute: '/orders/:id', httpMethod: method, name: `${method} /orders/:id` }), shared, '');
  };
  const v1 = resource('orders', 'production', { revision: 'a'.repeat(40) });
  const v2 = resource('orders', 'production', { revision: 'b'.repeat(40) });
  const staging = resource('orders', 'staging');
  file(v1, 'GET', 3);
  file(v2, 'GET', 2); // another revision: the same location and operation rows
  file(v1, 'POST', 4); // another method: its own operation, the same location
  file(staging, 'GET', 5); // another environment: rows of its own
  file(v1, 'GET', 1);
  const prod = store.query({ windowMs: 5 * 60_000, environment: 'production' });
  assert.deepEqual(
    prod.functions.map((f) => [f.function, f.count]),
    [['handle', 10]],
  );
  assert.deepEqual(prod.operations.map((o) => [o.name, o.count]).sort(), [
    ['GET /orders/:id', 6],
    ['POST /orders/:id', 4],
  ]);
  const stage = store.query({ windowMs: 5 * 60_000, environment: 'staging' });
  assert.deepEqual(
    stage.functions.map((f) => [f.function, f.count]),
    [['handle', 5]],
  );
  // Evicted by two other functions, the shared result gets a fresh row once it is wanted again
  // (spans refused a row meanwhile are counted as past the caps): nothing lands on the evicted one.
  for (let i = 0; i < 40; i++) store.recordSpan(span({ resource: v1, startMs: at }), loc(`other${i % 2}`, 20 + (i % 2)), '');
  assert.ok(store.evicted().locations > 0);
  const refusedBefore = store.pastCaps()?.locations ?? 0;
  file(v2, 'GET', 100);
  const after = store.query({ windowMs: 5 * 60_000, environment: 'production' }).functions.find((f) => f.function === 'handle');
  const refused = (store.pastCaps()?.locations ?? 0) - refusedBefore;
  assert.ok(after !== undefined && after.count > 0);
  assert.equal(after.count + refused, 100);
  // The lookup's own fields stay out of the snapshot.
  const state = JSON.stringify(store.toState());
  for (const field of ['refKey', 'refMethod', '"placed"', '"uses"', 'slowBar', 'slowSince']) assert.ok(!state.includes(field), field);
});
