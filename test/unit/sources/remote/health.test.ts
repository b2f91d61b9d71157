import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SourceHealth } from '../../../../src/core/sources/remote/health';

describe('SourceHealth', () => {
  it('goes starting -> ok -> stale by age -> error kept as stale -> ok again', () => {
    let now = 1_000;
    const h = new SourceHealth(10_000, () => now);
    assert.equal(h.status().state, 'starting');
    h.failed('jaeger at http://x: connection refused');
    assert.deepEqual(h.status(), { state: 'error', lastSuccess: null, stalenessMs: null, error: 'jaeger at http://x: connection refused' });
    h.succeeded();
    assert.equal(h.status().state, 'ok');
    now += 20_000;
    assert.equal(h.isStale(), false);
    assert.equal(h.status().state, 'ok');
    now += 1;
    assert.equal(h.isStale(), true);
    assert.equal(h.status().state, 'stale');
    h.failed('jaeger at http://x: HTTP 503');
    assert.equal(h.status().state, 'stale');
    assert.equal(h.status().error, 'jaeger at http://x: HTTP 503');
    h.succeeded(now - 5_000);
    assert.deepEqual(h.status(), { state: 'ok', lastSuccess: now, stalenessMs: 5_000 });
    h.stop();
    assert.equal(h.status().state, 'stopped');
  });
});
