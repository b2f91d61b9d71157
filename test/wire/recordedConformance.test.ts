/**
 * The conformance tier replayed: the exact bytes each official instrumentation sent (recorded by
 * test/support/record*.ts into test/fixtures/otlp-recorded) go into the real CLI receiver again,
 * whatever SDK versions the machine has, and must give the same exact figures as the live tests
 * (which also check lines; these check counts). A change in the receiver that breaks one stack's
 * figures fails here in seconds, without a JVM or a Go build.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SignalsResponse } from '../../src/core/api/signals';
import { getSignals, getStatus, repoRoot, startServer, waitForStatus } from '../support/harness';
import { loadRecording, replay } from '../support/otlpRecorder';

interface Expected {
  recording: string;
  app: string;
  service: string;
  /** function -> [count, errors] */
  rows: Record<string, [number, number]>;
  /** error group function -> total occurrences */
  groups: Record<string, number>;
  /** caller -> [count, errors] */
  calls: Record<string, [number, number]>;
}

const PYTHON: Expected = {
  recording: 'python/export.jsonl',
  app: 'python-flask',
  service: 'conf-python',
  rows: { price: [9, 3], slow: [2, 0], inventory: [5, 0], quote: [6, 2] },
  groups: { unit_price: 3, stock_level: 2 },
  calls: { quote: [6, 2] },
};
const JAVA_ROWS: Expected['rows'] = { 'ShopController.price': [9, 3], 'ShopController.slow': [2, 0], 'ShopController.inventory': [5, 0], 'ShopController.quote': [6, 2] };
const JAVA_GROUPS = { 'PricingService.unitPrice': 3, 'PricingService.stockOf': 2 };
const STACKS: Expected[] = [
  PYTHON,
  { recording: 'java/export.jsonl', app: 'java-spring', service: 'conf-java', rows: JAVA_ROWS, groups: JAVA_GROUPS, calls: { 'ShopController.quote': [6, 2] } },
  { recording: 'java/export-controller-spans.jsonl', app: 'java-spring', service: 'conf-java', rows: JAVA_ROWS, groups: JAVA_GROUPS, calls: { 'ShopController.quote': [6, 2] } },
  {
    recording: 'go/export.jsonl',
    app: 'go-nethttp',
    service: 'conf-go',
    rows: { price: [9, 3], slow: [2, 0], inventory: [5, 0], quote: [6, 2], panicHandler: [2, 2] },
    groups: { price: 3, inventory: 2, Explode: 2 },
    calls: { quote: [6, 2] },
  },
  {
    recording: 'node/export.jsonl',
    app: 'node-express',
    service: 'conf-node',
    rows: { price: [9, 3], 'GET /slow handler': [2, 0], inventory: [5, 0], quote: [6, 2] },
    groups: { unitPrice: 3, stockOf: 2 },
    calls: { quote: [6, 2] },
  },
];

function byFunction<T extends { function: string }>(list: T[], pick: (x: T) => number | [number, number]): Record<string, number | [number, number]> {
  return Object.fromEntries(list.map((x) => [x.function, pick(x)]));
}

for (const stack of STACKS) {
  test(`replayed ${stack.recording}: exact rows, error groups and calls, nothing unmapped`, async () => {
    const records = loadRecording(join(repoRoot, 'test', 'fixtures', 'otlp-recorded', stack.recording));
    const server = await startServer({ workspace: join(repoRoot, 'test', 'fixtures', 'conformance', stack.app) });
    try {
      await replay(records, server.url);
      const sentSpans = records.filter((r) => r.path === '/v1/traces').length;
      assert.ok(sentSpans > 0);
      await waitForStatus(server.url, (s) => s.queueDepth === 0 && s.spansProcessed === s.spansAccepted && s.logsProcessed === s.logsAccepted, 20_000);
      // The recorded spans keep their timestamps: within the retention they fall where they were sent, older ones at arrival.
      const all: SignalsResponse = await getSignals(server.url, { window: '1h' });
      const mine = <T extends { service: string }>(l: T[]) => l.filter((x) => x.service === stack.service);
      const shown = JSON.stringify({ functions: mine(all.functions).map((f) => [f.function, f.count, f.errors]), errors: mine(all.errors).map((e) => [e.function, e.totalCount]), unmapped: mine(all.unmapped) });
      assert.deepEqual(
        byFunction(mine(all.functions), (f) => [f.count, f.errors]),
        stack.rows,
        shown,
      );
      assert.deepEqual(
        byFunction(mine(all.errors), (e) => e.totalCount),
        stack.groups,
        shown,
      );
      assert.deepEqual(
        byFunction(mine(all.calls), (c) => [c.count, c.errors]),
        stack.calls,
        shown,
      );
      assert.deepEqual(mine(all.unmapped), [], shown);
      const status = await getStatus(server.url);
      assert.equal(status.requestsMappedPercent, 100);
      assert.equal(status.exceptionsMappedPercent, 100);
    } finally {
      await server.stop();
    }
  });
}
