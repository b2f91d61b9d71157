import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { HttpError } from './httpErrors';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

/**
 * Reads a request body, refusing it with 413 as soon as it passes `maxBytes` on the wire or,
 * once decompressed, while inflating: zlib stops at `maxOutputLength`, so a gzip bomb never
 * allocates more than the cap.
 */
export async function readBody(req: IncomingMessage, maxBytes: number, alloc: BodyAllocator = fresh): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'deflate' && encoding !== 'none') {
    throw new HttpError(415, `unsupported Content-Encoding "${encoding}": use gzip or none`);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const raw = await collect(req, maxBytes, alloc);
  if (encoding !== 'gzip' && encoding !== 'deflate') return raw;
  try {
    const inflated = await (encoding === 'gzip' ? gunzip : inflate)(raw, { maxOutputLength: maxBytes });
    return plainCopy([inflated], inflated.length, alloc);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw tooLarge(maxBytes);
    throw new HttpError(400, `body is not valid ${encoding} data (${(err as Error).message})`);
  }
}

/** Memory for a body of `size` bytes: a view at offset 0 of a buffer nothing else uses. */
export type BodyAllocator = (size: number) => Uint8Array;

const fresh: BodyAllocator = (size) => new Uint8Array(size);

function collect(req: IncomingMessage, maxBytes: number, alloc: BodyAllocator): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        chunks.length = 0;
        // Keep reading (and discarding) so the 413 reaches the client instead of a reset.
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(plainCopy(chunks, size, alloc));
      done = true;
    });
    req.on('error', (err) => {
      if (!done) reject(new HttpError(400, `request body could not be read (${err.message})`));
      done = true;
    });
  });
}

/**
 * Joins chunks into memory V8 allocated itself. Node's Buffer memory is copied when transferred to
 * a worker (~125 µs for a 270 KB body here), memory from `new Uint8Array` is handed over (~9 µs).
 */
function plainCopy(chunks: Buffer[], size: number, alloc: BodyAllocator): Buffer {
  const bytes = alloc(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return Buffer.from(bytes.buffer, 0, size);
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `request body exceeds the limit of ${maxBytes} bytes (after decompression)`);
}
