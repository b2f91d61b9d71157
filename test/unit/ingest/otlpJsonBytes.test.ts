/**
 * The OTLP/JSON byte decoder against the general one (JSON.parse, then a walk): for every body
 * the byte decoder takes, both must give the same batch; a body it leaves (null) is one the
 * general decoder rejects or one with a shape the byte decoder does not read. Inputs are what real
 * SDKs and Jaeger send, rewritten in every way JSON allows, and fuzzed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { decodeTraceRequestJson } from '../../../src/core/ingest/otlpJson';
import { decodeTraceRequestJsonBytes } from '../../../src/core/ingest/otlpJsonBytes';
import { decodeRequest } from '../../../src/core/ingest/otlpDecode';
import { MAX_ITEMS_PER_REQUEST } from '../../../src/core/ingest/limits';
import { DecodeError, TooManyItemsError } from '../../../src/core/ingest/records';
import { traceRequestJson } from '../../support/otlpProtoJson';
import { structureCase } from '../../support/fuzzCases';
import type { ModelContext } from '../../support/fuzzModel';
import { SeededRandom } from '../../support/seededRandom';
import { encodeSpans, realisticSpans, sdkSpans } from './sdkPayloads';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

interface Recorded {
  path: string;
  contentType: string;
  contentEncoding: string;
  bodyBase64: string;
}

/** Every trace export the real SDKs sent in the recordings, as OTLP/JSON (protobuf ones converted). */
function recordedBodies(): Array<{ name: string; json: string }> {
  const out: Array<{ name: string; json: string }> = [];
  const dir = path.join(FIXTURES, 'otlp-recorded');
  for (const sdk of readdirSync(dir)) {
    for (const file of readdirSync(path.join(dir, sdk)).filter((f) => f.endsWith('.jsonl'))) {
      const lines = readFileSync(path.join(dir, sdk, file), 'utf8')
        .split('\n')
        .filter(Boolean);
      lines.forEach((line, i) => {
        const rec = JSON.parse(line) as Recorded;
        if (rec.path !== '/v1/traces') return;
        let body = Buffer.from(rec.bodyBase64, 'base64');
        if (rec.contentEncoding === 'gzip') body = gunzipSync(body);
        const json = rec.contentType.includes('json') ? body.toString('utf8') : traceRequestJson(body);
        out.push({ name: `${sdk}/${file}#${i}`, json });
      });
    }
  }
  return out;
}

/** Jaeger v2's own OTLP/JSON (`/api/v3`), recorded from a real server. */
function jaegerBodies(): Array<{ name: string; json: string }> {
  const out: Array<{ name: string; json: string }> = [];
  for (const file of ['trace-by-id.json', 'traces-search.json']) {
    const doc = JSON.parse(readFileSync(path.join(FIXTURES, 'backends', 'jaeger', file), 'utf8')) as { result: unknown };
    out.push({ name: `jaeger/${file}`, json: JSON.stringify(doc.result) });
  }
  return out;
}

const sdkJson = encodeSpans(sdkSpans()).json;
const realBodies = [...recordedBodies(), ...jaegerBodies(), { name: 'js-sdk/sdkSpans', json: sdkJson }, { name: 'js-sdk/realistic', json: encodeSpans(realisticSpans(200)).json }];

/** The general decoder's answer: its batch, or the error it throws. */
function general(bytes: Uint8Array): ReturnType<typeof decodeTraceRequestJson> | Error {
  try {
    return decodeTraceRequestJson(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    return err as Error;
  }
}

/** Both decoders on one body: equal when the byte decoder takes it; returns whether it did. */
function agree(bytes: Uint8Array, label: string): boolean {
  const fast = decodeTraceRequestJsonBytes(bytes);
  const slow = general(bytes);
  if (fast === null) return false;
  assert.ok(!(slow instanceof Error), `${label}: the byte decoder took a body the general one rejects (${String(slow)})`);
  assert.deepEqual(fast, slow, label);
  return true;
}

function agreeText(text: string, label: string): boolean {
  return agree(Buffer.from(text, 'utf8'), label);
}

test('real SDK and Jaeger bodies decode the same on both paths, and take the byte path', () => {
  // Go, Java, Python and Node auto-instrumentation (converted from protobuf), the JS exporter's own JSON, Jaeger's.
  assert.ok(realBodies.length >= 30, `only ${realBodies.length} recorded bodies`);
  let spans = 0;
  for (const { name, json } of realBodies) {
    assert.ok(agreeText(json, name), `${name} left the byte path`);
    spans += decodeTraceRequestJson(json).spans.length;
  }
  assert.ok(spans > 200, `only ${spans} spans`);
});

/** Rewrites a document with every member list in reverse order. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reversed(x)]),
  );
}

/** JSON text with every non-ASCII character, slash and some letters written as \u escapes. */
function escaped(text: string): string {
  return text.replace(/"((?:[^"\\]|\\.)*)"(?!\s*:)/g, (_, body: string) => `"${body.replace(/[^\x20-\x7e]|[/ae]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`);
}

/** Enum names for kinds and status codes, ints as strings or numbers, ids in upper case. */
function spelled(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => spelled(x));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, spelled(x, k)]));
  const kinds = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
  if (key === 'kind' && typeof v === 'number') return kinds[v];
  if (key === 'code' && typeof v === 'number') return ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'][v];
  if (key === 'intValue') return typeof v === 'string' ? Number(v) : String(v);
  if ((key === 'traceId' || key === 'spanId' || key === 'parentSpanId') && typeof v === 'string') return v.toUpperCase();
  if (key === 'startTimeUnixNano' && typeof v === 'string' && v.length < 16) return Number(v);
  return v;
}

test('every spelling JSON allows decodes the same: whitespace, member order, escapes, enum names, number forms', () => {
  for (const { name, json } of realBodies) {
    const doc = JSON.parse(json) as unknown;
    const variants: Record<string, string> = {
      pretty: JSON.stringify(doc, null, 2),
      tabs: JSON.stringify(doc, null, '\t').replace(/\n/g, '\r\n'),
      reversed: JSON.stringify(reversed(doc)),
      escaped: escaped(json),
      spelled: JSON.stringify(spelled(doc)),
    };
    for (const [how, text] of Object.entries(variants)) {
      assert.ok(agreeText(text, `${name} ${how}`), `${name} ${how} left the byte path`);
      assert.deepEqual(decodeTraceRequestJson(text), decodeTraceRequestJson(json), `${name} ${how} changed the batch`);
    }
  }
});

test('bodies the general decoder rejects or counts as rejected leave the byte path, and decodeRequest gives its answer', () => {
  const doc = JSON.parse(sdkJson) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
  const span0 = (edit: (s: Record<string, unknown>) => void): string => {
    const copy = structuredClone(doc);
    edit(copy.resourceSpans[0].scopeSpans[0].spans[0]);
    return JSON.stringify(copy);
  };
  const cases: Record<string, string> = {
    'numeric trace id': span0((s) => (s.traceId = 42)),
    'all-zero span id': span0((s) => (s.spanId = '0000000000000000')),
    'short parent id': span0((s) => (s.parentSpanId = 'abc')),
    'unknown kind': span0((s) => (s.kind = 'SPAN_KIND_SIDEWAYS')),
    'negative start': span0((s) => (s.startTimeUnixNano = -1)),
    'attributes object': span0((s) => (s.attributes = {})),
    'status string': span0((s) => (s.status = 'ERROR')),
    'duplicate name': sdkJson.replace('"name":', '"name":"first","name":'),
    'escaped key': sdkJson.replace('"traceId"', '"trace\\u0049d"'),
    'trailing comma': sdkJson.replace(/}]}]}]}$/, '},]}]}]}'),
    'raw control character': sdkJson.replace('"name":"', '"name":"\u0001'),
    'bad escape': sdkJson.replace('"name":"', '"name":"\\x'),
    truncated: sdkJson.slice(0, -3),
    'trailing garbage': `${sdkJson} x`,
    'leading BOM': `\ufeff${sdkJson}`,
    'lone surrogate byte': sdkJson.replace('"name":"', '"name":"\xed\xa0\x80'),
    'number 01': span0((s) => (s.kind = 1)).replace('"kind":1', '"kind":01'),
    'not an object': '[]',
  };
  for (const [what, text] of Object.entries(cases)) {
    const bytes = Buffer.from(text, what === 'lone surrogate byte' ? 'latin1' : 'utf8');
    const slow = general(bytes);
    const taken = agree(bytes, what);
    if (slow instanceof Error || slow.rejected > 0) assert.equal(taken, false, `${what}: the byte path kept a body the general decoder rejects`);
    const viaRequest = (() => {
      try {
        return decodeRequest('traces', 'json', bytes);
      } catch (err) {
        return err as Error;
      }
    })();
    if (slow instanceof Error) assert.ok(viaRequest instanceof DecodeError && viaRequest.message === slow.message, `${what}: ${String(viaRequest)}`);
    else assert.deepEqual(viaRequest, slow, what);
  }
});

test('more spans than a request may hold leave the byte path, and the general decoder refuses them', () => {
  const span = '{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}';
  const many = `{"resourceSpans":[{"scopeSpans":[{"spans":[${Array(MAX_ITEMS_PER_REQUEST + 1)
    .fill(span)
    .join(',')}]}]}]}`;
  const bytes = Buffer.from(many);
  assert.equal(decodeTraceRequestJsonBytes(bytes), null);
  assert.throws(() => decodeRequest('traces', 'json', bytes), TooManyItemsError);
});

test('deep nesting in a skipped value leaves the byte path without overflowing', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const text = sdkJson.replace('"name":', `"unknownField":${deep},"name":`);
  assert.equal(decodeTraceRequestJsonBytes(Buffer.from(text)), null);
});

function fuzzContext(seed: number): ModelContext {
  let id = 1;
  const functions = ['create', 'charge', 'list'].map((name, i) => ({ file: `/srv/app/src/orders.js`, name: `orders_${name}`, line: 1 + 5 * i }));
  return { rnd: new SeededRandom(seed), functions, revisions: ['abc1234'], nextId: () => id++ };
}

test('structure-level fuzz (hostile values, wrong types, duplicate and unknown keys): both paths agree', () => {
  const ctx = fuzzContext(1507);
  let taken = 0;
  let left = 0;
  let bodies = 0;
  while (bodies < 3000) {
    const c = structureCase(ctx);
    if (c.signal !== 'traces' || !c.describe.startsWith('json')) continue;
    bodies++;
    if (agree(c.body, c.describe)) taken++;
    else left++;
  }
  // Both outcomes happen, or the fuzz is not reaching one of them.
  assert.ok(taken > 300 && left > 300, `taken ${taken}, left ${left}`);
});

/** Text edits of a real body: truncation, deleted runs, inserted fragments, invalid UTF-8. */
const textEdit = fc.tuple(
  fc.nat(),
  fc.nat({ max: 24 }),
  fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '\\u00e9', '\\ud800', 'null', '-0', '1e999', '0.5', ' ', '\t', '\xff', '\xc3', 'é', '"key"', '"value":{}', ''),
);

test('byte-level fuzz of real bodies: whatever the byte path takes, the general decoder gives the same', () => {
  const bases = realBodies.filter((_, i) => i % 4 === 0).map((b) => b.json);
  let taken = 0;
  fc.assert(
    fc.property(fc.nat({ max: bases.length - 1 }), fc.array(textEdit, { minLength: 1, maxLength: 3 }), (which, edits) => {
      let text = bases[which];
      for (const [at, cut, insert] of edits) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + insert + text.slice(Math.min(text.length, i + cut));
      }
      // '\xff' and '\xc3' are meant as single raw bytes: written as latin1 where the text has them.
      const bytes = /[\xc3\xff]/.test(text) && !/[^\x00-\xff]/.test(text) ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
      if (agree(bytes, `edits ${JSON.stringify(edits)}`)) taken++;
    }),
    { numRuns: 4000 },
  );
  // Edits inside strings and skipped values keep a body valid: both outcomes must occur.
  assert.ok(taken > 400 && taken < 3600, `the byte path took ${taken} of 4000`);
});
