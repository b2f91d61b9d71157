/**
 * Real trace and metric backends for the wire tests and the demo, on free 127.0.0.1 ports, each
 * with a temp config, a temp data folder and a log file (named in every error). Built/installed by
 * `bash scripts/setup-backends.sh` (cache outside the clone); a missing binary throws one line.
 *
 *   startJaeger()                  -> { otlpHttpUrl, queryUrl, logFile, stop() }
 *       Jaeger v2 (module v1.75.0) all-in-one, memory storage (max_traces 100000).
 *       otlpHttpUrl: OTLP/HTTP base, e.g. http://127.0.0.1:P (POST traces to `${otlpHttpUrl}/v1/traces`).
 *       queryUrl:    query service base, e.g. http://127.0.0.1:Q; api v3 lives at `${queryUrl}/api/v3/...`.
 *   startCollector({ jaegerOtlpUrl }) -> { otlpHttpUrl, metricsUrl, logFile, stop() }
 *       OpenTelemetry Collector v0.165 (spanmetrics + prometheus exporter v0.165.1).
 *       otlpHttpUrl: OTLP/HTTP base (POST `${otlpHttpUrl}/v1/traces`); traces go to Jaeger and to the
 *       spanmetrics connector (dimensions below, milliseconds, flushed every 2 s). A new calls series is
 *       first exported as 0 and carries its count one flush later (the connector's isFirst rule, so
 *       rate() sees the first increase); the duration histogram carries its counts at once.
 *       metricsUrl:  the Prometheus exporter's scrape URL, e.g. http://127.0.0.1:M/metrics.
 *   startPrometheus({ scrapeUrl })  -> { url, logFile, stop() }
 *       Debian's Prometheus scraping `scrapeUrl` every 2 s (job 'otelcol'); url: http://127.0.0.1:P
 *       (HTTP API at `${url}/api/v1/...`). Resolves after the first successful scrape (up == 1).
 *   startBackendStack({ flushIntervalMs?, scrapeIntervalMs? }) -> { jaeger, collector, prometheus, stop() }: all three, wired.
 *   backendsAvailable()            -> { ok, missing[] }: which binaries are not installed.
 *
 * Span metric names as collector-contrib v0.165.1 exports them (see test/wire/backendsSmoke.test.ts):
 *   traces_span_metrics_calls_total, traces_span_metrics_duration_milliseconds_{bucket,sum,count},
 *   labels service_name, span_name, span_kind, status_code, code_function_name, code_file_path,
 *   http_route, http_request_method, http_response_status_code.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { backendTempDir, expectHttpOk, freeLoopbackPort, freeLoopbackPorts, startBackendProcess } from './backendProcess';

const repoRoot = resolve(__dirname, '..', '..');
const SETUP = '`bash scripts/setup-backends.sh`';

/** The Jaeger module version the tests run (the approved one). */
export const JAEGER_VERSION = '1.75.0';
/** The span-metric dimensions the collector adds (attribute names; Prometheus labels replace '.' with '_'). */
export const SPAN_METRIC_DIMENSIONS = ['code.function.name', 'code.file.path', 'http.route', 'http.request.method', 'http.response.status_code', 'deployment.environment.name'];
/** How often the spanmetrics connector flushes and Prometheus scrapes (ms); short so tests wait seconds, not a minute. */
export const METRICS_FLUSH_MS = 2_000;
export const SCRAPE_INTERVAL_MS = 2_000;

/** A running Jaeger v2. */
export interface RunningJaeger {
  otlpHttpUrl: string;
  queryUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

/** A running OpenTelemetry Collector. */
export interface RunningCollector {
  otlpHttpUrl: string;
  metricsUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

/** A running Prometheus. */
export interface RunningPrometheus {
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

/** All three backends, wired as production would be: service -> collector -> Jaeger, collector <- Prometheus. */
export interface BackendStack {
  jaeger: RunningJaeger;
  collector: RunningCollector;
  prometheus: RunningPrometheus;
  stop(): Promise<void>;
}

function cacheRoot(): string {
  return process.env['RUNTIME_LENS_CACHE'] || join(homedir(), '.cache', 'runtime-lens');
}

/** Where scripts/setup-backends.sh puts Jaeger. */
export function jaegerBinary(): string {
  return join(cacheRoot(), `jaeger-${JAEGER_VERSION}`, 'jaeger');
}

/** Where scripts/setup-backends.sh puts the collector: keyed by the first 16 hex of sha256 over the builder manifest. */
export function collectorBinary(): string {
  const manifest = readFileSync(join(repoRoot, 'scripts', 'backends', 'collector-builder.yaml'));
  const key = createHash('sha256').update(manifest).digest('hex').slice(0, 16);
  return join(cacheRoot(), `otelcol-${key}`, 'otelcol');
}

/** `prometheus` on PATH (Debian's package), or undefined. */
export function prometheusBinary(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'prometheus');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Installs the backends when any is missing (the demo's first run), with the setup script's own progress. */
export function ensureBackends(): void {
  if (backendsAvailable().ok) return;
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'setup-backends.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`scripts/setup-backends.sh failed (exit ${r.status ?? r.signal})`);
  const left = backendsAvailable();
  if (!left.ok) throw new Error(left.missing[0]);
}

/** Which backend binaries are missing (each entry one line saying how to get it). */
export function backendsAvailable(): { ok: boolean; missing: string[] } {
  const missing: string[] = [];
  const stampOk = (bin: string): boolean => existsSync(bin) && existsSync(join(bin, '..', '.runtime-lens-done'));
  if (!stampOk(jaegerBinary())) missing.push(`jaeger: ${jaegerBinary()} is missing: run ${SETUP}`);
  if (!stampOk(collectorBinary())) missing.push(`otelcol: ${collectorBinary()} is missing: run ${SETUP}`);
  if (!prometheusBinary()) missing.push(`prometheus: not on PATH: run ${SETUP}`);
  return { ok: missing.length === 0, missing };
}

function writeConfig(dir: string, name: string, config: unknown): string {
  // JSON is YAML, and writing it avoids quoting mistakes in generated YAML.
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

const loopback = (port: number): string => `127.0.0.1:${port}`;

// Both are collector distributions: their own metrics would listen on :8888 by default.
const quietTelemetry = { metrics: { level: 'none' }, logs: { level: 'info' } };

/**
 * Jaeger v2's all-in-one configuration with memory storage, every endpoint on loopback: written from
 * cmd/jaeger/internal/all-in-one.yaml of v1.75.0, trimmed to what the tests and benchmarks use (no
 * sampling, expvar, zpages, Jaeger/Zipkin receivers or OTLP gRPC, and no fixed ports).
 */
export function jaegerConfig(o: { otlpPort: number; queryPort: number; queryGrpcPort: number; maxTraces: number }): Record<string, unknown> {
  return {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: { resource: { 'service.name': 'jaeger' }, ...quietTelemetry },
    },
    extensions: {
      jaeger_query: { storage: { traces: 'memstore' }, enable_tracing: false, http: { endpoint: loopback(o.queryPort) }, grpc: { endpoint: loopback(o.queryGrpcPort) } },
      jaeger_storage: { backends: { memstore: { memory: { max_traces: o.maxTraces } } } },
    },
    receivers: { otlp: { protocols: { http: { endpoint: loopback(o.otlpPort) } } } },
    processors: { batch: { timeout: '200ms' } },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memstore' } },
  };
}

/** Starts Jaeger v2 all-in-one with memory storage; everything bound to 127.0.0.1. */
export async function startJaeger(options: { maxTraces?: number } = {}): Promise<RunningJaeger> {
  const [otlpPort, queryPort, queryGrpcPort] = await freeLoopbackPorts(3);
  const dir = backendTempDir('jaeger');
  const config = jaegerConfig({ otlpPort, queryPort, queryGrpcPort, maxTraces: options.maxTraces ?? 100_000 });
  const file = writeConfig(dir, 'jaeger.yaml', config);
  const otlpHttpUrl = `http://${loopback(otlpPort)}`;
  const queryUrl = `http://${loopback(queryPort)}`;
  const proc = await startBackendProcess({
    name: 'jaeger',
    binary: jaegerBinary(),
    args: ['--config', file],
    dir,
    ready: async () => {
      await expectHttpOk(`${queryUrl}/api/v3/services`);
      await expectHttpOk(`${otlpHttpUrl}/v1/traces`, emptyOtlpPost());
    },
  });
  return { otlpHttpUrl, queryUrl, logFile: proc.logFile, stop: proc.stop };
}

// An empty ExportTraceServiceRequest: a real request that the OTLP receiver accepts once it listens.
function emptyOtlpPost(): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
}

/** Starts the collector: OTLP/HTTP in; traces to Jaeger (otlphttp) and to spanmetrics; metrics to a Prometheus exporter. */
export async function startCollector(options: { jaegerOtlpUrl: string; flushIntervalMs?: number }): Promise<RunningCollector> {
  const [otlpPort, metricsPort] = await freeLoopbackPorts(2);
  const dir = backendTempDir('otelcol');
  const config = {
    receivers: { otlp: { protocols: { http: { endpoint: loopback(otlpPort) } } } },
    processors: { batch: { timeout: '200ms' } },
    connectors: {
      spanmetrics: {
        histogram: { unit: 'ms' },
        dimensions: SPAN_METRIC_DIMENSIONS.map((name) => ({ name })),
        exemplars: { enabled: true },
        metrics_flush_interval: `${options.flushIntervalMs ?? METRICS_FLUSH_MS}ms`,
      },
    },
    exporters: {
      'otlphttp/jaeger': { endpoint: options.jaegerOtlpUrl, compression: 'none' },
      prometheus: { endpoint: loopback(metricsPort), enable_open_metrics: true },
    },
    service: {
      telemetry: quietTelemetry,
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlphttp/jaeger', 'spanmetrics'] },
        metrics: { receivers: ['spanmetrics'], exporters: ['prometheus'] },
      },
    },
  };
  const file = writeConfig(dir, 'otelcol.yaml', config);
  const otlpHttpUrl = `http://${loopback(otlpPort)}`;
  const metricsUrl = `http://${loopback(metricsPort)}/metrics`;
  const proc = await startBackendProcess({
    name: 'otelcol',
    binary: collectorBinary(),
    args: ['--config', file],
    dir,
    ready: async () => {
      await expectHttpOk(metricsUrl);
      await expectHttpOk(`${otlpHttpUrl}/v1/traces`, emptyOtlpPost());
    },
  });
  return { otlpHttpUrl, metricsUrl, logFile: proc.logFile, stop: proc.stop };
}

/** Starts Prometheus scraping `scrapeUrl` (an http://host:port/path URL) every 2 s, TSDB in a temp folder. */
export async function startPrometheus(options: { scrapeUrl: string; scrapeIntervalMs?: number }): Promise<RunningPrometheus> {
  const binary = prometheusBinary();
  if (!binary) throw new Error(`prometheus: not on PATH: run ${SETUP}`);
  const target = new URL(options.scrapeUrl);
  const port = await freeLoopbackPort();
  const dir = backendTempDir('prometheus');
  const interval = `${options.scrapeIntervalMs ?? SCRAPE_INTERVAL_MS}ms`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: 'otelcol',
        scrape_interval: interval,
        scrape_timeout: interval,
        metrics_path: target.pathname || '/metrics',
        scheme: target.protocol.replace(':', ''),
        static_configs: [{ targets: [target.host] }],
      },
    ],
  };
  const file = writeConfig(dir, 'prometheus.yml', config);
  mkdirSync(join(dir, 'data'));
  const url = `http://${loopback(port)}`;
  const proc = await startBackendProcess({
    name: 'prometheus',
    binary,
    args: [`--config.file=${file}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=${loopback(port)}`, '--enable-feature=exemplar-storage'],
    dir,
    // Ready means scraping: Prometheus applies new targets only every 5 s, so without this the
    // first spans would wait for that on top of the flush and scrape intervals.
    ready: async () => {
      await expectHttpOk(`${url}/-/ready`);
      await expectScraped(url);
    },
    timeoutMs: 45_000,
  });
  return { url, logFile: proc.logFile, stop: proc.stop };
}

// Resolves once the target's `up` sample is 1.
async function expectScraped(url: string): Promise<void> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('up{job="otelcol"}')}`, { signal: AbortSignal.timeout(2_000) });
  const body = (await res.json()) as { data?: { result?: { value?: [number, string] }[] } };
  if (body.data?.result?.[0]?.value?.[1] !== '1') throw new Error('the collector has not been scraped yet');
}

/** Starts Jaeger, the collector exporting to it, and Prometheus scraping the collector; stop() stops all three. */
export async function startBackendStack(options: { flushIntervalMs?: number; scrapeIntervalMs?: number } = {}): Promise<BackendStack> {
  const started: { stop(): Promise<void> }[] = [];
  try {
    const jaeger = await startJaeger();
    started.push(jaeger);
    const collector = await startCollector({ jaegerOtlpUrl: jaeger.otlpHttpUrl, flushIntervalMs: options.flushIntervalMs });
    started.push(collector);
    const prometheus = await startPrometheus({ scrapeUrl: collector.metricsUrl, scrapeIntervalMs: options.scrapeIntervalMs });
    started.push(prometheus);
    return { jaeger, collector, prometheus, stop: () => stopAll(started) };
  } catch (e) {
    await stopAll(started);
    throw e;
  }
}

async function stopAll(items: { stop(): Promise<void> }[]): Promise<void> {
  await Promise.all(items.reverse().map((i) => i.stop()));
}
