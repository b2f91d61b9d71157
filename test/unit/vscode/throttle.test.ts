import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { Throttle } from '../../../src/vscode/throttle';

test('runs at once, then at most once per interval with one trailing run for a burst', () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  try {
    let runs = 0;
    const throttle = new Throttle(1000, () => runs++);
    throttle.schedule();
    assert.equal(runs, 1, 'the first request runs immediately');
    for (let i = 0; i < 50; i++) throttle.schedule();
    assert.equal(runs, 1, 'a burst inside the interval waits');
    mock.timers.tick(999);
    assert.equal(runs, 1);
    mock.timers.tick(1);
    assert.equal(runs, 2, 'one trailing run for the whole burst');
    mock.timers.tick(5000);
    assert.equal(runs, 2, 'nothing runs without a request');
    throttle.schedule();
    assert.equal(runs, 3, 'after a quiet interval a request runs at once again');
    throttle.schedule();
    throttle.dispose();
    mock.timers.tick(5000);
    assert.equal(runs, 3, 'dispose cancels the trailing run');
  } finally {
    mock.timers.reset();
  }
});
