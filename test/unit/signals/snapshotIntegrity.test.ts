/**
 * Issue 9 §5: snapshots that restore safely. Crafted sketches cost bounded work or are set aside,
 * wrong field types are never served back, a partial restore says so, leftover temp files go,
 * writes are fsynced, and the periodic write yields to the event loop.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { test } from 'node:test';
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import * as sketchProto from '@datadog/sketches-js/dist/ddsketch/proto/compiled';
import type { SignalsResponse } from '../../../src/core/api/signals';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { newSketch, quantile, SKETCH_BIN_LIMIT, sketchFromBase64, sketchToBase64 } from '../../../src/core/signals/latencySketch';
import { SignalStore } from '../../../src/core/signals/signalStore';
import * as snapshot from '../../../src/core/signals/snapshot';
import { restoreSnapshot, writeSnapshot } from '../../../src/core/signals/snapshot';
import { SNAPSHOT_ENTRIES_PER_CHUNK } from '../../../src/core/signals/snapshotLimits';
import { resource, span } from '../../support/records';

const ProtoDDSketch = (sketchProto as unknown as { DDSketch: { create(m: object): object; encode(m: object): { finish(): Uint8Array } } }).DDSketch;
const MINUTE = Math.floor(Date.now() / 60_000) - Date.UTC(2020, 0, 1) / 60_000;

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'rl-snapint-'));
}

/** A sketch in the library's protobuf with our mapping and `bins` contiguous counts of `count` from `offset`. */
function craftedSketch(bins: number, offset: number, count: number | ((i: number) => number) = 1): string {
  const mapping = (new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: 0.02 }).mapping as unknown as { toProto(): object }).toProto();
  const counts = Array.from({ length: bins }, (_, i) => (typeof count === 'function' ? count(i) : count));
  const message = ProtoDDSketch.create({ mapping, positiveValues: { contiguousBinCounts: counts, contiguousBinIndexOffset: offset }, negativeValues: {}, zeroCount: 0 });
  return Buffer.from(ProtoDDSketch.encode(message).finish()).toString('base64');
}

function goodSketch(): string {
  const s = newSketch();
  for (let i = 1; i <= 50; i++) s.accept(i);
  return sketchToBase64(s);
}

function location(fn: string, overrides: Record<string, unknown> = {}, sketch = goodSketch()): Record<string, unknown> {
  return {
    file: 'src/pay.js',
    line: 3,
    function: fn,
    mappedBy: 'code-attributes',
    confidence: 0.95,
    service: 'checkout',
    environment: 'prod',
    revision: '',
    serviceVersion: '',
    series: { minutes: [[MINUTE, 50, 1, 1275, 50]], fine: [[MINUTE, sketch]], coarse: [] },
    slowest: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), durationMs: 50, time: Date.now(), kind: 'slowest' }],
    recentErrors: [],
    ...overrides,
  };
}

function snapshotOf(parts: { locations?: unknown[]; operations?: unknown[]; errors?: unknown[] }): string {
  return JSON.stringify({
    version: 1,
    locations: parts.locations ?? [],
    operations: parts.operations ?? [{ service: 'checkout', environment: 'prod', name: 'charge', kind: 1, series: { minutes: [[MINUTE, 1, 0, 1, 1]], fine: [], coarse: [] } }],
    errors: parts.errors ?? [],
    unmapped: [],
    calls: [],
    evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
  });
}

test('a crafted 2 MB sketch is set aside before it is decoded; the rest of the snapshot restores, reported as partial', async () => {
  const dir = await tempDir();
  try {
    const file = path.join(dir, 'signals.json');
    const huge = craftedSketch(262_144, 0);
    assert.ok(huge.length > 2_000_000, 'the crafted sketch is over 2 MB of text');
    await fs.writeFile(file, snapshotOf({ locations: [location('crafted', {}, huge), location('charge')] }));
    const store = new SignalStore();
    const message = await restoreSnapshot(file, store);
    assert.match(message, /^partial restore from .*: restored 2 entries \(1 locations and 0 error groups\), skipped 1 \(locations\[0\]: sketch of \d+ characters is larger than any sketch we write/);
    assert.match(message, /the original is kept as .*signals\.json\.partial-\d+/);
    assert.equal(store.sizes().locations, 1);
    assert.deepEqual(
      store.query({ windowMs: 300_000, environment: 'prod' }).functions.map((f) => f.function),
      ['charge'],
    );
    assert.ok((await fs.readdir(dir)).some((f) => f.startsWith('signals.json.partial-')));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('crafted sketches within the size limit cost at most the bin limit each, or are refused', () => {
  // Too many bins, keys no latency has, counts that are not counts: refused with a reason.
  assert.throws(() => sketchFromBase64(craftedSketch(SKETCH_BIN_LIMIT + 1, 0)), /more than 1024 bins/);
  assert.throws(() => sketchFromBase64(craftedSketch(4, 2 ** 30)), /outside the latencies a sketch holds/);
  assert.throws(() => sketchFromBase64(craftedSketch(4, -(2 ** 30))), /outside the latencies a sketch holds/);
  assert.throws(() => sketchFromBase64(craftedSketch(4, 0, 1e300)), /below 2\^53/);
  assert.throws(() => sketchFromBase64(craftedSketch(4, 0, -1)), /whole number >= 0/);
  assert.throws(() => sketchFromBase64(craftedSketch(4, 0, 0.5)), /whole number >= 0/);
  assert.throws(() => sketchFromBase64(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]).toString('base64')), /end inside a field/);
  // The largest sketch accepted keeps at most the bin limit, padding trimmed: the work is bounded by it.
  const widest = sketchFromBase64(craftedSketch(SKETCH_BIN_LIMIT, -300, (i) => (i === 0 || i === SKETCH_BIN_LIMIT - 1 ? 1 : 0)));
  assert.ok(widest.bins.length <= SKETCH_BIN_LIMIT);
  assert.equal(widest.count, 2);
  const padded = sketchFromBase64(craftedSketch(SKETCH_BIN_LIMIT, 100, (i) => (i === 500 ? 7 : 0)));
  assert.equal(padded.bins.length, 1, 'zero bins around the one used are not kept');
  assert.equal(padded.count, 7);
});

test('sketches written by the library restore the same; ours read back in the library', () => {
  const ours = newSketch();
  const theirs = new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: 0.02, binLimit: 1024 });
  for (let i = 0; i < 5_000; i++) {
    const v = i % 7 === 0 ? 0 : (i % 1000) * 1.7 + 0.01;
    ours.accept(v);
    theirs.accept(v);
  }
  const fromLibrary = sketchFromBase64(Buffer.from(theirs.toProto()).toString('base64'));
  const inLibrary = LogCollapsingLowestDenseDDSketch.fromProto(Buffer.from(sketchToBase64(ours), 'base64'));
  for (const q of [0, 0.1, 0.5, 0.95, 0.99, 1]) {
    // The library rebuilds its mapping from gamma, which moves the last digits of a value.
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    assert.ok(close(quantile(fromLibrary, q), theirs.getValueAtQuantile(q)), `library -> ours at ${q}`);
    assert.ok(close(inLibrary.getValueAtQuantile(q), quantile(ours, q)), `ours -> library at ${q}`);
  }
  assert.equal(fromLibrary.count, 5_000);
  assert.equal(inLibrary.count, 5_000);
});

test('entries with wrong field types are set aside and never served back by /api/signals', async () => {
  const dir = await tempDir();
  const file = path.join(dir, 'signals.json');
  const bad = [
    location('lineIsText', { line: '12; rm -rf /' }),
    location('confidenceIsText', { confidence: 'high' }),
    location('serviceIsObject', { service: { toString: 'x' } }),
    location('badMappedBy', { mappedBy: '<img src=x onerror=alert(1)>' }),
    location('driftStatus', { drift: { deployed: 'abc', status: 'owned', behind: 0, ahead: 0, reason: '' } }),
    location('exemplarId', { slowest: [{ traceId: 7, spanId: 'b', durationMs: 1, time: 1 }] }),
    location('minuteNaN', { series: { minutes: [[MINUTE, 'many', 0, 0, 0]], fine: [], coarse: [] } }),
    location('negativeMinute', { series: { minutes: [], fine: [[-3, goodSketch()]], coarse: [] } }),
    location('seriesMissing', { series: null }),
  ];
  const extras = location('charge', { evil: 'not ours', drift: { deployed: 'abc', status: 'same', behind: 0, ahead: 0, reason: '', evil: '<script>' } });
  const errors = [
    {
      service: 'checkout',
      environment: 'prod',
      type: 'E',
      message: 'm',
      stacktrace: '',
      revision: '',
      serviceVersion: '',
      location: null,
      firstSeen: 1,
      lastSeen: 1,
      total: 1,
      series: { minutes: [], fine: [], coarse: [] },
      traceIds: 'abc',
    },
    {
      service: 'checkout',
      environment: 'prod',
      type: 'Good',
      message: 'm',
      stacktrace: '',
      revision: '',
      serviceVersion: '',
      location: null,
      firstSeen: 1,
      lastSeen: 1,
      total: 1,
      series: { minutes: [[MINUTE, 1, 1, 0, 0]], fine: [], coarse: [] },
      traceIds: ['t1'],
    },
  ];
  await fs.writeFile(file, snapshotOf({ locations: [...bad, extras], errors }));
  const rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, snapshotFile: file, snapshotIntervalMs: 3_600_000 });
  const lines: string[] = [];
  const logger = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m), debug: () => undefined };
  const withLog = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, snapshotFile: file, snapshotIntervalMs: 3_600_000 }, logger as never);
  try {
    await withLog.start();
    assert.ok(
      lines.some((l) => /^partial restore from .*restored 3 entries \(1 locations and 1 error groups\), skipped 10 \(/.test(l)),
      lines.join('\n'),
    );
    await withLog.stop();
    await rx.start();
    const res = await fetch(`${rx.status().listening}/api/signals?window=1h&environment=prod`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as SignalsResponse;
    assert.deepEqual(
      body.functions.map((f) => f.function),
      ['charge'],
    );
    const f = body.functions[0];
    assert.equal(typeof f.line, 'number');
    assert.equal(typeof f.confidence, 'number');
    assert.equal(f.mappedBy, 'code-attributes');
    assert.deepEqual(f.drift, { deployed: 'abc', status: 'same', behind: 0, ahead: 0, reason: '' }, 'only the drift fields we know are kept');
    assert.equal((f as unknown as Record<string, unknown>).evil, undefined);
    assert.deepEqual(
      body.errors.map((e) => [e.type, e.traceIds]),
      [['Good', ['t1']]],
    );
  } finally {
    await rx.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test("leftover temp files of dead writers are removed on start; a live writer's and other files stay", async () => {
  const dir = await tempDir();
  try {
    const file = path.join(dir, 'signals.json');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    await fs.writeFile(`${file}.${dead}.tmp`, '{"version":1,"loc');
    await fs.writeFile(`${file}.${process.pid}.tmp`, 'ours, from a write this process never finished');
    await fs.writeFile(`${file}.${process.ppid}.tmp`, 'a live writer');
    await fs.writeFile(path.join(dir, 'other.json.1.tmp'), 'not ours');
    const rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, snapshotFile: file, snapshotIntervalMs: 3_600_000 });
    await rx.start();
    const left = (await fs.readdir(dir)).sort();
    await rx.stop();
    assert.deepEqual(left, [`signals.json.${process.ppid}.tmp`, 'other.json.1.tmp'].sort());
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a snapshot write fsyncs the file before the rename and the folder after it', async () => {
  const dir = await tempDir();
  try {
    const file = path.join(dir, 'signals.json');
    const calls: string[] = [];
    const ops: snapshot.SnapshotFs = {
      mkdir: fs.mkdir,
      rename: async (from, to) => {
        calls.push(`rename ${path.basename(String(from))} -> ${path.basename(String(to))}`);
        return fs.rename(from, to);
      },
      open: (async (target: string, flags: string) => {
        const handle = await fs.open(target, flags);
        const name = path.basename(target);
        return new Proxy(handle, {
          get(h, key) {
            const v = Reflect.get(h, key, h);
            if (key === 'sync')
              return async () => {
                calls.push(`sync ${name}`);
                return h.sync();
              };
            if (key === 'close')
              return async () => {
                calls.push(`close ${name}`);
                return h.close();
              };
            return typeof v === 'function' ? v.bind(h) : v;
          },
        });
      }) as unknown as typeof fs.open,
    };
    const store = new SignalStore();
    store.recordSpan(span(), { file: 'a.js', line: 1, function: 'f', mappedBy: 'code-attributes', confidence: 1 }, '');
    await writeSnapshot(file, store.toState(), ops);
    const tmp = `signals.json.${process.pid}.tmp`;
    assert.deepEqual(calls, [`sync ${tmp}`, `close ${tmp}`, `rename ${tmp} -> signals.json`, `sync ${path.basename(dir)}`, `close ${path.basename(dir)}`]);
    const copy = new SignalStore();
    assert.match(await restoreSnapshot(file, copy), /^restored 1 locations/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('the periodic write at 20k locations is serialized a chunk at a time, yielding between chunks', async (t) => {
  const dir = await tempDir();
  try {
    // One fixed clock for both stores: rates divide by elapsed time, which must not move between the two queries.
    const now = Date.now();
    const clock = { now: () => now };
    const store = new SignalStore({}, clock);
    const res = resource();
    for (let i = 0; i < 20_000; i++) {
      const loc = { file: `src/f${i % 500}.ts`, line: i, function: `fn${i}`, mappedBy: 'code-attributes' as const, confidence: 0.95 };
      for (let m = 0; m < 3; m++) store.recordSpan(span({ resource: res, startMs: now - m * 7 * 60_000, durationMs: 5 + (i % 200) + m }), loc, '');
    }
    const file = path.join(dir, 'signals.json');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    await new Promise((r) => setTimeout(r, 50));
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const written = await snapshot.writeStoreSnapshot(file, store);
    clearInterval(ticker);
    delay.disable();
    t.diagnostic(`20k locations: ${written.pieces} pieces, ${(written.bytes / 1e6).toFixed(1)} MB, longest event-loop block ${(delay.max / 1e6).toFixed(0)} ms, timer ran ${ticks} times`);
    assert.ok(written.pieces >= 20_000 / SNAPSHOT_ENTRIES_PER_CHUNK, `${written.pieces} pieces`);
    assert.ok(ticks > 0, 'timers ran during the write');
    const copy = new SignalStore({}, clock);
    assert.match(await restoreSnapshot(file, copy), /^restored 20000 locations/);
    assert.deepEqual(copy.query({ windowMs: 3_600_000, top: 5 }).functions, store.query({ windowMs: 3_600_000, top: 5 }).functions);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
