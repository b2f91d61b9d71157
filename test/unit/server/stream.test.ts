import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { WebSocket } from 'ws';
import type { StreamMessage } from '../../../src/core/api/streamProtocol';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { hrTime, makeSpans, sendSpans } from './sdkSend';

const TOKEN = 'stream-secret';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const root = mkdtempSync(path.join(os.tmpdir(), 'rl-stream-'));
let rx: EmbeddedReceiver;
let base = '';

before(async () => {
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/pay.js'), 'function charge(card) {\n  return card.amount;\n}\n\nfunction refund(card) {\n  return -card.amount;\n}\n');
  rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: root, token: TOKEN, decodeWorkers: 0 });
  await rx.start();
  await rx.indexReady;
  base = `http://127.0.0.1:${rx.receiver.address()!.port}`;
});
after(async () => {
  await rx.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A client that queues every message, with a way to wait for the next one matching a test. */
class Client {
  readonly messages: StreamMessage[] = [];
  private waiters: { match: (m: StreamMessage) => boolean; resolve: (m: StreamMessage) => void }[] = [];
  readonly closed: Promise<number>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as StreamMessage;
      this.messages.push(m);
      for (const w of this.waiters.filter((w) => w.match(m))) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(m);
      }
    });
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  }
  /** The first message from index `from` on that matches, waiting for it when needed (the test runner's timeout bounds the wait). */
  next<T extends StreamMessage['type']>(type: T, from = 0, match: (m: Extract<StreamMessage, { type: T }>) => boolean = () => true): Promise<Extract<StreamMessage, { type: T }>> {
    const test = (m: StreamMessage) => m.type === type && match(m as Extract<StreamMessage, { type: T }>);
    const seen = this.messages.slice(from).find(test);
    if (seen) return Promise.resolve(seen as Extract<StreamMessage, { type: T }>);
    return new Promise((resolve) => this.waiters.push({ match: test, resolve: resolve as (m: StreamMessage) => void }));
  }
}

function connect(pathname: string, headers: Record<string, string>): Promise<Client | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${rx.receiver.address()!.port}${pathname}`, { headers });
    const client = new Client(ws);
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 20));
}

const code = (fn: string, line: number) => ({ 'code.function.name': fn, 'code.file.path': '/srv/src/pay.js', 'code.line.number': line });

test('only /api/stream upgrades, and only with the bearer token', async () => {
  assert.deepEqual(await connect('/api/stream', {}), { status: 401 });
  assert.deepEqual(await connect('/api/other', AUTH), { status: 404 });
  assert.deepEqual(await connect('/v1/traces', AUTH), { status: 404 });
  assert.equal(rx.stream.active, false, 'no client, no timers');
});

test('hello on connect, status every second, changed files after new spans, newErrorGroup once per new group', async () => {
  const client = await connect('/api/stream', AUTH);
  assert.ok(client instanceof Client);
  const hello = await client.next('hello');
  assert.equal(hello.status.workspace, path.resolve(root));
  assert.equal(rx.stream.active, true);
  assert.equal(client.messages[0].type, 'hello', 'hello comes first');

  const t0 = Date.now() - 2_000;
  const spans = makeSpans(
    'payments',
    (tracer) => {
      const ok = tracer.startSpan('charge', { kind: SpanKind.SERVER, startTime: hrTime(t0), attributes: code('charge', 1) });
      ok.end(hrTime(t0 + 20));
      for (let i = 0; i < 2; i++) {
        const failing = tracer.startSpan('refund', { kind: SpanKind.SERVER, startTime: hrTime(t0 + 100 + i), attributes: code('refund', 5) });
        failing.recordException({ name: 'RangeError', message: 'refund exceeds charge' }, hrTime(t0 + 110 + i));
        failing.setStatus({ code: SpanStatusCode.ERROR });
        failing.end(hrTime(t0 + 120 + i));
      }
    },
    'staging',
  );
  const before = client.messages.length;
  await sendSpans(base, spans, AUTH);

  const changed = await client.next('changed', before);
  assert.deepEqual(changed.files, ['src/pay.js']);
  assert.deepEqual(changed.environments, ['staging']);
  const group = await client.next('newErrorGroup', before);
  assert.deepEqual([group.error.type, group.error.message, group.error.file, group.error.function, group.error.environment], ['RangeError', 'refund exceeds charge', 'src/pay.js', 'refund', 'staging']);
  const status = await client.next('status', before, (m) => m.status.spansProcessed >= 3);
  assert.equal(status.status.spansProcessed, 3);

  // With nothing new, two status ticks pass with no further `changed` (one group, so one newErrorGroup).
  const quiet = client.messages.length;
  await client.next('status', quiet);
  const afterTick = client.messages.length;
  await client.next('status', afterTick);
  assert.deepEqual(
    client.messages
      .slice(quiet)
      .map((m) => m.type)
      .filter((t) => t !== 'status'),
    [],
  );
  assert.equal(client.messages.filter((m) => m.type === 'newErrorGroup').length, 1);

  client.ws.close();
  await client.closed;
  await until(() => !rx.stream.active);
  assert.equal(rx.stream.clients, 0);
});

test('stopping the receiver closes connected clients', async () => {
  const extra = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, decodeWorkers: 0 });
  await extra.start();
  const ws = new WebSocket(`ws://127.0.0.1:${extra.receiver.address()!.port}/api/stream`);
  const client = new Client(ws);
  await client.next('hello');
  assert.equal(extra.stream.clients, 1);
  await extra.stop();
  assert.equal(await client.closed, 1001);
  assert.equal(extra.stream.active, false);
});
