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
  for (const [body, headers] of [[payload, {}], [gzipSync(payload), { 'Content-Encoding': 'gzip' }]] as const) {
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
