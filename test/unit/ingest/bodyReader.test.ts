import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { readBody } from '../../../src/core/ingest/bodyReader';

async function roundTrip(body: Buffer, headers: Record<string, string>): Promise<Buffer> {
  let got: Buffer | undefined;
  const server = http.createServer(async (req, res) => {
    got = await readBody(req, 1 << 20);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: 'POST', body, headers });
  server.close();
  return got!;
}

test('bodies come back whole, owning their memory, and can be transferred to a worker', async () => {
  const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
  for (const [body, headers] of [
    [payload, {}],
    [gzipSync(payload), { 'Content-Encoding': 'gzip' }],
  ] as const) {
    const got = await roundTrip(body, headers);
    assert.ok(got.equals(payload));
    assert.equal(got.byteOffset, 0);
    assert.equal(got.buffer.byteLength, got.length, 'the body owns its whole ArrayBuffer');
    const worker = new Worker('require("node:worker_threads").parentPort.on("message", (b) => { require("node:worker_threads").parentPort.postMessage(b.length); })', { eval: true });
    const echoed = new Promise<number>((r) => worker.once('message', r));
    worker.postMessage(got, [got.buffer as ArrayBuffer]);
    assert.equal(got.buffer.byteLength, 0, 'transferred (detached here)');
    assert.equal(await echoed, payload.length);
    await worker.terminate();
  }
});

test('a body that inflates past the ratio limit is refused once that is clear; a repetitive real export is not', async () => {
  const inflated: number[] = [];
  const server = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req, 64 << 20);
      inflated.push(body.length);
      res.end('ok');
    } catch (err) {
      res.statusCode = (err as { status?: number }).status ?? 500;
      res.end((err as Error).message);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    // 32 MiB of zeros: about 1,030:1, under the 64 MiB cap, so only the ratio can refuse it.
    const bomb = await fetch(url, { method: 'POST', body: gzipSync(Buffer.alloc(32 << 20), { level: 9 }), headers: { 'Content-Encoding': 'gzip' } });
    assert.equal(bomb.status, 413);
    assert.match(await bomb.text(), /inflates more than \d+:1/);
    // 1,000 spans sharing one 4 KB attribute: about 300:1, the most repetitive export we know of.
    const span = (i: number) => ({
      traceId: 'a'.repeat(32),
      spanId: String(i).padStart(16, '0'),
      name: 'SELECT',
      kind: 3,
      attributes: [{ key: 'db.statement', value: { stringValue: 'SELECT x FROM t WHERE '.repeat(200) } }],
    });
    const repetitive = Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: 1000 }, (_, i) => span(i)) }] }] }));
    const ok = await fetch(url, { method: 'POST', body: gzipSync(repetitive, { level: 9 }), headers: { 'Content-Encoding': 'gzip' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(inflated, [repetitive.length]);
  } finally {
    server.close();
  }
});
