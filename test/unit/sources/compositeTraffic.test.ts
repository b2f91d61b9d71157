// The composite's traffic: members' answers merged (a trace two hold is one, with the spans of both),
// newest request first within the limit, environments in the composite's names, a failing member
// leaving the others' requests. Traces are real SDK exports (test/fixtures/otlp-recorded) held by
// the real TraceBuffer.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TraceResponse } from '../../../src/core/api/signals';
import { decodeTraceRequestProto } from '../../../src/core/ingest/otlpProtobuf';
import { TraceBuffer } from '../../../src/core/signals/traceBuffer';
import { CompositeSource } from '../../../src/core/sources/compositeSource';
import { MemorySource } from '../../../src/core/sources/memorySource';
import { parseTrafficQuery } from '../../../src/core/sources/telemetrySource';
import { repoRoot } from '../../support/harness';
import { loadRecording } from '../../support/otlpRecorder';

/** The recording's traces, their spans moved to a minute ago (a recording is older than any window). */
function recorded(file: string): TraceResponse[] {
  const buffer = new TraceBuffer();
  const ids = new Set<string>();
  for (const r of loadRecording(join(repoRoot, 'test', 'fixtures', 'otlp-recorded', file))) {
    if (r.path !== '/v1/traces' || r.contentType.includes('json')) continue;
    for (const s of decodeTraceRequestProto(Buffer.from(r.bodyBase64, 'base64')).spans) {
      ids.add(s.traceId);
      buffer.record(s, null);
    }
  }
  const traces = [...ids].map((traceId) => ({ traceId, spans: buffer.get(traceId) ?? [] }));
  const newest = Math.max(...traces.flatMap((t) => t.spans.map((s) => s.startMs)));
  const shift = Date.now() - 60_000 - newest;
  return traces.map((t) => ({ ...t, spans: t.spans.map((s) => ({ ...s, startMs: s.startMs + shift })) }));
}

const memory = (traces: TraceResponse[]) => new MemorySource({ answers: new Map(), traces: new Map(traces.map((t) => [t.traceId, t])) });
const ask = (source: CompositeSource, params = 'window=5m') => source.traffic(parseTrafficQuery(new URLSearchParams(params)));

describe('CompositeSource.traffic', () => {
  const traces = recorded('node/export.jsonl');
  const withRequests = traces.filter((t) => t.spans.some((s) => s.kind === 2 && s.request));

  it('declares the capability when a member does, and merges a trace two members hold in part', async () => {
    assert.ok(withRequests.length >= 2, 'the recording has requests');
    const [first] = withRequests;
    const half = Math.ceil(first.spans.length / 2);
    // Both hold the request's server span (both saw it), each some of the rest, as a receiver and a
    // backend sampling the same service may; a member holding no request of a trace does not name it.
    const server = first.spans.find((s) => s.kind === 2 && s.request)!;
    const rest = first.spans.filter((s) => s !== server);
    const a = memory([{ traceId: first.traceId, spans: [server, ...rest.slice(0, half)] }, ...withRequests.slice(1)]);
    const b = memory([{ traceId: first.traceId, spans: [server, ...rest.slice(half)] }]);
    const composite = new CompositeSource([
      { source: a, name: 'embedded' },
      { source: b, name: 'jaeger' },
    ]);
    assert.equal(composite.capabilities.traffic, true);
    const answer = await ask(composite);
    assert.equal(answer.length, withRequests.length);
    const merged = answer.find((t) => t.traceId === first.traceId)!;
    assert.deepEqual(new Set(merged.spans.map((s) => s.spanId)), new Set(first.spans.map((s) => s.spanId)));
    const starts = answer.map((t) => Math.max(...t.spans.filter((s) => s.kind === 2 && s.request).map((s) => s.startMs)));
    assert.deepEqual(
      starts,
      [...starts].sort((x, y) => y - x),
      'newest request first',
    );
    assert.equal((await ask(composite, 'window=5m&limit=1')).length, 1);
  });

  it("asks each member in its own environment names and answers in the composite's", async () => {
    const environment = withRequests[0].spans.find((s) => s.kind === 2)!.environment;
    const composite = new CompositeSource([{ source: memory(withRequests), name: 'jaeger', environments: new Map([[environment, 'prod']]) }]);
    const answer = await ask(composite, 'window=5m&environment=prod');
    assert.equal(answer.length, withRequests.length);
    for (const t of answer) for (const s of t.spans) if (s.environment !== '' && s.environment === environment) assert.fail(`${s.spanId} kept the member's name`);
    assert.ok(answer.every((t) => t.spans.some((s) => s.kind === 2 && s.environment === 'prod')));
  });

  it("keeps the others' requests when a member fails, and says so in one line when all do", async () => {
    const broken = memory([]);
    await broken.dispose();
    const composite = new CompositeSource([
      { source: broken, name: 'tempo' },
      { source: memory(withRequests), name: 'embedded' },
    ]);
    assert.equal((await ask(composite)).length, withRequests.length);
    await assert.rejects(ask(new CompositeSource([{ source: broken, name: 'tempo' }])), /^Error: no telemetry source answered traffic: tempo: memory source: disposed$/);
  });

  it('answers no traffic when no member has the capability', async () => {
    const noTraffic = memory(withRequests);
    Object.defineProperty(noTraffic, 'capabilities', { value: { ...noTraffic.capabilities, traffic: false } });
    const composite = new CompositeSource([{ source: noTraffic, name: 'prometheus' }]);
    assert.equal(composite.capabilities.traffic, false);
    assert.deepEqual(await ask(composite), []);
  });
});
