import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { SignalsResponse } from '../../../src/core/api/signals';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { QUERY_MAX_CONCURRENT, QUERY_MAX_WAITING } from '../../../src/core/loadLimits';
import { codeSpansJson, nowNs, postTraces, type CodeSpan } from '../../support/otlpJson';

const root = mkdtempSync(path.join(os.tmpdir(), 'rl-readfair-'));
let rx: EmbeddedReceiver;
let url = '';
/** Full store queries computed, counted on the real store. */
let computed = 0;
let computing = 0;
let maxComputing = 0;

before(async () => {
  mkdirSync(path.join(root, 'src'));
  const fns = Array.from({ length: 200 }, (_, i) => `function f${i}() {\n  return ${i};\n}\n`).join('');
  writeFileSync(path.join(root, 'src/app.js'), fns);
  rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: root, decodeWorkers: 0 });
  await rx.start();
  await rx.indexReady;
  url = rx.status().listening;
  const query = rx.store.query.bind(rx.store);
  rx.store.query = (q) => {
    computed++;
    maxComputing = Math.max(maxComputing, ++computing);
    try {
      return query(q);
    } finally {
      computing--;
    }
  };
});
after(async () => {
  await rx.stop();
  rmSync(root, { recursive: true, force: true });
});

function batch(seq: number): string {
  const spans: CodeSpan[] = Array.from({ length: 200 }, (_, i) => ({ function: `f${i}`, file: '/srv/src/app.js', line: i * 3 + 2, startNs: nowNs(), durationMs: 1 + ((seq + i) % 7) }));
  return codeSpansJson({ 'service.name': 'app' }, spans);
}

async function poll(window: string): Promise<number> {
  const res = await fetch(`${url}/api/signals?window=${window}`);
  const body = (await res.json()) as SignalsResponse & { error?: string };
  if (res.status === 200) assert.ok(Array.isArray(body.functions));
  else assert.equal(res.status, 503, body.error);
  return res.status;
}

test('identical polls over an unchanged store cost one computation', async () => {
  assert.equal((await postTraces(url, batch(0))).status, 200);
  await rx.pipeline.idle();
  computed = 0;
  const pollers = Array.from({ length: 4 }, async () => {
    for (let i = 0; i < 10; i++) assert.equal(await poll('1h'), 200);
  });
  await Promise.all(pollers);
  // One computation; a second only if the machine stalled past the cache's second.
  assert.ok(computed <= 2, `${computed} computations for 40 polls`);
});

test('pollers beside a sender: every span is filed, computations bounded and never concurrent beyond the bound', async () => {
  computed = 0;
  const before = rx.pipeline.stats.spansProcessed;
  let stop = false;
  let polls = 0;
  // Distinct windows: these cannot share an answer, only wait their turn.
  const pollers = ['1h', '59m', '58m', '57m'].map(async (window) => {
    while (!stop) {
      await poll(window);
      polls++;
    }
  });
  let sent = 0;
  for (let seq = 1; seq <= 40; seq++) {
    const res = await postTraces(url, batch(seq));
    assert.equal(res.status, 200);
    sent += 200;
  }
  await rx.pipeline.idle();
  stop = true;
  await Promise.all(pollers);
  assert.equal(rx.pipeline.stats.spansProcessed - before, sent, 'every accepted span filed');
  assert.ok(computed <= polls, `${computed} computations for ${polls} polls`);
  assert.ok(maxComputing <= QUERY_MAX_CONCURRENT);
  assert.ok(rx.queries.counters.maxRunning <= QUERY_MAX_CONCURRENT);
});

test('more distinct queries than may wait are refused with 503, not queued without end', async () => {
  const windows = Array.from({ length: 60 }, (_, i) => `${i + 1}m`);
  const statuses = await Promise.all(windows.map(poll));
  assert.ok(statuses.every((s) => s === 200 || s === 503));
  assert.ok(rx.queries.counters.maxWaiting <= QUERY_MAX_WAITING);
  assert.equal(statuses.filter((s) => s === 503).length, rx.queries.counters.refused);
  // The identical queries that did wait shared nothing, but all were answered once each.
  assert.ok(maxComputing <= QUERY_MAX_CONCURRENT);
});
