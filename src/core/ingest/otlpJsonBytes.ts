/**
 * The fast path for OTLP/JSON trace requests: reads the records straight from the body's bytes,
 * never building the parsed tree JSON.parse would (which made OTLP/JSON cost five times the
 * bytes-to-records work on a decode worker). It handles well-formed requests in any member order;
 * at anything else (a span the general decoder would reject, a duplicate member, an escaped key,
 * more items than a request may hold) it gives up and returns null, and the caller decodes the
 * body with decodeTraceRequestJson, whose result it then is. So both paths give the same batch
 * for every body: test/unit/ingest/otlpJsonBytes.test.ts holds them to that.
 */
import type { Scalar } from './attributeFields';
import {
  applyExceptionField,
  applyResourceField,
  applySpanField,
  KEYS,
  finishResource,
  finishSpan,
  isExceptionField,
  newBatch,
  newException,
  newResource,
  newSpan,
  REQUEST_HEADER_FIELD,
  setSpanName,
  setStatusMessage,
} from './attributeFields';
import { utf8At } from './byteStrings';
import { JsonCursor, KeySet, Literal, OFF_PATH } from './jsonCursor';
import { MAX_EXCEPTIONS_PER_SPAN, MAX_ITEMS_PER_REQUEST } from './limits';
import { durationMs, split, toMs } from './nanoTime';
import { enumValue, SPAN_KINDS, STATUS_CODES, STATUS_ERROR, scalarOf, splitTime } from './otlpJsonValues';
import type { DecodedBatch, ResourceInfo, SpanRecord } from './records';
import { addRequestHeader, FIRST_REQUEST_FIELD, isHeaderKeyBytes, REQUEST_HEADER_PREFIX, requestHeaderName, takesRequest } from './requestFields';

const RESOURCE_SPANS = new KeySet(['resourceSpans']);
const RESOURCE_SPANS_KEYS = new KeySet(['resource', 'scopeSpans']);
const ATTRIBUTES = new KeySet(['attributes']);
const SPANS = new KeySet(['spans']);
const SPAN_KEYS = new KeySet(['traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'events', 'status']);
const STATUS_KEYS = new KeySet(['code', 'message']);
const EVENT_KEYS = new KeySet(['name', 'timeUnixNano', 'attributes']);
const KEY_VALUE_KEYS = new KeySet(['key', 'value']);
const ANY_VALUE_KEYS = new KeySet(['stringValue', 'intValue', 'doubleValue', 'boolValue', 'arrayValue']);
const VALUES = new KeySet(['values']);
const STRING_VALUE = new KeySet(['stringValue']);
// The KeyValue shapes every SDK sends: `{"key":"k","value":{"stringValue":"v"}}`, or an intValue.
const KV_HEAD = new Literal('{"key":"');
const KV_STRING = new Literal(',"value":{"stringValue":');
const KV_INT = new Literal(',"value":{"intValue":');
const KV_END = new Literal('}}');
const ATTRIBUTE_KEYS = new KeySet(KEYS.map(([k]) => k));
const ATTRIBUTE_FIELDS = KEYS.map(([, field]) => field);

/** Decodes an OTLP/JSON ExportTraceServiceRequest from its bytes; null when the general decoder must. */
export function decodeTraceRequestJsonBytes(body: Uint8Array): DecodedBatch | null {
  const c = new JsonCursor(body);
  try {
    const out = newBatch();
    if (c.openObject()) {
      let seen = false;
      do {
        c.key();
        if (c.keyIndex(RESOURCE_SPANS) !== 0) c.skip();
        else if (seen) throw OFF_PATH;
        else {
          seen = true;
          if (openList(c, true)) {
            do readResourceSpans(c, out);
            while (c.nextItem());
          }
        }
      } while (c.nextMember());
    }
    c.expectEnd();
    return out;
  } catch (err) {
    // OFF_PATH, or a stack overflow on hostile nesting: the general decoder has the last word.
    if (err === OFF_PATH || err instanceof RangeError) return null;
    throw err;
  }
}

/**
 * Enters an optional list (null or absent: empty); true when an item follows, read it and then
 * `c.nextItem()`. A value that is not a list is off the path when `strict`, else skipped (where
 * the general decoder ignores it).
 */
function openList(c: JsonCursor, strict: boolean): boolean {
  if (c.isNull()) return false;
  if (c.peek() === 0x5b) return c.openArray();
  if (strict) throw OFF_PATH;
  c.skip();
  return false;
}

function isObjectNext(c: JsonCursor): boolean {
  return c.peek() === 0x7b;
}

function readResourceSpans(c: JsonCursor, out: DecodedBatch): void {
  if (!isObjectNext(c)) throw OFF_PATH;
  // Spans share their resource, which may come after them: it is finished once the item is read.
  const res = newResource();
  let seen = 0;
  if (c.openObject()) {
    do {
      c.key();
      const k = c.keyIndex(RESOURCE_SPANS_KEYS);
      if (k < 0) c.skip();
      else if (seen & (1 << k)) throw OFF_PATH;
      else {
        seen |= 1 << k;
        if (k === 0) readResource(c, res);
        else if (openList(c, true)) {
          do readScopeSpans(c, res, out);
          while (c.nextItem());
        }
      }
    } while (c.nextMember());
  }
  finishResource(res);
}

function readResource(c: JsonCursor, res: ResourceInfo): void {
  if (c.isNull()) return;
  if (!isObjectNext(c)) throw OFF_PATH;
  if (!c.openObject()) return;
  let seen = false;
  do {
    c.key();
    if (c.keyIndex(ATTRIBUTES) !== 0) c.skip();
    else if (seen) throw OFF_PATH;
    else {
      seen = true;
      if (openList(c, true)) {
        do if (readAttribute(c)) applyResourceField(res, kv.field, kv.value);
        while (c.nextItem());
      }
    }
  } while (c.nextMember());
}

function offPath(): never {
  throw OFF_PATH;
}

function readScopeSpans(c: JsonCursor, res: ResourceInfo, out: DecodedBatch): void {
  if (!isObjectNext(c)) throw OFF_PATH;
  if (!c.openObject()) return;
  let seen = false;
  do {
    c.key();
    if (c.keyIndex(SPANS) !== 0) c.skip();
    else if (seen) throw OFF_PATH;
    else {
      seen = true;
      if (openList(c, true)) {
        do readSpan(c, res, out);
        while (c.nextItem());
      }
    }
  } while (c.nextMember());
}

function readSpan(c: JsonCursor, res: ResourceInfo, out: DecodedBatch): void {
  if (!isObjectNext(c)) throw OFF_PATH;
  const span = newSpan(res);
  let seen = 0;
  let startMs = 0;
  let startNs = 0;
  let endMs = 0;
  let endNs = 0;
  if (c.openObject()) {
    do {
      c.key();
      const k = c.keyIndex(SPAN_KEYS);
      if (k < 0) {
        c.skip();
        continue;
      }
      if (seen & (1 << k)) throw OFF_PATH;
      seen |= 1 << k;
      switch (k) {
        case 0:
          span.traceId = nonZeroId(c, 32);
          break;
        case 1:
          span.spanId = nonZeroId(c, 16);
          break;
        case 2:
          span.parentSpanId = parentId(c);
          break;
        case 3:
          if (!c.isNull()) setSpanName(span, c.peek() === 0x22 ? c.string(true) : offPath());
          break;
        case 4:
          span.kind = enumValue(c.value(false), SPAN_KINDS) ?? offPath();
          break;
        case 5:
          if (!c.time()) throw OFF_PATH;
          startMs = split.ms;
          startNs = split.ns;
          break;
        case 6:
          if (!c.time()) throw OFF_PATH;
          endMs = split.ms;
          endNs = split.ns;
          break;
        case 7:
          if (openList(c, true)) {
            do if (readAttribute(c)) applySpanAttribute(span, kv.field, kv.value);
            while (c.nextItem());
          }
          break;
        case 8:
          if (openList(c, true)) {
            do readEvent(c, span);
            while (c.nextItem());
          }
          break;
        case 9:
          readStatus(c, span);
          break;
      }
    } while (c.nextMember());
  }
  if ((seen & 3) !== 3) throw OFF_PATH;
  span.startMs = toMs(startMs, startNs);
  span.durationMs = durationMs(startMs, startNs, endMs, endNs);
  // An exception event without a timestamp happened, at the latest, when the span ended.
  const spanEndMs = span.startMs + span.durationMs;
  for (let i = 0; i < span.exceptions.length; i++) if (span.exceptions[i].timeMs === 0) span.exceptions[i].timeMs = spanEndMs;
  finishSpan(span);
  out.spans.push(span);
  if (out.spans.length > MAX_ITEMS_PER_REQUEST) throw OFF_PATH;
}

/** A trace or span id that is not all zeros (the general decoder rejects those). */
function nonZeroId(c: JsonCursor, len: number): string {
  const id = c.hexId(len);
  return id === '' ? offPath() : id;
}

/** A parent span id: null, '' or all zeros give ''. */
function parentId(c: JsonCursor): string {
  if (c.isNull()) return '';
  if (c.peek() === 0x22 && c.buf[c.pos + 1] === 0x22) return c.string(false);
  return c.hexId(16);
}

function applySpanAttribute(span: SpanRecord, field: number, v: Scalar): void {
  if (field === REQUEST_HEADER_FIELD) applyHeader(span);
  else applySpanField(span, field, v);
}

function readStatus(c: JsonCursor, span: SpanRecord): void {
  if (c.isNull()) return;
  if (!isObjectNext(c)) throw OFF_PATH;
  let code: unknown;
  let message: unknown;
  if (c.openObject()) {
    do {
      c.key();
      const k = c.keyIndex(STATUS_KEYS);
      if (k === 0) code = c.value(false);
      else if (k === 1) message = c.value(false);
      else c.skip();
    } while (c.nextMember());
  }
  span.error = (enumValue(code, STATUS_CODES) ?? offPath()) === STATUS_ERROR;
  if (typeof message === 'string') setStatusMessage(span, message);
}

/** One span event: an `exception` event adds an exception (until the span holds its cap); others are skipped. */
function readEvent(c: JsonCursor, span: SpanRecord): void {
  if (span.exceptions.length >= MAX_EXCEPTIONS_PER_SPAN || !isObjectNext(c)) return c.skip();
  const exc = newException(0);
  let name: unknown;
  let time: unknown;
  let seenAttributes = false;
  if (c.openObject()) {
    do {
      c.key();
      const k = c.keyIndex(EVENT_KEYS);
      if (k === 0) name = c.value(false);
      else if (k === 1) time = c.value(false);
      else if (k === 2 && seenAttributes) throw OFF_PATH;
      else if (k === 2) {
        seenAttributes = true;
        if (openList(c, false)) {
          do if (readAttribute(c) && isExceptionField(kv.field)) applyExceptionField(exc, kv.field, kv.value);
          while (c.nextItem());
        }
      } else c.skip();
    } while (c.nextMember());
  }
  if (name !== 'exception') return;
  exc.timeMs = splitTime(time) ? toMs(split.ms, split.ns) : 0;
  span.exceptions.push(exc);
}

/** What readKeyValue read. `str` and `strings` are the raw string and list values a request header takes. */
const kv = {
  field: 0,
  value: null as Scalar,
  headerSuffix: '',
  isObject: false,
  str: undefined as unknown,
  strings: null as string[] | null,
};

/** Reads one KeyValue of an attribute list into `kv`; false for entries that are not objects, or whose key we do not read. */
function readAttribute(c: JsonCursor): boolean {
  if (!isObjectNext(c)) {
    c.skip();
    return false;
  }
  readKeyValue(c);
  return kv.field !== 0;
}

function readKeyValue(c: JsonCursor): void {
  kv.field = 0;
  kv.value = null;
  kv.isObject = false;
  kv.str = undefined;
  kv.strings = null;
  if (!readUsualKeyValue(c)) readAnyKeyValue(c);
}

/** Reads a KeyValue of the usual shape (KV_HEAD ...), or leaves the cursor where it was and returns false. */
function readUsualKeyValue(c: JsonCursor): boolean {
  const at = c.pos;
  if (!c.tryLiteral(KV_HEAD) || !c.plainStringRest()) return rewind(c, at);
  setKeyField(c);
  const isString = c.tryLiteral(KV_STRING);
  if (!isString && !c.tryLiteral(KV_INT)) return rewind(c, at);
  let v: unknown;
  if (kv.field === 0) c.skip();
  else v = c.value(kv.field < FIRST_REQUEST_FIELD);
  if (!c.tryLiteral(KV_END)) return rewind(c, at);
  kv.isObject = true;
  if (isString) kv.str = v;
  kv.value = isString ? scalarOf(v, undefined, undefined, undefined) : scalarOf(undefined, v, undefined, undefined);
  return true;
}

function rewind(c: JsonCursor, at: number): false {
  c.pos = at;
  kv.field = 0;
  return false;
}

function readAnyKeyValue(c: JsonCursor): void {
  let seen = 0;
  if (!c.openObject()) return;
  do {
    c.key();
    const k = c.keyIndex(KEY_VALUE_KEYS);
    if (k < 0) {
      c.skip();
      continue;
    }
    if (seen & (1 << k)) throw OFF_PATH;
    seen |= 1 << k;
    if (k === 0) readKey(c);
    else if (seen & 1 && kv.field === 0) c.skip();
    else readAnyValue(c, !(seen & 1) || kv.field < FIRST_REQUEST_FIELD);
  } while (c.nextMember());
  // No key, or one that is not a string: the general decoder ignores the entry.
  if (!(seen & 1)) kv.field = 0;
}

function readKey(c: JsonCursor): void {
  // A key that is not a string: the general decoder ignores the entry, so its value is skipped.
  if (c.peek() !== 0x22) {
    c.skip();
    kv.field = 0;
    return;
  }
  c.plainString();
  setKeyField(c);
}

/** The field code of the key the cursor just read ([start, stop)); a request header's name too. */
function setKeyField(c: JsonCursor): void {
  if (isHeaderKeyBytes(c.buf, c.start, c.stop - c.start)) {
    kv.field = REQUEST_HEADER_FIELD;
    kv.headerSuffix = utf8At(c.buf, c.start + REQUEST_HEADER_PREFIX.length, c.stop);
  } else {
    const k = c.keyIndex(ATTRIBUTE_KEYS);
    kv.field = k < 0 ? 0 : ATTRIBUTE_FIELDS[k];
  }
}

/** Reads an AnyValue into `kv`: its scalar as the general decoder's `scalar` gives it, and its raw string or list of strings. */
function readAnyValue(c: JsonCursor, intern: boolean): void {
  if (!isObjectNext(c)) return c.skip();
  kv.isObject = true;
  let s: unknown;
  let i: unknown;
  let d: unknown;
  let b: unknown;
  if (c.openObject()) {
    do {
      c.key();
      switch (c.keyIndex(ANY_VALUE_KEYS)) {
        case 0:
          s = c.value(intern);
          break;
        case 1:
          i = c.value(false);
          break;
        case 2:
          d = c.value(false);
          break;
        case 3:
          b = c.value(false);
          break;
        case 4:
          kv.strings = readArrayStrings(c);
          break;
        default:
          c.skip();
      }
    } while (c.nextMember());
  }
  kv.str = s;
  kv.value = scalarOf(s, i, d, b);
}

/** The `stringValue` of each item of an arrayValue's `values`; null when there is no such list. */
function readArrayStrings(c: JsonCursor): string[] | null {
  if (!isObjectNext(c)) return (c.skip(), null);
  let strings: string[] | null = null;
  if (c.openObject()) {
    do {
      c.key();
      if (c.keyIndex(VALUES) !== 0) c.skip();
      else if (c.peek() !== 0x5b) {
        c.skip();
        strings = null;
      } else {
        const found: string[] = [];
        if (openList(c, true)) {
          do readStringItem(c, found);
          while (c.nextItem());
        }
        strings = found;
      }
    } while (c.nextMember());
  }
  return strings;
}

function readStringItem(c: JsonCursor, into: string[]): void {
  if (!isObjectNext(c)) return c.skip();
  let s: unknown;
  if (c.openObject()) {
    do {
      c.key();
      if (c.keyIndex(STRING_VALUE) === 0) s = c.value(false);
      else c.skip();
    } while (c.nextMember());
  }
  if (typeof s === 'string') into.push(s);
}

/** An `http.request.header.<name>` attribute: a list of strings (semantic conventions), or one string as some SDKs send. */
function applyHeader(span: SpanRecord): void {
  if (!takesRequest(span)) return;
  const name = requestHeaderName(kv.headerSuffix);
  if (name === '' || !kv.isObject) return;
  if (typeof kv.str === 'string') {
    addRequestHeader(span, name, kv.str);
    return;
  }
  const strings = kv.strings;
  if (strings === null) return;
  for (let i = 0; i < strings.length; i++) if (!addRequestHeader(span, name, strings[i])) return;
}
