import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { DecodePool, decodeWorkersFor, type IngestBatch, workerYoungMb, YOUNG_BUDGET_MB } from '../../../src/core/ingest/decodePool';
import { HttpError } from '../../../src/core/ingest/httpErrors';
import { DEFAULT_RECEIVER_OPTIONS } from '../../../src/core/server/embeddedReceiver';
import { encodeSpans, realisticSpans } from './sdkPayloads';

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

/** Protobuf bodies of `n` realistic SDK spans, as exporters send them. */
function body(n: number): Buffer {
  return Buffer.from(encodeSpans(realisticSpans(n)).proto);
}

test('a worker decodes a small body with the next small one queued behind it; a large body has none queued behind it and queues behind none', async () => {
  const pool = new DecodePool(1);
  try {
    const small = [body(50), body(50), body(50)];
    const large = body(6_000);
    assert.ok(large.length > 1024 * 1024 && small[0].length < 64 * 1024, `${large.length} and ${small[0].length} bytes`);
    const first = small.map((b) => pool.decode('traces', 'protobuf', Buffer.from(b)));
    assert.equal(pool.decoding, 2, 'two small bodies posted to the one worker');
    assert.equal(pool.backlogBytes, small[2].length, 'the third waits');
    const batches = await Promise.all(first);
    assert.deepEqual(
      batches.map((b) => ('columnar' in b ? b.count : -1)),
      [50, 50, 50],
    );

    const bigFirst = [pool.decode('traces', 'protobuf', Buffer.from(large)), pool.decode('traces', 'protobuf', Buffer.from(small[0]))];
    assert.equal(pool.decoding, 1, 'nothing queues behind a large body');
    await Promise.all(bigFirst);
    const smallFirst = [pool.decode('traces', 'protobuf', Buffer.from(small[0])), pool.decode('traces', 'protobuf', Buffer.from(large))];
    assert.equal(pool.decoding, 1, 'a large body does not queue behind a small one');
    assert.equal(pool.backlogBytes, large.length);
    assert.deepEqual(
      (await Promise.all(smallFirst)).map((b) => ('columnar' in b ? b.count : -1)),
      [50, 6_000],
    );
  } finally {
    await pool.stop();
  }
});

test('a worker that dies fails the body it was decoding, answers 503 to the one queued behind it, and hands the backlog to a fresh worker', async () => {
  const pool = new DecodePool(1);
  try {
    const jobs = [body(20), body(20), body(20)].map((b) => pool.decode('traces', 'protobuf', b));
    const settled = Promise.allSettled(jobs);
    assert.equal(pool.decoding, 2);
    await (pool as unknown as { workers: { worker: { terminate(): Promise<number> } }[] }).workers[0].worker.terminate();
    const [decoding, queued, waiting] = await settled;
    assert.equal(decoding.status, 'rejected');
    assert.match(String((decoding as PromiseRejectedResult).reason), /decode worker exited/);
    assert.equal(queued.status, 'rejected');
    const reason = (queued as PromiseRejectedResult).reason as HttpError;
    assert.ok(reason instanceof HttpError, String(reason));
    assert.equal(reason.status, 503, 'retryable: its body went with the dead worker');
    assert.equal(reason.headers['Retry-After'], '1');
    assert.equal(waiting.status, 'fulfilled', 'the body still in the backlog went to a fresh worker');
    const batch = (waiting as PromiseFulfilledResult<IngestBatch>).value;
    assert.equal('columnar' in batch ? batch.count : -1, 20);
  } finally {
    await pool.stop();
  }
});
