/**
 * Bodies of recorded traffic as the shadow run keeps them: UTF-8 text when the bytes are valid
 * UTF-8, else base64, so a binary body survives the trip through JSON unchanged.
 */

/** A body and how its string is encoded. */
export interface BodyText {
  body: string;
  bodyEncoding: 'utf8' | 'base64';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body of `bytes`: text when they are valid UTF-8, base64 otherwise. */
export function bodyFromBytes(bytes: Uint8Array): BodyText {
  try {
    return { body: strictUtf8.decode(bytes), bodyEncoding: 'utf8' };
  } catch {
    return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), bodyEncoding: 'base64' };
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of a base64 string, or null when it is not base64 (Buffer.from would silently skip bad characters). */
export function bytesFromBase64(text: string): Buffer | null {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 === 1 || !BASE64.test(compact)) return null;
  return Buffer.from(compact, 'base64');
}
