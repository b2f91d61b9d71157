/**
 * Entry of a decode worker thread (bundled to dist/decodeWorker.js): decodes request bodies the
 * receiver hands over and posts each batch back in columns (see spanColumns.ts).
 */
import { parentPort } from 'node:worker_threads';
import { decodeRequest } from './otlpDecode';
import type { DecodeRequest, DecodeReply } from './decodePool';
import { DecodeError, TooManyItemsError } from './records';
import { packBatch, StringTableWriter } from './spanColumns';

const port = parentPort;
if (port === null) throw new Error('decodeWorker runs as a worker thread');

const table = new StringTableWriter();
/** Column buffers the main thread is done with, packed into again (no allocation per batch). */
const spares: ArrayBuffer[] = [];
const SPARES_KEPT = 4;

port.on('message', (msg: DecodeRequest) => {
  for (const b of msg.spares ?? []) if (spares.length < SPARES_KEPT) spares.push(b);
  let reply: DecodeReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const decoded = decodeRequest(msg.signal, msg.encoding, msg.body);
    const packed = packBatch(decoded, table, (need) => {
      const at = spares.findIndex((b) => b.byteLength >= need);
      return at >= 0 ? spares.splice(at, 1)[0] : undefined;
    });
    reply = { id: msg.id, batch: packed.batch };
    transfer = packed.transfer;
  } catch (err) {
    reply = { id: msg.id, error: (err as Error).message, decodeError: err instanceof DecodeError, tooManyItems: err instanceof TooManyItemsError };
  }
  // The decoded strings are copies: the body's buffer goes back to be read into again.
  const body = msg.body.buffer as ArrayBuffer;
  if (msg.returnBody && !transfer.includes(body)) {
    reply.body = body;
    transfer.push(body);
  }
  port.postMessage(reply, transfer);
});
