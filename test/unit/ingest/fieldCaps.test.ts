import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import type { SignalsResponse, TraceResponse } from '../../../src/core/api/signals';
import { capString, MAX_MESSAGE_CHARS, MAX_METHOD_CHARS, MAX_NAME_CHARS, MAX_RESOURCE_CHARS, MAX_STACK_CHARS, TRUNCATION_MARK } from '../../../src/core/ingest/limits';
import { huge, hugeLogs, hugeSpans } from './hostilePayloads';

function assertCapped(value: string | undefined, cap: number, what: string): void {
  assert.ok(value !== undefined, `${what} is missing`);
  assert.equal(value.length, cap, `${what} is ${value.length} characters, expected its cap ${cap}`);
  assert.ok(value.endsWith(TRUNCATION_MARK), `${what} ends with the truncation mark`);
}

async function withReceiver(decodeWorkers: number, run: (base: string, rx: EmbeddedReceiver) => Promise<void>): Promise<void> {
  const rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, decodeWorkers });
  await rx.start();
  try {
    await run(rx.status().listening, rx);
  } finally {
    await rx.stop();
  }
}

function post(base: string, path: string, body: string | Uint8Array, type: string): Promise<Response> {
  return fetch(base + path, { method: 'POST', body, headers: { 'Content-Type': type } });
}

async function signals(base: string): Promise<SignalsResponse> {
  const res = await fetch(`${base}/api/signals?window=5m`);
  const text = await res.text();
  assert.equal(res.status, 200, text.slice(0, 300));
  return JSON.parse(text) as SignalsResponse;
}

test('capString cuts on a code-point boundary and marks the cut', () => {
  assert.equal(capString('short', 10), 'short');
  assert.equal(capString('abcdefghij', 5), 'abcd…');
  // '😀' is a surrogate pair: a cut through it keeps neither half.
  assert.equal(capString('abc😀def', 5), 'abc…');
  assert.equal(capString('ab😀def', 5), 'ab😀…');
  // Lone surrogates (from JSON escapes) become U+FFFD, short or cut.
  assert.equal(capString('prod\ud800', 10), 'prod\ufffd');
  assert.equal(capString('\udc00abcdefgh', 5), '\ufffdabc…');
});

test('an environment named with a lone surrogate is stored well-formed, so clients can query it', async () => {
  await withReceiver(2, async (base, rx) => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans = [{ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), name: 'op', kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n) }];
    // Written by hand: JSON.stringify would escape the lone surrogate the same way, as \ud800.
    const env = '{"key":"deployment.environment.name","value":{"stringValue":"prod\\ud800"}}';
    const body = `{"resourceSpans":[{"resource":{"attributes":[${env}]},"scopeSpans":[{"spans":${JSON.stringify(spans)}}]}]}`;
    const res = await post(base, '/v1/traces', body, 'application/json');
    assert.equal(res.status, 200, await res.text());
    await rx.pipeline.idle();
    const listed = (await signals(base)).environments;
    assert.deepEqual(listed, ['prod\ufffd']);
    const again = await fetch(`${base}/api/signals?window=5m&environment=${encodeURIComponent(listed[0])}`);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as SignalsResponse).operations.length, 1);
  });
});

for (const encoding of ['json', 'protobuf'] as const) {
  for (const workers of [2, 0]) {
    test(`${encoding} (${workers ? 'decode workers' : 'inline'}): megabyte-long fields are stored at their caps with a mark`, async () => {
      const tag = `${encoding}${workers}`;
      const spans = hugeSpans(3, tag);
      const logs = await hugeLogs(tag);
      const type = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
      await withReceiver(workers, async (base, rx) => {
        const t = await post(base, '/v1/traces', encoding === 'json' ? spans.json : spans.proto, type);
        assert.equal(t.status, 200, await t.text());
        const l = await post(base, '/v1/logs', encoding === 'json' ? logs.json : logs.proto, type);
        assert.equal(l.status, 200, await l.text());
        await rx.pipeline.idle();
        assert.equal(rx.pipeline.stats.spansProcessed, 3);
        const s = await signals(base);
        // A server span with a route is filed as the operation "METHOD route": both capped.
        assert.equal(s.operations.length, 1);
        const op = s.operations[0];
        assert.equal(op.count, 3);
        const expected = `${huge('method').slice(0, MAX_METHOD_CHARS - 1)}${TRUNCATION_MARK} ${huge('/route').slice(0, MAX_NAME_CHARS - 1)}${TRUNCATION_MARK}`;
        assert.ok(op.name === expected, `operation "METHOD route" with both capped, got ${op.name.length} characters`);
        assertCapped(op.service, MAX_RESOURCE_CHARS, 'service');
        assertCapped(op.environment, MAX_RESOURCE_CHARS, 'environment');
        assert.equal(s.unmapped.filter((u) => u.name.startsWith('name')).length, 3);
        for (const u of s.unmapped.filter((x) => x.name.startsWith('name'))) assertCapped(u.name, MAX_NAME_CHARS, 'unmapped span name');
        const spanError = s.errors.find((e) => e.type.startsWith('Type:'));
        assertCapped(spanError?.type, MAX_NAME_CHARS, 'exception type');
        assertCapped(spanError?.message, MAX_MESSAGE_CHARS, 'exception message');
        assertCapped(spanError?.stacktrace, MAX_STACK_CHARS, 'exception stack trace');
        const logError = s.errors.find((e) => e.type.startsWith('LType:'));
        assertCapped(logError?.message, MAX_MESSAGE_CHARS, 'log exception message');
        assertCapped(logError?.stacktrace, MAX_STACK_CHARS, 'log exception stack trace');
        // The whole answer stays small: nothing of a megabyte field survives.
        assert.ok(JSON.stringify(s).length < 400_000, `signals answer of ${JSON.stringify(s).length} characters`);

        const traceId = spanError!.traceIds[0];
        const tr = await fetch(`${base}/api/traces/${traceId}`);
        assert.equal(tr.status, 200);
        const trace = (await tr.json()) as TraceResponse;
        const span = trace.spans[0];
        assertCapped(span.name, MAX_NAME_CHARS, 'span name');
        assertCapped(span.statusMessage, MAX_MESSAGE_CHARS, 'status message');
        assertCapped(span.httpRoute, MAX_NAME_CHARS, 'http.route');
        assertCapped(span.httpMethod, MAX_METHOD_CHARS, 'HTTP method');
        assertCapped(span.service, MAX_RESOURCE_CHARS, 'trace span service');
        // The trace view keeps a shorter excerpt of its own.
        assert.ok(span.exceptions[0].message.length <= MAX_MESSAGE_CHARS);
      });
    });
  }
}

test('200 spans with 1 MiB names: /api/signals answers 200 with the names at their cap', async () => {
  await withReceiver(2, async (base, rx) => {
    const now = BigInt(Date.now()) * 1_000_000n;
    for (let b = 0; b < 5; b++) {
      const spans = Array.from({ length: 40 }, (_, i) => ({
        traceId: (b * 40 + i + 1).toString(16).padStart(32, 'a'),
        spanId: (b * 40 + i + 1).toString(16).padStart(16, 'b'),
        name: huge(`op${b}-${i}-`),
        kind: 2,
        startTimeUnixNano: String(now),
        endTimeUnixNano: String(now + 5_000_000n),
      }));
      const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'many' } }] }, scopeSpans: [{ spans }] }] });
      const res = await post(base, '/v1/traces', body, 'application/json');
      assert.equal(res.status, 200, await res.text());
    }
    await rx.pipeline.idle();
    assert.equal(rx.pipeline.stats.spansProcessed, 200);
    const s = await signals(base);
    assert.equal(s.operations.length, 200);
    for (const op of s.operations) assertCapped(op.name, MAX_NAME_CHARS, 'operation name');
    assert.equal(s.operations.filter((op) => op.name.startsWith('op0-0-:')).length, 1);
  });
});
