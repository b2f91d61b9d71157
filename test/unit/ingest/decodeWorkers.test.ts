import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { decodeWorkersFor, workerYoungMb, YOUNG_BUDGET_MB } from '../../../src/core/ingest/decodePool';
import { DEFAULT_RECEIVER_OPTIONS } from '../../../src/core/server/embeddedReceiver';

test('the receiver runs one decode worker per core beyond the main thread, at least one and at most two', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 8, 64].map((cores) => decodeWorkersFor(cores)),
    [1, 1, 2, 2, 2, 2],
  );
  // The embedded receiver (what `runtime-lens serve` and the extension run) sizes its pool to this machine.
  assert.equal(DEFAULT_RECEIVER_OPTIONS.decodeWorkers, decodeWorkersFor(availableParallelism()));
});

test('decode workers share one young-generation budget, each keeping at least 12 MB', () => {
  assert.equal(workerYoungMb(1), YOUNG_BUDGET_MB);
  assert.equal(workerYoungMb(2), YOUNG_BUDGET_MB / 2);
  assert.equal(workerYoungMb(2), 12);
  assert.equal(workerYoungMb(8), 12);
});
