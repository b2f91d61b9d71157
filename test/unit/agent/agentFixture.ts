/**
 * Real production data for the agent tools' tests: a temp git workspace, the embedded receiver
 * in-process, spans made by the OpenTelemetry JS SDK (with a real V8 stack from the workspace's own
 * code) sent through the OTLP/HTTP exporter, and a tiny AgentData over the ReadApiClient. Authorship
 * and findings are given by each test (the analysis is not under test here).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { AgentAuthoredFunction, AgentChanges, AgentData, AgentFinding, AgentSourceInfo } from '../../../src/core/agent/agentData';
import type { SignalsResponse, TraceResponse } from '../../../src/core/api/signals';
import { ReadApiClient } from '../../../src/core/client/readApiClient';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { hrTime, sendSpans } from '../server/sdkSend';

export const ORDERS_JS = `function createOrder(req) {
  if (!req.sku) {
    throw new TypeError('sku is required');
  }
  return { id: 1, sku: req.sku };
}

function listOrders() {
  return [];
}

module.exports = { createOrder, listOrders };
`;

export const PRICING_JS = `function quote(item) {
  const base = lookup(item);
  return base * 1.2;
}

function lookup(item) {
  return item.length;
}

module.exports = { quote, lookup };
`;

/** An AgentData over the read API, as the real adapter reads it, with test-given authorship. */
export class TestAgentData implements AgentData {
  authoredList: AgentAuthoredFunction[] = [];
  findingList: AgentFinding[] = [];
  connected = true;
  authoredError: string | null = null;

  constructor(
    readonly workspace: string,
    readonly client: ReadApiClient,
  ) {}

  async source(): Promise<AgentSourceInfo> {
    return this.connected ? { connected: true, description: `receiver at ${this.client.server}` } : { connected: false, description: `receiver at ${this.client.server}`, reason: 'nothing listens there' };
  }
  signals(q: { window: string; environment?: string; file?: string; perMinute?: boolean; top?: number }): Promise<SignalsResponse> {
    return this.client.signals(q);
  }
  trace(traceId: string): Promise<TraceResponse | null> {
    return this.client.trace(traceId);
  }
  async changes(): Promise<AgentChanges> {
    throw new Error('not used by these tools');
  }
  async findings(files?: readonly string[]): Promise<AgentFinding[]> {
    return this.findingList.filter((f) => files === undefined || files.includes(f.file));
  }
  async authored(files?: readonly string[]): Promise<AgentAuthoredFunction[]> {
    if (this.authoredError !== null) throw new Error(this.authoredError);
    return this.authoredList.filter((f) => files === undefined || files.includes(f.file));
  }
  async head(): Promise<string | undefined> {
    return git(this.workspace, 'rev-parse', 'HEAD');
  }
  async lastShadow() {
    return undefined;
  }
}

/** A started fixture. */
export interface AgentFixture {
  root: string;
  base: string;
  rx: EmbeddedReceiver;
  data: TestAgentData;
  /** The commit the spans name as deployed (one behind HEAD). */
  deployed: string;
  stop(): Promise<void>;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_CONFIG_NOSYSTEM: '1', HOME: cwd },
  }).trim();
}

/** Spans of `service` in `environment` naming `revision` as deployed, made by the SDK. */
export function makeSpans(service: string, environment: string, revision: string, build: (tracer: Tracer) => void): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'deployment.environment.name': environment,
      'telemetry.sdk.language': 'nodejs',
      'service.version': '1.4.0',
      'vcs.ref.head.revision': revision,
    }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  build(provider.getTracer('runtime-lens-agent-tests'));
  return memory.getFinishedSpans();
}

/** Starts a git workspace with `files` (plus a second commit), the receiver, and the AgentData over it. */
export async function startFixture(files: Record<string, string>): Promise<AgentFixture> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rl-agent-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '.');
  git(root, 'commit', '-qm', 'v1');
  const deployed = git(root, 'rev-parse', 'HEAD');
  writeFileSync(path.join(root, 'README.md'), 'later\n');
  git(root, 'add', '.');
  git(root, 'commit', '-qm', 'docs');
  const rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: root, decodeWorkers: 0 });
  await rx.start();
  await rx.indexReady;
  const base = `http://127.0.0.1:${rx.receiver.address()!.port}`;
  const data = new TestAgentData(root, new ReadApiClient({ server: base }));
  return {
    root,
    base,
    rx,
    data,
    deployed,
    stop: async () => {
      await rx.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Sends spans and waits until the receiver has filed them. */
export async function send(fx: AgentFixture, spans: ReadableSpan[]): Promise<void> {
  await sendSpans(fx.base, spans);
  await fx.rx.pipeline.idle();
}

/** Sends one span naming the deployed revision until git has answered for it (drift known), as drift.test.ts does. */
export async function warmDrift(fx: AgentFixture, service: string, environment: string, fn: string, file: string, line: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const body = makeSpans(service, environment, fx.deployed.slice(0, 12), (t) => {
      const s = t.startSpan(fn, { kind: SpanKind.INTERNAL, startTime: hrTime(Date.now() - 1000), attributes: codeAttrs(fx, fn, file, line) });
      s.end(hrTime(Date.now() - 999));
    });
    await send(fx, body);
    const probe = await fx.data.signals({ window: '5m', environment, file });
    if (probe.functions.some((f) => f.function === fn && f.drift?.status === 'drifted')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('drift never became known');
}

/** `code.*` attributes naming a workspace function by its absolute path, as an instrumentation would. */
export function codeAttrs(fx: AgentFixture, fn: string, file: string, line: number): Record<string, string | number> {
  return { 'code.function.name': fn, 'code.file.path': path.join(fx.root, file), 'code.line.number': line };
}

/** A real Error thrown by the workspace's own code (a real V8 stack through the workspace file). */
export function realError(fx: AgentFixture): Error {
  const orders = createRequire(path.join(fx.root, 'index.js'))('./src/orders.js') as { createOrder(req: object): unknown };
  try {
    orders.createOrder({});
  } catch (err) {
    return err as Error;
  }
  throw new Error('createOrder did not throw');
}

/** Child spans under `parent`. */
export function child(tracer: Tracer, parent: ReturnType<Tracer['startSpan']>, name: string, kind: SpanKind, start: number, attributes: Record<string, string | number> = {}) {
  return tracer.startSpan(name, { kind, startTime: hrTime(start), attributes }, trace.setSpan(context.active(), parent));
}

export { SpanKind, SpanStatusCode, hrTime };

/** What `seedOrders` sent. */
export interface Seeded {
  /** The trace of a failed POST /orders. */
  errorTraceId: string;
  /** The quote trace: server -> internal -> failing client call. */
  quoteTraceId: string;
  /** The real error createOrder threw. */
  error: Error;
}

/**
 * The orders service in production (createOrder: 20 calls, 10..200 ms, 3 failing with a real
 * TypeError; listOrders: 5 calls; quote: one trace with a failing downstream call) and createOrder
 * twice in staging, all in the last few minutes, naming the commit one behind HEAD.
 */
export async function seedOrders(fx: AgentFixture): Promise<Seeded> {
  await warmDrift(fx, 'orders', 'production', 'createOrder', 'src/orders.js', 1);
  const error = realError(fx);
  const t0 = Date.now() - 3 * 60_000;
  const rev = fx.deployed.slice(0, 12);
  let errorTraceId = '';
  let quoteTraceId = '';
  const production = makeSpans('orders', 'production', rev, (t) => {
    for (let i = 0; i < 20; i++) {
      const start = t0 + i * 5_000;
      const fails = i % 7 === 3;
      const s = t.startSpan('POST /orders', {
        kind: SpanKind.SERVER,
        startTime: hrTime(start),
        attributes: { ...codeAttrs(fx, 'createOrder', 'src/orders.js', 1), 'http.route': '/orders', 'http.request.method': 'POST', 'http.response.status_code': fails ? 500 : 201 },
      });
      if (fails) {
        s.recordException(error, hrTime(start + 5));
        s.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        errorTraceId = s.spanContext().traceId;
      }
      s.end(hrTime(start + 10 * (i + 1)));
    }
    for (let i = 0; i < 5; i++) {
      const s = t.startSpan('GET /orders', {
        kind: SpanKind.SERVER,
        startTime: hrTime(t0 + i * 1_000),
        attributes: { ...codeAttrs(fx, 'listOrders', 'src/orders.js', 8), 'http.route': '/orders', 'http.request.method': 'GET' },
      });
      s.end(hrTime(t0 + i * 1_000 + 4));
    }
    const q0 = t0 + 60_000;
    const server = t.startSpan('POST /quote', {
      kind: SpanKind.SERVER,
      startTime: hrTime(q0),
      attributes: { ...codeAttrs(fx, 'quote', 'src/pricing.js', 1), 'http.route': '/quote', 'http.request.method': 'POST', 'http.response.status_code': 502 },
    });
    quoteTraceId = server.spanContext().traceId;
    const lookup = child(t, server, 'lookup', SpanKind.INTERNAL, q0 + 2, codeAttrs(fx, 'lookup', 'src/pricing.js', 6));
    const call = child(t, lookup, 'GET', SpanKind.CLIENT, q0 + 3, { 'url.full': 'http://inventory:7000/stock/1' });
    call.recordException({ name: 'FetchError', message: 'socket hang up\u001b[31m injected' }, hrTime(q0 + 40));
    call.setStatus({ code: SpanStatusCode.ERROR, message: 'socket hang up' });
    call.end(hrTime(q0 + 45));
    lookup.end(hrTime(q0 + 46));
    server.setStatus({ code: SpanStatusCode.ERROR });
    server.end(hrTime(q0 + 50));
  });
  await send(fx, production);
  const staging = makeSpans('orders', 'staging', rev, (t) => {
    for (let i = 0; i < 2; i++) {
      const s = t.startSpan('POST /orders', { kind: SpanKind.SERVER, startTime: hrTime(t0 + i * 1000), attributes: codeAttrs(fx, 'createOrder', 'src/orders.js', 1) });
      s.end(hrTime(t0 + i * 1000 + 50));
    }
  });
  await send(fx, staging);
  return { errorTraceId, quoteTraceId, error };
}
