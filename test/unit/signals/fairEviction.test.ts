import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { SignalsResponse } from '../../../src/core/api/signals';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { BoundedMap } from '../../../src/core/signals/boundedMap';
import { codeSpansJson, nowNs, postTraces, type CodeSpan } from '../../support/otlpJson';

const root = mkdtempSync(path.join(os.tmpdir(), 'rl-fair-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('one high-cardinality service cannot evict the few locations of another', async () => {
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/a.js'), 'module.exports = {};\n');
  writeFileSync(path.join(root, 'src/b.js'), 'function pay() {\n  return 1;\n}\nfunction refund() {\n  return 2;\n}\n');
  const rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: root, decodeWorkers: 0, store: { maxLocations: 1_000, maxOperations: 1_000 } });
  await rx.start();
  await rx.indexReady;
  try {
    const url = rx.status().listening;
    const b: CodeSpan[] = [
      { function: 'pay', file: '/srv/src/b.js', line: 2, startNs: nowNs(), durationMs: 3 },
      { function: 'refund', file: '/srv/src/b.js', line: 5, startNs: nowNs(), durationMs: 4 },
    ];
    assert.equal((await postTraces(url, codeSpansJson({ 'service.name': 'billing' }, b))).status, 200);
    // Service A: 20,000 distinct locations (a distinct function name each), in batches of 1,000.
    for (let batch = 0; batch < 20; batch++) {
      const spans: CodeSpan[] = Array.from({ length: 1_000 }, (_, i) => ({ function: `a${batch * 1_000 + i}`, file: '/srv/src/a.js', line: 1, startNs: nowNs(), durationMs: 1 }));
      assert.equal((await postTraces(url, codeSpansJson({ 'service.name': 'noisy' }, spans))).status, 200);
    }
    await rx.pipeline.idle();
    const signals = (await (await fetch(`${url}/api/signals?window=5m`)).json()) as SignalsResponse;
    // Every noisy location past the cap was evicted or refused a row of its own (see BoundedMap.admit).
    const pastCap = signals.evicted.locations + (signals.pastCaps?.locations ?? 0);
    assert.ok(pastCap >= 19_000, `evicted or refused ${pastCap}`);
    assert.ok(rx.store.sizes().locations <= 1_000);
    const billing = signals.functions
      .filter((f) => f.service === 'billing')
      .map((f) => f.function)
      .sort();
    assert.deepEqual(billing, ['pay', 'refund'], 'the quiet service still answers');
    assert.deepEqual(
      signals.operations
        .filter((o) => o.service === 'billing')
        .map((o) => o.name)
        .sort(),
      ['pay', 'refund'],
    );
  } finally {
    await rx.stop();
  }
});

test('eviction takes from the largest groups first and falls back to age among equals', () => {
  type E = { touched: number; evicted?: boolean; group: string };
  const map = new BoundedMap<E>(10, undefined, undefined, (e) => e.group);
  map.set('b1', { touched: 0, group: 'b' });
  map.set('b2', { touched: 0, group: 'b' });
  for (let i = 0; i < 9; i++) map.set(`a${i}`, { touched: 0, group: 'a' });
  // 11 entries > 10: one is evicted, and it is a's oldest, not b's (older) ones.
  assert.equal(map.size, 10);
  assert.ok(map.get('b1') && map.get('b2'));
  assert.equal(map.get('a0'), undefined);
  // Many groups of one entry each: plain least-recently-used among them.
  const flat = new BoundedMap<E>(10, undefined, undefined, (e) => e.group);
  for (let i = 0; i < 11; i++) flat.set(`k${i}`, { touched: 0, group: `g${i}` });
  assert.equal(flat.size, 10);
  assert.equal(flat.get('k0'), undefined);
  assert.ok(flat.get('k10'));
});
