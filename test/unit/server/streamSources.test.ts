// The stream reads a TelemetrySource, not a store: a source that cannot say what changed makes it
// send `changed` with `all`; a composite of the embedded receiver and such a source pushes both.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import type { StatusResponse } from '../../../src/core/api/signals';
import { signalsAnswer } from '../../support/signalsAnswer';
import type { StreamMessage } from '../../../src/core/api/streamProtocol';
import { StreamClient } from '../../../src/core/client/streamClient';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { StreamHub } from '../../../src/core/server/streamHub';
import { CompositeSource } from '../../../src/core/sources/compositeSource';
import { MemorySource } from '../../../src/core/sources/memorySource';
import type { TelemetrySource } from '../../../src/core/sources/telemetrySource';
import { hrTime, makeSpans, sendSpans } from './sdkSend';

const status = { version: '0.1.0', listening: '', spansAccepted: 0, spansProcessed: 0 } as StatusResponse;
const empty = signalsAnswer();

/** A hub for `source` on its own loopback server, read through the core stream client. */
async function serve(source: TelemetrySource) {
  const hub = new StreamHub(source, () => status);
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (!hub.handleUpgrade(req, socket, head, new URL(req.url ?? '/', 'http://x'))) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const messages: StreamMessage[] = [];
  const waiters: { match: (m: StreamMessage) => boolean; resolve: () => void }[] = [];
  const client = new StreamClient(
    { server: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` },
    {
      message: (m) => {
        messages.push(m);
        for (const w of waiters.filter((w) => w.match(m))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      },
    },
  );
  const next = (match: (m: StreamMessage) => boolean) =>
    new Promise<void>((resolve) => {
      if (messages.some(match)) resolve();
      else waiters.push({ match, resolve });
    });
  client.start();
  await next((m) => m.type === 'hello');
  return {
    hub,
    messages,
    next,
    stop: async () => {
      client.close();
      await hub.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('a source that cannot say what changed gives `changed` with `all`; the source is listened to only while clients are connected', async () => {
  const memory = new MemorySource({ answers: new Map([['5m', empty]]) });
  const s = await serve(memory);
  try {
    assert.equal(s.hub.active, true);
    memory.replace({ answers: new Map([['5m', { ...empty, generatedAt: 1 }]]) });
    await s.next((m) => m.type === 'changed');
    const changed = s.messages.find((m) => m.type === 'changed');
    assert.deepEqual(changed && { ...changed, at: 0 }, { type: 'changed', files: [], environments: [], at: 0, all: true });
  } finally {
    await s.stop();
  }
  assert.equal(s.hub.active, false, 'no client, no subscription');
});

const root = mkdtempSync(path.join(os.tmpdir(), 'rl-stream-sources-'));
after(() => rmSync(root, { recursive: true, force: true }));

test("a composite of the embedded receiver and a polled source pushes the receiver's files and the other's generic changes", async () => {
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/pay.js'), 'function charge(card) {\n  return card.amount;\n}\n');
  const rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: root, decodeWorkers: 0 });
  await rx.start();
  await rx.indexReady;
  const memory = new MemorySource({ answers: new Map([['5m', empty]]) });
  const s = await serve(
    new CompositeSource([
      { source: rx.source, name: 'embedded' },
      { source: memory, name: 'prometheus' },
    ]),
  );
  try {
    const t0 = Date.now() - 1_000;
    const spans = makeSpans(
      'payments',
      (tracer) => {
        const span = tracer.startSpan('charge', { kind: SpanKind.SERVER, startTime: hrTime(t0), attributes: { 'code.function.name': 'charge', 'code.file.path': '/srv/src/pay.js', 'code.line.number': 1 } });
        span.end(hrTime(t0 + 20));
      },
      'staging',
    );
    await sendSpans(`http://127.0.0.1:${rx.receiver.address()!.port}`, spans);
    await s.next((m) => m.type === 'changed' && m.files.includes('src/pay.js'));
    const detailed = s.messages.find((m) => m.type === 'changed' && m.files.includes('src/pay.js'));
    assert.deepEqual(detailed && { ...detailed, at: 0 }, { type: 'changed', files: ['src/pay.js'], environments: ['staging'], at: 0 }, 'the receiver says what changed: no `all`');

    memory.replace({ answers: new Map([['5m', { ...empty, generatedAt: 2 }]]) });
    await s.next((m) => m.type === 'changed' && m.all === true);
  } finally {
    await s.stop();
    await rx.stop();
  }
});
