/**
 * The receiver fuzzer's OTLP/JSON side: encodes a model export as a JSON tree, mutates the tree at
 * the structure level (hostile values, wrong types, duplicate and unknown keys, bad ids and times,
 * deep nesting) and serializes it, duplicate keys and non-JSON number literals included.
 * Each mutation spoils at most the items under the span, log, scope or resource it lands in.
 */
import { ATTRIBUTE_KEYS, HOSTILE_TIMES, PROTOTYPE_KEYS, hostileId, hostileString } from './hostileValues';
import type { ModelAttr, ModelExport, ModelLog, ModelSpan, ModelValue } from './fuzzModel';
import type { SeededRandom } from './seededRandom';

/** Text emitted as it is (number literals JSON.stringify cannot write, deep nesting). */
export class Raw {
  constructor(readonly text: string) {}
}

/** Extra [key, value] pairs an object serializes after its own keys (JSON.parse keeps the last). */
const DUPS = Symbol('duplicate keys');
type Obj = Record<string, unknown> & { [DUPS]?: [string, unknown][] };

/** An export as a mutable JSON tree, with the item ids under each span, log, scope and resource node. */
export interface JsonTree {
  root: Obj;
  owners: Map<object, number[]>;
  signal: 'traces' | 'logs';
}

function anyValue(v: ModelValue): Obj {
  if (v.kind === 'string') return { stringValue: v.v };
  if (v.kind === 'int') return { intValue: String(v.v) };
  if (v.kind === 'double') return { doubleValue: v.v };
  return { boolValue: v.v };
}

const attrs = (list: ModelAttr[]) => list.map((a) => ({ key: a.key, value: anyValue(a.value) }));

function spanJson(s: ModelSpan): Obj {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: String(s.startNs),
    endTimeUnixNano: String(s.endNs),
    attributes: attrs(s.attributes),
    events: s.events.map((e) => ({ timeUnixNano: String(e.timeNs), name: e.name, attributes: attrs(e.attributes) })),
    status: { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) },
  };
}

function logJson(l: ModelLog): Obj {
  return {
    timeUnixNano: String(l.timeNs),
    severityNumber: l.severity,
    severityText: l.severityText,
    body: { stringValue: l.body },
    ...(l.traceId ? { traceId: l.traceId } : {}),
    attributes: attrs(l.attributes),
  };
}

/** Encodes a model export the way OTLP/JSON exporters do. */
export function buildJson(e: ModelExport): JsonTree {
  const owners = new Map<object, number[]>();
  const traces = e.signal === 'traces';
  const resources = e.resources.map((r) => {
    const scopes = r.scopes.map((s) => {
      const items = s.items.map((item) => {
        const node = traces ? spanJson(item as ModelSpan) : logJson(item as ModelLog);
        owners.set(node, [item.id]);
        return node;
      });
      const scope: Obj = { scope: { name: s.name, version: s.version }, [traces ? 'spans' : 'logRecords']: items };
      owners.set(
        scope,
        s.items.map((i) => i.id),
      );
      return scope;
    });
    const resource: Obj = { resource: { attributes: attrs(r.attributes) }, [traces ? 'scopeSpans' : 'scopeLogs']: scopes };
    owners.set(
      resource,
      scopes.flatMap((s) => owners.get(s)!),
    );
    return resource;
  });
  return { root: { [traces ? 'resourceSpans' : 'resourceLogs']: resources }, owners, signal: e.signal };
}

function deepArray(depth: number): Raw {
  return new Raw(`${'['.repeat(depth)}${']'.repeat(depth)}`);
}

function deepAnyValue(depth: number): Raw {
  const open = '{"kvlistValue":{"values":[{"key":"k","value":';
  return new Raw(`${open.repeat(depth)}{"stringValue":"leaf"}${'}]}}'.repeat(depth)}`);
}

/** A value of any JSON type, or not quite JSON. */
export function hostileJsonValue(rnd: SeededRandom): unknown {
  return rnd.pick<() => unknown>([
    () => hostileString(rnd),
    () => hostileString(rnd),
    () => hostileString(rnd),
    () => null,
    () => true,
    () => false,
    () => 0,
    () => -1,
    () => 1.5,
    () => 1e308,
    () => -1e308,
    () => 2 ** 64,
    () => [],
    () => ({}),
    () => [null],
    () => [[], {}],
    () => ({ stringValue: hostileString(rnd) }),
    () => ({ intValue: '99999999999999999999' }),
    () => ({ kvlistValue: { values: [] } }),
    () => new Raw('1e400'),
    () => new Raw('-0'),
    () => new Raw('123456789012345678901234567890'),
    () => new Raw('"\\ud800\\u0000"'),
    () => deepArray(rnd.pick([100, 1_000, 100_000])),
    () => deepAnyValue(rnd.pick([10, 1_000, 10_000])),
    () => (rnd.chance(0.1) ? new Raw('NaN') : null),
  ])();
}

/** An AnyValue that is malformed or hostile. */
function hostileAnyValue(rnd: SeededRandom): unknown {
  return rnd.pick<() => unknown>([
    () => ({ stringValue: hostileString(rnd) }),
    () => ({ stringValue: hostileString(rnd) }),
    () => ({ intValue: rnd.pick(HOSTILE_TIMES) }),
    () => ({ doubleValue: rnd.pick(['NaN', 'Infinity', '-Infinity', 1e308, 'x']) }),
    () => ({ boolValue: 'yes' }),
    () => ({ bytesValue: 'not base64!' }),
    () => ({ stringValue: 5 }),
    () => ({ stringValue: 'a', intValue: 5 }),
    () => ({}),
    () => null,
    () => 'bare string',
    () => deepAnyValue(rnd.pick([10, 1_000, 10_000])),
    () => ({ arrayValue: { values: [{ stringValue: hostileString(rnd) }, null, 7] } }),
  ])();
}

const ID_KEYS = ['traceId', 'spanId', 'parentSpanId'];

function define(o: Obj, key: string, value: unknown): void {
  // defineProperty: plain assignment of "__proto__" would set the prototype instead of a key.
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function keysOf(node: Obj | unknown[]): string[] {
  return Array.isArray(node) ? node.map((_, i) => String(i)) : Object.keys(node);
}

function set(node: Obj | unknown[], key: string, value: unknown): void {
  if (Array.isArray(node)) node[Number(key)] = value;
  else define(node, key, value);
}

type Mutation = (node: Obj | unknown[], rnd: SeededRandom) => string;

const MUTATIONS: Mutation[] = [
  function replace(node, rnd) {
    const keys = keysOf(node);
    if (keys.length === 0) return 'replace: empty';
    const key = rnd.pick(keys);
    set(node, key, hostileJsonValue(rnd));
    return `replace ${key}`;
  },
  function remove(node, rnd) {
    const keys = keysOf(node);
    if (keys.length === 0) return 'delete: empty';
    const key = rnd.pick(keys);
    if (Array.isArray(node)) node.splice(Number(key), 1);
    else delete node[key];
    return `delete ${key}`;
  },
  function unknown(node, rnd) {
    if (Array.isArray(node)) {
      node.push(hostileJsonValue(rnd));
      return 'push';
    }
    const key = rnd.pick([...PROTOTYPE_KEYS, 'unknownField', 'resourceSpans', 'spans', 'droppedAttributesCount', hostileString(rnd).slice(0, 64)]);
    define(node, key, hostileJsonValue(rnd));
    return `add key ${JSON.stringify(key)}`;
  },
  function duplicateKey(node, rnd) {
    if (Array.isArray(node) || Object.keys(node).length === 0) return 'dup: none';
    const key = rnd.pick(Object.keys(node));
    (node[DUPS] ??= []).push([key, rnd.chance(0.5) ? hostileJsonValue(rnd) : structuredClone(node[key])]);
    return `duplicate ${key}`;
  },
  function typeSwap(node) {
    for (const key of keysOf(node)) {
      const v = (node as Obj)[key];
      if (typeof v === 'number') set(node, key, String(v));
      else if (typeof v === 'string' && /^-?\d+$/.test(v)) set(node, key, Number(v));
      else if (typeof v === 'string') set(node, key, [v]);
    }
    return 'numbers <-> strings';
  },
  function emptyArray(node, rnd) {
    const keys = keysOf(node).filter((k) => Array.isArray((node as Obj)[k]));
    if (keys.length === 0) return 'empty: none';
    const key = rnd.pick(keys);
    set(node, key, []);
    return `empty ${key}`;
  },
  function time(node, rnd) {
    const keys = keysOf(node).filter((k) => k.endsWith('UnixNano'));
    if (keys.length === 0) return 'time: none';
    const key = rnd.pick(keys);
    set(node, key, rnd.chance(0.1) ? new Raw('1e400') : rnd.pick(HOSTILE_TIMES));
    return `time ${key}`;
  },
  function id(node, rnd) {
    const keys = ID_KEYS.filter((k) => !Array.isArray(node) && Object.hasOwn(node, k));
    if (keys.length === 0) return 'id: none';
    const key = rnd.pick(keys);
    set(node, key, hostileId(rnd, key === 'traceId' ? 16 : 8));
    return `id ${key}`;
  },
  hostileAttribute,
];

/** Adds an attribute the receiver reads (or a prototype key), with a hostile value. */
function hostileAttribute(node: Obj | unknown[], rnd: SeededRandom): string {
  const list = Array.isArray(node) ? undefined : node.attributes;
  if (!Array.isArray(list)) return 'attribute: none';
  const entry: Obj = {};
  define(entry, 'key', rnd.chance(0.9) ? rnd.pick(ATTRIBUTE_KEYS) : hostileJsonValue(rnd));
  define(entry, 'value', rnd.chance(0.6) ? { stringValue: hostileString(rnd) } : hostileAnyValue(rnd));
  list.splice(rnd.int(0, list.length), 0, entry);
  return `attribute ${JSON.stringify(String(entry.key).slice(0, 40))}`;
}

/** Containers in the tree with their ancestors (the node last). */
function containers(root: Obj): (Obj | unknown[])[][] {
  const out: (Obj | unknown[])[][] = [];
  const walk = (node: unknown, chain: (Obj | unknown[])[]) => {
    if (typeof node !== 'object' || node === null || node instanceof Raw) return;
    const here = [...chain, node as Obj | unknown[]];
    out.push(here);
    for (const key of keysOf(node as Obj)) walk((node as Obj)[key], here);
  };
  walk(root, []);
  return out;
}

/** Applies `count` structure-level mutations; returns what they did and the item ids they may have spoiled ('all' at the top level). */
export function mutateJson(tree: JsonTree, rnd: SeededRandom, count: number): { ops: string[]; spoiled: Set<number> | 'all' } {
  const ops: string[] = [];
  let spoiled: Set<number> | 'all' = new Set();
  for (let i = 0; i < count; i++) {
    const all = containers(tree.root);
    // Half the time a field the receiver reads (an attribute of a resource, span, event or log record) gets the hostile value.
    const withAttributes = all.filter((c) => Array.isArray((c[c.length - 1] as Obj).attributes));
    const targeted = withAttributes.length > 0 && rnd.chance(0.5);
    const chain = rnd.pick(targeted ? withAttributes : all);
    ops.push((targeted ? hostileAttribute : rnd.pick(MUTATIONS))(chain[chain.length - 1], rnd));
    const owner = [...chain].reverse().find((n) => tree.owners.has(n));
    if (owner === undefined) spoiled = 'all';
    else if (spoiled !== 'all') for (const id of tree.owners.get(owner)!) spoiled.add(id);
  }
  return { ops, spoiled };
}

/** JSON text of the tree, duplicate keys after the object's own, Raw text as it is. */
export function serializeJson(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : serializeJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const o = value as Obj;
    const pairs: [string, unknown][] = Object.keys(o).map((k) => [k, o[k]]);
    if (o[DUPS]) pairs.push(...o[DUPS]);
    return `{${pairs
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${serializeJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Most items a receiver could count in the tree as JSON.parse reads it (the last duplicate key wins). */
export function jsonItemSlots(tree: JsonTree): number {
  const traces = tree.signal === 'traces';
  const get = (o: unknown, key: string): unknown => {
    if (typeof o !== 'object' || o === null || Array.isArray(o) || o instanceof Raw) return undefined;
    const dup = (o as Obj)[DUPS]?.filter(([k]) => k === key).pop();
    return dup ? dup[1] : Object.hasOwn(o, key) ? (o as Obj)[key] : undefined;
  };
  let n = 0;
  const resources = get(tree.root, traces ? 'resourceSpans' : 'resourceLogs');
  if (!Array.isArray(resources)) return 0;
  for (const r of resources) {
    const scopes = get(r, traces ? 'scopeSpans' : 'scopeLogs');
    if (!Array.isArray(scopes)) continue;
    for (const s of scopes) {
      const items = get(s, traces ? 'spans' : 'logRecords');
      if (Array.isArray(items)) n += items.length;
    }
  }
  return n;
}
