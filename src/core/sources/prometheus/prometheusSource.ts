/**
 * Prometheus span metrics as a TelemetrySource: exact rate, error rate and p50/p95/p99 per function
 * over all traffic (not a sample), from the spanmetrics connector's or Tempo's metrics-generator's
 * series, joined to code. Each query's answer is cached for the refresh interval, so a source asks
 * Prometheus at most once per interval per distinct query; when Prometheus fails, the last answer
 * is kept and its figures are marked stale with their age.
 */
import type { FunctionSignal, SignalsResponse, TraceResponse } from '../../api/signals';
import { LruMap } from '../../mapping/lruMap';
import { SourceHealth } from '../remote/health';
import { RemoteTransport, type RemoteOptions } from '../remote/transport';
import type { SpanNameIndex } from '../spanNameIndex';
import type { Disposable, SignalsQuery, SourceCapabilities, SourceStatus, TelemetrySource } from '../telemetrySource';
import { PrometheusClient } from './prometheusClient';
import { spanMetricsRows, type LearnedFile, type SpanMetricsRows } from './spanMetricsAnswer';
import { foldGroups, type SpanGroup } from './spanMetricsGroups';
import { SpanMetricsJoin, type SpanMapper } from './spanMetricsJoin';
import type { DetectedSpanMetrics } from './spanMetricsNaming';
import { refreshQueries } from './spanMetricsQueries';

/** How to reach and read one Prometheus. */
export interface PrometheusSourceOptions {
  /** The configured name, shown on every figure and error: `prometheus`, `prometheus (prod)`. */
  name: string;
  /** The transport's settings (baseUrl, headers, caFile, authHint, ...); its `name` defaults to `name`. */
  remote: Omit<RemoteOptions, 'name'> & { name?: string };
  /** Minimum time between two refreshes of one query (default 30 s). */
  refreshMs?: number;
  /** Ties series with code labels (and routes, names) to workspace code: the receiver's CodeMapper. */
  mapper?: SpanMapper;
  /** Where sampled traces showed each (service, span name) runs. */
  spanNames?: SpanNameIndex;
  /** The environment of series that carry no environment label (default ''). */
  environment?: string;
  now?: () => number;
  /** A transport to use instead of one built from `remote` (tests). */
  transport?: RemoteTransport;
}

interface Cached {
  rows: SpanMetricsRows;
  at: number;
  /** Last time a reader asked for it: only recently asked queries are refreshed in the background. */
  askedAt: number;
  query: SignalsQuery;
}

const DEFAULT_REFRESH_MS = 30_000;
const MAX_CACHED = 64;
const MAX_LEARNED_FILES = 10_000;
const MAX_LEARNED_PER_FILE = 50;

/** Span metrics in a Prometheus, as a metrics-only TelemetrySource. */
export class PrometheusSource implements TelemetrySource {
  readonly kind = 'prometheus';
  readonly capabilities: SourceCapabilities = { spans: false, metrics: true, logs: false, live: false, traces: false };
  private readonly client: PrometheusClient;
  private readonly health: SourceHealth;
  private readonly join: SpanMetricsJoin;
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<SpanMetricsRows>>();
  private readonly learned = new LruMap<string, LearnedFile>(MAX_LEARNED_FILES);
  private readonly listeners = new Set<() => void>();
  private detected: { value: DetectedSpanMetrics; at: number } | undefined;
  /** A failed detection, answered again until the refresh interval has passed (no naming means no query can succeed). */
  private detectFailed: { error: string; at: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly options: PrometheusSourceOptions) {
    this.now = options.now ?? Date.now;
    this.refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
    const transport = options.transport ?? new RemoteTransport({ ...options.remote, name: options.remote.name ?? options.name });
    this.client = new PrometheusClient(options.name, transport, this.now);
    this.health = new SourceHealth(this.refreshMs, this.now);
    this.join = new SpanMetricsJoin(options.mapper, options.spanNames);
  }

  /** Requests, bytes and failures sent to Prometheus so far. */
  get counters(): { requests: number; bytes: number; failures: number } {
    return this.client.counters;
  }

  /** Answers from the cache within the refresh interval; after a failed refresh, the last answer marked stale. */
  async signals(query: SignalsQuery): Promise<SignalsResponse> {
    if (this.disposed) throw new Error(`${this.options.name}: disposed`);
    const key = JSON.stringify([query.windowMs, query.environment ?? null, query.file ?? null, query.file === undefined ? (query.top ?? null) : null]);
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit !== undefined) hit.askedAt = now;
    if (hit !== undefined && now - hit.at < this.refreshMs) return this.answer(query, hit, false);
    try {
      await this.refresh(key, query);
    } catch (err) {
      if (hit === undefined) throw err;
      return this.answer(query, hit, true);
    }
    return this.answer(query, this.cache.get(key)!, false);
  }

  /** Span metrics hold no traces. */
  async trace(_id: string): Promise<TraceResponse | null> {
    return null;
  }

  status(): SourceStatus {
    return this.health.status();
  }

  /** Listeners hear when a background refresh of a recently asked query changed its figures. */
  onChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    if (this.timer === undefined && !this.disposed) {
      this.timer = setInterval(() => void this.refreshAsked(), this.refreshMs);
      this.timer.unref();
    }
    return {
      dispose: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0 && this.timer !== undefined) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
      },
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.listeners.clear();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.health.stop();
  }

  private answer(query: SignalsQuery, cached: Cached, stale: boolean): SignalsResponse {
    const ageMs = Math.max(0, this.now() - cached.at);
    const from = { source: this.options.name, basis: 'metrics' as const, ageMs, ...(stale ? { stale: true } : {}) };
    const functions: FunctionSignal[] = cached.rows.functions.map((f) => ({ ...f, figures: { traffic: from, errors: from } }));
    return {
      window: query.window,
      environment: cached.rows.environment,
      environments: cached.rows.environments,
      generatedAt: cached.at,
      functions,
      operations: cached.rows.operations,
      errors: [],
      unmapped: cached.rows.unmapped,
      calls: [],
      evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
    };
  }

  /** One refresh per key at a time; callers asking meanwhile share it. */
  private refresh(key: string, query: SignalsQuery): Promise<SpanMetricsRows> {
    let running = this.inFlight.get(key);
    if (running === undefined) {
      running = this.compute(query).then(
        (rows) => {
          const now = this.now();
          const askedAt = this.cache.get(key)?.askedAt ?? now;
          // Re-inserted last, so the first key is the least recently refreshed one.
          this.cache.delete(key);
          this.cache.set(key, { rows, at: now, askedAt, query });
          if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
          this.health.succeeded();
          return rows;
        },
        (err: unknown) => {
          this.health.failed((err as Error).message);
          throw err;
        },
      );
      const settled = (): void => void this.inFlight.delete(key);
      running.then(settled, settled);
      this.inFlight.set(key, running);
    }
    return running;
  }

  private async compute(query: SignalsQuery): Promise<SpanMetricsRows> {
    let detected = await this.naming(false);
    let groups = await this.groups(detected, query);
    // Nothing found may mean the naming changed (a collector reconfigured): look again, at most once per interval.
    if (groups.length === 0 && this.now() - (this.detected?.at ?? 0) >= this.refreshMs) {
      const again = await this.naming(true);
      if (again.calls !== detected.calls || again.bucket !== detected.bucket || again.labels.size !== detected.labels.size || again.environmentLabel !== detected.environmentLabel) {
        detected = again;
        groups = await this.groups(detected, query);
      }
    }
    return spanMetricsRows(groups, detected, this.join, query, this.options.environment ?? '', (file, g, path) => this.learn(file, g, path, detected, query));
  }

  private async naming(force: boolean): Promise<DetectedSpanMetrics> {
    if (this.detected !== undefined && !force) return this.detected.value;
    if (this.detectFailed !== undefined && this.now() - this.detectFailed.at < this.refreshMs) throw new Error(this.detectFailed.error);
    const found = await this.client.detect();
    if (!found.ok) {
      this.detectFailed = { error: found.error, at: this.now() };
      throw new Error(found.error);
    }
    this.detectFailed = undefined;
    this.detected = { value: found.value, at: this.now() };
    return found.value;
  }

  private async groups(m: DetectedSpanMetrics, query: SignalsQuery): Promise<SpanGroup[]> {
    const learned = query.file === undefined ? undefined : this.learned.get(query.file);
    const scope = {
      windowMs: query.windowMs,
      ...(query.environment !== undefined ? { environment: query.environment } : {}),
      ...(query.top !== undefined ? { top: query.top } : {}),
      ...(query.file !== undefined ? { file: { relative: query.file, productionPaths: [...(learned?.productionPaths ?? [])], spanNames: [...(learned?.spanNames.values() ?? [])] } } : {}),
    };
    // Series carry no environment label: another environment than the configured one has none.
    if (query.environment !== undefined && m.environmentLabel === undefined && query.environment !== (this.options.environment ?? '')) return [];
    const q = refreshQueries(m, scope);
    const [calls, buckets] = await Promise.all([this.client.query(q.calls), this.client.query(q.buckets)]);
    if (!calls.ok) throw new Error(calls.error);
    if (!buckets.ok) throw new Error(buckets.error);
    return [...foldGroups(q.groupBy, calls.value, buckets.value, m.toMs).values()];
  }

  /** Remembers how series reach a file, so a later query for that file alone can select them. */
  private learn(file: string, g: SpanGroup, productionPath: string | undefined, m: DetectedSpanMetrics, query: SignalsQuery): void {
    if (query.file !== undefined && query.file !== file) return;
    let entry = this.learned.get(file);
    if (entry === undefined) this.learned.set(file, (entry = { productionPaths: new Set(), spanNames: new Map() }));
    if (productionPath !== undefined) {
      if (entry.productionPaths.size < MAX_LEARNED_PER_FILE) entry.productionPaths.add(productionPath);
      return;
    }
    const service = g.labels.get(m.serviceLabel) ?? '';
    const spanName = g.labels.get('span_name') ?? '';
    if (entry.spanNames.size < MAX_LEARNED_PER_FILE) entry.spanNames.set(JSON.stringify([service, spanName]), { service, spanName });
  }

  /** The background refresh: queries asked within the last few intervals, listeners told when figures moved. */
  private async refreshAsked(): Promise<void> {
    const now = this.now();
    let changed = false;
    for (const [key, cached] of [...this.cache]) {
      if (now - cached.askedAt > 3 * this.refreshMs || now - cached.at < this.refreshMs) continue;
      const before = JSON.stringify([cached.rows.functions, cached.rows.operations]);
      try {
        const rows = await this.refresh(key, cached.query);
        if (JSON.stringify([rows.functions, rows.operations]) !== before) changed = true;
      } catch {
        // Health has the reason; the cached answer stays, marked stale when read.
      }
    }
    if (changed && !this.disposed) for (const l of [...this.listeners]) l();
  }
}
