/**
 * The attributes of OTLP/JSON read from bytes, for the trace byte decoder (otlpJsonBytes.ts): one
 * KeyValue at a time into `kv`, its value as the general decoder's `scalar` reads it, with the raw
 * string or list of strings a request header takes. Leaves (OFF_PATH) where the general decoder
 * would decide differently (duplicate members, escaped keys).
 */
import { KEYS, REQUEST_HEADER_FIELD, type Scalar } from './attributeFields';
import { utf8At } from './byteStrings';
import { type JsonCursor, OFF_PATH } from './jsonCursor';
import { KeySet, Literal } from './jsonLiterals';
import { scalarOf } from './otlpJsonValues';
import type { SpanRecord } from './records';
import { addRequestHeader, FIRST_REQUEST_FIELD, isHeaderKeyBytes, REQUEST_HEADER_PREFIX, requestHeaderName, takesRequest } from './requestFields';

// The KeyValue shapes every SDK sends: `{"key":"k","value":{"stringValue":"v"}}`, or an intValue.
const KV_HEAD = new Literal('{"key":"');
const KV_STRING = new Literal(',"value":{"stringValue":');
const KV_INT = new Literal(',"value":{"intValue":');
const KV_END = new Literal('}}');
const KEY_VALUE_KEYS = new KeySet(['key', 'value']);
const ANY_VALUE_KEYS = new KeySet(['stringValue', 'intValue', 'doubleValue', 'boolValue', 'arrayValue']);
const VALUES = new KeySet(['values']);
const STRING_VALUE = new KeySet(['stringValue']);
const ATTRIBUTE_KEYS = new KeySet(KEYS.map(([k]) => k));
const ATTRIBUTE_FIELDS = KEYS.map(([, field]) => field);

/** What readKeyValue read. `str` and `strings` are the raw string and list values a request header takes. */
export const kv = {
  field: 0,
  value: null as Scalar,
  headerSuffix: '',
  isObject: false,
  str: undefined as unknown,
  strings: null as string[] | null,
};

/** Reads one KeyValue of an attribute list into `kv`; false for entries that are not objects, or whose key we do not read. */
export function readAttribute(c: JsonCursor): boolean {
  if (!c.atObject()) {
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
  if (!c.atObject()) return c.skip();
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
  if (!c.atObject()) return (c.skip(), null);
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
        if (c.openOptionalList(true)) {
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
  if (!c.atObject()) return c.skip();
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
export function applyHeader(span: SpanRecord): void {
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
