import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryGate } from '../../../src/core/sources/queryGate';

/** A gate over a store whose generation and change notices the test moves by hand, with a hand clock. */
function gate() {
  const state = { generation: 0, notices: 0, now: 1_000, computed: 0, busy: true };
  const g = new QueryGate<number>(
    () => state.generation,
    { freshMs: 250, cacheMs: 1_000, restFactor: 0 },
    () => state.now,
    () => state.notices,
    () => state.busy,
  );
  const ask = () => g.run('q', () => ++state.computed);
  return { state, g, ask };
}

test('while spans are filed, a poll within the fresh interval reuses the answer instead of computing again', async () => {
  const { state, ask } = gate();
  assert.equal(await ask(), 1);
  state.generation++;
  state.now += 100;
  assert.equal(await ask(), 1, 'reused: nothing was announced since');
  state.generation++;
  state.now += 200;
  assert.equal(await ask(), 2, 'computed again: older than the fresh interval');
});

test('once ingest has nothing waiting, a poll after filing gets a fresh answer', async () => {
  const { state, ask } = gate();
  assert.equal(await ask(), 1);
  state.generation++;
  state.busy = false;
  state.now += 10;
  assert.equal(await ask(), 2);
});

test('a change notice sent after an answer was computed makes the next poll compute anew', async () => {
  const { state, ask } = gate();
  assert.equal(await ask(), 1);
  state.generation++;
  state.notices++;
  state.now += 10;
  assert.equal(await ask(), 2, 'a client reacting to the notice sees what it announced');
  state.now += 10;
  assert.equal(await ask(), 2, 'other clients reacting to the same notice share that answer');
});

test('over an unchanged store the answer is reused until the cache interval ends', async () => {
  const { state, ask } = gate();
  assert.equal(await ask(), 1);
  state.now += 900;
  assert.equal(await ask(), 1);
  state.now += 200;
  assert.equal(await ask(), 2);
});
