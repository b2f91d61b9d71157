import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwaitingSpan } from '../../../src/core/signals/awaitingSpan';

test('an item is taken when its span is filed, released when the span does not come, and bounded', async () => {
  const released: string[] = [];
  const w = new AwaitingSpan<string>((item) => released.push(item), 30, 3);
  w.add('s1', 'log-a');
  w.add('s2', 'log-b');
  assert.deepEqual(w.take('s1'), ['log-a']);
  assert.equal(w.take('s1'), undefined, 'taken once');
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(released, ['log-b'], 'released without its span once the wait is over');
  assert.equal(w.size, 0);
  for (const id of ['x1', 'x2', 'x3', 'x4']) w.add(id, id);
  assert.deepEqual(released, ['log-b', 'x1'], 'past the bound the oldest is released first');
  w.flush();
  assert.deepEqual(released, ['log-b', 'x1', 'x2', 'x3', 'x4']);
  assert.equal(w.size, 0);
});
