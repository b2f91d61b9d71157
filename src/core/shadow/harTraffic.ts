/**
 * HAR 1.2 files (browsers' "Save all as HAR", proxies, Playwright's recordHar): each entry of
 * `log.entries` is a request with what the server answered. Only http(s) entries are requests the
 * shadow run can replay; a bad entry is skipped with its index and the others are kept.
 */
import { bodyFromBytes, bytesFromBase64 } from './bodyText';
import { excerpt } from './excerpt';
import { TOKEN } from './httpMessage';
import { field, isObject, type JsonObject, parseJsonText } from './jsonFields';
import type { HeaderPair, RecordedOutcome, ShadowRequest, SkippedRequest, TrafficRead } from './shadowRequest';
import { schemeOf, targetOfUrl } from './urlTarget';

/** Reads a HAR file's entries into requests and skipped entries; throws one line when the text is not HAR. */
export function readHar(text: string): TrafficRead {
  const doc = parseJsonText(text, 'not a HAR file');
  const log = isObject(doc) ? field(doc, 'log') : undefined;
  if (!isObject(log)) throw new Error('not a HAR file: no "log" object');
  const entries = field(log, 'entries');
  if (!Array.isArray(entries)) throw new Error('not a HAR file: log.entries is not an array');
  const requests: ShadowRequest[] = [];
  const skipped: SkippedRequest[] = [];
  entries.forEach((entry: unknown, i) => {
    const read = readEntry(entry, i);
    if ('reason' in read) skipped.push(read);
    else requests.push(read);
  });
  return { requests, skipped };
}

/** One entry as a request, or why it is skipped. */
function readEntry(entry: unknown, i: number): ShadowRequest | SkippedRequest {
  const id = `har:${i}`;
  const bad = (what: string): SkippedRequest => ({ id, reason: 'unreadable', detail: `entry ${i}: ${what}` });
  if (!isObject(entry)) return bad('not an object');
  const request = field(entry, 'request');
  if (!isObject(request)) return bad('no request object');
  const url = field(request, 'url');
  if (typeof url !== 'string') return bad('no request.url');
  const scheme = schemeOf(url);
  if (scheme !== 'http' && scheme !== 'https') return { id, reason: 'not-http', detail: `entry ${i}: ${scheme === '' ? 'a URL without scheme' : `a ${scheme}: URL`}, not HTTP` };
  const target = targetOfUrl(url);
  if (target === null) return bad(`request.url "${excerpt(url)}" is not an absolute http(s) URL`);
  const method = field(request, 'method');
  if (typeof method !== 'string' || !TOKEN.test(method)) return bad('no request.method');
  const headers = readHeaders(field(request, 'headers'));
  if (typeof headers === 'string') return bad(headers);
  const out: ShadowRequest = { id, origin: 'har', method: method.toUpperCase(), target, route: '', headers, recorded: {} };
  const postData = field(request, 'postData');
  if (postData !== undefined) {
    if (!isObject(postData)) return bad('request.postData is not an object');
    const body = readPostData(postData);
    if (typeof body === 'string') return bad(body);
    if (body !== null) Object.assign(out, body);
  }
  const started = field(entry, 'startedDateTime');
  const timeMs = typeof started === 'string' ? Date.parse(started) : Number.NaN;
  if (Number.isFinite(timeMs)) out.timeMs = timeMs;
  const recorded = readResponse(field(entry, 'response'));
  if (typeof recorded === 'string') return bad(recorded);
  const time = field(entry, 'time');
  if (typeof time === 'number' && Number.isFinite(time) && time >= 0) recorded.durationMs = time;
  out.recorded = recorded;
  return out;
}

/** Request headers as pairs, HTTP/2 pseudo-headers (`:authority`, `:path`...) dropped: the replay sends HTTP/1.1. */
function readHeaders(value: unknown): HeaderPair[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return 'request.headers is not an array';
  const headers: HeaderPair[] = [];
  for (let j = 0; j < value.length; j++) {
    const h: unknown = value[j];
    const name = isObject(h) ? field(h, 'name') : undefined;
    const v = isObject(h) ? field(h, 'value') : undefined;
    if (typeof name !== 'string' || typeof v !== 'string') return `request.headers[${j}] is not {name, value}`;
    if (name.startsWith(':')) continue;
    if (!TOKEN.test(name)) return `request.headers[${j}] name "${excerpt(name)}" is not a header name`;
    // A line break in a value would let a recorded header smuggle another one into the replay.
    if (/[\r\n\0]/.test(v)) return `request.headers[${j}] (${excerpt(name)}) has a line break in its value`;
    headers.push([name, v]);
  }
  return headers;
}

/**
 * The body of `postData`: its text, or for a urlencoded form recorded only as params, the form
 * rebuilt from them; null when neither is there (multipart files are recorded without content).
 */
function readPostData(postData: JsonObject): Pick<ShadowRequest, 'body' | 'bodyEncoding'> | null | string {
  const text = field(postData, 'text');
  if (text !== undefined && typeof text !== 'string') return 'request.postData.text is not a string';
  // HAR 1.2 has no encoding for postData; some producers add one for binary bodies.
  const encoding = field(postData, 'encoding') ?? field(postData, '_encoding');
  if (typeof text === 'string') {
    if (encoding !== 'base64') return { body: text, bodyEncoding: 'utf8' };
    const bytes = bytesFromBase64(text);
    return bytes === null ? 'request.postData.text is not base64' : bodyFromBytes(bytes);
  }
  const mimeType = field(postData, 'mimeType');
  const params = field(postData, 'params');
  if (!Array.isArray(params) || typeof mimeType !== 'string' || !mimeType.toLowerCase().startsWith('application/x-www-form-urlencoded')) return null;
  const form = new URLSearchParams();
  for (let j = 0; j < params.length; j++) {
    const p: unknown = params[j];
    const name = isObject(p) ? field(p, 'name') : undefined;
    const value = isObject(p) ? (field(p, 'value') ?? '') : undefined;
    if (typeof name !== 'string' || typeof value !== 'string') return `request.postData.params[${j}] is not {name, value}`;
    form.append(name, value);
  }
  return { body: form.toString(), bodyEncoding: 'utf8' };
}

/** What the entry says production answered; status 0 (no answer: blocked, aborted) leaves it out. */
function readResponse(response: unknown): RecordedOutcome | string {
  if (response === undefined) return {};
  if (!isObject(response)) return 'response is not an object';
  const out: RecordedOutcome = {};
  const status = field(response, 'status');
  if (status !== undefined && (typeof status !== 'number' || !Number.isInteger(status))) return 'response.status is not a number';
  if (typeof status === 'number' && status >= 100 && status <= 599) out.status = status;
  const content = field(response, 'content');
  if (!isObject(content)) return out;
  const mimeType = field(content, 'mimeType');
  if (typeof mimeType === 'string' && mimeType !== '') out.contentType = mimeType;
  const text = field(content, 'text');
  if (typeof text !== 'string' || out.status === undefined) return out;
  if (field(content, 'encoding') === 'base64') {
    const bytes = bytesFromBase64(text);
    // A response body that cannot be decoded costs only the shape comparison, not the request.
    if (bytes !== null) Object.assign(out, bodyFromBytes(bytes));
  } else {
    out.body = text;
    out.bodyEncoding = 'utf8';
  }
  return out;
}
