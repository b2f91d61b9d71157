/**
 * The values of OTLP/JSON (proto3 JSON mapping): scalars of an AnyValue, int64 as decimal
 * strings, hex ids, enums by number or name, and timestamps split into ms and ns (see nanoTime.ts).
 * Pure functions the OTLP/JSON walk (otlpJson.ts) reads a record's fields with.
 */
import type { Scalar } from './attributeFields';
import { split, splitDecimalNanos, splitNumberNanos } from './nanoTime';

export type Obj = Record<string, unknown>;

/** The OTLP enums by name, as proto3 JSON may send them. */
export const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
export const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
export const SEVERITIES: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((level, i) => {
  ['', '2', '3', '4'].forEach((n, j) => (SEVERITIES[`SEVERITY_NUMBER_${level}${n}`] = i * 4 + j + 1));
});
export const STATUS_ERROR = 2;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A scalar AnyValue; arrays, maps, bytes and malformed values give null. */
export function scalar(v: unknown): Scalar {
  if (!isObj(v)) return null;
  return scalarOf(v.stringValue, v.intValue, v.doubleValue, v.boolValue);
}

/**
 * The scalar of an AnyValue object from its four scalar members (undefined: absent), so the
 * parsed-tree and the byte decoders read them alike: a string wins, then an int, a double, a bool.
 */
export function scalarOf(s: unknown, i: unknown, d: unknown, b: unknown): Scalar {
  if (typeof s === 'string') return s;
  if (i !== undefined) return typeof i === 'number' ? (Number.isInteger(i) ? i : null) : intString(i);
  if (d !== undefined) return typeof d === 'number' ? d : typeof d === 'string' && d !== '' ? numberOrNull(Number(d)) : null;
  return typeof b === 'boolean' ? b : null;
}

function numberOrNull(n: number): number | null {
  return Number.isNaN(n) ? null : n;
}

/** proto3 JSON sends int64 as a decimal string. */
function intString(v: unknown): number | null {
  if (typeof v !== 'string' || v.length === 0 || v.length > 21) return null;
  for (let i = v.charCodeAt(0) === 45 ? 1 : 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  return v === '-' ? null : +v;
}

/** Lowercase hex of an id, '' when all zeros, null when not `len` hex digits. */
export function hexId(v: string, len: number): string | null {
  if (v.length !== len) return null;
  let upper = false;
  let nonZero = false;
  for (let i = 0; i < len; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (c !== 48) nonZero = true;
    } else if (c >= 97 && c <= 102) nonZero = true;
    else if (c >= 65 && c <= 70) nonZero = upper = true;
    else return null;
  }
  if (!nonZero) return '';
  return upper ? v.toLowerCase() : v;
}

/** An enum given as an integer or as its name; null when neither. */
export function enumValue(v: unknown, names: Record<string, number>): number | null {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 0x7fffffff ? v : null;
  if (typeof v === 'string' && Object.hasOwn(names, v)) return names[v];
  return null;
}

/** Splits an optional timestamp into `split`; false when it has the wrong type. */
export function splitTime(v: unknown): boolean {
  if (v === undefined || v === null) {
    split.ms = 0;
    split.ns = 0;
    return true;
  }
  if (typeof v === 'string') return splitDecimalNanos(v);
  if (typeof v === 'number') return splitNumberNanos(v);
  return false;
}
