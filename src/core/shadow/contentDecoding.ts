/**
 * Response bodies captured on the wire are often compressed (the browser asked for gzip or br);
 * the comparison needs the JSON inside, so known codings are undone, within a size cap.
 */
import * as zlib from 'node:zlib';
import { headerValues } from './httpMessage';
import type { HeaderPair } from './shadowRequest';

/** Decoded bodies larger than this are left encoded: a recorded answer is compared by shape, not stored whole. */
export const MAX_DECODED_BYTES = 32 * 1024 * 1024;

/** The body with its Content-Encoding undone, or as it is when the coding is unknown or the bytes do not decode. */
export function undoContentEncoding(headers: HeaderPair[], body: Buffer): Buffer {
  const codings = headerValues(headers, 'content-encoding').map((c) => c.toLowerCase());
  let out = body;
  try {
    // Codings are listed in the order they were applied; undo them last first.
    for (const coding of [...codings].reverse()) {
      const options = { maxOutputLength: MAX_DECODED_BYTES };
      if (coding === 'gzip' || coding === 'x-gzip') out = zlib.gunzipSync(out, options);
      else if (coding === 'deflate') out = inflateEither(out, options);
      else if (coding === 'br') out = zlib.brotliDecompressSync(out, options);
      else if (coding !== 'identity') return body;
    }
  } catch {
    return body;
  }
  return out;
}

// "deflate" should be zlib-wrapped (RFC 9110 §8.4.1.2) but some servers send raw deflate.
function inflateEither(bytes: Buffer, options: zlib.ZlibOptions): Buffer {
  try {
    return zlib.inflateSync(bytes, options);
  } catch {
    return zlib.inflateRawSync(bytes, options);
  }
}
