import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignalStore } from '../../../src/core/signals/signalStore';
import type { CodeLocation } from '../../../src/core/signals/storeTypes';
import { resource, span, TestClock } from '../../support/records';

const WINDOW = 300_000;

function location(file: string, line: number): CodeLocation {
  return { file, line, function: `fn${line}`, mappedBy: 'code-attributes', confidence: 0.95 };
}

/** 4,000 locations over 200 files, plus three stand-outs: most failing, slowest, busiest. */
function bigStore() {
  const clock = new TestClock();
  const store = new SignalStore({ maxLocations: 10_000 }, clock);
  const at = clock.t - 1_000;
  for (let f = 0; f < 200; f++) {
    for (let l = 1; l <= 20; l++) store.recordSpan(span({ startMs: at, durationMs: 10 + l }), location(`src/mod${f}.ts`, l), '');
  }
  const failing = location('src/failing.ts', 1);
  for (let i = 0; i < 3; i++) store.recordSpan(span({ startMs: at, durationMs: 5, error: true }), failing, '');
  const slow = location('src/slow.ts', 1);
  store.recordSpan(span({ startMs: at, durationMs: 9_000 }), slow, '');
  const busy = location('src/busy.ts', 1);
  for (let i = 0; i < 500; i++) store.recordSpan(span({ startMs: at, durationMs: 50 }), busy, '');
  return { store, clock };
}

test('top=N keeps the top N by error rate, p95 and impact, their union sorted by impact', () => {
  const { store } = bigStore();
  const all = store.query({ windowMs: WINDOW });
  assert.equal(all.functions.length, 4_003);
  const top = store.query({ windowMs: WINDOW, top: 1 });
  assert.deepEqual(
    top.functions.map((f) => f.file),
    ['src/busy.ts', 'src/slow.ts', 'src/failing.ts'],
  );
  const five = store.query({ windowMs: WINDOW, top: 5 });
  assert.ok(five.functions.length >= 5 && five.functions.length <= 15, `${five.functions.length} rows`);
  for (let i = 1; i < five.functions.length; i++) {
    const impact = (f: (typeof five.functions)[number]) => f.ratePerMin * f.p95Ms;
    assert.ok(impact(five.functions[i - 1]) >= impact(five.functions[i]), 'sorted by impact');
  }
  assert.ok(five.operations.length <= 5);
  assert.ok(JSON.stringify(five).length < JSON.stringify(all).length / 100, 'the panel query is small');
});

test('top=N with perMinute computes sparklines only for the rows kept', () => {
  const { store } = bigStore();
  const top = store.query({ windowMs: WINDOW, top: 2, perMinute: true });
  assert.ok(top.functions.every((f) => Array.isArray(f.perMinute) && f.perMinute.length === 5));
  assert.ok(top.operations.every((o) => Array.isArray(o.perMinute)));
});

test("a file query reads only that file's entries and ignores top", () => {
  const { store } = bigStore();
  const r = store.query({ windowMs: WINDOW, file: 'src/mod7.ts', top: 1 });
  assert.equal(r.functions.length, 20);
  assert.ok(r.functions.every((f) => f.file === 'src/mod7.ts'));
  assert.equal(store.lastQueryExamined, 20, 'twenty locations read, not four thousand');
  assert.deepEqual([r.operations, r.unmapped], [[], []], 'operations and unmapped spans have no file');
  store.query({ windowMs: WINDOW });
  assert.ok(store.lastQueryExamined > 4_000);
});

test('the file index follows evictions', () => {
  const clock = new TestClock();
  const store = new SignalStore({ maxLocations: 100 }, clock);
  for (let l = 1; l <= 100; l++) store.recordSpan(span({ startMs: clock.t - 1_000 }), location('src/old.ts', l), '');
  // Wanted three times each, the new ones are admitted past the cap (see BoundedMap.admit) and push old ones out.
  for (let k = 0; k < 3; k++) for (let l = 1; l <= 50; l++) store.recordSpan(span({ startMs: clock.t - 1_000 }), location('src/new.ts', l), '');
  assert.equal(store.evicted().locations, 50);
  const old = store.query({ windowMs: WINDOW, file: 'src/old.ts' });
  assert.equal(old.functions.length, 50);
  assert.equal(store.lastQueryExamined, old.functions.length, 'evicted entries are no longer read');
  assert.equal(store.query({ windowMs: WINDOW, file: 'src/new.ts' }).functions.length, 50);
});

test('change tracking reports the files and environments touched since the last take, only while on', () => {
  const clock = new TestClock();
  const store = new SignalStore({}, clock);
  store.recordSpan(span({ startMs: clock.t }), location('src/a.ts', 1), '');
  store.trackChanges(true);
  assert.equal(store.takeChanges(), null);
  store.recordSpan(span({ startMs: clock.t }), location('src/a.ts', 1), '');
  store.recordSpan(span({ startMs: clock.t, resource: resource('orders', 'staging') }), location('src/b.ts', 1), '');
  store.recordSpan(span({ startMs: clock.t, resource: resource('orders', 'dev') }), null, 'no code attributes');
  assert.deepEqual(store.takeChanges(), { files: ['src/a.ts', 'src/b.ts'], environments: ['dev', 'production', 'staging'] });
  assert.equal(store.takeChanges(), null);
  store.trackChanges(false);
  store.recordSpan(span({ startMs: clock.t }), location('src/a.ts', 1), '');
  assert.equal(store.takeChanges(), null);
});
