/**
 * Raw HTTP/1.x messages as capture tools store them (GoReplay writes the bytes seen on the wire):
 * the start line, the headers as sent, and the body unframed (Content-Length or chunked).
 */
import { excerpt } from './excerpt';
import type { HeaderPair } from './shadowRequest';

/** A message's head is refused past this size: servers refuse far smaller ones (Node: 16 KiB), and it bounds the work. */
export const MAX_HEAD_BYTES = 256 * 1024;

/** A message read from raw bytes, or why it could not be. */
export type RawMessage = { ok: true; startLine: string; headers: HeaderPair[]; body?: Buffer } | { ok: false; error: string };

/** RFC 9110 token: what a header name or a method may be made of. */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses one HTTP/1.x message. A message without Content-Length or chunked framing has no body,
 * unless `bodyToEnd` (responses, which may be delimited by the connection closing).
 */
export function parseRawMessage(bytes: Buffer, bodyToEnd: boolean): RawMessage {
  const headEnd = endOfHead(bytes);
  if (headEnd === null) {
    return { ok: false, error: bytes.length > MAX_HEAD_BYTES ? `head over ${MAX_HEAD_BYTES / 1024} KiB` : 'truncated: no blank line after the headers' };
  }
  if (headEnd.at > MAX_HEAD_BYTES) return { ok: false, error: `head over ${MAX_HEAD_BYTES / 1024} KiB` };
  const lines = decodeHead(bytes.subarray(0, headEnd.at))
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
  const startLine = lines[0].trim();
  if (startLine === '') return { ok: false, error: 'empty start line' };
  const headers = parseHeaderLines(lines.slice(1));
  if (typeof headers === 'string') return { ok: false, error: headers };
  const rest = bytes.subarray(headEnd.at + headEnd.length);
  const body = unframeBody(headers, rest, bodyToEnd);
  if (typeof body === 'string') return { ok: false, error: body };
  return body === undefined ? { ok: true, startLine, headers } : { ok: true, startLine, headers, body };
}

/** Where the blank line ending the head starts (after the last header's line end), and its length. */
function endOfHead(bytes: Buffer): { at: number; length: number } | null {
  const lf = bytes.indexOf('\n\n');
  const crlf = bytes.indexOf('\r\n\r\n');
  // LF-only files (edited or converted captures) end the head with \n\n; CRLF ones with \r\n\r\n.
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return null;
}

// Header bytes are opaque to HTTP; most are ASCII and non-ASCII ones are usually UTF-8, so text
// is kept when it decodes and latin1 (one char per byte, nothing lost) otherwise.
function decodeHead(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** Header lines to pairs (names' case and repeats kept), or one line saying what is wrong. */
function parseHeaderLines(lines: string[]): HeaderPair[] | string {
  const headers: HeaderPair[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      // Obsolete line folding (RFC 9112 §5.2): the line continues the previous header's value.
      const last = headers[headers.length - 1];
      if (last === undefined) return `header line ${i + 1} continues no header`;
      last[1] = `${last[1]} ${trimOws(line)}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) return `header line ${i + 1} is not "name: value"`;
    headers.push([name, trimOws(line.slice(colon + 1))]);
  }
  return headers;
}

function trimOws(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** All values of a header (case-insensitive), comma lists split. */
export function headerValues(headers: HeaderPair[], name: string): string[] {
  const lower = name.toLowerCase();
  return headers
    .filter(([n]) => n.toLowerCase() === lower)
    .flatMap(([, v]) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** The body's bytes, undefined for none, or one line saying why it cannot be read. */
function unframeBody(headers: HeaderPair[], rest: Buffer, bodyToEnd: boolean): Buffer | undefined | string {
  const codings = headerValues(headers, 'transfer-encoding').map((c) => c.toLowerCase());
  if (codings.length > 0) {
    // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3); only chunked frames a request body.
    if (codings[codings.length - 1] === 'chunked') return decodeChunked(rest);
    return bodyToEnd ? rest : `Transfer-Encoding "${excerpt(codings.join(', '))}" does not end in chunked`;
  }
  const lengths = headerValues(headers, 'content-length');
  if (lengths.length > 0) {
    if (!lengths.every((l) => /^\d{1,15}$/.test(l) && l === lengths[0])) return `bad Content-Length "${excerpt(lengths.join(', '))}"`;
    const n = Number(lengths[0]);
    if (rest.length < n) return `body truncated: ${rest.length} of ${n} bytes`;
    return rest.subarray(0, n);
  }
  return bodyToEnd && rest.length > 0 ? rest : undefined;
}

/** A chunked body decoded (chunk extensions and trailers dropped), or why it cannot be. */
export function decodeChunked(bytes: Buffer): Buffer | string {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const nl = bytes.indexOf('\n', pos);
    if (nl < 0) return 'chunked body truncated: no last chunk';
    const sizeText = bytes.toString('latin1', pos, nl).replace(/\r$/, '').split(';')[0].trim();
    if (!/^[0-9A-Fa-f]{1,8}$/.test(sizeText)) return `bad chunk size "${excerpt(sizeText, 20)}"`;
    const size = Number.parseInt(sizeText, 16);
    pos = nl + 1;
    if (size === 0) return Buffer.concat(parts);
    if (pos + size > bytes.length) return `chunked body truncated: a ${size}-byte chunk has ${bytes.length - pos}`;
    parts.push(bytes.subarray(pos, pos + size));
    pos += size;
    if (bytes[pos] === 0x0d && bytes[pos + 1] === 0x0a) pos += 2;
    else if (bytes[pos] === 0x0a) pos += 1;
    else return 'chunk data not followed by a line end';
  }
}
