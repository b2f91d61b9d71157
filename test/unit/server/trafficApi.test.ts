// `GET /api/traffic` end to end inside one process: real SDK spans exported over OTLP/HTTP to an
// embedded receiver locked with a read token, read back through the read API's one client; the
// trace buffer's pick checked against real recorded exports; and a server answering one bad trace
// among good ones.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { TraceResponse } from '../../../src/core/api/signals';
import { ReadApiClient, type ReadApiError } from '../../../src/core/client/readApiClient';
import { decodeTraceRequestProto } from '../../../src/core/ingest/otlpProtobuf';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { trafficFromTraces } from '../../../src/core/shadow/traceTraffic';
import { TraceBuffer } from '../../../src/core/signals/traceBuffer';
import { repoRoot } from '../../support/harness';
import { loadRecording } from '../../support/otlpRecorder';
import { hrTime, makeSpans, sendSpans } from './sdkSend';

const TOKEN = 'read-traffic-token';
const root = mkdtempSync(path.join(os.tmpdir(), 'rl-traffic-api-'));
let rx: EmbeddedReceiver;
let base = '';
/** Trace ids of the production requests sent, oldest first. */
const sent: string[] = [];

before(async () => {
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/orders.js'), 'function loadOrder(id) {\n  return { id };\n}\n');
  rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: root, decodeWorkers: 0, readToken: TOKEN });
  await rx.start();
  await rx.indexReady;
  base = `http://127.0.0.1:${rx.receiver.address()!.port}`;
  const now = Date.now();
  const spans = (environment: string, from: number, count: number) =>
    makeSpans(
      'shop',
      (tracer) => {
        for (let i = 0; i < count; i++) {
          const start = now - 10_000 + (from + i) * 100;
          const server = tracer.startSpan('GET /orders/:id', {
            kind: SpanKind.SERVER,
            startTime: hrTime(start),
            attributes: { 'http.request.method': 'GET', 'http.route': '/orders/:id', 'url.path': `/orders/${from + i}`, 'http.response.status_code': 200 },
          });
          if (environment === 'production') sent.push(server.spanContext().traceId);
          const inner = tracer.startSpan(
            'loadOrder',
            { kind: SpanKind.INTERNAL, startTime: hrTime(start + 1), attributes: { 'code.function.name': 'loadOrder', 'code.file.path': '/app/src/orders.js' } },
            trace.setSpan(context.active(), server),
          );
          inner.end(hrTime(start + 5));
          server.end(hrTime(start + 6));
        }
        // A span that is not a request: no trace of it is traffic.
        tracer.startSpan('cron.tick', { kind: SpanKind.INTERNAL, startTime: hrTime(now - 500) }).end(hrTime(now - 400));
      },
      environment,
    );
  await sendSpans(base, [...spans('production', 0, 6), ...spans('staging', 6, 2)]);
  await rx.pipeline.idle();
});

after(async () => {
  await rx.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('GET /api/traffic', () => {
  const client = () => new ReadApiClient({ server: base, token: TOKEN });

  it('answers the traces with a recorded request, newest first, whole and mapped', async () => {
    const { traces, rejected } = await client().traffic({ window: '5m' });
    assert.deepEqual(rejected, []);
    assert.equal(traces.length, 8, 'every request, in both environments, and nothing else');
    const production = await client().traffic({ window: '5m', environment: 'production' });
    assert.deepEqual(
      production.traces.map((t) => t.traceId),
      [...sent].reverse(),
    );
    for (const t of production.traces) {
      assert.equal(t.spans.length, 2);
      assert.equal(t.spans.find((s) => s.kind === 1)?.mapping?.function, 'loadOrder');
    }
    const read = trafficFromTraces(production.traces);
    assert.deepEqual(
      read.requests.map((r) => r.target),
      ['/orders/0', '/orders/1', '/orders/2', '/orders/3', '/orders/4', '/orders/5'],
    );
  });

  it('bounds the answer by limit (the newest kept) and by window', async () => {
    const { traces } = await client().traffic({ window: '5m', limit: 2, environment: 'production' });
    assert.deepEqual(
      traces.map((t) => t.traceId),
      [sent[5], sent[4]],
    );
    assert.deepEqual((await client().traffic({ window: '5m', environment: 'nowhere' })).traces, []);
  });

  it('refuses bad parameters with 400, and readers without the token or from a browser page', async () => {
    await assert.rejects(client().traffic({ limit: 0 }), (e: ReadApiError) => e.status === 400 && /invalid limit .*from 1 to 5000/.test(e.message));
    await assert.rejects(client().traffic({ window: '5x' }), (e: ReadApiError) => e.status === 400 && /invalid window/.test(e.message));
    await assert.rejects(new ReadApiClient({ server: base }).traffic(), (e: ReadApiError) => e.status === 401);
    const fromPage = await fetch(`${base}/api/traffic`, { headers: { Authorization: `Bearer ${TOKEN}`, Origin: 'https://evil.example' } });
    assert.equal(fromPage.status, 403);
    // fetch sets Host itself: a DNS-rebinding page's request is made with node:http.
    const wrongHost = await new Promise<number>((resolve, reject) => {
      http
        .get(`${base}/api/traffic`, { headers: { Authorization: `Bearer ${TOKEN}`, Host: 'attacker.example' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    assert.equal(wrongHost, 421);
  });
});

describe('TraceBuffer.requestTraces', () => {
  it('picks, from real SDK exports, the traces trafficFromTraces reads requests from', () => {
    for (const file of ['node/export.jsonl', 'python/export.jsonl', 'go/export.jsonl', 'java/export.jsonl', 'node-headers/export.jsonl']) {
      const buffer = new TraceBuffer();
      const ids = new Set<string>();
      for (const r of loadRecording(path.join(repoRoot, 'test', 'fixtures', 'otlp-recorded', file))) {
        if (r.path !== '/v1/traces' || r.contentType.includes('json')) continue;
        for (const s of decodeTraceRequestProto(Buffer.from(r.bodyBase64, 'base64')).spans) {
          ids.add(s.traceId);
          buffer.record(s, null);
        }
      }
      const all: TraceResponse[] = [...ids].map((traceId) => ({ traceId, spans: buffer.get(traceId) ?? [] }));
      const picked = buffer.requestTraces(0, 10_000);
      const expected = new Set(trafficFromTraces(all).requests.map((r) => r.recorded.traceId));
      assert.ok(expected.size > 0, `${file} has requests`);
      assert.deepEqual(new Set(picked.map((t) => t.traceId)), expected, file);
      for (const t of picked) assert.deepEqual(t.spans, buffer.get(t.traceId), `${file}: ${t.traceId} whole`);
      assert.deepEqual(buffer.requestTraces(Date.now() + 60_000, 10_000), [], 'nothing starts in the future');
    }
  });
});

describe('the client reading a traffic answer', () => {
  it('leaves out a trace with a bad field, names it, and keeps the others', async () => {
    const good = (await new ReadApiClient({ server: base, token: TOKEN }).traffic({ window: '5m', environment: 'production' })).traces;
    const bad = structuredClone(good[1]) as unknown as { spans: Record<string, unknown>[] };
    bad.spans[0].kind = 'server';
    const answers = [{ traces: [good[0], bad, good[2]] }, { traces: 'none' }, [good[0]]];
    let next = 0;
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answers[next++]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const hostile = new ReadApiClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      const read = await hostile.traffic();
      assert.deepEqual(
        read.traces.map((t) => t.traceId),
        [good[0].traceId, good[2].traceId],
      );
      assert.deepEqual(read.rejected, ['traces[1].spans[0].kind is string, not a finite number']);
      await assert.rejects(hostile.traffic(), (e: ReadApiError) => e.kind === 'invalid' && /traces is string, not a list/.test(e.message));
      await assert.rejects(hostile.traffic(), (e: ReadApiError) => e.kind === 'invalid' && /the answer is a list, not an object/.test(e.message));
    } finally {
      server.close();
    }
  });
});
