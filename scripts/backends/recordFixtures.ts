/**
 * Regenerates test/fixtures/backends/: starts the real Jaeger, collector and Prometheus of
 * test/support/backends.ts, sends the sample traffic of test/support/backendSample.ts twice
 * (so rate() has two samples), and saves the real answers of Jaeger's api_v3 and Prometheus's HTTP
 * API, pretty-printed. Run: `bash scripts/setup-backends.sh && node --import tsx scripts/backends/recordFixtures.ts`
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JAEGER_VERSION, METRICS_FLUSH_MS, SCRAPE_INTERVAL_MS, prometheusBinary, startBackendStack } from '../../test/support/backends';
import { PER_BATCH, SAMPLE_SERVICE, findSample, getJson, jaegerSearchParams, pollUntil, promVector, sendSampleBatch } from '../../test/support/backendSample';

const OUT = resolve(__dirname, '..', '..', 'test', 'fixtures', 'backends');
const CALLS = 'traces_span_metrics_calls_total';
const BUCKETS = 'traces_span_metrics_duration_milliseconds_bucket';

function save(rel: string, text: string): void {
  const file = join(OUT, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  // Pretty-printed so diffs read well; the values are the backend's own.
  writeFileSync(file, rel.endsWith('.json') ? `${JSON.stringify(JSON.parse(text), null, 2)}\n` : text);
  console.log(`wrote ${rel}`);
}

// For answers that are errors on purpose: the status and the body as the backend sent them.
async function rawGet(base: string, path: string, params: Record<string, string>): Promise<{ status: number; text: string }> {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

async function main(): Promise<void> {
  const stack = await startBackendStack();
  try {
    const q = stack.jaeger.queryUrl;
    const p = stack.prometheus.url;
    const sentAt = Date.now();
    const first = await sendSampleBatch(stack.collector.otlpHttpUrl);
    await pollUntil('the first batch in Prometheus', async () => ((await promVector(p, `${CALLS}{code_function_name="getOrder"}`)).samples[0]?.value[1] === String(PER_BATCH.getOrder) ? true : undefined), 60_000);
    console.log(`first batch visible in Prometheus ${Date.now() - sentAt} ms after the export began`);
    const second = await sendSampleBatch(stack.collector.otlpHttpUrl);
    await pollUntil('the second batch in Prometheus', async () => ((await promVector(p, `${CALLS}{code_function_name="getOrder"}`)).samples[0]?.value[1] === String(2 * PER_BATCH.getOrder) ? true : undefined), 60_000);
    const quantileQuery = `histogram_quantile(0.95, sum by (le, service_name, span_name, code_function_name, code_file_path) (rate(${BUCKETS}[1m])))`;
    await pollUntil('a finite p95', async () => (findSample((await promVector(p, quantileQuery)).samples, { code_function_name: 'getOrder' })?.value[1] !== 'NaN' ? true : undefined), 30_000);

    save('jaeger/services.json', (await getJson(q, '/api/v3/services')).text);
    save('jaeger/operations.json', (await getJson(q, '/api/v3/operations', { service: SAMPLE_SERVICE })).text);
    save('jaeger/operations-server.json', (await getJson(q, '/api/v3/operations', { service: SAMPLE_SERVICE, span_kind: 'server' })).text);
    save('jaeger/traces-search.json', (await getJson(q, '/api/v3/traces', jaegerSearchParams(SAMPLE_SERVICE, first.startMs - 1_000, second.endMs + 1_000))).text);
    save('jaeger/trace-by-id.json', (await getJson(q, `/api/v3/traces/${first.errorTraceId}`)).text);
    const missing = await rawGet(q, '/api/v3/traces/0123456789abcdef0123456789abcdef', {});
    save('jaeger/trace-not-found.json', missing.text);
    const { ['query.num_traces']: _dropped, ...noDepth } = jaegerSearchParams(SAMPLE_SERVICE, first.startMs - 1_000, second.endMs + 1_000);
    const noNumTraces = await rawGet(q, '/api/v3/traces', noDepth);
    save('jaeger/traces-search-no-num-traces.json', noNumTraces.text);

    const now = Date.now() / 1000;
    save('prometheus/query-calls.json', (await promVector(p, CALLS)).text);
    save('prometheus/query-buckets.json', (await promVector(p, `${BUCKETS}{code_function_name="getOrder"}`)).text);
    save('prometheus/query-histogram-quantile.json', (await promVector(p, quantileQuery)).text);
    save(
      'prometheus/query-error-rate.json',
      (await promVector(p, `sum by (service_name, span_name, code_function_name) (rate(${CALLS}{status_code="STATUS_CODE_ERROR"}[1m])) / sum by (service_name, span_name, code_function_name) (rate(${CALLS}[1m]))`)).text,
    );
    save(
      'prometheus/query-range-rate.json',
      (await getJson(p, '/api/v1/query_range', { query: `sum by (code_function_name) (rate(${CALLS}[1m]))`, start: String(Math.floor(now - 60)), end: String(Math.floor(now)), step: '15' })).text,
    );
    save('prometheus/series.json', (await getJson(p, '/api/v1/series', { 'match[]': CALLS, start: String(Math.floor(now - 300)), end: String(Math.ceil(now)) })).text);
    save('prometheus/label-names.json', (await getJson(p, '/api/v1/labels', { 'match[]': CALLS })).text);
    save('prometheus/metric-names.json', (await getJson(p, '/api/v1/label/__name__/values')).text);
    const bad = await rawGet(p, '/api/v1/query', { query: 'sum(' });
    save('prometheus/query-bad.json', bad.text);
    const exposition = await fetch(stack.collector.metricsUrl, { headers: { accept: 'text/plain' } });
    save('collector/metrics.txt', await exposition.text());

    const promVersion = execFileSync(prometheusBinary()!, ['--version'], { encoding: 'utf8' }).split('\n')[0];
    save(
      'versions.json',
      JSON.stringify({
        recorded: new Date().toISOString(),
        jaeger: `github.com/jaegertracing/jaeger v${JAEGER_VERSION} (cmd/jaeger, memory storage)`,
        collector: 'builder v0.165.0; core v0.165.0; contrib spanmetricsconnector + prometheusexporter v0.165.1 (scripts/backends/collector-builder.yaml)',
        prometheus: promVersion,
        metricsFlushMs: METRICS_FLUSH_MS,
        scrapeIntervalMs: SCRAPE_INTERVAL_MS,
        statusOfMissingTrace: missing.status,
        statusOfSearchWithoutNumTraces: noNumTraces.status,
        statusOfBadQuery: bad.status,
        errorTraceId: first.errorTraceId,
      }),
    );
  } finally {
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`recordFixtures: ${(e as Error).message}`);
  process.exit(1);
});
