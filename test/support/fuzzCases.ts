/**
 * Requests for the receiver fuzzer: structure-level mutations of valid OTLP exports (JSON and
 * protobuf, traces and logs), byte-level mutations and transport variants (gzip, corrupt gzip,
 * odd headers), and well-formed canaries. Each says how many of its items must be accepted when
 * it is answered 200 and, when it can be known, how many the receiver could count at most.
 */
import { gzipSync } from 'node:zlib';
import { buildJson, jsonItemSlots, mutateJson, serializeJson } from './fuzzJsonTree';
import { canaryExport, itemIds, randomExport, type ModelContext, type ModelExport } from './fuzzModel';
import { buildProto, encodeProto, mutateProto, protoItemSlots } from './fuzzProtoTree';

/** One request to send. */
export interface FuzzCase {
  signal: 'traces' | 'logs';
  body: Uint8Array;
  headers: Record<string, string>;
  /** Items certainly valid: all of them must be accepted when the answer is 200. */
  valid: number;
  /** Most items the receiver could accept from it; undefined when unknown (byte-level mutations). */
  slots: number | undefined;
  /** Span name of a canary (a request that must be answered 200). */
  canary?: string;
  /** What was done to it, for failure messages. */
  describe: string;
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const PROTO_TYPE = { 'Content-Type': 'application/x-protobuf' };

function validCount(e: ModelExport, spoiled: Set<number> | 'all'): number {
  if (spoiled === 'all') return 0;
  return itemIds(e).filter((id) => !spoiled.has(id)).length;
}

/** A valid export, mutated 0-3 times at the structure level, in JSON or protobuf. */
export function structureCase(ctx: ModelContext): FuzzCase {
  const { rnd } = ctx;
  const signal = rnd.chance(0.8) ? 'traces' : 'logs';
  const model = randomExport(ctx, signal);
  const count = rnd.pick([0, 1, 1, 2, 3]);
  if (rnd.chance(0.5)) {
    const tree = buildJson(model);
    const { ops, spoiled } = mutateJson(tree, rnd, count);
    const body = Buffer.from(serializeJson(tree.root));
    return { signal, body, headers: JSON_TYPE, valid: validCount(model, spoiled), slots: jsonItemSlots(tree), describe: `json ${signal}: ${ops.join(', ') || 'clean'}` };
  }
  const tree = buildProto(model);
  const { ops, spoiled } = mutateProto(tree, rnd, count);
  return { signal, body: encodeProto(tree.root), headers: PROTO_TYPE, valid: validCount(model, spoiled), slots: protoItemSlots(tree), describe: `protobuf ${signal}: ${ops.join(', ') || 'clean'}` };
}

// 80 MiB of zeros: ~80 KB gzipped, past the default 64 MiB body limit once inflated.
let bomb: Buffer | undefined;

/** A valid export whose bytes or transport are damaged: flips, truncation, inserted bytes, gzip variants, odd headers. */
export function byteCase(ctx: ModelContext): FuzzCase {
  const { rnd } = ctx;
  const signal = rnd.chance(0.8) ? 'traces' : 'logs';
  const model = randomExport(ctx, signal);
  const json = rnd.chance(0.5);
  const clean = json ? Buffer.from(serializeJson(buildJson(model).root)) : Buffer.from(encodeProto(buildProto(model).root));
  const headers = json ? JSON_TYPE : PROTO_TYPE;
  const all = itemIds(model).length;
  const kind = rnd.int(0, 9);
  const base = { signal, slots: undefined, describe: `${json ? 'json' : 'protobuf'} ${signal}: ` } as const;
  if (kind === 0) return { ...base, body: gzipSync(clean), headers: { ...headers, 'Content-Encoding': 'gzip' }, valid: all, describe: `${base.describe}gzip` };
  if (kind === 1) {
    const z = gzipSync(clean);
    z[rnd.int(10, z.length - 1)] ^= 1 << rnd.int(0, 7);
    return { ...base, body: z, headers: { ...headers, 'Content-Encoding': 'gzip' }, valid: 0, describe: `${base.describe}corrupt gzip` };
  }
  if (kind === 2 && rnd.chance(0.05)) {
    bomb ??= gzipSync(Buffer.alloc(80 * 1024 * 1024), { level: 9 });
    return { ...base, body: bomb, headers: { ...headers, 'Content-Encoding': 'gzip' }, valid: 0, describe: `${base.describe}gzip bomb` };
  }
  if (kind === 3) {
    const header = rnd.pick<Record<string, string>>([
      { 'Content-Encoding': 'br' },
      { 'Content-Encoding': 'gzip, gzip' },
      { 'Content-Type': 'text/plain' },
      { 'Content-Type': 'application/json; charset=utf-16' },
      { 'Content-Type': json ? 'application/x-protobuf' : 'application/json' },
    ]);
    return { ...base, body: clean, headers: { ...headers, ...header }, valid: 0, describe: `${base.describe}headers ${JSON.stringify(header)}` };
  }
  const bytes = Uint8Array.from(clean);
  const at = rnd.int(0, bytes.length - 1);
  if (kind <= 5) {
    for (let i = rnd.int(1, 4); i > 0; i--) bytes[rnd.int(0, bytes.length - 1)] ^= 1 << rnd.int(0, 7);
    return { ...base, body: bytes, headers, valid: 0, describe: `${base.describe}bit flips` };
  }
  if (kind <= 7) return { ...base, body: bytes.slice(0, at), headers, valid: 0, describe: `${base.describe}truncated at ${at}` };
  const inserted = rnd.bytes(rnd.int(1, 16));
  return { ...base, body: Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at)]), headers, valid: 0, describe: `${base.describe}${inserted.length} bytes inserted at ${at}` };
}

/** One well-formed span named `name`, in JSON or protobuf. */
export function canaryCase(ctx: ModelContext, name: string): FuzzCase {
  const model = canaryExport(ctx, name);
  const json = ctx.rnd.chance(0.5);
  const body = json ? Buffer.from(serializeJson(buildJson(model).root)) : encodeProto(buildProto(model).root);
  return { signal: 'traces', body, headers: json ? JSON_TYPE : PROTO_TYPE, valid: 1, slots: 1, canary: name, describe: `canary ${name}` };
}
