/**
 * Memory of a receiver under hostile load, measured on the bundled CLI in a child process
 * (VmRSS / VmHWM from /proc), so the test process's own allocations do not count.
 * Needs `node esbuild.config.mjs` first (dist/cli.js).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { cliPath, startChild } from '../../support/harness';
import { DEFAULT_MAX_CONNECTIONS } from '../../../src/core/ingest/limits';

const MB = 1024 * 1024;

function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** The bundled CLI's receiver on a free loopback port, with its process id. */
async function startReceiver(): Promise<{ url: string; port: number; pid: number; stop: () => Promise<void> }> {
  const args = [cliPath, 'serve', '--host', '127.0.0.1', '--port', '0', '--workspace', tmpdir()];
  const started = await startChild(process.execPath, args, { ready: /^Runtime Lens receiver listening on (http:\/\/127\.0\.0\.1:(\d+))$/ });
  return { url: started.match[1]!, port: Number(started.match[2]), pid: started.child.pid!, stop: started.stop };
}

test('16 concurrent gzip bombs: each gets 413 or 503 and the receiver stays under 512 MB', async () => {
  const server = await startReceiver();
  const pid = server.pid;
  try {
    const before = memoryOf(pid);
    // 1 GB of zeros compresses to ~1 MB: far under the 64 MiB cap on the wire, far over it inflated.
    const bomb = gzipSync(Buffer.alloc(1024 * MB), { level: 9 });
    const statuses = await Promise.all(
      Array.from({ length: 16 }, () =>
        fetch(`${server.url}/v1/traces`, { method: 'POST', body: bomb, headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' } }).then(async (r) => {
          await r.arrayBuffer();
          if (r.status === 503) assert.ok(r.headers.get('retry-after'), 'a shed request says when to retry');
          return r.status;
        }),
      ),
    );
    for (const s of statuses) assert.ok(s === 413 || s === 503, `a bomb gets 413 or 503, got ${s}`);
    const during = memoryOf(pid);
    assert.ok(during.hwm < 512 * MB, `peak RSS ${Math.round(during.hwm / MB)} MB (started at ${Math.round(before.rss / MB)} MB)`);
    // Giving the memory back is up to V8's collector (the buffers are garbage once answered); not asserted here.
    const after = memoryOf(pid);
    console.log(`gzip bombs: RSS ${Math.round(before.rss / MB)} MB before, peak ${Math.round(during.hwm / MB)} MB, ${Math.round(after.rss / MB)} MB after`);
  } finally {
    await server.stop();
  }
});

test('connections beyond the cap are closed at once and do not grow memory', async () => {
  const server = await startReceiver();
  const pid = server.pid;
  const sockets: net.Socket[] = [];
  try {
    const before = memoryOf(pid);
    const extra = 300;
    let closedByServer = 0;
    await Promise.all(
      Array.from(
        { length: DEFAULT_MAX_CONNECTIONS + extra },
        () =>
          new Promise<void>((resolve) => {
            const s = net.connect(server.port, '127.0.0.1');
            sockets.push(s);
            s.on('error', () => undefined);
            s.on('close', () => {
              closedByServer++;
            });
            // A slow client: half a request line, then nothing.
            s.on('connect', () => {
              s.write('POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\n');
              resolve();
            });
          }),
      ),
    );
    const deadline = Date.now() + 20_000;
    while (closedByServer < extra && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(closedByServer >= extra, `${closedByServer} of the ${extra} connections past the cap were closed`);
    for (const s of sockets) s.destroy();
    const after = memoryOf(pid);
    assert.ok(after.hwm < before.rss + 128 * MB, `peak RSS ${Math.round(after.hwm / MB)} MB, before ${Math.round(before.rss / MB)} MB`);
  } finally {
    for (const s of sockets) s.destroy();
    await server.stop();
  }
});
