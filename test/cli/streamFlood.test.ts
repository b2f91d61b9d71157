/**
 * 100 WebSocket clients that never read, against the bundled CLI receiver, while error groups
 * stream: clients beyond the cap are refused, the ones that stop reading are dropped, the
 * receiver's memory stays bounded and a client that reads keeps receiving.
 * Needs `node esbuild.config.mjs` first (dist/cli.js).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { WebSocket } from 'ws';
import type { StreamMessage } from '../../src/core/api/streamProtocol';
import { STREAM_MAX_BUFFERED_BYTES, STREAM_MAX_CLIENTS } from '../../src/core/loadLimits';
import { cliPath, startChild } from '../support/harness';

const root = mkdtempSync(path.join(os.tmpdir(), 'rl-flood-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Error messages differ in letters: digits would be normalized into one group. */
function letters(n: number): string {
  let text = '';
  do {
    text += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  } while (n > 0);
  return text;
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** Spans that each open a new error group with a ~30 KB stack trace (the largest stacks are kept whole). */
function errorBatch(seq: number): string {
  const frames = Array.from({ length: 300 }, (_, i) => `    at handler${i} (/srv/src/pay.js:${i + 1}:${(seq % 50) + 1}) ${'x'.repeat(60)}`).join('\n');
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: 20 }, (_, i) => ({
    traceId: (seq * 20 + i + 1).toString(16).padStart(32, 'c'),
    spanId: (seq * 20 + i + 1).toString(16).padStart(16, 'd'),
    name: 'charge',
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
    status: { code: 2 },
    events: [
      {
        name: 'exception',
        timeUnixNano: String(now),
        attributes: [
          { key: 'exception.type', value: { stringValue: 'Error' } },
          { key: 'exception.message', value: { stringValue: `failure ${letters(seq * 20 + i)}` } },
          { key: 'exception.stacktrace', value: { stringValue: `Error: failure ${letters(seq * 20 + i)}\n${frames}` } },
        ],
      },
    ],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'pay' } }] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] });
}

test('non-reading stream clients are refused beyond the cap and dropped once behind; a reader keeps receiving', { timeout: 180_000 }, async () => {
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/pay.js'), 'function charge() {\n  return 1;\n}\n');
  const server = await startChild(process.execPath, [cliPath, 'serve', '--host', '127.0.0.1', '--port', '0', '--workspace', root, '--max-error-groups', '100'], { ready: /listening on (http:\/\/127\.0\.0\.1:(\d+))$/ });
  const url = server.match[1]!;
  const wsUrl = `ws://127.0.0.1:${server.match[2]}/api/stream`;
  const pid = server.child.pid!;
  try {
    const rssBefore = rssMb(pid);
    // One client that reads everything.
    const reader = new WebSocket(wsUrl);
    let readBytes = 0;
    let statuses = 0;
    reader.on('message', (data: Buffer) => {
      readBytes += data.length;
      if ((JSON.parse(String(data)) as StreamMessage).type === 'status') statuses++;
    });
    await new Promise((resolve, reject) => reader.once('open', resolve).once('error', reject));

    // 100 clients that never read: each pauses its socket as soon as it is open.
    const opened: WebSocket[] = [];
    const closed = new Set<WebSocket>();
    let refused = 0;
    await Promise.all(
      Array.from(
        { length: 100 },
        () =>
          new Promise<void>((resolve) => {
            const ws = new WebSocket(wsUrl);
            ws.once('open', () => {
              (ws as unknown as { _socket: { pause(): void } })._socket.pause();
              opened.push(ws);
              resolve();
            });
            ws.once('unexpected-response', (_req, res) => {
              if (res.statusCode === 503) refused++;
              res.resume();
              ws.terminate();
              resolve();
            });
            ws.once('close', () => closed.add(ws));
            ws.on('error', () => resolve());
          }),
      ),
    );
    assert.ok(opened.length <= STREAM_MAX_CLIENTS - 1, `${opened.length} non-readers connected`);
    assert.equal(refused, 100 - opened.length, 'the rest were refused with 503');

    // Errors stream until the reader has read far more than any client may leave unread (plus what
    // the kernel's socket buffers hold), so every paused client must have been dropped.
    const target = STREAM_MAX_BUFFERED_BYTES + 12 * 1024 * 1024;
    let rssPeak = 0;
    for (let seq = 0; readBytes < target; seq++) {
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', body: errorBatch(seq), headers: { 'Content-Type': 'application/json' } });
      await res.arrayBuffer();
      if (res.status === 429) await new Promise((r) => setTimeout(r, 50));
      else assert.equal(res.status, 200);
      rssPeak = Math.max(rssPeak, rssMb(pid));
    }
    rssPeak = Math.max(rssPeak, rssMb(pid));

    // Resumed, a dropped client reads what the kernel held, then sees its connection closed.
    for (const ws of opened) (ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const statusesAtResume = statuses;
    while (closed.size < opened.length + refused && statuses < statusesAtResume + 3) await new Promise((r) => setTimeout(r, 50));
    const dropped = opened.filter((ws) => closed.has(ws)).length;
    assert.equal(dropped, opened.length, 'every non-reading client was dropped');
    // The store keeps at most 100 error groups (--max-error-groups), so what grows here is what the
    // receiver buffers for its clients; generous, since RSS also holds the decode workers' heaps.
    assert.ok(rssPeak - rssBefore < 300, `receiver RSS grew from ${rssBefore.toFixed(0)} to ${rssPeak.toFixed(0)} MB`);
    assert.equal(reader.readyState, WebSocket.OPEN, 'the reader is still connected');
    const seen = statuses;
    while (statuses < seen + 1) await new Promise((r) => setTimeout(r, 50));
    console.log(`refused ${refused}, dropped ${dropped}, reader read ${(readBytes / 1048576).toFixed(1)} MiB, RSS ${rssBefore.toFixed(0)} -> peak ${rssPeak.toFixed(0)} MB`);
    reader.close();
    for (const ws of opened) ws.terminate();
  } finally {
    await server.stop();
  }
});
