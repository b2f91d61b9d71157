import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { IngestPipeline } from '../../../src/core/sources/ingestPipeline';
import { emptyCode, type LogRecordInfo } from '../../../src/core/ingest/records';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';
import { SignalStore } from '../../../src/core/signals/signalStore';
import { resource, span, TestClock } from '../../support/records';
import { packBatch, StringTableReader, StringTableWriter } from '../../../src/core/ingest/spanColumns';

const root = mkdtempSync(path.join(os.tmpdir(), 'rl-pipe-'));
let index: WorkspaceIndex;
const STACK = 'TypeError: boom\n    at charge (/app/src/pay.js:3:11)\n    at /app/node_modules/express/lib/router/layer.js:95:5';

before(async () => {
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/pay.js'), 'function charge(card) {\n  const total = card.amount;\n  throw new TypeError("boom");\n}\nfunction checkout(card) {\n  return charge(card);\n}\n');
  index = (await WorkspaceIndex.build(root)).index;
});
after(() => rmSync(root, { recursive: true, force: true }));

function setup() {
  const clock = new TestClock(Date.now());
  const store = new SignalStore({}, clock);
  const pipeline = new IngestPipeline(store, new CodeMapper(index), 10_000);
  return { store, pipeline };
}

function log(overrides: Partial<LogRecordInfo>): LogRecordInfo {
  return { timeMs: Date.now(), traceId: '', spanId: '', severity: 9, body: '', resource: resource(), code: emptyCode(), exception: null, ...overrides };
}

test('exceptions on spans become error groups at the throwing line; the span counts at its own function, not the thrower', async () => {
  const { store, pipeline } = setup();
  const handler = { ...emptyCode(), function: 'checkout', file: '/app/src/pay.js', line: 6 };
  const failing = span({ error: true, code: handler, exceptions: [{ type: 'TypeError', message: 'boom', stacktrace: STACK, timeMs: Date.now() }] });
  const thrower = span({ kind: 1, error: true, name: 'work', exceptions: [{ type: 'TypeError', message: 'boom', stacktrace: STACK, timeMs: Date.now() }] });
  pipeline.offer({ spans: [failing, thrower, span(), span()], logs: [], rejected: 0, rejectReasons: [] });
  await pipeline.idle();
  const r = store.query({ windowMs: 300_000 });
  assert.equal(r.errors.length, 1);
  assert.deepEqual([r.errors[0].file, r.errors[0].line, r.errors[0].function, r.errors[0].mappedBy], ['src/pay.js', 3, 'charge', 'stacktrace']);
  assert.deepEqual(
    r.functions.map((f) => [f.function, f.line, f.count, f.errors]),
    [['checkout', 5, 1, 1]],
    'the failing span is an error of the function it represents; charge served nothing',
  );
  assert.equal(
    r.unmapped.reduce((n, u) => n + u.count, 0),
    3,
    'a span named "work" and the two plain spans have nothing to map by; the exception does not move them',
  );
  assert.equal(pipeline.stats.spansProcessed, 4);
  assert.equal(pipeline.stats.spansMapped, 1);
});

test('error-level logs become groups; logs with code attributes map by them; info logs are only counted', async () => {
  const { store, pipeline } = setup();
  const coded = { ...emptyCode(), function: 'charge', file: '/app/src/pay.js', line: 2 };
  pipeline.offer({
    spans: [],
    logs: [
      log({ severity: 17, body: 'payment provider refused card 4242', code: coded }),
      log({ severity: 9, body: 'all good' }),
      log({ severity: 13, exception: { type: 'RangeError', message: 'amount', stacktrace: STACK, timeMs: Date.now() } }),
    ],
    rejected: 0,
    rejectReasons: [],
  });
  await pipeline.idle();
  const r = store.query({ windowMs: 300_000 });
  const byType = new Map(r.errors.map((e) => [e.type, e]));
  assert.deepEqual([byType.get('error log')?.file, byType.get('error log')?.line], ['src/pay.js', 2]);
  assert.equal(byType.get('error log')?.mappedBy, 'code-attributes');
  assert.equal(byType.get('RangeError')?.line, 3);
  assert.equal(r.errors.length, 2);
  assert.equal(pipeline.stats.logsProcessed, 3);
});

test('a large columnar batch is filed in slices: the event loop gets turns while it is filed, and every span counts once', async () => {
  const { store, pipeline } = setup();
  const code = { ...emptyCode(), function: 'checkout', file: '/app/src/pay.js', line: 6 };
  const spans = Array.from({ length: 1_000 }, () => span({ code }));
  const { batch } = packBatch({ spans, logs: [], rejected: 0, rejectReasons: [] }, new StringTableWriter());
  // Filed twice: the first time maps (a cache miss), the second files every span from the cache.
  for (const round of [1, 2]) {
    const seen: number[] = [];
    const ticker = setInterval(() => seen.push(pipeline.stats.spansProcessed), 0);
    const turns = (async () => {
      for (let i = 0; i < 50; i++) {
        await new Promise<void>((r) => setImmediate(r));
        seen.push(pipeline.stats.spansProcessed);
      }
    })();
    // As a worker's batch arrives: cloned, then pointed at a string table.
    const copy = structuredClone(batch);
    new StringTableReader().accept(copy);
    pipeline.offer(copy);
    await pipeline.idle();
    clearInterval(ticker);
    await turns;
    const partway = seen.filter((n) => n > (round - 1) * 1_000 && n < round * 1_000);
    assert.ok(partway.length > 0, `round ${round}: some turn saw the batch partly filed (${[...new Set(seen)].join(', ')})`);
    assert.equal(pipeline.stats.spansProcessed, round * 1_000);
  }
  assert.deepEqual(
    store.query({ windowMs: 300_000 }).functions.map((f) => [f.function, f.count]),
    [['checkout', 2_000]],
  );
});
