import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeLogsRequestProto, decodeTraceRequestProto } from '../../../src/core/ingest/otlpProtobuf';
import { decodeLogsRequestJson, decodeTraceRequestJson } from '../../../src/core/ingest/otlpJson';
import { countSpansProto } from '../../../src/core/ingest/protobufWalk';
import { DecodeError } from '../../../src/core/ingest/records';
import type { DecodedBatch } from '../../../src/core/ingest/records';
import { encodeLogs, encodeSpans, sdkLogs, sdkSpans } from './sdkPayloads';

const RUNS = 20_000;
// Generous: a run is a few milliseconds; a hang would blow straight through this.
const TIMEOUT = { timeout: 240_000 };

/** A byte-level mutation of a valid payload. */
type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; data: Uint8Array }
  | { kind: 'overwrite'; at: number; data: Uint8Array }
  | { kind: 'random'; data: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), data: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), data: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('random' as const), data: fc.uint8Array({ maxLength: 512 }) }),
);

function mutate(base: Uint8Array, ms: Mutation[]): Uint8Array {
  let out: Uint8Array = Uint8Array.from(base);
  for (const m of ms) {
    const at = out.length === 0 ? 0 : 'at' in m ? m.at % out.length : 0;
    if (m.kind === 'flip' && out.length > 0) out[at] ^= 1 << m.bit;
    else if (m.kind === 'truncate') out = out.slice(0, at);
    else if (m.kind === 'insert') out = Uint8Array.from([...out.subarray(0, at), ...m.data, ...out.subarray(at)]);
    else if (m.kind === 'overwrite') out.set(m.data.subarray(0, out.length - at), at);
    else if (m.kind === 'random') out = m.data;
  }
  return out;
}

/** Runs a decoder and accepts only a well-formed batch or a DecodeError. */
function expectBatchOrDecodeError(run: () => DecodedBatch | number): void {
  let result: DecodedBatch | number;
  try {
    result = run();
  } catch (err) {
    assert.ok(err instanceof DecodeError, `unexpected ${String(err)}`);
    assert.ok(err.message.length > 0 && !err.message.includes('\n'));
    return;
  }
  if (typeof result === 'number') {
    assert.ok(Number.isInteger(result) && result >= 0);
    return;
  }
  assert.ok(result.rejected >= 0 && result.rejectReasons.length <= result.rejected);
  for (const s of result.spans) {
    assert.match(s.traceId, /^[0-9a-f]{32}$/);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
    assert.match(s.parentSpanId, /^([0-9a-f]{16})?$/);
    assert.ok(Number.isFinite(s.startMs) && s.durationMs >= 0);
    assert.ok(Number.isInteger(s.code.line) && s.code.line >= 0);
    assert.equal(typeof s.resource.service, 'string');
  }
  for (const l of result.logs) {
    assert.match(l.traceId, /^([0-9a-f]{32})?$/);
    assert.ok(Number.isFinite(l.timeMs));
  }
}

const spanPayload = encodeSpans(sdkSpans());
const logPayloadPromise = sdkLogs().then(encodeLogs);

test('protobuf trace decoder and span walk survive mutated payloads', TIMEOUT, () => {
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
      const bytes = mutate(spanPayload.proto, ms);
      expectBatchOrDecodeError(() => decodeTraceRequestProto(bytes));
      expectBatchOrDecodeError(() => countSpansProto(bytes));
    }),
    { numRuns: RUNS },
  );
});

test('protobuf logs decoder survives mutated payloads', TIMEOUT, async () => {
  const logs = await logPayloadPromise;
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
      const bytes = mutate(logs.proto, ms);
      expectBatchOrDecodeError(() => decodeLogsRequestProto(bytes));
      // A logs body is also valid-looking input for the trace decoder.
      expectBatchOrDecodeError(() => decodeTraceRequestProto(bytes));
    }),
    { numRuns: RUNS },
  );
});

/** Every path to a value inside a parsed JSON document. */
function paths(v: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function replaceAt(doc: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (let i = 0; i < path.length - 1; i++) node = node[path[i]] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
  return copy;
}

/** Structure-aware JSON mutation: a random node of a valid document replaced by a random value. */
function jsonNodeMutations(text: string): fc.Arbitrary<string> {
  const doc = JSON.parse(text) as unknown;
  const all = paths(doc);
  return fc.tuple(fc.nat({ max: all.length - 1 }), fc.jsonValue({ maxDepth: 3 })).map(([i, value]) => JSON.stringify(replaceAt(doc, all[i], value)));
}

/** Text-level JSON mutation: truncation, character edits, inserted fragments. */
function jsonTextMutations(text: string): fc.Arbitrary<string> {
  const fragments = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'null', '-', '1e999', '"\\u0000"', ' ');
  return fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.oneof(fragments, fc.string({ maxLength: 6 }))).map(([at, cut, insert]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(Math.min(text.length, i + cut));
  });
}

function jsonInputs(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: jsonNodeMutations(text) },
    { weight: 3, arbitrary: jsonTextMutations(text) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 64 }) },
  );
}

test('JSON trace decoder survives mutated documents and random JSON', TIMEOUT, () => {
  fc.assert(
    fc.property(jsonInputs(spanPayload.json), (text) => {
      expectBatchOrDecodeError(() => decodeTraceRequestJson(text));
    }),
    { numRuns: RUNS },
  );
});

test('JSON logs decoder survives mutated documents and random JSON', TIMEOUT, async () => {
  const logs = await logPayloadPromise;
  fc.assert(
    fc.property(jsonInputs(logs.json), (text) => {
      expectBatchOrDecodeError(() => decodeLogsRequestJson(text));
    }),
    { numRuns: RUNS },
  );
});

test('the mutation harness really produces both outcomes', () => {
  // Guards the fuzz tests above against silently testing nothing.
  const truncated = mutate(spanPayload.proto, [{ kind: 'truncate', at: 10 }]);
  assert.throws(() => decodeTraceRequestProto(truncated), DecodeError);
  const unknownField = Uint8Array.from([0xf8, 0x01, 0x05]); // field 31, varint 5
  const decoded = decodeTraceRequestProto(mutate(spanPayload.proto, [{ kind: 'insert', at: 0, data: unknownField }]));
  assert.equal(decoded.spans.length, 5, 'an inserted unknown field is skipped');
  const bad = JSON.parse(spanPayload.json) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
  bad.resourceSpans[0].scopeSpans[0].spans[0].traceId = 42;
  assert.equal(decodeTraceRequestJson(JSON.stringify(bad)).rejected, 1);
});
