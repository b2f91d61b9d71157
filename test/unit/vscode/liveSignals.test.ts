import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ErrorSignal, SignalsResponse, StatusResponse } from '../../../src/core/api/signals';
import type { StreamMessage } from '../../../src/core/api/streamProtocol';
import { silentLogger } from '../../../src/core/logger';
import { LiveSignals } from '../../../src/vscode/liveSignals';
import type { ReceiverState } from '../../../src/vscode/liveSignalsSource';
import { ReceiverController } from '../../../src/vscode/receiverController';
import { codeSpansJson, nowNs, postTraces, type CodeSpan } from '../../support/otlpJson';

const status: StatusResponse = {
  version: '0.1.0',
  listening: '',
  workspace: '/ws',
  startedAt: 1,
  spansAccepted: 0,
  spansProcessed: 0,
  spansRejected: 0,
  logsAccepted: 0,
  logsProcessed: 0,
  queueDepth: 0,
  spansPerSecond: 0,
  services: 0,
  mappedPercent: 0,
};

/** A scripted read API on loopback: real HTTP and a real WebSocket, answers the test controls. */
class ScriptedReceiver {
  readonly requests: URL[] = [];
  /** Function count each /api/signals answer reports for its file. */
  count = 1;
  /** When set, /api/signals answers a count that is not a number (a foreign or broken server). */
  malformed = false;
  hellos = 0;
  private readonly server = http.createServer((req, res) => this.answer(req, res));
  private readonly wss = new WebSocketServer({ noServer: true });
  endpoint = '';

  async start(): Promise<void> {
    this.server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/api/stream') {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.hellos++;
        ws.send(JSON.stringify({ type: 'hello', status } satisfies StreamMessage));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  send(message: StreamMessage): void {
    for (const ws of this.wss.clients) ws.send(JSON.stringify(message));
  }

  dropClients(): void {
    for (const ws of this.wss.clients) (ws as WebSocket).terminate();
  }

  signalRequests(file?: string): URL[] {
    return this.requests.filter((u) => u.pathname === '/api/signals' && (file === undefined || u.searchParams.get('file') === file));
  }

  async stop(): Promise<void> {
    this.dropClients();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.endpoint);
    this.requests.push(url);
    if (url.pathname === '/api/traces/0af7651916cd43dd8448eb211c80319c') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ traceId: '0af7651916cd43dd8448eb211c80319c', spans: [] }));
    }
    if (url.pathname.startsWith('/api/traces/')) return void res.writeHead(404).end('{"error":"not held"}');
    const file = url.searchParams.get('file') ?? 'src/a.ts';
    const body: SignalsResponse = {
      window: url.searchParams.get('window') ?? '5m',
      environment: url.searchParams.get('environment') ?? 'production',
      environments: ['production', 'staging'],
      generatedAt: Date.now(),
      operations: [],
      errors: [],
      unmapped: [],
      calls: [],
      evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
      functions: [
        {
          service: 'shop',
          environment: 'production',
          function: 'f',
          file,
          line: 1,
          mappedBy: 'code-attributes',
          confidence: 1,
          exemplars: [],
          count: this.count,
          errors: 0,
          errorRate: 0,
          ratePerMin: 1,
          p50Ms: 1,
          p95Ms: 2,
          p99Ms: 3,
        },
      ],
    };
    if (this.malformed) (body.functions[0] as unknown as { count: string }).count = 'many';
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

function nextEvent<T>(subscribe: (listener: (e: T) => void) => { dispose(): void }, matching: (e: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const sub = subscribe((e) => {
      if (!matching(e)) return;
      sub.dispose();
      resolve(e);
    });
  });
}

async function connected(options: ConstructorParameters<typeof LiveSignals>[2] = {}, environment?: string): Promise<{ server: ScriptedReceiver; live: LiveSignals }> {
  const server = new ScriptedReceiver();
  await server.start();
  const live = new LiveSignals({ window: '5m', environment }, silentLogger, options);
  const hello = nextEvent<ReceiverState>(live.onDidChangeState, () => server.hellos > 0);
  live.connect(server.endpoint, false, status);
  await hello;
  return { server, live };
}

test('answers from the cache until the file changes; a change is refetched before it is announced', async () => {
  const { server, live } = await connected();
  try {
    assert.equal(live.state.kind, 'running');
    assert.equal((await live.signals({ file: 'src/a.ts' }))?.functions[0].count, 1);
    assert.equal((await live.signals({ file: 'src/a.ts' }))?.functions[0].count, 1);
    assert.equal(server.signalRequests('src/a.ts').length, 1, 'the second answer came from memory');

    server.count = 7;
    const changed = nextEvent(live.onDidChangeSignals);
    server.send({ type: 'changed', files: ['src/a.ts', 'src/other.ts'], environments: ['production'], at: Date.now() });
    const event = await changed;
    assert.deepEqual(event.files.sort(), ['src/a.ts', 'src/other.ts']);
    // Already fetched when the event fires, so a provider asked again reads it from memory.
    assert.equal(server.signalRequests('src/a.ts').length, 2);
    assert.equal(live.cached({ file: 'src/a.ts' })?.functions[0].count, 7);
    assert.equal((await live.signals({ file: 'src/a.ts' }))?.functions[0].count, 7);
    assert.equal(server.signalRequests('src/a.ts').length, 2);
  } finally {
    live.dispose();
    await server.stop();
  }
});

test("an answer that is not the read API's is refused with one warning naming the field, and the last good answer stays", async () => {
  const warnings: string[] = [];
  const server = new ScriptedReceiver();
  await server.start();
  const live = new LiveSignals({ window: '5m', environment: undefined }, { ...silentLogger, warn: (m: string) => warnings.push(m) }, {});
  const hello = nextEvent<ReceiverState>(live.onDidChangeState, () => server.hellos > 0);
  live.connect(server.endpoint, false, status);
  await hello;
  try {
    assert.equal((await live.signals({ file: 'src/a.ts' }))?.functions[0].count, 1);
    server.malformed = true;
    server.count = 9;
    const changed = nextEvent(live.onDidChangeSignals);
    server.send({ type: 'changed', files: ['src/a.ts'], environments: ['production'], at: Date.now() });
    await changed;
    assert.equal(live.cached({ file: 'src/a.ts' })?.functions[0].count, 1, 'the refused answer replaced the good one');
    assert.ok(
      warnings.some((w) => /functions\[0\]\.count is string, not a finite number/.test(w)),
      JSON.stringify(warnings),
    );
  } finally {
    live.dispose();
    await server.stop();
  }
});

test('a burst of changes gives one event after the first (debounced), carrying every file', async () => {
  const { server, live } = await connected({ debounceMs: 1000 });
  try {
    await live.signals({ file: 'src/a.ts' });
    const events: string[][] = [];
    live.onDidChangeSignals((e) => events.push(e.files));
    const first = nextEvent(live.onDidChangeSignals);
    server.send({ type: 'changed', files: ['src/a.ts'], environments: [], at: 1 });
    await first;
    const second = nextEvent(live.onDidChangeSignals);
    for (let i = 0; i < 10; i++) server.send({ type: 'changed', files: [`src/f${i}.ts`], environments: [], at: 2 + i });
    await second;
    assert.equal(events.length, 2);
    assert.deepEqual(events[1].sort(), Array.from({ length: 10 }, (_, i) => `src/f${i}.ts`).sort());
  } finally {
    live.dispose();
    await server.stop();
  }
});

test('changes for another environment than the selected one are ignored', async () => {
  const { server, live } = await connected({}, 'staging');
  try {
    const event = nextEvent(live.onDidChangeSignals);
    server.send({ type: 'changed', files: ['src/prod-only.ts'], environments: ['production'], at: 1 });
    server.send({ type: 'changed', files: ['src/staging.ts'], environments: ['staging'], at: 2 });
    assert.deepEqual((await event).files, ['src/staging.ts']);
  } finally {
    live.dispose();
    await server.stop();
  }
});

test('the stream reconnects after it drops, status and new error groups come through', async () => {
  const { server, live } = await connected({ reconnectMinMs: 20 });
  try {
    const statuses: number[] = [];
    live.onDidChangeState((s) => s.kind === 'running' && statuses.push(s.status.spansPerSecond));
    const again = nextEvent(live.onDidChangeState, () => server.hellos === 2);
    server.dropClients();
    await again;
    assert.equal(live.state.kind, 'running');

    const tick = nextEvent(live.onDidChangeState, (s) => s.kind === 'running' && s.status.spansPerSecond === 42);
    server.send({ type: 'status', status: { ...status, spansPerSecond: 42 } });
    await tick;

    const error: ErrorSignal = {
      service: 'shop',
      environment: 'production',
      function: 'f',
      file: 'src/a.ts',
      line: 3,
      type: 'TypeError',
      message: 'boom',
      count: 1,
      totalCount: 1,
      firstSeen: 1,
      lastSeen: 1,
      mappedBy: 'stacktrace',
      stacktrace: '',
      traceIds: [],
    };
    const received = nextEvent(live.onNewErrorGroup);
    server.send({ type: 'newErrorGroup', error });
    assert.equal((await received).message, 'boom');
  } finally {
    live.dispose();
    await server.stop();
  }
});

test('queries carry the selection; whole-workspace queries ask for the top rows only; selection changes drop the cache', async () => {
  const { server, live } = await connected();
  try {
    await live.signals({});
    await live.signals({ file: 'src/a.ts', perMinute: true });
    const [whole, file] = server.signalRequests();
    assert.equal(whole.searchParams.get('top'), '25');
    assert.equal(whole.searchParams.get('window'), '5m');
    assert.equal(whole.searchParams.has('environment'), false, 'no environment selected: the receiver picks');
    assert.equal(file.searchParams.has('top'), false);
    assert.equal(file.searchParams.get('perMinute'), '1');

    const selected = nextEvent(live.onDidChangeSelection);
    live.setWindow('1h');
    assert.deepEqual(await selected, { window: '1h', environment: undefined });
    live.setEnvironment('staging');
    assert.equal(live.cached({ file: 'src/a.ts', perMinute: true }), undefined);
    await live.signals({ file: 'src/a.ts' });
    const last = server.signalRequests().at(-1)!;
    assert.equal(last.searchParams.get('window'), '1h');
    assert.equal(last.searchParams.get('environment'), 'staging');
  } finally {
    live.dispose();
    await server.stop();
  }
});

test('traces: held, gone, and malformed ids; after disconnect nothing is asked', async () => {
  const { server, live } = await connected();
  try {
    assert.deepEqual(await live.trace('0af7651916cd43dd8448eb211c80319c'), { traceId: '0af7651916cd43dd8448eb211c80319c', spans: [] });
    assert.equal(await live.trace('1111111111111111'), undefined);
    const before = server.requests.length;
    assert.equal(await live.trace('../api/status'), undefined);
    assert.equal(server.requests.length, before);

    live.disconnect();
    assert.equal(live.state.kind, 'stopped');
    assert.equal(await live.signals({ file: 'src/a.ts' }), undefined);
    assert.equal(server.requests.length, before);
  } finally {
    live.dispose();
    await server.stop();
  }
});

const tmp = mkdtempSync(path.join(tmpdir(), 'rl-live-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('end to end: the real receiver as a child process, OTLP in, a change event and fresh figures out', async () => {
  const workspace = path.join(tmp, 'ws');
  mkdirSync(path.join(workspace, 'src'), { recursive: true });
  writeFileSync(path.join(workspace, 'src', 'orders.js'), 'function createOrder(input) {\n  return { id: 1, ...input };\n}\n\nmodule.exports = { createOrder };\n');
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  const live = new LiveSignals({ window: '5m', environment: undefined }, silentLogger);
  const errors: string[] = [];
  const controller = new ReceiverController(
    live,
    () => ({
      host: '127.0.0.1',
      port,
      workspace,
      snapshotFile: '',
      tokenFile: path.join(tmp, `receiver-${port}.token`),
      cliPath: path.resolve(__dirname, '..', '..', '..', 'src', 'cli.ts'),
      execArgv: ['--import', 'tsx'],
      portSetting: 'runtimeLens.receiver.port',
    }),
    silentLogger,
    (m) => errors.push(m),
  );
  try {
    const states: string[] = [];
    live.onDidChangeState((s) => states.push(s.kind));
    await controller.start();
    assert.deepEqual(errors, []);
    assert.equal(live.state.kind, 'running');
    assert.deepEqual(states.slice(0, 2), ['starting', 'running']);
    assert.deepEqual((await live.signals({ file: 'src/orders.js' }))?.functions, []);

    // Connecting announces the files already cached, so wait for the event whose figures include the spans:
    // the cache must hold them when the event fires, before any provider asks again.
    const changed = nextEvent(live.onDidChangeSignals, (e) => e.files.includes('src/orders.js') && live.cached({ file: 'src/orders.js' })?.functions.length === 1);
    const now = nowNs();
    const spans = Array.from({ length: 20 }, (_, i): CodeSpan => ({ function: 'createOrder', file: '/srv/app/src/orders.js', line: 2, startNs: now, durationMs: i + 1, error: i < 2 }));
    const res = await postTraces(`http://127.0.0.1:${port}`, codeSpansJson({ 'service.name': 'orders' }, spans));
    assert.equal(res.status, 200);
    await changed;
    const fn = live.cached({ file: 'src/orders.js' })?.functions[0];
    assert.equal(fn?.function, 'createOrder');
    assert.equal(fn?.count, 20);
    assert.equal(fn?.errors, 2);
  } finally {
    await controller.stop();
    live.dispose();
  }
  assert.equal(live.state.kind, 'stopped');
});
