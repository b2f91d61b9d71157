/**
 * The values of OTLP/JSON (proto3 JSON mapping): scalars of an AnyValue, int64 as decimal
 * strings, hex ids, enums by number or name, and timestamps split into ms and ns (see nanoTime.ts).
 * Pure functions the OTLP/JSON walk (otlpJson.ts) reads a record's fields with.
 */
import type { Scalar } from './attributeFields';
import { split, splitDecimalNanos, splitNumberNanos } from './nanoTime';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A scalar AnyValue; arrays, maps, bytes and malformed values give null. */
export function scalar(v: unknown): Scalar {
  if (!isObj(v)) return null;
  const s = v.stringValue;
  if (typeof s === 'string') return s;
  const i = v.intValue;
  if (i !== undefined) return typeof i === 'number' ? (Number.isInteger(i) ? i : null) : intString(i);
  const d = v.doubleValue;
  if (d !== undefined) return typeof d === 'number' ? d : typeof d === 'string' && d !== '' ? numberOrNull(Number(d)) : null;
  const b = v.boolValue;
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
