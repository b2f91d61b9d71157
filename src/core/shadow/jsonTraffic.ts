/**
 * Runtime Lens's own traffic file: a JSON array of ShadowRequest-like records (or
 * `{"requests": [...]}`), e.g. written by hand or exported from another run. Each field is checked;
 * a record with a bad one is skipped with its index and the field named, the others are kept.
 */
import { bytesFromBase64 } from './bodyText';
import { excerpt } from './excerpt';
import { TOKEN } from './httpMessage';
import { field, isObject, type JsonObject, parseJsonText } from './jsonFields';
import type { HeaderPair, RecordedOutcome, ShadowRequest, SkippedRequest, TrafficRead } from './shadowRequest';
import { isPathTarget, targetOfUrl } from './urlTarget';

/** Reads JSON traffic into requests and skipped records; throws one line when the text is not JSON traffic at all. */
export function readJsonTraffic(text: string): TrafficRead {
  const doc = parseJsonText(text, 'not JSON traffic');
  const list = Array.isArray(doc) ? doc : isObject(doc) ? field(doc, 'requests') : undefined;
  if (!Array.isArray(list)) throw new Error('not JSON traffic: expected an array of requests or {"requests": [...]}');
  const requests: ShadowRequest[] = [];
  const skipped: SkippedRequest[] = [];
  const seen = new Map<string, number>();
  list.forEach((record: unknown, i) => {
    const given = isObject(record) ? field(record, 'id') : undefined;
    const id = typeof given === 'string' && given !== '' && given.length <= 200 ? given : `json:${i}`;
    try {
      if (!isObject(record)) throw new BadField('not an object');
      const first = seen.get(id);
      if (first !== undefined) throw new BadField(`id "${excerpt(id)}" repeats record ${first}`);
      requests.push(readRecord(record, id));
      seen.set(id, i);
    } catch (e) {
      if (!(e instanceof BadField)) throw e;
      skipped.push({ id, reason: 'unreadable', detail: `record ${i}: ${e.message}` });
    }
  });
  return { requests, skipped };
}

/** Thrown inside one record's check; caught per record so the rest are kept. */
class BadField extends Error {}

const HEADER_VALUE = /^[^\r\n\0]*$/;

function readRecord(r: JsonObject, id: string): ShadowRequest {
  const method = field(r, 'method');
  if (typeof method !== 'string' || !TOKEN.test(method)) throw new BadField('method is not an HTTP method');
  const out: ShadowRequest = { id, origin: 'json', method: method.toUpperCase(), target: readTarget(r), route: optional(r, 'route', 'string') ?? '', headers: readHeaders(field(r, 'headers')), recorded: {} };
  const body = optional(r, 'body', 'string');
  const bodyEncoding = readEncoding(r, 'bodyEncoding', body);
  if (body !== undefined) {
    out.body = body;
    out.bodyEncoding = bodyEncoding ?? 'utf8';
  }
  const timeMs = optional(r, 'timeMs', 'number');
  if (timeMs !== undefined) {
    if (!Number.isFinite(timeMs)) throw new BadField('timeMs is not a finite number');
    out.timeMs = timeMs;
  }
  const recorded = field(r, 'recorded');
  if (recorded !== undefined) {
    if (!isObject(recorded)) throw new BadField('recorded is not an object');
    out.recorded = readRecorded(recorded);
  }
  return out;
}

/** `target` ('/path?query'), or the path and query of an absolute `url`. */
function readTarget(r: JsonObject): string {
  const target = field(r, 'target');
  if (target !== undefined) {
    if (typeof target !== 'string' || !isPathTarget(target)) throw new BadField('target is not a path starting with "/"');
    return target;
  }
  const url = field(r, 'url');
  const fromUrl = typeof url === 'string' ? targetOfUrl(url) : null;
  if (fromUrl === null) throw new BadField('no target (a path) or url (absolute http(s))');
  return fromUrl;
}

/** Headers as [name, value] pairs, {name, value} objects, or an object of name -> value or values. */
function readHeaders(value: unknown): HeaderPair[] {
  if (value === undefined) return [];
  const pairs: Array<[unknown, unknown]> = [];
  if (Array.isArray(value)) {
    for (const h of value as unknown[]) {
      if (Array.isArray(h) && h.length === 2) pairs.push([h[0], h[1]]);
      else if (isObject(h)) pairs.push([field(h, 'name'), field(h, 'value')]);
      else pairs.push([undefined, undefined]);
    }
  } else if (isObject(value)) {
    for (const name of Object.keys(value)) {
      const v = value[name];
      for (const one of Array.isArray(v) ? (v as unknown[]) : [v]) pairs.push([name, one]);
    }
  } else {
    throw new BadField('headers is not a list or an object');
  }
  return pairs.map(([name, v], j): HeaderPair => {
    if (typeof name !== 'string' || !TOKEN.test(name)) throw new BadField(`headers[${j}] has no header name`);
    if (typeof v !== 'string' || !HEADER_VALUE.test(v)) throw new BadField(`header ${excerpt(name)} has no one-line string value`);
    return [name, v];
  });
}

function readRecorded(r: JsonObject): RecordedOutcome {
  const out: RecordedOutcome = {};
  const status = optional(r, 'status', 'number', 'recorded.');
  if (status !== undefined) {
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new BadField('recorded.status is not an HTTP status');
    out.status = status;
  }
  const durationMs = optional(r, 'durationMs', 'number', 'recorded.');
  if (durationMs !== undefined) {
    if (!Number.isFinite(durationMs) || durationMs < 0) throw new BadField('recorded.durationMs is not a duration');
    out.durationMs = durationMs;
  }
  const traceId = optional(r, 'traceId', 'string', 'recorded.');
  if (traceId !== undefined) {
    if (!/^[0-9a-f]{32}$/.test(traceId)) throw new BadField('recorded.traceId is not 32 hex digits');
    out.traceId = traceId;
  }
  const spanId = optional(r, 'spanId', 'string', 'recorded.');
  if (spanId !== undefined) {
    if (!/^[0-9a-f]{16}$/.test(spanId)) throw new BadField('recorded.spanId is not 16 hex digits');
    out.spanId = spanId;
  }
  const contentType = optional(r, 'contentType', 'string', 'recorded.');
  if (contentType !== undefined) out.contentType = contentType;
  const body = optional(r, 'body', 'string', 'recorded.');
  const bodyEncoding = readEncoding(r, 'bodyEncoding', body, 'recorded.');
  if (body !== undefined) {
    out.body = body;
    out.bodyEncoding = bodyEncoding ?? 'utf8';
  }
  return out;
}

/** 'utf8' or 'base64' (checked against the body), or undefined when absent. */
function readEncoding(r: JsonObject, name: string, body: string | undefined, prefix = ''): 'utf8' | 'base64' | undefined {
  const encoding = field(r, name);
  if (encoding === undefined) return undefined;
  if (encoding !== 'utf8' && encoding !== 'base64') throw new BadField(`${prefix}${name} is not "utf8" or "base64"`);
  if (encoding === 'base64' && body !== undefined && bytesFromBase64(body) === null) throw new BadField(`${prefix}body is not base64`);
  return encoding;
}

/** An optional field of a given JSON type; present with another type is an error naming it. */
function optional<T extends 'string' | 'number'>(r: JsonObject, name: string, type: T, prefix = ''): (T extends 'string' ? string : number) | undefined {
  const value = field(r, name);
  if (value === undefined) return undefined;
  if (typeof value !== type) throw new BadField(`${prefix}${name} is not a ${type}`);
  return value as T extends 'string' ? string : number;
}
