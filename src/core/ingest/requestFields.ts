/**
 * What a server span records of its HTTP request (path, query, status, scheme, opt-in headers, a
 * captured body), folded into `SpanRecord.request` for the shadow run to replay. Shared by the JSON
 * and protobuf decoders through attributeFields.ts, so both read the same keys the same way.
 * Nothing is allocated for a span whose kind says it is not a server span.
 */
import type { RecordedHttpRequest } from '../api/signals';
import type { SpanRecord } from './records';
import type { Scalar } from './attributeFields';
import {
  capString,
  MAX_HEADER_NAME_CHARS,
  MAX_HEADER_VALUE_CHARS,
  MAX_REQUEST_BODY_CHARS,
  MAX_REQUEST_HEADER_CHARS,
  MAX_REQUEST_HEADERS,
  MAX_REQUEST_PATH_CHARS,
  MAX_REQUEST_QUERY_CHARS,
  MAX_SCHEME_CHARS,
} from './limits';

/** Field codes of the request attributes, above every other span field code (see attributeFields.ts). */
export const R = {
  urlPath: 40,
  urlQuery: 41,
  httpTarget: 42,
  status: 43,
  statusOld: 44,
  urlScheme: 45,
  httpScheme: 46,
  body: 47,
  bodyOld: 48,
  /** Any `http.request.header.<name>`: matched by prefix, its value read by the decoder (a list or a string). */
  header: 49,
} as const;

/** The first request field code. */
export const FIRST_REQUEST_FIELD = R.urlPath;

/** The attribute keys of the request fields, stable names next to the older ones. */
export const REQUEST_KEYS: ReadonlyArray<readonly [string, number]> = [
  ['url.path', R.urlPath],
  ['url.query', R.urlQuery],
  ['http.target', R.httpTarget],
  ['http.response.status_code', R.status],
  ['http.status_code', R.statusOld],
  ['url.scheme', R.urlScheme],
  ['http.scheme', R.httpScheme],
  // The semantic conventions' opt-in body attribute, and the older name Hypertrace's agents and
  // Coralogix's Lambda instrumentation set; both are strings where the body is text.
  ['http.request.body.content', R.body],
  ['http.request.body', R.bodyOld],
];

/** The prefix of the opt-in request header attributes (semantic conventions: a list of strings per name). */
export const REQUEST_HEADER_PREFIX = 'http.request.header.';
const PREFIX_BYTES = Buffer.from(REQUEST_HEADER_PREFIX, 'latin1');

/** True when the key (as a string) is a request header attribute; a cheap byte test screens most keys. */
export function isHeaderKey(key: string): boolean {
  return key.length > PREFIX_BYTES.length && key.charCodeAt(5) === 114 && key.startsWith(REQUEST_HEADER_PREFIX);
}

/** True when the key (UTF-8 bytes) is a request header attribute; never allocates. */
export function isHeaderKeyBytes(buf: Uint8Array, start: number, len: number): boolean {
  if (len <= PREFIX_BYTES.length || buf[start + 5] !== 114) return false;
  for (let i = 6; i < PREFIX_BYTES.length; i++) if (buf[start + i] !== PREFIX_BYTES[i]) return false;
  return buf[start] === 104;
}

/**
 * Whether a span may carry a request: a server span, or one whose kind is not known yet (protobuf
 * may send the kind after the attributes; finishSpan drops what a non-server span collected).
 */
export function takesRequest(span: SpanRecord): boolean {
  return span.kind === 2 || span.kind === 0;
}

function requestOf(span: SpanRecord): RecordedHttpRequest {
  let r = span.request;
  if (r === undefined) r = span.request = { path: '', query: '', status: 0, headers: [] };
  return r;
}

function text(v: Scalar, max: number): string {
  return typeof v === 'string' ? capString(v, max) : v === null ? '' : String(v);
}

/** A status code as int, double or decimal string; 0 when it is not one (100-599). */
function statusCode(v: Scalar): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? +v : 0;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : 0;
}

/** Applies a request field (codes in R, but not `header`); stable names win, older ones fill empty slots. */
export function applyRequestField(span: SpanRecord, field: number, v: Scalar): void {
  if (!takesRequest(span)) return;
  const r = requestOf(span);
  switch (field) {
    case R.urlPath:
      r.path = text(v, MAX_REQUEST_PATH_CHARS);
      break;
    case R.urlQuery:
      r.query = text(v, MAX_REQUEST_QUERY_CHARS);
      break;
    case R.httpTarget: {
      // `path?query`: fills what url.path and url.query did not (whichever arrives first).
      const target = text(v, MAX_REQUEST_PATH_CHARS + MAX_REQUEST_QUERY_CHARS + 1);
      const q = target.indexOf('?');
      if (r.path === '') r.path = capString(q < 0 ? target : target.slice(0, q), MAX_REQUEST_PATH_CHARS);
      if (r.query === '' && q >= 0) r.query = capString(target.slice(q + 1), MAX_REQUEST_QUERY_CHARS);
      break;
    }
    case R.status:
      r.status = statusCode(v) || r.status;
      break;
    case R.statusOld:
      if (r.status === 0) r.status = statusCode(v);
      break;
    case R.urlScheme:
      r.scheme = text(v, MAX_SCHEME_CHARS);
      break;
    case R.httpScheme:
      if (r.scheme === undefined) r.scheme = text(v, MAX_SCHEME_CHARS);
      break;
    case R.body:
    case R.bodyOld:
      // A cut body would be replayed as if it were the real one: one over the cap is dropped.
      if (typeof v === 'string' && v.length <= MAX_REQUEST_BODY_CHARS && (field === R.body || r.body === undefined)) r.body = v;
      break;
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What Node's http accepts in a header value (no CR, LF, NUL or other controls; Latin-1 only).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The header name in an attribute key's suffix, or '' when it is not a valid header name. Python's
 * instrumentation (and Java agents before 2.0) replace '-' by '_' in the key; real header names
 * with '_' are rare and dropped by common proxies, so '_' is read back as '-'.
 */
export function requestHeaderName(suffix: string): string {
  if (suffix.length > MAX_HEADER_NAME_CHARS || !TOKEN.test(suffix)) return '';
  return suffix.includes('_') ? suffix.replaceAll('_', '-') : suffix;
}

/**
 * Adds one value of a request header; a value that is too long or not a valid header value is
 * dropped (never cut). False once the span holds as many headers as it may: the decoder stops.
 */
export function addRequestHeader(span: SpanRecord, name: string, value: string): boolean {
  const r = requestOf(span);
  const headers = r.headers;
  if (headers.length >= MAX_REQUEST_HEADERS) return false;
  if (value.length > MAX_HEADER_VALUE_CHARS || !FIELD_VALUE.test(value)) return true;
  let chars = name.length + value.length;
  for (let i = 0; i < headers.length; i++) chars += headers[i][0].length + headers[i][1].length;
  if (chars > MAX_REQUEST_HEADER_CHARS) return true;
  headers.push([name, value]);
  return true;
}

/** Only server spans keep a request: what a span of another kind collected is dropped. */
export function finishRequest(span: SpanRecord): void {
  if (span.kind !== 2 && span.request !== undefined) span.request = undefined;
}
