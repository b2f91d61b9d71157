/**
 * JaegerSource against a real Jaeger v2 (module v1.75.0, memory storage): spans made by the real
 * OpenTelemetry JS SDK, carrying code.* attributes of a temp workspace's file, are exported over
 * OTLP/HTTP to Jaeger; the source pulls them from `/api/v3` and must pass the TelemetrySource
 * conformance suite. Then Jaeger is stopped mid-run (its figures must stay, marked stale) and a
 * Jaeger is started again behind the same address (the source must recover and file new traces).
 * Needs `bash scripts/setup-backends.sh`; fails with one line naming it when Jaeger is missing.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { CodeMapper } from '../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../src/core/mapping/workspaceIndex';
import { JaegerSource } from '../../src/core/sources/jaeger/jaegerSource';
import { parseSignalsQuery } from '../../src/core/sources/telemetrySource';
import { startJaeger, type RunningJaeger } from '../support/backends';
import { hrTime, makeSpans, sendSpans } from '../unit/server/sdkSend';
import { TcpRelay } from '../support/tcpRelay';
import { telemetrySourceConformance } from '../unit/sources/conformance';

const FILE = 'src/orders.js';
const ORDERS = 'function createOrder(req) {\n  if (!req.card) throw new TypeError("card declined");\n  return req;\n}\n\nfunction listOrders() {\n  return [];\n}\n';
/** Where the service runs in production; mapping finds src/orders.js by suffix. */
const PROD_PATH = '/srv/app/src/orders.js';
const window5m = () => parseSignalsQuery(new URLSearchParams('window=5m'), '5m');

/** A workspace holding FILE, and a mapper over it. */
async function workspace(): Promise<{ root: string; mapper: CodeMapper }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rl-jaeger-wire-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, FILE), ORDERS);
  const { index } = await WorkspaceIndex.build(root);
  return { root, mapper: new CodeMapper(index) };
}

/** Sends `n` traces of createOrder (every third failing) and listOrders; returns their trace ids. */
async function sendTraces(otlpUrl: string, n: number, service = 'orders'): Promise<string[]> {
  const now = Date.now();
  const ids: string[] = [];
  const spans = makeSpans(service, (tracer) => {
    for (let i = 0; i < n; i++) {
      const root = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER, startTime: hrTime(now - 2000 + i), attributes: { 'code.function.name': 'createOrder', 'code.file.path': PROD_PATH } });
      ids.push(root.spanContext().traceId);
      if (i % 3 === 0) {
        root.recordException(new TypeError('card declined'));
        root.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
      }
      root.end(hrTime(now - 2000 + i + 30 + i));
      const list = tracer.startSpan('orders.list', { kind: SpanKind.INTERNAL, startTime: hrTime(now - 1500 + i), attributes: { 'code.function.name': 'listOrders', 'code.file.path': PROD_PATH } });
      list.end(hrTime(now - 1500 + i + 5));
    }
  });
  await sendSpans(otlpUrl, spans);
  return ids;
}

/** Polls `check` until it holds (the backend files asynchronously); throws `what` after `ms`. */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('JaegerSource against a real Jaeger v2', () => {
  telemetrySourceConformance('jaeger (real Jaeger v2, real SDK spans)', async () => {
    const jaeger = await startJaeger();
    const { root, mapper } = await workspace();
    const source = new JaegerSource({ url: jaeger.queryUrl, refreshMs: 200, maxPullsPerMinute: 10_000, servicesRefreshMs: 200, transport: { retries: 0, timeoutMs: 5_000 } }, { mapper, ready: Promise.resolve() });
    const ids = await sendTraces(jaeger.otlpHttpUrl, 6);
    await until('the source to pull the sent traces', () => source.sampled.trace(ids[5]) !== null);
    return {
      source,
      file: FILE,
      traceId: ids[0],
      teardown: async () => {
        await source.dispose();
        await jaeger.stop();
        rmSync(root, { recursive: true, force: true });
      },
    };
  });

  describe('figures, traces and outages', () => {
    let jaeger: RunningJaeger;
    let address: TcpRelay;
    let source: JaegerSource;
    let root: string;
    let sent: string[];

    before(async () => {
      jaeger = await startJaeger();
      // Jaeger's ports are chosen at start: a restarted one lands elsewhere, while the source keeps one URL, as in production.
      address = await TcpRelay.open(jaeger.queryUrl);
      const ws = await workspace();
      root = ws.root;
      source = new JaegerSource(
        { url: `http://127.0.0.1:${address.port}`, refreshMs: 200, maxPullsPerMinute: 10_000, servicesRefreshMs: 1_000, transport: { retries: 0, timeoutMs: 5_000 } },
        { mapper: ws.mapper, ready: Promise.resolve() },
      );
      sent = await sendTraces(jaeger.otlpHttpUrl, 9);
      await until('all nine traces to be pulled', () => sent.every((id) => source.sampled.trace(id) !== null));
    });

    after(async () => {
      await source?.dispose();
      await address?.close();
      await jaeger?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('files each trace once across overlapping pulls, labelled sampled with the traces it rests on', async () => {
      // More rounds over the same window (cursor minus overlap) must not file anything twice.
      for (let i = 0; i < 3; i++) await source.pull();
      const answer = await source.signals(window5m());
      const create = answer.functions.find((f) => f.function === 'createOrder' && f.file === FILE);
      const list = answer.functions.find((f) => f.function === 'listOrders' && f.file === FILE);
      assert.ok(create && list, JSON.stringify(answer.functions));
      assert.equal(create.count, 9);
      assert.equal(create.errors, 3);
      assert.equal(list.count, 9);
      assert.deepEqual(create.figures?.traffic, { source: 'jaeger', basis: 'sampled', traces: 9, ageMs: create.figures?.traffic.ageMs });
      assert.equal(create.figures?.errors.basis, 'sampled');
      const error = answer.errors.find((e) => e.type === 'TypeError');
      assert.ok(error, JSON.stringify(answer.errors));
      assert.equal(error.file, FILE);
      assert.deepEqual([error.figures?.basis, error.figures?.traces], ['sampled', 3]);
    });

    it('learns where (service, span name) leads, for metrics without code labels', () => {
      assert.deepEqual([source.spanNames.lookup('orders', 'POST /orders')?.function, source.spanNames.lookup('orders', 'POST /orders')?.file], ['createOrder', FILE]);
      assert.equal(source.spanNames.lookup('orders', 'orders.list')?.function, 'listOrders');
      assert.equal(source.spanNames.lookup('other', 'POST /orders'), undefined);
    });

    it('keeps the last figures, marked stale, while Jaeger is down, and recovers when one is back', async () => {
      const before = (await source.signals(window5m())).functions.find((f) => f.function === 'createOrder')!;
      await jaeger.stop();
      await address.cut();
      const failedBefore = source.transport.counters.failures;
      await until('the status to turn stale', () => source.status().state === 'stale');
      // Down long enough for the circuit breaker to open: recovery then goes through its probe.
      await until('three failed pulls', () => source.transport.counters.failures >= failedBefore + 3);
      const status = source.status();
      assert.match(status.error ?? '', /^jaeger at http:\/\/127\.0\.0\.1:\d+: /);
      const during = (await source.signals(window5m())).functions.find((f) => f.function === 'createOrder');
      assert.equal(during?.count, before.count, 'figures kept');
      assert.equal(during?.figures?.traffic.stale, true);
      assert.ok((during?.figures?.traffic.ageMs ?? -1) >= 0);
      // A trace not held cannot be fetched: one line naming the source, not a wrong "no such trace".
      await assert.rejects(source.trace('0123456789abcdef0123456789abcdef'), /^Error: jaeger at /);

      jaeger = await startJaeger();
      address.retarget(portOf(jaeger.queryUrl));
      await address.restore();
      const more = await sendTraces(jaeger.otlpHttpUrl, 3);
      // The breaker lets a probe through after its cool-down; the next good round clears the error.
      await until('the source to recover', () => source.status().state === 'ok' && more.every((id) => source.sampled.trace(id) !== null), 90_000);
      const afterRecovery = (await source.signals(window5m())).functions.find((f) => f.function === 'createOrder');
      assert.equal(afterRecovery?.count, 12);
      assert.equal(afterRecovery?.figures?.traffic.stale, undefined);
    });

    it('answers a trace it does not hold from Jaeger by id, without counting it', async () => {
      const fresh = await sendTraces(jaeger.otlpHttpUrl, 1, 'billing');
      await until('Jaeger to hold the billing trace', async () => (await fetch(`${jaeger.queryUrl}/api/v3/traces/${fresh[0]}`)).status === 200);
      // A source that has pulled nothing: whatever it answers came by id.
      const ws = await workspace();
      const idle = new JaegerSource({ url: jaeger.queryUrl, autoStart: false }, { mapper: ws.mapper, ready: Promise.resolve() });
      try {
        const trace = await idle.trace(fresh[0]);
        assert.equal(trace?.traceId, fresh[0]);
        assert.ok(
          trace?.spans.some((s) => s.mapping?.function === 'createOrder' && s.mapping.file === FILE),
          JSON.stringify(trace?.spans),
        );
        assert.equal((await idle.trace(fresh[0].toUpperCase()))?.spans.length, trace?.spans.length, 'held after the first ask');
        assert.deepEqual((await idle.signals(window5m())).functions, []);
      } finally {
        await idle.dispose();
        rmSync(ws.root, { recursive: true, force: true });
      }
    });
  });
});
