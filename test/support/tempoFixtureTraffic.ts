/**
 * A Tempo fixture loaded with spans made by the real OpenTelemetry JS SDK and exported by its real
 * OTLP/HTTP JSON exporter, and a workspace those spans' `code.*` attributes point into.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { CodeMapper } from '../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../src/core/mapping/workspaceIndex';
import { hrTime, makeSpans, sendSpans } from '../unit/server/sdkSend';
import { TempoFixture } from './tempoFixture';

/** The workspace-relative file the spans' functions live in. */
export const ORDERS_FILE = 'src/orders.js';
const ORDERS = 'function createOrder(req) {\n  return req;\n}\n\nfunction listOrders() {\n  return [];\n}\n';

/** What the calls were: function, duration (ms), failed. */
export const CALLS = [
  ['createOrder', 40, false],
  ['listOrders', 5, false],
  ['createOrder', 60, true],
  ['createOrder', 80, false],
  ['listOrders', 7, false],
] as const;

/** A running fixture with the calls of CALLS (one trace each, two minutes ago) and a mapper over the workspace. */
export interface TempoTraffic {
  fixture: TempoFixture;
  root: string;
  mapper: CodeMapper;
  traceIds: string[];
  teardown(): Promise<void>;
}

/** Starts a fixture and sends it CALLS through the SDK's exporter; spans end `agoMs` before now (Tempo's metrics leave out the newest 30 s). */
export async function tempoTraffic(agoMs = 120_000): Promise<TempoTraffic> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rl-tempo-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, ORDERS_FILE), ORDERS);
  const fixture = new TempoFixture();
  await fixture.start();
  const at = Date.now() - agoMs;
  const traceIds: string[] = [];
  const spans = makeSpans('orders', (tracer) => {
    for (const [fn, ms, failed] of CALLS) {
      const span = tracer.startSpan(`orders.${fn}`, { kind: SpanKind.SERVER, startTime: hrTime(at - ms), attributes: { 'code.function.name': fn, 'code.file.path': path.join(root, ORDERS_FILE) } });
      if (failed) {
        span.recordException({ name: 'TypeError', message: 'order has no items', stack: `TypeError: order has no items\n    at ${fn} (${path.join(root, ORDERS_FILE)}:2:3)` }, hrTime(at - 1));
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'order has no items' });
      }
      traceIds.push(span.spanContext().traceId);
      span.end(hrTime(at));
    }
  });
  await sendSpans(fixture.url, spans);
  const mapper = new CodeMapper((await WorkspaceIndex.build(root)).index);
  return {
    fixture,
    root,
    mapper,
    traceIds,
    teardown: async () => {
      await fixture.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
