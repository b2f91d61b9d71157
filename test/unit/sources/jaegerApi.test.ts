// The Jaeger api_v3 answer parsers against recorded answers of a real Jaeger v1.75.0, and the pull
// schedule: cursors per service with an overlap, a request budget per minute, fairness.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isNothingFound, parseOperations, parseServices, parseTraces, rfc3339 } from '../../../src/core/sources/jaeger/jaegerApi';
import { PullSchedule } from '../../../src/core/sources/jaeger/pullSchedule';
import { recorded } from './jaegerFixtures';

describe('Jaeger api_v3 parsers (recorded v1.75.0 answers)', () => {
  it("reads services and operations, and jsonpb's empty answers", () => {
    assert.deepEqual(parseServices(recorded('services')).sort(), ['checkout-api', 'inventory-worker']);
    assert.deepEqual(
      parseOperations(recorded('operations-server')).sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: 'GET /orders/:id', spanKind: 'server' },
        { name: 'POST /orders', spanKind: 'server' },
      ],
    );
    assert.equal(parseOperations(recorded('operations')).length, 3);
    // gogo jsonpb leaves empty lists out.
    assert.deepEqual(parseServices({}), []);
    assert.deepEqual(parseOperations({}), []);
  });

  it("rejects answers that are not Jaeger's with one line", () => {
    assert.throws(() => parseServices([]), /^Error: services: expected an object$/);
    assert.throws(() => parseServices({ services: 'checkout-api' }), /not a list/);
    assert.throws(() => parseServices({ services: [1] }), /entry 0 is not a service name/);
    assert.throws(() => parseOperations({ operations: [{ spanKind: 'server' }] }), /entry 0 has no name/);
    assert.throws(() => parseOperations({ operations: [{ name: 'x', spanKind: 2 }] }), /spanKind that is not a string/);
  });

  it("reads a traces answer as its OTLP result, and refuses Jaeger's error bodies", () => {
    const result = parseTraces(recorded('traces-search'));
    assert.ok(Array.isArray(result.resourceSpans));
    assert.ok(Array.isArray(parseTraces(recorded('trace-by-id')).resourceSpans));
    assert.throws(() => parseTraces(recorded('trace-not-found')), /^Error: traces: Jaeger answered an error: No traces found$/);
    assert.throws(() => parseTraces(recorded('traces-search-no-num-traces')), /search depth must be greater than 0/);
    assert.throws(() => parseTraces({ result: { resourceSpans: {} } }), /not a list/);
    assert.throws(() => parseTraces({}), /no "result" object/);
  });

  it('tells "nothing found" from a wrong URL\'s 404', () => {
    const body = JSON.stringify(recorded('trace-not-found')).replace(/\s+/g, ' ');
    assert.ok(isNothingFound(`jaeger at http://127.0.0.1:16686: HTTP 404 for /api/v3/traces: ${body}`));
    assert.ok(!isNothingFound('jaeger at http://127.0.0.1:16686: HTTP 404 for /api/v3/traces: 404 page not found'));
  });

  it("writes times as RFC 3339, which Jaeger's gateway parses", () => {
    assert.equal(rfc3339(Date.UTC(2026, 11, 5, 4, 26, 3, 94.7)), '2026-12-05T04:26:03.094Z');
  });
});

describe('PullSchedule', () => {
  const clockAt = (start: number) => {
    const c = { t: start, now: () => c.t };
    return c;
  };

  it('searches a new service from the look-back, then from its cursor less the overlap', () => {
    const clock = clockAt(1_000_000);
    const s = new PullSchedule({ lookbackMs: 600_000, overlapMs: 30_000, maxTracesPerPull: 5, maxPullsPerMinute: 100, refreshMs: 10_000 }, [], clock.now);
    s.listed(['a']);
    const [first] = s.due();
    assert.deepEqual(first, { service: 'a', startMinMs: 400_000, startMaxMs: 1_000_000, limit: 5 });
    s.searched(first, true);
    clock.t += 10_000;
    assert.deepEqual(s.due()[0], { service: 'a', startMinMs: 970_000, startMaxMs: 1_010_000, limit: 5 });
  });

  it('keeps the cursor where it was when a search failed', () => {
    const clock = clockAt(1_000_000);
    const s = new PullSchedule({ lookbackMs: 600_000, maxPullsPerMinute: 100 }, [], clock.now);
    s.listed(['a']);
    s.searched(s.due()[0], true);
    clock.t += 20_000;
    s.searched(s.due()[0], false);
    assert.equal(s.cursorOf('a'), 1_000_000);
  });

  it("spends at most its budget per minute, a round's share at a time, longest-waiting services first", () => {
    const clock = clockAt(0);
    const s = new PullSchedule({ maxPullsPerMinute: 6, refreshMs: 20_000 }, [], clock.now);
    assert.ok(s.wantsServices());
    s.spend();
    s.listed(['a', 'b', 'c', 'd']);
    const round1 = s.due();
    assert.deepEqual(
      round1.map((d) => d.service),
      ['a', 'b'],
    );
    for (const d of round1) {
      s.spend();
      s.searched(d, true);
    }
    clock.t = 20_000;
    const round2 = s.due();
    assert.deepEqual(
      round2.map((d) => d.service),
      ['c', 'd'],
    );
    for (const d of round2) {
      s.spend();
      s.searched(d, true);
    }
    clock.t = 40_000;
    // 5 of 6 spent this minute: one search left.
    assert.deepEqual(
      s.due().map((d) => d.service),
      ['a'],
    );
    s.spend();
    assert.equal(s.budget(), 0);
    assert.ok(!s.wantsServices());
    clock.t = 60_001;
    assert.equal(s.budget(), 3, 'what was spent at 0 s (the listing and round 1) has aged out');
  });

  it('lists services again after its interval, keeps only the configured ones, and forgets vanished ones', () => {
    const clock = clockAt(0);
    const s = new PullSchedule({ servicesRefreshMs: 60_000, maxPullsPerMinute: 100 }, ['a', 'b'], clock.now);
    s.listed(['a', 'jaeger', 'b']);
    assert.deepEqual(s.known(), ['a', 'b']);
    for (const d of s.due()) s.searched(d, true);
    assert.ok(!s.wantsServices());
    clock.t = 60_000;
    assert.ok(s.wantsServices());
    s.listed(['b']);
    assert.deepEqual(s.known(), ['b']);
    assert.equal(s.cursorOf('a'), undefined);
    assert.equal(s.cursorOf('b'), 0);
  });

  it('refuses options that would never pull', () => {
    assert.throws(() => new PullSchedule({ maxPullsPerMinute: 0 }), /maxPullsPerMinute must be a positive number/);
    assert.throws(() => new PullSchedule({ refreshMs: Number.NaN }), /refreshMs/);
    assert.doesNotThrow(() => new PullSchedule({ overlapMs: 0 }));
  });
});
