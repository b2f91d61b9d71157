/**
 * GoReplay's file format (`gor --output-file`): payloads separated by a line holding only
 * `🐵🙈🙉`; each payload is a meta line `<type> <id> <timestamp ns> [<latency ns>]` (type 1 a
 * request, 2 the original response, 3 a replayed response; a request and its responses share the
 * id) followed by the HTTP/1.x message as captured.
 */
import { bodyFromBytes } from './bodyText';
import { excerpt } from './excerpt';
import { undoContentEncoding } from './contentDecoding';
import { parseRawMessage, TOKEN } from './httpMessage';
import type { RecordedOutcome, ShadowRequest, SkippedRequest, TrafficRead } from './shadowRequest';
import { isPathTarget, targetOfUrl } from './urlTarget';

const SEPARATOR = Buffer.from('🐵🙈🙉', 'utf8');

/** One payload of the file, its meta line read. */
interface GorPayload {
  /** 1-based position in the file, for messages. */
  record: number;
  type: '1' | '2' | '3';
  id: string;
  timestampNs: bigint;
  /** Absent when not recorded (requests written with -1, old files with three fields). */
  latencyNs?: bigint;
  message: Buffer;
}

/** Reads a GoReplay file into requests (paired with their recorded responses) and skipped records; throws one line when it is not one. */
export function readGor(text: string | Buffer): TrafficRead {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const chunks = splitPayloads(bytes);
  const payloads: GorPayload[] = [];
  const skipped: SkippedRequest[] = [];
  chunks.forEach((chunk, i) => {
    const read = readMeta(chunk.bytes, i + 1);
    if (read === null) return;
    if (typeof read === 'string') skipped.push({ id: `gor:record-${i + 1}`, reason: 'unreadable', detail: `record ${i + 1}${chunk.last ? ' (last, not ended by 🐵🙈🙉)' : ''}: ${read}` });
    else payloads.push(read);
  });
  if (payloads.length === 0 && skipped.length > 0 && !chunks.some((c) => !c.last)) {
    throw new Error('not a GoReplay file: no 🐵🙈🙉 separator and no "<type> <id> <timestamp>" meta line');
  }
  const responses = new Map<string, GorPayload>();
  for (const p of payloads) if (p.type === '2' && !responses.has(p.id)) responses.set(p.id, p);
  const requests: ShadowRequest[] = [];
  const seen = new Map<string, number>();
  for (const p of payloads) {
    if (p.type !== '1') continue;
    const first = seen.get(p.id);
    if (first !== undefined) {
      skipped.push({ id: `gor:${p.id}`, reason: 'unreadable', detail: `record ${p.record}: id ${p.id} repeats record ${first}` });
      continue;
    }
    seen.set(p.id, p.record);
    const request = toRequest(p, responses.get(p.id));
    if (typeof request === 'string') skipped.push({ id: `gor:${p.id}`, reason: 'unreadable', detail: `record ${p.record}: ${request}` });
    else requests.push(request);
  }
  return { requests, skipped };
}

/** Payloads between separator lines; `last` marks bytes after the last separator (a file cut short, or one payload without any). */
function splitPayloads(bytes: Buffer): Array<{ bytes: Buffer; last: boolean }> {
  const out: Array<{ bytes: Buffer; last: boolean }> = [];
  let start = 0;
  let from = 0;
  for (;;) {
    const at = bytes.indexOf(SEPARATOR, from);
    if (at < 0) break;
    const after = at + SEPARATOR.length;
    const crlf = bytes[after] === 0x0d && bytes[after + 1] === 0x0a;
    const lineEnd = after === bytes.length ? after : bytes[after] === 0x0a ? after + 1 : crlf ? after + 2 : -1;
    // Only a line holding the separator alone separates (GoReplay's reader compares whole lines).
    if ((at > 0 && bytes[at - 1] !== 0x0a) || lineEnd < 0) {
      from = after;
      continue;
    }
    // The line end before the separator belongs to it, not to the payload (a file converted to CRLF has \r\n there).
    let end = Math.max(start, at - 1);
    if (crlf && end > start && bytes[end - 1] === 0x0d) end--;
    out.push({ bytes: bytes.subarray(start, end), last: false });
    start = lineEnd;
    from = lineEnd;
  }
  if (start < bytes.length) out.push({ bytes: bytes.subarray(start), last: true });
  return out;
}

/** The payload with its meta line read; null for a blank one; a line saying what is wrong otherwise. */
function readMeta(bytes: Buffer, record: number): GorPayload | null | string {
  if (isBlank(bytes)) return null;
  const nl = bytes.indexOf('\n');
  if (nl < 0) return 'no meta line';
  const meta = bytes.toString('latin1', 0, nl).replace(/\r$/, '');
  const [type, id, timestamp, latency] = meta.split(' ');
  if (type !== '1' && type !== '2' && type !== '3') return `meta line "${excerpt(meta)}" does not start with payload type 1, 2 or 3`;
  if (id === undefined || !/^[\x21-\x7e]{1,128}$/.test(id)) return 'meta line has no id';
  if (timestamp === undefined || !/^\d{1,20}$/.test(timestamp)) return `meta line for ${id} has no timestamp`;
  const payload: GorPayload = { record, type, id, timestampNs: BigInt(timestamp), message: bytes.subarray(nl + 1) };
  if (latency !== undefined && /^\d{1,20}$/.test(latency)) payload.latencyNs = BigInt(latency);
  return payload;
}

/** A request payload (and its original response, when recorded) as a ShadowRequest, or why it cannot be one. */
function toRequest(p: GorPayload, response: GorPayload | undefined): ShadowRequest | string {
  const message = parseRawMessage(p.message, false);
  if (!message.ok) return message.error;
  const parts = message.startLine.split(/ +/);
  const [method, rawTarget, version] = parts;
  if (parts.length !== 3 || !TOKEN.test(method) || !/^HTTP\/1\.\d$/.test(version)) return `"${excerpt(message.startLine)}" is not an HTTP/1.x request line`;
  const target = rawTarget.startsWith('/') ? (isPathTarget(rawTarget) ? rawTarget : null) : targetOfUrl(rawTarget);
  if (target === null) return `request target "${excerpt(rawTarget)}" is not a path`;
  const request: ShadowRequest = {
    id: `gor:${p.id}`,
    origin: 'gor',
    method: method.toUpperCase(),
    target,
    route: '',
    headers: message.headers,
    timeMs: nsToMs(p.timestampNs),
    recorded: response === undefined ? {} : toOutcome(p, response),
  };
  if (message.body !== undefined) Object.assign(request, bodyFromBytes(message.body));
  return request;
}

/** What production answered; a response that cannot be read leaves the outcome empty (the request itself is still good). */
function toOutcome(request: GorPayload, response: GorPayload): RecordedOutcome {
  const message = parseRawMessage(response.message, true);
  if (!message.ok) return {};
  const status = /^HTTP\/1\.\d (\d{3})(?: |$)/.exec(message.startLine);
  if (status === null) return {};
  const outcome: RecordedOutcome = { status: Number(status[1]) };
  if (response.latencyNs !== undefined) {
    // Old GoReplay stamps the response with the request's start and its latency is the round trip;
    // newer input-raw stamps the response's first packet and times only the response: the end of
    // the response minus the start of the request is the round trip in both.
    const roundTrip = response.timestampNs + response.latencyNs - request.timestampNs;
    outcome.durationMs = nsToMs(roundTrip > response.latencyNs ? roundTrip : response.latencyNs);
  }
  const contentType = message.headers.find(([n]) => n.toLowerCase() === 'content-type');
  if (contentType !== undefined) outcome.contentType = contentType[1];
  if (message.body !== undefined) {
    const body = bodyFromBytes(undoContentEncoding(message.headers, message.body));
    outcome.body = body.body;
    outcome.bodyEncoding = body.bodyEncoding;
  }
  return outcome;
}

/** Whether the bytes are only whitespace (what trails the last separator of most files). */
function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
  return true;
}

/** Nanoseconds to milliseconds, keeping microseconds. */
function nsToMs(ns: bigint): number {
  return Number(ns / 1000n) / 1000;
}
