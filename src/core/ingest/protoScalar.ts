/**
 * The scalar of an OTLP AnyValue, as both protobuf decoders (traces/logs and metrics) read
 * attribute values: string, int, double or bool; arrays, maps and bytes are not scalars.
 */
import type { Scalar } from './attributeFields';
import { MAX_FIELD_CHARS } from './limits';
import type { ProtoReader } from './protobufReader';

const ANY_STRING = (1 << 3) | 2;
const ANY_BOOL = (2 << 3) | 0;
const ANY_INT = (3 << 3) | 0;
const ANY_DOUBLE = (4 << 3) | 1;

/**
 * Decodes the AnyValue in [start, end) (start < 0: none); leaves `r.pos` where it was. `unique`:
 * a string value is mostly unique (a request path) and is not interned.
 */
export function readScalarAt(r: ProtoReader, start: number, end: number, unique = false): Scalar {
  if (start < 0) return null;
  const saved = r.pos;
  r.pos = start;
  let v: Scalar = null;
  while (r.pos < end) {
    const tag = r.tag();
    // Decoded no further than the longest cap; the field's own cap is applied where it is stored.
    if (tag === ANY_STRING) v = unique ? r.uniqueStringCapped(r.length(end), MAX_FIELD_CHARS) : r.stringCapped(r.length(end), MAX_FIELD_CHARS);
    else if (tag === ANY_INT) v = r.varint64();
    else if (tag === ANY_DOUBLE) v = r.double();
    else if (tag === ANY_BOOL) v = r.varint32() !== 0;
    else {
      r.skipField(tag, end);
      v = null;
    }
  }
  r.expectEnd(end);
  r.pos = saved;
  return v;
}
