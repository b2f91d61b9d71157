/**
 * The JSON shape of a response body: every path (`$.items[].price`, array elements unified as
 * `[]`) with the JSON types seen there, plus, for comparing values, the values seen at each leaf
 * path as an order-free signature (so a set returned in a random order compares equal). A body
 * that is not JSON has no shape.
 */
import type { ShapeChange } from '../api/shadowReport';
import type { VolatileRules } from './volatile';

/** JSON types as the report names them. */
export type JsonType = 'number' | 'string' | 'object' | 'array' | 'boolean' | 'null';

/** One body's shape and leaf values. */
export interface BodyShape {
  /** Path -> the types seen there, sorted and joined with `|` (`number`, `null|string`). */
  types: Map<string, string>;
  /** Leaf path -> signature of the values seen there (sorted), for paths whose values are compared. */
  values: Map<string, string>;
  /** Array paths that held no element: what lies under them is unknown, not absent. */
  emptyArrays: Set<string>;
}

/** Bounds that keep one huge body from costing the run: paths beyond them are not followed. */
const MAX_PATHS = 2_000;
const MAX_DEPTH = 32;
const MAX_VALUES_PER_PATH = 1_000;

/** The shape of a body, or null when it is not JSON (then only statuses are compared). */
export function bodyShape(body: string, rules: VolatileRules, contentType = ''): BodyShape | null {
  const text = body.trim();
  const looksJson = text.startsWith('{') || text.startsWith('[') || /\bjson\b/i.test(contentType);
  if (!looksJson || text === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const types = new Map<string, Set<JsonType>>();
  const values = new Map<string, string[]>();
  const volatilePaths = new Set<string>();
  const emptyArrays = new Set<string>();
  const walk = (v: unknown, path: string, depth: number, volatile: boolean): void => {
    if (!types.has(path) && types.size >= MAX_PATHS) return;
    const type = typeOf(v);
    let seen = types.get(path);
    if (seen === undefined) types.set(path, (seen = new Set()));
    seen.add(type);
    if (depth >= MAX_DEPTH) return;
    if (type === 'array') {
      const items = v as unknown[];
      if (items.length === 0) emptyArrays.add(path);
      for (const item of items) walk(item, `${path}[]`, depth + 1, volatile);
    } else if (type === 'object') {
      for (const key of Object.keys(v as object)) walk((v as Record<string, unknown>)[key], childPath(path, key), depth + 1, volatile || rules.isVolatileKey(key));
    } else if (volatile || rules.isVolatileValue(v)) {
      volatilePaths.add(path);
    } else {
      let list = values.get(path);
      if (list === undefined) values.set(path, (list = []));
      // Past the cap the signature would depend on which values came first: not compared then.
      if (list.length < MAX_VALUES_PER_PATH) list.push(JSON.stringify(v));
      else volatilePaths.add(path);
    }
  };
  walk(value, '$', 0, false);
  const shape: BodyShape = { types: new Map(), values: new Map(), emptyArrays };
  for (const [path, seen] of types) shape.types.set(path, [...seen].sort().join('|'));
  for (const [path, list] of values) if (!volatilePaths.has(path)) shape.values.set(path, list.sort().join('\u0000'));
  // An array element that is an array of arrays emptied on one side only is still an array here.
  for (const path of emptyArrays) if (types.has(`${path}[]`)) emptyArrays.delete(path);
  return shape;
}

/** What changed in shape from `before` (the baseline) to `after` (the candidate); `requests` is 1. */
export function diffShapes(before: BodyShape, after: BodyShape): ShapeChange[] {
  const out: ShapeChange[] = [];
  for (const [path, from] of before.types) {
    const to = after.types.get(path);
    if (to === undefined) {
      if (!underEmptyArray(path, after)) out.push({ path, change: 'removed', from, requests: 1 });
    } else if (to !== from) out.push({ path, change: 'retyped', from, to, requests: 1 });
  }
  for (const [path, to] of after.types) {
    if (!before.types.has(path) && !underEmptyArray(path, before)) out.push({ path, change: 'added', to, requests: 1 });
  }
  return out;
}

/** Leaf paths present on both sides whose values differ (volatile ones were never recorded). */
export function diffValues(before: BodyShape, after: BodyShape): string[] {
  const out: string[] = [];
  for (const [path, signature] of before.values) {
    const other = after.values.get(path);
    if (other !== undefined && other !== signature) out.push(path);
  }
  return out;
}

/** True when a path lies under an array that was empty in `shape`, so its absence there says nothing. */
function underEmptyArray(path: string, shape: BodyShape): boolean {
  if (shape.emptyArrays.size === 0) return false;
  for (let at = path.indexOf('[]'); at >= 0; at = path.indexOf('[]', at + 2)) {
    if (shape.emptyArrays.has(path.slice(0, at))) return true;
  }
  return false;
}

function typeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'number' || t === 'string' || t === 'boolean' ? t : 'object';
}

/** Keys that are not plain identifiers are quoted, so `$.a.b` and `$["a.b"]` stay different paths. */
function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
