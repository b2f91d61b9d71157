/**
 * PrometheusSource against the real stack: the OpenTelemetry JS SDK sends known spans to a real
 * collector (spanmetrics connector with code.* and http.route dimensions), a real Prometheus
 * scrapes it, and the source must answer exact counts and error rates, and percentiles inside the
 * histogram bucket of the true values, joined to the workspace's code. Prometheus is reached
 * through a loopback TCP relay the test can cut, to see figures turn stale (kept, not dropped) and
 * recover. The shared conformance suite runs against the same source. Needs
 * `bash scripts/setup-backends.sh`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FunctionSignal } from '../../src/core/api/signals';
import { CodeMapper } from '../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../src/core/mapping/workspaceIndex';
import { MAX_URL_QUERY_CHARS, PrometheusClient } from '../../src/core/sources/prometheus/prometheusClient';
import { PrometheusSource, type PrometheusSourceOptions } from '../../src/core/sources/prometheus/prometheusSource';
import { foldRound } from '../../src/core/sources/prometheus/spanMetricsGroups';
import { groupLabels, roundQuery, type FileScope, type WindowAsk } from '../../src/core/sources/prometheus/spanMetricsQueries';
import { selectGroups } from '../../src/core/sources/prometheus/spanMetricsSelection';
import { RemoteTransport } from '../../src/core/sources/remote/transport';
import { parseSignalsQuery, type SignalsQuery } from '../../src/core/sources/telemetrySource';
import { startBackendStack, type BackendStack } from '../support/backends';
import { getJson, pollUntil } from '../support/backendSample';
import { TcpRelay } from '../support/tcpRelay';
import { telemetrySourceConformance } from '../unit/sources/conformance';

const SERVICE = 'orders-api';
const FILE = 'src/orders.ts';
const PROD_FILE = `/srv/app/${FILE}`;
const ORDERS = [
  'export function getOrder(id: string) {',
  '  return loadOrder(id);',
  '}',
  '',
  'export function createOrder(body: unknown) {',
  '  return body;',
  '}',
  '',
  'export function loadOrder(id: string) {',
  '  return { id };',
  '}',
  '',
].join('\n');
/** Default spanmetrics buckets (ms) around the true values below. */
const GET_ORDER = { fast: { n: 12, ms: 3 }, slow: { n: 8, ms: 300 } };
const CREATE_ORDER = { n: 5, errors: 2, ms: 45 };
const CACHE_GET = { n: 7, ms: 1 };
const HEALTH = { n: 4, ms: 1 };

let stack: BackendStack;
let relay: TcpRelay;
let root: string;
let mapper: CodeMapper;
const q = (over: Partial<SignalsQuery> = {}): SignalsQuery => ({ ...parseSignalsQuery(new URLSearchParams('window=15m'), '15m'), ...over });

/** Sends the known traffic through the real SDK to the collector. */
async function sendTraffic(otlpHttpUrl: string): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE, 'deployment.environment.name': 'production' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpHttpUrl}/v1/traces` }))],
  });
  const tracer = provider.getTracer('prometheus-source-wire');
  const base = Date.now() - 5_000;
  const span = (name: string, kind: SpanKind, ms: number, attributes: Record<string, string>, error = false) => {
    const s = tracer.startSpan(name, { kind, startTime: base, attributes });
    if (error) s.setStatus({ code: SpanStatusCode.ERROR, message: 'refused' });
    s.end(base + ms);
  };
  const getAttrs = { 'http.route': '/orders/:id', 'http.request.method': 'GET', 'code.function.name': 'getOrder', 'code.file.path': PROD_FILE };
  for (const { n, ms } of [GET_ORDER.fast, GET_ORDER.slow]) for (let i = 0; i < n; i++) span('GET /orders/:id', SpanKind.SERVER, ms, getAttrs);
  const createAttrs = { 'http.route': '/orders', 'http.request.method': 'POST', 'code.function.name': 'createOrder', 'code.file.path': PROD_FILE };
  for (let i = 0; i < CREATE_ORDER.n; i++) span('POST /orders', SpanKind.SERVER, CREATE_ORDER.ms, createAttrs, i < CREATE_ORDER.errors);
  // No code attributes: joined by span name through what traces taught (the index below).
  for (let i = 0; i < CACHE_GET.n; i++) span('cache.get', SpanKind.INTERNAL, CACHE_GET.ms, {});
  // Tied to no code at all: an operation row.
  for (let i = 0; i < HEALTH.n; i++) span('GET /health', SpanKind.SERVER, HEALTH.ms, { 'http.route': '/health', 'http.request.method': 'GET' });
  await provider.forceFlush();
  await provider.shutdown();
}

const TOTAL = GET_ORDER.fast.n + GET_ORDER.slow.n + CREATE_ORDER.n + CACHE_GET.n + HEALTH.n;
const spanNames = {
  lookup: (service: string, name: string) => (service === SERVICE && name === 'cache.get' ? { file: FILE, line: 9, function: 'loadOrder', mappedBy: 'code-attributes' as const, confidence: 0.95 } : undefined),
};
const newSource = (refreshMs: number, over: Partial<PrometheusSourceOptions> = {}): PrometheusSource =>
  new PrometheusSource({ name: 'prometheus (wire)', remote: { baseUrl: relay.url, retries: 1, backoffMs: 50 }, refreshMs, mapper, spanNames, environment: 'production', ...over });

before(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'rl-prom-wire-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, FILE), ORDERS);
  mapper = new CodeMapper((await WorkspaceIndex.build(root)).index);
  stack = await startBackendStack();
  relay = await TcpRelay.open(stack.prometheus.url);
  await sendTraffic(stack.collector.otlpHttpUrl);
  // Until every span is in Prometheus (read straight from its API, not through the source).
  await pollUntil(
    'all spans counted in Prometheus',
    async () => {
      const { json } = await getJson(stack.prometheus.url, '/api/v1/query', { query: `sum(traces_span_metrics_calls_total{service_name="${SERVICE}"})` });
      const value = (json as { data: { result: { value: [number, string] }[] } }).data.result[0]?.value[1];
      return Number(value) === TOTAL ? true : undefined;
    },
    60_000,
  );
});

after(async () => {
  await relay?.close();
  await stack?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const row = (rows: FunctionSignal[], fn: string): FunctionSignal => {
  const r = rows.find((f) => f.function === fn);
  assert.ok(r, `no row for ${fn} in ${JSON.stringify(rows.map((f) => f.function))}`);
  return r;
};

/** Prometheus' own histogram_quantile over the whole counters (all traffic is inside the window). */
async function promQuantile(quantile: number, fn: string): Promise<number> {
  const query = `histogram_quantile(${quantile}, sum by (le) (traces_span_metrics_duration_milliseconds_bucket{service_name="${SERVICE}", code_function_name="${fn}"}))`;
  const { json } = await getJson(stack.prometheus.url, '/api/v1/query', { query });
  return Number((json as { data: { result: { value: [number, string] }[] } }).data.result[0]!.value[1]);
}

describe('PrometheusSource on a real collector + Prometheus', () => {
  it("answers exact counts and error rates, percentiles inside the true values' buckets, joined to code", async () => {
    const source = newSource(60_000);
    const answer = await source.signals(q());
    const get = row(answer.functions, 'getOrder');
    assert.deepEqual([get.file, get.line, get.mappedBy, get.environment], [FILE, 1, 'code-attributes', 'production']);
    assert.equal(get.count, GET_ORDER.fast.n + GET_ORDER.slow.n);
    assert.deepEqual([get.errors, get.errorRate], [0, 0]);
    assert.ok(get.p50Ms > 2 && get.p50Ms <= 4, `p50 ${get.p50Ms} is in the 2-4 ms bucket of the true 3 ms`);
    assert.ok(get.p95Ms > 200 && get.p95Ms <= 400, `p95 ${get.p95Ms} is in the 200-400 ms bucket of the true 300 ms`);
    assert.deepEqual(get.figures?.traffic.latencyBuckets, { p50Ms: [2, 4], p95Ms: [200, 400], p99Ms: [200, 400] }, 'each percentile names the bucket it lies in');
    assert.equal(get.p95Ms, await promQuantile(0.95, 'getOrder'), "the same p95 as Prometheus' histogram_quantile");
    assert.equal(get.p50Ms, await promQuantile(0.5, 'getOrder'));
    const { latencyBuckets: _buckets, ...traffic } = get.figures!.traffic;
    assert.deepEqual(traffic, { source: 'prometheus (wire)', basis: 'metrics', ageMs: traffic.ageMs });
    assert.deepEqual(get.figures!.errors, traffic);

    const create = row(answer.functions, 'createOrder');
    assert.deepEqual([create.count, create.errors, create.errorRate], [CREATE_ORDER.n, CREATE_ORDER.errors, CREATE_ORDER.errors / CREATE_ORDER.n]);
    assert.ok(create.p50Ms > 10 && create.p50Ms <= 50 && create.p99Ms <= 50, JSON.stringify(create));

    const load = row(answer.functions, 'loadOrder');
    assert.equal(load.count, CACHE_GET.n, 'cache.get joined to loadOrder by the span-name index');
    assert.ok(load.confidence < 0.95);

    const health = answer.operations.find((o) => o.name === 'GET /health');
    assert.deepEqual([health?.count, health?.kind, health?.source], [HEALTH.n, 2, 'metrics']);
    assert.ok(answer.unmapped.some((u) => u.name === 'GET /health' && u.count === HEALTH.n));
    // Calls and buckets of every window and file of interest travel in one PromQL query.
    assert.equal(source.counters.requests, 3, 'detection (2) and one round (1)');

    const again = await source.signals(q());
    assert.equal(again.generatedAt, answer.generatedAt, "within the refresh interval the answer is the last round's");
    assert.equal(source.counters.requests, 3);
    await source.dispose();
  });

  it("a file's first round selects its series in PromQL; once the workspace was asked, span names joined to it count too", async () => {
    const source = newSource(60_000);
    const first = await source.signals(q({ file: FILE }));
    assert.deepEqual(first.functions.map((f) => f.function).sort(), ['createOrder', 'getOrder'], 'cache.get has no code path and was not learned yet');
    await source.signals(q());
    const answer = await source.signals(q({ file: FILE }));
    assert.deepEqual(answer.functions.map((f) => f.function).sort(), ['createOrder', 'getOrder', 'loadOrder']);
    assert.deepEqual([answer.operations.length, answer.unmapped.length], [0, 0]);
    const hostile = await source.signals(q({ file: 'src/a"b\\c|(.*).ts' }));
    assert.equal(hostile.functions.length, 0, 'quotes, backslashes and regex characters in a path stay literal');
    assert.equal(source.counters.requests, 4, 'detection, the file round, the workspace round; the rest answered from them');
    await source.dispose();
  });

  it("a round's selectors pick on the real Prometheus exactly the groups a query's local selection reads", async () => {
    const client = new PrometheusClient('prometheus (wire)', new RemoteTransport({ name: 'prometheus (wire)', baseUrl: stack.prometheus.url }));
    const detected = await client.detect();
    assert.ok(detected.ok, detected.ok ? '' : detected.error);
    const m = detected.value;
    const groupsOf = async (asks: WindowAsk[]) => {
      const promql = roundQuery(m, asks);
      assert.ok(promql !== undefined);
      const answer = await client.query(promql);
      assert.ok(answer.ok, answer.ok ? '' : answer.error);
      return foldRound(groupLabels(m), answer.value, m.toMs, new Set(asks.map((a) => a.windowMs))).get(asks[0].windowMs) ?? [];
    };
    const key = (g: { labels: ReadonlyMap<string, string>; count: number }) => JSON.stringify([[...g.labels], g.count]);
    const windowMs = 15 * 60_000;
    const all = await groupsOf([{ windowMs, environments: 'all', all: true, files: [] }]);
    const scopes: FileScope[] = [
      { relative: FILE, productionPaths: [PROD_FILE], spanNames: [{ service: SERVICE, spanName: 'cache.get' }] },
      { relative: 'src/a"b\\c|(.*).ts', productionPaths: [], spanNames: [{ service: SERVICE, spanName: 'GET /health|x' }] },
      { relative: 'orders.ts', productionPaths: [], spanNames: [] },
    ];
    for (const scope of scopes) {
      const asked = await groupsOf([{ windowMs, environments: ['production'], all: false, top: 1, files: [scope] }]);
      const query = q({ file: scope.relative, environment: 'production' });
      const local = selectGroups(all, m, query, scope, '').map(key).sort();
      const fromPromql = selectGroups(asked, m, query, scope, '').map(key).sort();
      assert.deepEqual(fromPromql, local, `the round for ${scope.relative} selected what the local selection reads`);
      assert.ok(asked.length >= local.length);
    }
    // A round over many files is longer than a URL should be: it goes as a form POST, which Prometheus takes alike.
    const many = [scopes[0], ...Array.from({ length: 60 }, (_, i) => ({ relative: `src/module${i}/handlers.ts`, productionPaths: [], spanNames: [] }))];
    const manyAsks: WindowAsk[] = [{ windowMs, environments: 'all', all: false, files: many }];
    assert.ok(roundQuery(m, manyAsks)!.length > MAX_URL_QUERY_CHARS);
    const fromLong = selectGroups(await groupsOf(manyAsks), m, q({ file: FILE }), scopes[0], '')
      .map(key)
      .sort();
    assert.deepEqual(
      fromLong,
      selectGroups(all, m, q({ file: FILE }), scopes[0], '')
        .map(key)
        .sort(),
    );
    const ordersGroups = selectGroups(all, m, q({ file: FILE }), scopes[0], '');
    assert.deepEqual([...new Set(ordersGroups.map((g) => g.labels.get('span_name')))].sort(), ['GET /orders/:id', 'POST /orders', 'cache.get']);
    const top = selectGroups(await groupsOf([{ windowMs, environments: 'all', all: false, top: 1, files: [] }]), m, q({ top: 1 }), undefined, '');
    assert.deepEqual(top.map(key), selectGroups(all, m, q({ top: 1 }), undefined, '').map(key), 'topk in PromQL and locally pick the same groups');
  });

  it('a window that starts between two batches counts only the second, exactly', async () => {
    const between = Date.now();
    await new Promise((r) => setTimeout(r, 1_500));
    await sendTraffic(stack.collector.otlpHttpUrl);
    await pollUntil(
      'the second batch counted in Prometheus',
      async () => {
        const { json } = await getJson(stack.prometheus.url, '/api/v1/query', { query: `sum(traces_span_metrics_calls_total{service_name="${SERVICE}"})` });
        return Number((json as { data: { result: { value: [number, string] }[] } }).data.result[0]?.value[1]) === 2 * TOTAL ? true : undefined;
      },
      60_000,
    );
    const source = newSource(60_000);
    // The window reaches back to a moment after the first batch was scraped and before the second was sent.
    const answer = await source.signals(q({ window: 'custom', windowMs: Date.now() - between }));
    const create = row(answer.functions, 'createOrder');
    assert.deepEqual([create.count, create.errors], [CREATE_ORDER.n, CREATE_ORDER.errors]);
    assert.equal(row(answer.functions, 'getOrder').count, GET_ORDER.fast.n + GET_ORDER.slow.n);
    const all = await source.signals(q());
    assert.equal(row(all.functions, 'createOrder').count, 2 * CREATE_ORDER.n, 'the 15-minute window holds both');
    await source.dispose();
  });

  it('keeps figures marked stale with their age while Prometheus is unreachable, then recovers', async () => {
    // A short interval (a generous budget) and rounds driven by the test: no timer decides when.
    const source = newSource(300, { maxRequestsPerMinute: 600, autoStart: false });
    const fresh = await source.signals(q());
    assert.equal(source.status().state, 'ok');
    await relay.cut();
    try {
      await new Promise((r) => setTimeout(r, 400));
      await source.pull();
      const stale = await source.signals(q());
      const get = row(stale.functions, 'getOrder');
      assert.equal(get.count, row(fresh.functions, 'getOrder').count, 'figures kept, not dropped');
      assert.equal(get.figures?.traffic.stale, true);
      assert.ok((get.figures?.traffic.ageMs ?? 0) >= 300);
      const status = source.status();
      assert.equal(status.state, 'stale');
      assert.match(status.error ?? '', /^prometheus \(wire\) at http:\/\/127\.0\.0\.1:\d+: /);
    } finally {
      await relay.restore();
    }
    await pollUntil(
      'the source to recover',
      async () => {
        await source.pull();
        const answer = await source.signals(q());
        return source.status().state === 'ok' && row(answer.functions, 'getOrder').figures?.traffic.stale === undefined ? true : undefined;
      },
      60_000,
    );
    await source.dispose();
  });
});

telemetrySourceConformance('Prometheus span metrics (real collector + Prometheus)', async () => {
  const source = newSource(1_000);
  // Span metrics hold no traces: any id does for the (capability-aware) trace check.
  return { source, file: FILE, traceId: '0123456789abcdef0123456789abcdef', teardown: () => source.dispose() };
});
