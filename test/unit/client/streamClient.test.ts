import assert from 'node:assert/strict';
import * as http from 'node:http';
import type * as net from 'node:net';
import { test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StreamMessage } from '../../../src/core/api/streamProtocol';
import { StreamClient } from '../../../src/core/client/streamClient';
import { parseStreamMessage } from '../../../src/core/client/streamMessages';
import { silentLogger } from '../../../src/core/logger';

const status = { version: '0.1.0', listening: '', spansAccepted: 0, spansProcessed: 0 };

/** A stream server on loopback that records the upgrade's Authorization header and sends what the test says. */
async function server(onClient: (ws: WebSocket, n: number) => void) {
  const auth: (string | undefined)[] = [];
  const http1 = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  http1.on('upgrade', (req, socket, head) => {
    auth.push(req.headers.authorization);
    if (req.url !== '/api/stream') return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => onClient(ws, auth.length));
  });
  await new Promise<void>((resolve) => http1.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http1.address() as net.AddressInfo).port}`,
    auth,
    stop: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => http1.close(() => resolve()));
    },
  };
}

test('messages are checked: good ones delivered, bad ones dropped with one warning per connection, unknown types counted', async () => {
  const srv = await server((ws) => {
    ws.send(JSON.stringify({ type: 'hello', status }));
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'changed', files: ['a.ts', 3], environments: [], at: 1 }));
    ws.send(JSON.stringify({ type: 'newErrorGroup', error: { type: 'TypeError' } }));
    ws.send(JSON.stringify({ type: 'futureThing', x: 1 }));
    ws.send(JSON.stringify({ type: 'changed', files: ['src/a.ts'], environments: ['prod'], at: 2, all: true }));
  });
  const warnings: string[] = [];
  const got: StreamMessage[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const client = new StreamClient(
    { server: srv.url, token: 's3cret', logger: { ...silentLogger, warn: (m: string) => warnings.push(m) } },
    {
      message: (m) => {
        got.push(m);
        if (m.type === 'changed') done();
      },
    },
  );
  try {
    client.start();
    await finished;
    assert.deepEqual(
      got.map((m) => m.type),
      ['hello', 'changed'],
    );
    assert.deepEqual(got[1], { type: 'changed', files: ['src/a.ts'], environments: ['prod'], at: 2, all: true });
    assert.deepEqual(client.counters, { opened: 1, invalid: 3, unknown: 1 });
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0], /^stream ws:\/\/127\.0\.0\.1:\d+\/api\/stream: message ignored: a stream message is not JSON$/);
    assert.deepEqual(srv.auth, ['Bearer s3cret']);
  } finally {
    client.close();
    await srv.stop();
  }
});

test('a dropped stream reconnects; close stops reconnecting', async () => {
  let connections = 0;
  const srv = await server((ws, n) => {
    connections = n;
    ws.send(JSON.stringify({ type: 'hello', status: { ...status, spansProcessed: n } }));
    if (n === 1) setImmediate(() => ws.terminate());
  });
  const hellos: number[] = [];
  let second!: () => void;
  const reconnected = new Promise<void>((r) => (second = r));
  const closes: number[] = [];
  const client = new StreamClient(
    { server: srv.url, reconnectMinMs: 10, reconnectMaxMs: 20 },
    {
      message: (m) => {
        if (m.type === 'hello') hellos.push(m.status.spansProcessed);
        if (hellos.length === 2) second();
      },
      closed: (delay) => closes.push(delay),
    },
  );
  try {
    client.start();
    await reconnected;
    assert.deepEqual(hellos, [1, 2]);
    assert.equal(closes.length, 1);
    assert.ok(closes[0] >= 8 && closes[0] <= 10, `first delay ${closes[0]} ms: the minimum, less up to 20% jitter`);
    client.close();
    assert.equal(connections, 2);
  } finally {
    client.close();
    await srv.stop();
  }
});

test('one line naming the field for each kind of bad message', () => {
  const bad: [string, RegExp][] = [
    ['[]', /not an object/],
    ['{"type":1}', /has no type/],
    ['{"type":"status"}', /status\.status: is nothing, not an object$/],
    ['{"type":"status","status":{"version":"1","listening":"","spansAccepted":"x","spansProcessed":0}}', /status\.status: spansAccepted is string, not a finite number$/],
    ['{"type":"changed","files":[],"environments":[],"at":"now"}', /changed\.at is not a finite number/],
    ['{"type":"changed","files":[],"environments":[],"at":1,"all":"yes"}', /changed\.all is not true or false/],
    ['{"type":"newErrorGroup","error":{"type":"E"}}', /newErrorGroup\.error\.service is nothing, not a string$/],
  ];
  for (const [text, why] of bad) assert.throws(() => parseStreamMessage(text), why, text);
  assert.throws(() => new StreamClient({ server: 'ftp://x' }, { message: () => undefined }), /not an http\(s\) URL/);
});
