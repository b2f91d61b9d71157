/**
 * The real backends of issue 12 answer as the remote sources expect: spans from the OpenTelemetry
 * JS SDK go to a real collector, which forwards them to a real Jaeger v2 and turns them into span
 * metrics that a real Prometheus scrapes. Jaeger's api_v3 and Prometheus's HTTP API must then show
 * them, with the code.* and http.route dimensions. Needs `bash scripts/setup-backends.sh` (run by
 * `npm test`'s pretest); fails with one line naming that script when a binary is missing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackendStack } from '../support/backends';
import type { BackendStack } from '../support/backends';
import { PER_BATCH, SAMPLE_FILE, SAMPLE_SERVICE, SAMPLE_SERVICE_2, findSample, getJson, jaegerSearchParams, pollUntil, promVector, sendSampleBatch } from '../support/backendSample';
import type { SentBatch } from '../support/backendSample';

const CALLS = 'traces_span_metrics_calls_total';
const BUCKETS = 'traces_span_metrics_duration_milliseconds_bucket';

let stack: BackendStack;
const batches: SentBatch[] = [];
// Started with the first export, so the time until Prometheus has the series is measured, not inflated by the Jaeger checks.
let firstMetrics: Promise<number> | undefined;

before(async () => {
  stack = await startBackendStack();
});

after(async () => {
  await stack?.stop();
});

interface OtlpSpan {
  traceId: string;
  name: string;
  kind: number;
  status?: { code?: number; message?: string };
  attributes?: { key: string; value: Record<string, unknown> }[];
  events?: { name: string }[];
}

// Validates Jaeger's OTLP JSON answer just enough to read spans with their service.
function spansOf(body: unknown): { service: string; span: OtlpSpan }[] {
  const result = (body as { result?: { resourceSpans?: unknown } }).result;
  assert.ok(result && Array.isArray(result.resourceSpans), `no result.resourceSpans in ${JSON.stringify(body).slice(0, 200)}`);
  const out: { service: string; span: OtlpSpan }[] = [];
  for (const rs of result.resourceSpans as { resource?: { attributes?: OtlpSpan['attributes'] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[]) {
    const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value['stringValue'];
    for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) out.push({ service: String(service), span });
  }
  return out;
}

const attr = (span: OtlpSpan, key: string): unknown => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

test('spans sent through the collector reach Jaeger api_v3 (services, operations, search, trace by id)', async () => {
  const firstExport = Date.now();
  batches.push(await sendSampleBatch(stack.collector.otlpHttpUrl));
  const batch = batches[0]!;
  firstMetrics = pollUntil(
    `${CALLS} for getOrder = ${PER_BATCH.getOrder}`,
    async () => {
      const { samples } = await promVector(stack.prometheus.url, `${CALLS}{code_function_name="getOrder"}`);
      return samples[0]?.value[1] === String(PER_BATCH.getOrder) ? Date.now() - firstExport : undefined;
    },
    60_000,
  );
  firstMetrics.catch(() => undefined);
  const q = stack.jaeger.queryUrl;

  const services = await pollUntil(
    'both sample services in Jaeger',
    async () => {
      const { json } = await getJson(q, '/api/v3/services');
      const list = (json as { services?: string[] }).services ?? [];
      return list.includes(SAMPLE_SERVICE) && list.includes(SAMPLE_SERVICE_2) ? list : undefined;
    },
    30_000,
  );
  assert.deepEqual([...services].sort(), [SAMPLE_SERVICE, SAMPLE_SERVICE_2].sort());

  const { json: ops } = await getJson(q, '/api/v3/operations', { service: SAMPLE_SERVICE });
  const operations = ((ops as { operations?: { name: string; spanKind: string }[] }).operations ?? []).map((o) => `${o.name}|${o.spanKind}`);
  assert.deepEqual(operations.sort(), ['GET /orders/:id|server', 'POST /orders|server', 'loadOrder|internal'].sort());

  const found = await pollUntil(
    'all sample traces in a Jaeger search',
    async () => {
      const { json } = await getJson(q, '/api/v3/traces', jaegerSearchParams(SAMPLE_SERVICE, batch.startMs - 1_000, batch.endMs + 60_000));
      const spans = spansOf(json);
      return spans.length === PER_BATCH.getOrder + PER_BATCH.loadOrder + PER_BATCH.createOrder ? spans : undefined;
    },
    30_000,
  );
  assert.deepEqual(new Set(found.map((s) => s.span.traceId)), new Set(batch.traceIds.slice(0, -1)), 'search answers the main service traces, ids in hex');
  assert.ok(found.every((s) => s.service === SAMPLE_SERVICE));
  const getOrder = found.filter((s) => attr(s.span, 'code.function.name') === 'getOrder');
  assert.equal(getOrder.length, PER_BATCH.getOrder);
  assert.ok(getOrder.every((s) => attr(s.span, 'http.route') === '/orders/:id' && attr(s.span, 'code.file.path') === SAMPLE_FILE));

  const { json: one } = await getJson(q, `/api/v3/traces/${batch.errorTraceId}`);
  const errorSpans = spansOf(one);
  assert.equal(errorSpans.length, 1);
  const failing = errorSpans[0]!.span;
  assert.equal(failing.traceId, batch.errorTraceId);
  assert.equal(failing.name, 'POST /orders');
  assert.equal(failing.status?.code, 2, 'status ERROR survives the collector and Jaeger');
  assert.equal(attr(failing, 'code.function.name'), 'createOrder');
  assert.ok(
    failing.events?.some((e) => e.name === 'exception'),
    'the exception event is kept',
  );
  console.log(`# backendsSmoke: Jaeger search complete ${Date.now() - firstExport} ms after the first export`);
});

test('span metrics from the collector reach Prometheus with code.* and http.route labels and exact counts', async () => {
  const p = stack.prometheus.url;
  assert.ok(firstMetrics, 'the Jaeger test sent the first batch');
  // Wait for the first batch's metrics, then send a second batch so rate() has two samples to work with.
  const lagMs = await firstMetrics;
  console.log(`# backendsSmoke: span metrics in Prometheus ${lagMs} ms after the first export`);
  batches.push(await sendSampleBatch(stack.collector.otlpHttpUrl));
  const calls = await pollUntil(
    `${CALLS} after two batches`,
    async () => {
      const { samples } = await promVector(p, CALLS);
      const getOrder = findSample(samples, { code_function_name: 'getOrder' });
      return getOrder?.value[1] === String(2 * PER_BATCH.getOrder) ? samples : undefined;
    },
    60_000,
  );
  const getOrder = findSample(calls, { service_name: SAMPLE_SERVICE, span_name: 'GET /orders/:id' })!;
  assert.equal(getOrder.metric['code_function_name'], 'getOrder');
  assert.equal(getOrder.metric['code_file_path'], SAMPLE_FILE);
  assert.equal(getOrder.metric['http_route'], '/orders/:id');
  assert.equal(getOrder.metric['http_request_method'], 'GET');
  assert.equal(getOrder.metric['http_response_status_code'], '200');
  assert.equal(getOrder.metric['span_kind'], 'SPAN_KIND_SERVER');
  assert.equal(getOrder.metric['status_code'], 'STATUS_CODE_UNSET');

  const failing = findSample(calls, { code_function_name: 'createOrder' })!;
  assert.equal(failing.metric['status_code'], 'STATUS_CODE_ERROR');
  assert.equal(failing.metric['http_route'], '/orders');
  assert.equal(failing.value[1], String(2 * PER_BATCH.createOrder));

  const loadOrder = findSample(calls, { code_function_name: 'loadOrder' })!;
  assert.equal(loadOrder.value[1], String(2 * PER_BATCH.loadOrder));
  assert.equal(loadOrder.metric['http_route'], undefined, 'a span without http.route gets no http_route label');
  assert.ok(findSample(calls, { service_name: SAMPLE_SERVICE_2, code_function_name: 'reserveStock' }));

  // The duration histogram is in milliseconds: every getOrder took 20, 40 or 60 ms. Bounds are read as
  // numbers: scraped as OpenMetrics (enable_open_metrics, for exemplars) they read "10.0", not "10".
  const { samples: buckets } = await promVector(p, `${BUCKETS}{code_function_name="getOrder"}`);
  const bound = (le: string | undefined): number => (le === '+Inf' ? Infinity : Number(le));
  const count = (le: number): number => Number(buckets.find((b) => bound(b.metric['le']) === le)?.value[1]);
  assert.equal(count(Infinity), 2 * PER_BATCH.getOrder);
  assert.equal(count(10), 0);
  assert.equal(count(50), 4, 'the 20 and 40 ms calls of both batches');
  assert.equal(count(100), 2 * PER_BATCH.getOrder);

  const quantile = await pollUntil(
    'a finite p95 over rate() for getOrder',
    async () => {
      const { samples } = await promVector(p, `histogram_quantile(0.95, sum by (le, code_function_name) (rate(${BUCKETS}{code_function_name="getOrder"}[1m])))`);
      const v = Number(samples[0]?.value[1]);
      return Number.isFinite(v) ? v : undefined;
    },
    30_000,
  );
  assert.ok(quantile > 10 && quantile <= 100, `p95 of 20-60 ms spans lies in their buckets, got ${quantile}`);
});
