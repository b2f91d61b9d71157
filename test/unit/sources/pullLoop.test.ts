import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PullLoop } from '../../../src/core/sources/pullLoop';

describe('PullLoop', () => {
  it('a round that asked nothing keeps figures fresh after a good round, not after a failed one', () => {
    let now = 0;
    const loop = new PullLoop(
      'jaeger',
      10_000,
      async () => 0,
      () => now,
    );
    loop.settle(false);
    assert.equal(loop.status().state, 'starting', 'nothing asked yet is not a success');
    loop.settle(true);
    now = 25_000;
    loop.settle(false);
    assert.equal(loop.status().state, 'ok', 'the schedule had nothing due: not stale');
    loop.settle(true, 'jaeger at http://x: connection refused');
    now = 60_000;
    loop.settle(false);
    assert.equal(loop.status().state, 'stale');
    assert.deepEqual(loop.label(), { source: 'jaeger', ageMs: 35_000, stale: true });
  });

  it('joins a round in flight and refuses queries once disposed', async () => {
    let rounds = 0;
    const loop = new PullLoop(
      'tempo',
      10_000,
      async () => ++rounds,
      () => 0,
    );
    const [a, b] = await Promise.all([loop.pull(), loop.pull()]);
    assert.deepEqual([a, b, rounds], [1, 1, 1]);
    let heard = 0;
    loop.onChange(() => heard++);
    loop.changed();
    await loop.dispose();
    loop.changed();
    assert.equal(heard, 1);
    assert.throws(() => loop.label(), /tempo: source disposed/);
  });
});
