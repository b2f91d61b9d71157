/**
 * The KeyValue attributes of OTLP/protobuf messages (common/v1): the key's field code at once,
 * the value decoded only when asked for, and request header attributes read straight into the
 * span. The value's place is kept between readKeyValue and readValue, so no KeyValue allocates.
 */
import type { Scalar } from './attributeFields';
import * as fields from './attributeFields';
import { MAX_HEADER_NAME_CHARS, MAX_HEADER_VALUE_CHARS } from './limits';
import type { ProtoReader } from './protobufReader';
import { readScalarAt } from './protoScalar';
import type { SpanRecord } from './records';
import { addRequestHeader, REQUEST_HEADER_PREFIX, requestHeaderName, takesRequest } from './requestFields';

// Bound once (see otlpProtobuf.ts): tsx compiles each use of an imported name into a getter call.
const { fieldForKeyBytes, REQUEST_HEADER_FIELD } = fields;

const T_REPEATED_1 = (1 << 3) | 2; // key; an ArrayValue's values; an AnyValue's string_value
const T_2_LEN = (2 << 3) | 2; // value
const T_ANY_ARRAY = (5 << 3) | 2; // AnyValue.array_value
const HEADER_PREFIX_LEN = REQUEST_HEADER_PREFIX.length;

// Where the value of the last KeyValue read lies; readValue decodes it on demand.
let valueStart = -1;
let valueEnd = -1;
// Where the key of the last request header attribute lies (set only for those keys).
let keyStart = -1;
let keyLen = 0;

/** Reads a KeyValue, returning the field code of its key (0 for keys we ignore). */
export function readKeyValue(r: ProtoReader, end: number): number {
  // Fast path for the usual encoding: key (tag 0x0a, one-byte length), then value (tag 0x12,
  // one-byte length) ending exactly at `end`, which length() already checked is in bounds.
  const buf = r.buf;
  const pos = r.pos;
  const len = buf[pos + 1];
  if (buf[pos] === 0x0a && len < 0x80) {
    const valueTag = pos + 2 + len;
    if (valueTag + 2 <= end && buf[valueTag] === 0x12 && buf[valueTag + 1] < 0x80 && valueTag + 2 + buf[valueTag + 1] === end) {
      valueStart = valueTag + 2;
      valueEnd = end;
      r.pos = end;
      return keyField(buf, pos + 2, len);
    }
  }
  return readKeyValueSlow(r, end);
}

function readKeyValueSlow(r: ProtoReader, end: number): number {
  let field = 0;
  valueStart = -1;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === T_REPEATED_1) {
      const len = r.length(end);
      field = keyField(r.buf, r.pos, len);
      r.pos += len;
    } else if (tag === T_2_LEN) {
      const len = r.length(end);
      valueStart = r.pos;
      valueEnd = r.pos + len;
      r.pos += len;
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
  return field;
}

/** The field code of a key; remembers where a request header's key lies, for its name. */
function keyField(buf: Uint8Array, start: number, len: number): number {
  const field = fieldForKeyBytes(buf, start, len);
  if (field === REQUEST_HEADER_FIELD) {
    keyStart = start;
    keyLen = len;
  }
  return field;
}

/**
 * The request header attribute readKeyValue just read: its name from the key, each string of its
 * list value (semantic conventions), or its one string value (as some SDKs send), until the span is full.
 */
export function readHeader(r: ProtoReader, span: SpanRecord): void {
  if (!takesRequest(span) || valueStart < 0) return;
  const saved = r.pos;
  r.pos = keyStart + HEADER_PREFIX_LEN;
  const name = requestHeaderName(r.stringCapped(keyLen - HEADER_PREFIX_LEN, MAX_HEADER_NAME_CHARS + 1));
  const end = valueEnd;
  r.pos = valueStart;
  while (name !== '' && r.pos < end) {
    const tag = r.tag();
    if (tag === T_REPEATED_1) {
      if (!addRequestHeader(span, name, r.uniqueStringCapped(r.length(end), MAX_HEADER_VALUE_CHARS + 1))) break;
    } else if (tag === T_ANY_ARRAY) {
      const len = r.length(end);
      if (!readHeaderList(r, r.pos + len, span, name)) break;
    } else r.skipField(tag, end);
  }
  r.pos = saved;
}

/** The strings of an ArrayValue (`repeated AnyValue values = 1`); false once the span holds no more headers. */
function readHeaderList(r: ProtoReader, end: number, span: SpanRecord, name: string): boolean {
  while (r.pos < end) {
    const tag = r.tag();
    if (tag !== T_REPEATED_1) {
      r.skipField(tag, end);
      continue;
    }
    const len = r.length(end);
    const itemEnd = r.pos + len;
    while (r.pos < itemEnd) {
      const itemTag = r.tag();
      if (itemTag !== T_REPEATED_1) r.skipField(itemTag, itemEnd);
      else if (!addRequestHeader(span, name, r.uniqueStringCapped(r.length(itemEnd), MAX_HEADER_VALUE_CHARS + 1))) return false;
    }
    r.expectEnd(itemEnd);
  }
  r.expectEnd(end);
  return true;
}

/** Decodes the value readKeyValue just found (a request attribute's strings capped as such); arrays, maps and bytes give null. */
export function readValue(r: ProtoReader, requestField = false): Scalar {
  return readScalarAt(r, valueStart, valueEnd, requestField);
}
