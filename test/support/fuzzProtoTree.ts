/**
 * The receiver fuzzer's OTLP/protobuf side: encodes a model export as a tree of protobuf fields
 * (opentelemetry-proto field numbers), mutates the tree (hostile strings and invalid UTF-8, ids of
 * the wrong length, out-of-range varints and times, wrong wire types, duplicate and unknown fields,
 * groups, deep AnyValue nesting) and writes it. The writer keeps every length prefix right, so a
 * mutated body is still well-framed protobuf: what the receiver sees is hostile content.
 */
import { ATTRIBUTE_KEYS, hostileString } from './hostileValues';
import type { ModelAttr, ModelExport, ModelLog, ModelSpan, ModelValue } from './fuzzModel';
import type { SeededRandom } from './seededRandom';

/** A message: its fields in wire order. */
export interface Msg {
  fields: Field[];
}

/** One field: varint (0), fixed64 (1), bytes or a sub-message (2), a group (3), fixed32 (5). */
export type Field = { no: number; wt: 0 | 1 | 5; v: bigint } | { no: number; wt: 2; v: Uint8Array | Msg } | { no: number; wt: 3; v: Msg };

/** An export as a mutable field tree, with the item ids under each span, log, scope and resource message. */
export interface ProtoTree {
  root: Msg;
  owners: Map<Msg, number[]>;
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const msg = (...fields: (Field | undefined)[]): Msg => ({ fields: fields.filter((f): f is Field => f !== undefined) });
const bytes = (no: number, v: Uint8Array | string): Field => ({ no, wt: 2, v: typeof v === 'string' ? utf8(v) : v });
const sub = (no: number, v: Msg): Field => ({ no, wt: 2, v });
const varint = (no: number, v: number | bigint): Field => ({ no, wt: 0, v: BigInt(v) });
const fixed64 = (no: number, v: bigint): Field => ({ no, wt: 1, v });

function anyValue(v: ModelValue): Msg {
  if (v.kind === 'string') return msg(bytes(1, v.v));
  if (v.kind === 'bool') return msg(varint(2, v.v ? 1 : 0));
  if (v.kind === 'int') return msg(varint(3, BigInt.asUintN(64, BigInt(v.v))));
  const d = Buffer.alloc(8);
  d.writeDoubleLE(v.v);
  return msg(fixed64(4, d.readBigUInt64LE()));
}

const keyValue = (a: ModelAttr): Field => sub(9, msg(bytes(1, a.key), sub(2, anyValue(a.value))));
const attrs = (no: number, list: ModelAttr[]): Field[] => list.map((a) => ({ ...keyValue(a), no }));
const hexBytes = (hex: string) => Buffer.from(hex, 'hex');

function spanMsg(s: ModelSpan): Msg {
  return attributed(
    9,
    msg(
      bytes(1, hexBytes(s.traceId)),
      bytes(2, hexBytes(s.spanId)),
      s.parentSpanId ? bytes(4, hexBytes(s.parentSpanId)) : undefined,
      bytes(5, s.name),
      varint(6, s.kind),
      fixed64(7, s.startNs),
      fixed64(8, s.endNs),
      ...attrs(9, s.attributes),
      ...s.events.map((e) => sub(11, attributed(3, msg(fixed64(1, e.timeNs), bytes(2, e.name), ...attrs(3, e.attributes))))),
      sub(15, msg(s.status.message ? bytes(2, s.status.message) : undefined, varint(3, s.status.code))),
    ),
  );
}

function attributed(no: number, m: Msg): Msg {
  ATTRIBUTE_FIELD.set(m, no);
  return m;
}

function logMsg(l: ModelLog): Msg {
  return attributed(
    6,
    msg(fixed64(1, l.timeNs), varint(2, l.severity), bytes(3, l.severityText), sub(5, anyValue({ kind: 'string', v: l.body })), ...attrs(6, l.attributes), l.traceId ? bytes(9, hexBytes(l.traceId)) : undefined),
  );
}

/** Encodes a model export as ExportTraceServiceRequest / ExportLogsServiceRequest fields. */
export function buildProto(e: ModelExport): ProtoTree {
  const owners = new Map<Msg, number[]>();
  const traces = e.signal === 'traces';
  const resources = e.resources.map((r) => {
    const scopes = r.scopes.map((s) => {
      const items = s.items.map((item) => {
        const node = traces ? spanMsg(item as ModelSpan) : logMsg(item as ModelLog);
        owners.set(node, [item.id]);
        return sub(2, node);
      });
      const scope = msg(sub(1, msg(bytes(1, s.name), bytes(2, s.version))), ...items);
      owners.set(
        scope,
        s.items.map((i) => i.id),
      );
      return sub(2, scope);
    });
    const resource = msg(sub(1, attributed(1, msg(...attrs(1, r.attributes)))), ...scopes);
    owners.set(
      resource,
      r.scopes.flatMap((s) => s.items.map((i) => i.id)),
    );
    return sub(1, resource);
  });
  return { root: msg(...resources), owners };
}

const U64_MAX = (1n << 64n) - 1n;
const HOSTILE_VARINTS = [0n, 1n, 5n, 127n, 128n, 2n ** 31n, 2n ** 32n + 5n, 2n ** 53n + 1n, 2n ** 63n, U64_MAX];
const HOSTILE_FIXED64 = [0n, 1n, 2n ** 62n, 2n ** 63n, 2n ** 63n - 1n, U64_MAX, BigInt(Date.now()) * 1_000_000n + 10n ** 18n];
const ID_LENGTHS = [0, 1, 7, 9, 15, 17, 32, 1000];

function hostileBytes(rnd: SeededRandom): Uint8Array {
  return rnd.pick<() => Uint8Array>([
    () => utf8(hostileString(rnd)),
    () => utf8(hostileString(rnd)),
    () => utf8(hostileString(rnd)),
    () => Uint8Array.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]), // not UTF-8: lone continuation, overlong, surrogate
    () => rnd.bytes(rnd.pick(ID_LENGTHS)),
    () => new Uint8Array(rnd.pick([8, 16])), // all-zero ids
  ])();
}

/** AnyValue bytes nested `depth` deep through kvlist (6) or array (5) values, built inside out (no recursion). */
function deepAnyValue(depth: number, rnd: SeededRandom): Uint8Array {
  let v = encodeProto(msg(bytes(1, 'leaf')));
  const viaArray = rnd.chance(0.5);
  for (let i = 0; i < depth; i++) {
    v = viaArray ? encodeProto(msg(bytes(5, encodeProto(msg(bytes(1, v)))))) : encodeProto(msg(bytes(6, encodeProto(msg(bytes(1, encodeProto(msg(bytes(1, 'k'), bytes(2, v)))))))));
  }
  return v;
}

function randomField(rnd: SeededRandom, no: number): Field {
  const wt = rnd.pick([0, 1, 2, 3, 5] as const);
  if (wt === 2) return bytes(no, hostileBytes(rnd));
  if (wt === 3) return { no, wt, v: msg(varint(1, rnd.pick(HOSTILE_VARINTS)), bytes(2, hostileBytes(rnd))) };
  return { no, wt, v: wt === 5 ? BigInt(rnd.int(0, 2 ** 31)) : rnd.pick(HOSTILE_VARINTS) };
}

type Mutation = (m: Msg, rnd: SeededRandom) => string;

/** Which field holds the attributes of a resource (1), span (9), event (3) or log record (6) message. */
const ATTRIBUTE_FIELD = new WeakMap<Msg, number>();

const pickField = (m: Msg, rnd: SeededRandom, ok: (f: Field) => boolean = () => true): Field | undefined => {
  const fs = m.fields.filter(ok);
  return fs.length === 0 ? undefined : rnd.pick(fs);
};

const MUTATIONS: Mutation[] = [
  function content(m, rnd) {
    const f = pickField(m, rnd, (x) => x.wt === 2);
    if (f === undefined) return 'bytes: none';
    f.v = hostileBytes(rnd);
    return `bytes #${f.no}`;
  },
  function number(m, rnd) {
    const f = pickField(m, rnd, (x) => x.wt === 0 || x.wt === 1);
    if (f === undefined) return 'number: none';
    f.v = f.wt === 0 ? rnd.pick(HOSTILE_VARINTS) : rnd.pick(HOSTILE_FIXED64);
    return `number #${f.no}`;
  },
  function wireType(m, rnd) {
    const i = rnd.int(0, Math.max(0, m.fields.length - 1));
    if (m.fields.length === 0) return 'wire type: none';
    m.fields[i] = randomField(rnd, m.fields[i].no);
    return `wire type #${m.fields[i].no} -> ${m.fields[i].wt}`;
  },
  function duplicate(m, rnd) {
    const f = pickField(m, rnd);
    if (f === undefined) return 'duplicate: none';
    m.fields.splice(rnd.int(0, m.fields.length), 0, structuredClone(f));
    return `duplicate #${f.no}`;
  },
  function unknown(m, rnd) {
    const no = rnd.pick([3, 10, 16, 100, 1000, 19000, 536_870_911]);
    m.fields.splice(rnd.int(0, m.fields.length), 0, randomField(rnd, no));
    return `unknown #${no}`;
  },
  function remove(m, rnd) {
    if (m.fields.length === 0) return 'delete: none';
    const [f] = m.fields.splice(rnd.int(0, m.fields.length - 1), 1);
    return `delete #${f.no}`;
  },
  function clear(m) {
    m.fields.length = 0;
    return 'clear';
  },
  hostileAttribute,
];

/** Adds an attribute the receiver reads (or a prototype key), with a hostile value. */
function hostileAttribute(m: Msg, rnd: SeededRandom): string {
  const no = ATTRIBUTE_FIELD.get(m) ?? rnd.pick([1, 3, 6, 9]);
  const key = rnd.pick(ATTRIBUTE_KEYS);
  const value = rnd.chance(0.05) ? deepAnyValue(rnd.pick([100, 2_000]), rnd) : encodeProto(msg(bytes(1, rnd.chance(0.6) ? utf8(hostileString(rnd)) : hostileBytes(rnd))));
  m.fields.push(sub(no, msg(bytes(1, key), bytes(2, value))));
  return `attribute #${no} ${JSON.stringify(key)}`;
}

/** Messages in the tree with their ancestors (the message last). */
function messages(root: Msg): Msg[][] {
  const out: Msg[][] = [];
  const walk = (m: Msg, chain: Msg[]) => {
    const here = [...chain, m];
    out.push(here);
    for (const f of m.fields) if ((f.wt === 2 || f.wt === 3) && !(f.v instanceof Uint8Array)) walk(f.v, here);
  };
  walk(root, []);
  return out;
}

/** Applies `count` structure-level mutations; returns what they did and the item ids they may have spoiled ('all' at the top level). */
export function mutateProto(tree: ProtoTree, rnd: SeededRandom, count: number): { ops: string[]; spoiled: Set<number> | 'all' } {
  const ops: string[] = [];
  let spoiled: Set<number> | 'all' = new Set();
  for (let i = 0; i < count; i++) {
    const all = messages(tree.root);
    // Half the time a field the receiver reads (an attribute of a resource, span, event or log record) gets the hostile value.
    const withAttributes = all.filter((c) => ATTRIBUTE_FIELD.has(c[c.length - 1]));
    const targeted = withAttributes.length > 0 && rnd.chance(0.5);
    const chain = rnd.pick(targeted ? withAttributes : all);
    ops.push((targeted ? hostileAttribute : rnd.pick(MUTATIONS))(chain[chain.length - 1], rnd));
    const owner = [...chain].reverse().find((n) => tree.owners.has(n));
    if (owner === undefined) spoiled = 'all';
    else if (spoiled !== 'all') for (const id of tree.owners.get(owner)!) spoiled.add(id);
  }
  return { ops, spoiled };
}

function writeVarint(out: Out, v: bigint): void {
  let x = BigInt.asUintN(64, v);
  while (x > 0x7fn) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
}

type Out = (number | Uint8Array)[];

function write(m: Msg, out: Out): void {
  for (const f of m.fields) {
    writeVarint(out, (BigInt(f.no) << 3n) | BigInt(f.wt));
    if (f.wt === 0) writeVarint(out, f.v);
    else if (f.wt === 1 || f.wt === 5) {
      let x = BigInt.asUintN(f.wt === 1 ? 64 : 32, f.v);
      for (let i = 0; i < (f.wt === 1 ? 8 : 4); i++, x >>= 8n) out.push(Number(x & 0xffn));
    } else if (f.wt === 3) {
      write(f.v, out);
      writeVarint(out, (BigInt(f.no) << 3n) | 4n);
    } else {
      const body = f.v instanceof Uint8Array ? f.v : encodeProto(f.v as Msg);
      writeVarint(out, BigInt(body.length));
      out.push(body);
    }
  }
}

/** The wire bytes of a message. */
export function encodeProto(m: Msg): Uint8Array {
  const out: Out = [];
  write(m, out);
  let size = 0;
  for (const x of out) size += typeof x === 'number' ? 1 : x.length;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const x of out) {
    if (typeof x === 'number') bytes[at++] = x;
    else {
      bytes.set(x, at);
      at += x.length;
    }
  }
  return bytes;
}

/** Most items a receiver could count: sub-messages or bytes at 1 > 2 > 2 (repeated fields add up). */
export function protoItemSlots(tree: ProtoTree): number {
  let n = 0;
  const at = (m: Msg, no: number) => m.fields.filter((f) => f.no === no && f.wt === 2);
  for (const r of at(tree.root, 1)) {
    if (r.v instanceof Uint8Array) continue;
    for (const s of at(r.v as Msg, 2)) if (!(s.v instanceof Uint8Array)) n += at(s.v as Msg, 2).length;
  }
  return n;
}
