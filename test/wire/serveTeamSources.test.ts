/**
 * `runtime-lens serve --no-receiver --source jaeger=... --source prometheus=...` against the real
 * stack: the OpenTelemetry JS SDK sends to a real Collector, which forwards spans to Jaeger and span
 * metrics to Prometheus. The read API must answer from those two only: rate and percentiles from
 * metrics, exemplars and the thrown error from Jaeger's traces, each row saying so; OTLP is refused;
 * a Prometheus that goes away turns its figures stale (kept, not dropped) and they recover.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FunctionSignal, SignalsResponse } from '../../src/core/api/signals';
import { startBackendStack, type BackendStack } from '../support/backends';
import { PER_BATCH, pollUntil, SAMPLE_SERVICE, sendSampleBatch } from '../support/backendSample';
import { getSignals, getStatus, startServer, type StartedServer } from '../support/harness';
import { TcpRelay } from '../support/tcpRelay';

const ORDERS = [
  ...Array(11).fill(''),
  'export function getOrder(id: string) {',
  '  return loadOrder(id);',
  '}',
  ...Array(15).fill(''),
  'export function loadOrder(id: string) {',
  '  return { id };',
  '}',
  ...Array(11).fill(''),
  'export function createOrder(body: unknown) {',
  '  if (!body) return null;',
  '  throw new TypeError("card declined");',
  '}',
  '',
].join('\n');

describe('serve reading Jaeger and Prometheus with its receiver off', () => {
  let stack: BackendStack;
  let prometheus: TcpRelay;
  let server: StartedServer;
  let root: string;

  before(async () => {
    stack = await startBackendStack();
    prometheus = await TcpRelay.open(stack.prometheus.url);
    root = mkdtempSync(path.join(os.tmpdir(), 'rl-team-'));
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src', 'orders.ts'), ORDERS);
    server = await startServer({
      workspace: root,
      args: ['--no-receiver', '--path-rule', '/app/=', '--window', '15m', '--source', `jaeger=${stack.jaeger.queryUrl}`, '--source', `prometheus=${prometheus.url}`, '--source-refresh', '5s'],
    });
    for (let i = 0; i < 2; i++) await sendSampleBatch(stack.collector.otlpHttpUrl);
  });

  after(async () => {
    await server?.stop();
    await prometheus?.close();
    await stack?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const fn = (a: SignalsResponse, name: string): FunctionSignal | undefined => a.functions.find((f) => f.function === name && f.service === SAMPLE_SERVICE);

  it('refuses OTLP and lists both sources in its status', async () => {
    const res = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 404);
    assert.match(await res.text(), /embedded receiver is off/);
    const status = await getStatus(server.url);
    assert.equal(status.receiving, false);
    assert.deepEqual(
      status.sources?.map((s) => [s.name, s.kind]),
      [
        ['jaeger', 'jaeger'],
        ['prometheus', 'prometheus'],
      ],
    );
  });

  it('answers rate and percentiles from metrics, exemplars and errors from traces, on the workspace lines', async () => {
    const answer = await pollUntil(
      "getOrder from metrics and createOrder's error from traces",
      async () => {
        const a = await getSignals(server.url, { window: '15m' });
        const get = fn(a, 'getOrder');
        const ok = get?.figures?.traffic.basis === 'metrics' && get.count === 2 * PER_BATCH.getOrder && get.exemplars.length > 0 && a.errors.some((e) => e.type === 'TypeError');
        return ok ? a : undefined;
      },
      90_000,
    );
    const get = fn(answer, 'getOrder')!;
    assert.equal(get.file, 'src/orders.ts');
    assert.equal(get.line, 12);
    assert.equal(get.figures!.traffic.source, 'prometheus');
    assert.equal(get.figures!.errors.source, 'jaeger');
    assert.equal(get.figures!.errors.basis, 'sampled');
    // Durations 20, 40 and 60 ms twice: every percentile lies in the default buckets around them.
    assert.ok(get.p50Ms >= 10 && get.p50Ms <= 50, `p50 ${get.p50Ms}`);
    assert.ok(get.p99Ms >= 50 && get.p99Ms <= 100, `p99 ${get.p99Ms}`);
    const create = fn(answer, 'createOrder')!;
    assert.equal(create.count, 2 * PER_BATCH.createOrder);
    assert.equal(create.errors, 2);
    const thrown = answer.errors.find((e) => e.type === 'TypeError')!;
    assert.deepEqual([thrown.file, thrown.message, thrown.figures?.source, thrown.figures?.basis], ['src/orders.ts', 'card declined', 'jaeger', 'sampled']);
  });

  it('a Prometheus that goes away leaves its figures standing, marked stale, and they recover', async () => {
    const before = fn(await getSignals(server.url, { window: '15m' }), 'getOrder')!;
    await prometheus.cut();
    const stale = await pollUntil(
      "getOrder's traffic to turn stale",
      async () => {
        const f = fn(await getSignals(server.url, { window: '15m' }), 'getOrder');
        return f?.figures?.traffic.stale === true ? f : undefined;
      },
      60_000,
    );
    assert.deepEqual([stale.count, stale.p95Ms, stale.figures!.traffic.source], [before.count, before.p95Ms, 'prometheus']);
    assert.ok((stale.figures!.traffic.ageMs ?? 0) > 0);
    const status = await getStatus(server.url);
    assert.notEqual(status.sources!.find((s) => s.name === 'prometheus')!.state, 'ok');
    assert.equal(status.sources!.find((s) => s.name === 'jaeger')!.state, 'ok');
    await prometheus.restore();
    await pollUntil(
      'prometheus to recover',
      async () => {
        const f = fn(await getSignals(server.url, { window: '15m' }), 'getOrder');
        return f?.figures?.traffic.basis === 'metrics' && f.figures.traffic.stale !== true ? f : undefined;
      },
      90_000,
    );
  });
});
