/**
 * The conformance suite every TelemetrySource runs (../shared/DESIGN.md, the source seam): what a
 * reader may rely on whichever source answers. `setup` gives a source holding spans of `file` (its
 * functions have calls in the last 5 minutes) and a trace id it holds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SignalsQuery, TelemetrySource } from '../../../src/core/sources/telemetrySource';
import { parseSignalsQuery, parseTrafficQuery } from '../../../src/core/sources/telemetrySource';
import { newestRequestStart } from '../../../src/core/sources/trafficTraces';

/** What a source under test holds. */
export interface ConformanceFixture {
  source: TelemetrySource;
  /** A workspace-relative file with functions that have calls in the window. */
  file: string;
  /** A trace the source holds (32 lowercase hex digits). */
  traceId: string;
  /** A trace it holds whose HTTP server span recorded its request in the last 5 minutes, when it holds one. */
  trafficTraceId?: string;
  /** Called after the suite. */
  teardown(): Promise<void>;
}

const query = (over: Partial<SignalsQuery> = {}): SignalsQuery => ({ ...parseSignalsQuery(new URLSearchParams('window=5m'), '5m'), ...over });

/** Runs the suite against the source `setup` makes. */
export function telemetrySourceConformance(name: string, setup: () => Promise<ConformanceFixture>): void {
  describe(`TelemetrySource conformance: ${name}`, () => {
    let fx: ConformanceFixture;
    before(async () => {
      fx = await setup();
    });
    after(async () => {
      await fx?.teardown();
    });

    it('declares every capability as a boolean and has a kind', () => {
      assert.ok(fx.source.kind.length > 0);
      for (const key of ['spans', 'metrics', 'logs', 'live', 'traces'] as const) assert.equal(typeof fx.source.capabilities[key], 'boolean', key);
    });

    it("answers a window with that window echoed and figures for the file's functions", async () => {
      const answer = await fx.source.signals(query());
      assert.equal(answer.window, '5m');
      // A logs-only source (Loki) has no functions: its figures are error groups on the file's lines.
      if (!fx.source.capabilities.spans && !fx.source.capabilities.metrics) {
        assert.deepEqual(answer.functions, []);
        const errors = answer.errors.filter((e) => e.file === fx.file);
        assert.ok(errors.length > 0, `no errors of ${fx.file} in ${JSON.stringify(answer.errors.map((e) => e.file))}`);
        for (const e of errors) assert.ok(e.count > 0 && e.line > 0, JSON.stringify(e));
        return;
      }
      const fns = answer.functions.filter((f) => f.file === fx.file);
      assert.ok(fns.length > 0, `no functions of ${fx.file} in ${JSON.stringify(answer.functions.map((f) => f.file))}`);
      for (const f of fns) assert.ok(f.count > 0, JSON.stringify(f));
    });

    it("a file query answers only that file's functions, errors and calls", async () => {
      const answer = await fx.source.signals(query({ file: fx.file }));
      assert.ok(answer.functions.length + answer.errors.length > 0);
      for (const row of [...answer.functions, ...answer.errors, ...answer.calls]) assert.equal(row.file, fx.file);
      const other = await fx.source.signals(query({ file: 'no/such/file.ts' }));
      assert.deepEqual([other.functions.length, other.errors.length, other.calls.length], [0, 0, 0]);
    });

    it('top bounds every list', async () => {
      const answer = await fx.source.signals(query({ top: 1 }));
      for (const list of [answer.functions, answer.operations, answer.errors, answer.unmapped]) assert.ok(list.length <= 1, JSON.stringify(list));
    });

    it("an unknown environment answers no rows, not another environment's", async () => {
      const answer = await fx.source.signals(query({ environment: 'no-such-environment' }));
      assert.deepEqual([answer.functions.length, answer.errors.length, answer.calls.length], [0, 0, 0]);
    });

    it('holds its trace, and answers null for one it does not hold', async () => {
      // A source without the traces capability (span metrics) holds none: every id answers null.
      if (!fx.source.capabilities.traces) {
        assert.equal(await fx.source.trace(fx.traceId), null);
        return;
      }
      const trace = await fx.source.trace(fx.traceId);
      assert.equal(trace?.traceId, fx.traceId);
      assert.ok((trace?.spans.length ?? 0) > 0);
      assert.equal(await fx.source.trace('0123456789abcdef0123456789abcdef'), null);
    });

    it('answers recent requests as whole traces, newest first, within the limit and the environment (the traffic capability)', async () => {
      const caps = fx.source.capabilities;
      if (caps.traffic !== true) {
        assert.ok(caps.traffic === undefined || caps.traffic === false, 'traffic is a boolean when declared');
        return;
      }
      assert.equal(typeof fx.source.traffic, 'function', 'a source declaring traffic answers it');
      const ask = (params: string) => fx.source.traffic!(parseTrafficQuery(new URLSearchParams(params)));
      const traces = await ask('window=5m');
      const since = Date.now() - 5 * 60_000 - 1_000;
      const starts = traces.map((t) => newestRequestStart(t, since));
      for (const [i, t] of traces.entries()) {
        assert.match(t.traceId, /^[0-9a-f]{32}$/);
        assert.ok(starts[i] !== undefined, `trace ${t.traceId} has no server span with a request in the window`);
        if (i > 0) assert.ok(starts[i]! <= starts[i - 1]!, 'newest request first');
      }
      if (fx.trafficTraceId !== undefined) {
        const found = traces.find((t) => t.traceId === fx.trafficTraceId);
        assert.ok(found, `${fx.trafficTraceId} not among ${traces.map((t) => t.traceId).join(', ')}`);
        const whole = await fx.source.trace(fx.trafficTraceId);
        assert.equal(found.spans.length, whole?.spans.length, 'the trace comes whole');
        assert.ok(found.spans.some((s) => s.kind === 2 && (s.request?.path ?? '').startsWith('/')));
      }
      assert.ok((await ask('window=5m&limit=1')).length <= 1);
      assert.deepEqual(await ask('window=5m&environment=no-such-environment'), []);
    });

    it('reports a status with a state, and a last success once it has answered', async () => {
      await fx.source.signals(query());
      const s = fx.source.status();
      assert.ok(['starting', 'ok', 'stale', 'error', 'stopped'].includes(s.state), s.state);
      assert.equal(typeof s.lastSuccess, 'number');
      assert.ok(s.stalenessMs === null || s.stalenessMs >= 0);
    });

    it('change listeners can be removed', () => {
      let calls = 0;
      const sub = fx.source.onChange(() => calls++);
      sub.dispose();
      sub.dispose();
      assert.equal(calls, 0);
    });
  });
}
