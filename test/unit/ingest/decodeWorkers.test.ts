import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { decodeWorkersFor } from '../../../src/core/ingest/decodePool';
import { DEFAULT_RECEIVER_OPTIONS } from '../../../src/core/server/embeddedReceiver';

test('the receiver runs one decode worker per core beyond the main thread, at least one and at most two', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 8, 64].map((cores) => decodeWorkersFor(cores)),
    [1, 1, 2, 2, 2, 2],
  );
  // The embedded receiver (what `runtime-lens serve` and the extension run) sizes its pool to this machine.
  assert.equal(DEFAULT_RECEIVER_OPTIONS.decodeWorkers, decodeWorkersFor(availableParallelism()));
});
