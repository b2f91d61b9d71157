/**
 * Entry of a decode worker thread (bundled to dist/decodeWorker.js): decodes request bodies the
 * receiver hands over and posts each batch back in columns (see spanColumns.ts).
 */
import { parentPort } from 'node:worker_threads';
import { decodeRequest } from './otlpDecode';
import type { DecodeRequest, DecodeReply } from './decodePool';
import { DecodeError } from './records';
import { packBatch, StringTableWriter } from './spanColumns';

const port = parentPort;
if (port === null) throw new Error('decodeWorker runs as a worker thread');

const table = new StringTableWriter();

port.on('message', (msg: DecodeRequest) => {
  let reply: DecodeReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const packed = packBatch(decodeRequest(msg.signal, msg.encoding, msg.body), table);
    reply = { id: msg.id, batch: packed.batch };
    transfer = packed.transfer;
  } catch (err) {
    reply = { id: msg.id, error: (err as Error).message, decodeError: err instanceof DecodeError };
  }
  port.postMessage(reply, transfer);
});
