import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { workerYoungMb } from '../../../src/core/ingest/decodePool';
import { RECEIVER_NODE_FLAGS } from '../../../src/vscode/receiverProcess';

const pool = path.join(__dirname, '..', '..', '..', 'src', 'core', 'ingest', 'decodePool.ts');

/**
 * New-space capacity (MB) of the main thread and of a worker asking for workerYoungMb(1), in a
 * process started with the receiver's flags, after both made garbage that survives a while.
 */
function newSpaces(clearFlag: boolean): { main: number; worker: number } {
  const churn = 'let keep = []; for (let r = 0; r < 60; r++) { keep = []; for (let i = 0; i < 100000; i++) keep.push({ a: i, b: [i] }); }';
  const newSpace = "require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576";
  const script = `
    const { Worker } = require('node:worker_threads');
    ${clearFlag ? `require(${JSON.stringify(pool)}).letWorkersSizeTheirYoungGeneration();` : ''}
    const w = new Worker(${JSON.stringify(`${churn}; require('node:worker_threads').parentPort.postMessage(${newSpace});`)}, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: ${workerYoungMb(1)} } });
    w.once('message', (worker) => { ${churn}; console.log(JSON.stringify({ main: ${newSpace}, worker })); });
  `;
  const out = execFileSync(process.execPath, [...RECEIVER_NODE_FLAGS, '--import', 'tsx', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { main: number; worker: number };
}

test("decode workers get the young generation they ask for under the receiver's --max-semi-space-size", () => {
  // The flag is per process and overrides a worker's resourceLimits: as the receiver starts, a
  // worker gets the main thread's 2 MB semi-spaces (4 MB of new space)...
  const flagged = newSpaces(false);
  assert.ok(flagged.worker <= 4, `without clearing, the worker has ${flagged.worker} MB`);
  // ...and once the pool clears it, its own (two thirds of workerYoungMb(1)), while the main thread keeps its 4 MB.
  const cleared = newSpaces(true);
  assert.ok(cleared.worker > 4 && cleared.worker <= (workerYoungMb(1) * 2) / 3, `the worker has ${cleared.worker} MB`);
  assert.ok(cleared.main <= 4, `the main thread has ${cleared.main} MB`);
});
