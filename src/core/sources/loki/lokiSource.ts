/**
 * Loki as a TelemetrySource: error groups from exception logs, live. On connect it reads the
 * window with `query_range`, then keeps a tail open; each exception found (LogExceptionReader,
 * once) is mapped to the line that threw through the workspace's CodeMapper and filed in a store
 * of its own. When Loki drops, the groups are kept and marked stale while the tail reconnects.
 */
import type { ErrorSignal, SignalsResponse, TraceResponse } from '../../api/signals';
import type { ExceptionInfo, ResourceInfo } from '../../ingest/records';
import { silentLogger, type Logger } from '../../logger';
import type { CodeMapper } from '../../mapping/codeMapper';
import { SignalStore } from '../../signals/signalStore';
import { SourceHealth } from '../remote/health';
import { RemoteTransport } from '../remote/transport';
import type { Disposable, SignalsQuery, SourceCapabilities, SourceStatus, TelemetrySource } from '../telemetrySource';
import { LogExceptionReader, type FoundException } from './logExceptionReader';
import { DEFAULT_SELECTOR, exceptionQuery } from './logql';
import { msToNs, parseQueryRange, type LokiStream } from './lokiApi';
import { LokiTail } from './lokiTail';

/** How to reach Loki and what to read. */
export interface LokiSourceOptions {
  /** The configured name (`loki`, `loki (prod)`), in figures and error lines. */
  name?: string;
  baseUrl: string;
  /** Which streams to read; default `{service_name=~".+"}`. */
  selector?: string;
  headers?: Record<string, string>;
  caFile?: string;
  authHint?: string;
  /** Maps stacks to workspace lines (the workspace index's mapper). */
  mapper: CodeMapper;
  /** Resolves once the mapper uses the workspace index; exceptions wait for it before they are mapped. */
  ready?: Promise<unknown>;
  /** The HTTP transport to use (one per configured source); else one is made from these options. */
  transport?: RemoteTransport;
  /** The backend's environment names -> the names shown. */
  environments?: ReadonlyMap<string, string>;
  /** How far back the connect reads (default one hour, also the store's retention). */
  windowMs?: number;
  /** The refresh interval figures are judged stale against (default 30 s). */
  refreshMs?: number;
  timeoutMs?: number;
  retries?: number;
  /** Entries per `query_range` page (default 1000, Loki's default cap is 5000) and pages per read (default 10). */
  pageLimit?: number;
  maxPages?: number;
  /** Entries waiting to be read at most (default 20 000); the oldest beyond are dropped and counted. */
  bufferEntries?: number;
  /** Lines of one stack further apart than this are not one stack (default 2 s). */
  stackGapMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  pingMs?: number;
  logger?: Logger;
}

const DEFAULT_WINDOW_MS = 3_600_000;

/** Error groups from Loki's exception logs. */
export class LokiSource implements TelemetrySource {
  readonly kind = 'loki';
  readonly capabilities: SourceCapabilities = { spans: false, metrics: false, logs: true, live: true, traces: false };
  /** Exceptions filed, entries dropped from a full buffer, and query_range pages read. */
  readonly counters = { filed: 0, bufferDropped: 0, pages: 0 };
  readonly name: string;
  private readonly transport: RemoteTransport;
  private readonly health: SourceHealth;
  private readonly store: SignalStore;
  private readonly reader: LogExceptionReader;
  private readonly query: string;
  private readonly listeners = new Set<() => void>();
  private readonly logger: Logger;
  private readonly queue: LokiStream[] = [];
  private queued = 0;
  private draining: Promise<void> | null = null;
  private tail: LokiTail | null = null;
  private connecting: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private noticeTimer: NodeJS.Timeout | null = null;
  /** Newest entry seen (ms); a reconnect reads from here. */
  private newestMs = 0;
  /** Where the next (re)connection must read from with query_range, when a read is owed. */
  private owedFromMs: number | null = null;
  private disposed = false;

  constructor(private readonly options: LokiSourceOptions) {
    this.name = options.name ?? 'loki';
    this.query = exceptionQuery(options.selector ?? DEFAULT_SELECTOR);
    this.logger = options.logger ?? silentLogger;
    // Only options given: an explicit undefined would override the transport's defaults.
    const given = Object.fromEntries(
      Object.entries({ headers: options.headers, caFile: options.caFile, authHint: options.authHint, timeoutMs: options.timeoutMs, retries: options.retries }).filter(([, v]) => v !== undefined),
    );
    this.transport = options.transport ?? new RemoteTransport({ name: this.name, baseUrl: options.baseUrl, ...given });
    this.health = new SourceHealth(options.refreshMs ?? 30_000);
    this.store = new SignalStore({ retentionMs: Math.max(options.windowMs ?? DEFAULT_WINDOW_MS, 60_000) });
    this.reader = new LogExceptionReader(options.stackGapMs ?? 2_000);
  }

  /** Bytes and requests of the HTTP reads, and the tail's connections. */
  get transferred(): { requests: number; bytes: number; failures: number; tailConnects: number; tailMessages: number } {
    return { ...this.transport.counters, tailConnects: this.tail?.counters.connects ?? 0, tailMessages: this.tail?.counters.messages ?? 0 };
  }

  /** Log entries read, entries skipped as seen before (window and tail overlap, reconnects), exceptions found. */
  get entries(): { entries: number; duplicates: number; exceptions: number } {
    return { ...this.reader.counters };
  }

  /** Reads the window and opens the tail (once; later calls wait for the first). Never rejects. */
  connect(): Promise<void> {
    this.connecting ??= this.firstConnect();
    return this.connecting;
  }

  private async firstConnect(): Promise<void> {
    const now = Date.now();
    const from = now - (this.options.windowMs ?? DEFAULT_WINDOW_MS);
    if (!(await this.readRange(from, now))) this.owedFromMs = from;
    if (this.disposed) return;
    this.newestMs = Math.max(this.newestMs, now);
    this.tail = new LokiTail({
      name: this.name,
      baseUrl: this.options.baseUrl,
      query: this.query,
      headers: this.options.headers,
      caFile: this.options.caFile,
      authHint: this.options.authHint,
      reconnectBaseMs: this.options.reconnectBaseMs,
      reconnectMaxMs: this.options.reconnectMaxMs,
      // Pings keep a quiet but healthy tail from looking stale.
      pingMs: this.options.pingMs ?? Math.min(10_000, (this.options.refreshMs ?? 30_000) / 2),
      startNs: () => msToNs(this.newestMs),
      onStreams: (streams) => this.enqueue(streams),
      onState: (open, error) => this.tailState(open, error),
      onAlive: () => this.health.succeeded(),
    });
    this.tail.connect();
    this.flushTimer = setInterval(() => void this.flushIdle(), Math.max(250, (this.options.stackGapMs ?? 2_000) / 2));
    this.flushTimer.unref();
  }

  private tailState(open: boolean, error?: string): void {
    if (open) {
      this.health.succeeded();
      this.logger.info(`${this.name}: tail open`);
      // Loki's tail looks back only as far as it can; the time it was away is read in full.
      const from = this.owedFromMs;
      this.owedFromMs = null;
      if (from !== null)
        void this.readRange(from, Date.now()).then((ok) => {
          if (!ok) this.owedFromMs ??= from;
        });
      return;
    }
    this.owedFromMs ??= this.newestMs;
    this.health.failed(error ?? `${this.name}: tail closed`);
    this.logger.warn(error ?? `${this.name}: tail closed`);
  }

  /** Reads [fromMs, toMs) with query_range, oldest first, page by page; true when Loki answered. */
  private async readRange(fromMs: number, toMs: number): Promise<boolean> {
    const limit = this.options.pageLimit ?? 1000;
    let startNs = msToNs(fromMs);
    const endNs = msToNs(toMs);
    for (let page = 0; page < (this.options.maxPages ?? 10); page++) {
      const answer = await this.transport.getJson('/loki/api/v1/query_range', { query: this.query, start: startNs, end: endNs, limit, direction: 'forward' }, parseQueryRange);
      if (!answer.ok) {
        this.health.failed(answer.error);
        this.logger.warn(answer.error);
        return false;
      }
      this.counters.pages++;
      this.health.succeeded();
      this.enqueue(answer.value);
      let count = 0;
      let newest = startNs;
      for (const s of answer.value) {
        count += s.entries.length;
        for (const [ns] of s.entries) if (ns.length > newest.length || (ns.length === newest.length && ns > newest)) newest = ns;
      }
      // A full page continues from its newest entry (re-read entries at that instant are skipped as seen).
      if (count < limit || newest === startNs) break;
      startNs = newest;
    }
    await this.drain();
    await this.flushIdle();
    return true;
  }

  /** Queues entries to read; beyond the buffer the oldest are dropped (and counted), never memory without bound. */
  private enqueue(streams: LokiStream[]): void {
    const cap = this.options.bufferEntries ?? 20_000;
    for (const s of streams) {
      if (s.entries.length === 0) continue;
      this.queue.push(s);
      this.queued += s.entries.length;
    }
    while (this.queued > cap && this.queue.length > 1) {
      const dropped = this.queue.shift()!;
      this.queued -= dropped.entries.length;
      this.counters.bufferDropped += dropped.entries.length;
    }
    void this.drain();
  }

  /** Reads what is queued; resolves once the queue is empty. */
  private drain(): Promise<void> {
    this.draining ??= (async () => {
      // Yield first: run synchronously, the `finally` below would clear `draining` before it is set.
      await Promise.resolve();
      try {
        while (this.queue.length > 0) {
          const stream = this.queue.shift()!;
          this.queued -= stream.entries.length;
          for (const [ns] of stream.entries) this.newestMs = Math.max(this.newestMs, Number(ns.slice(0, -6)) || 0);
          await this.file(this.reader.read([stream], Date.now()));
        }
      } finally {
        this.draining = null;
      }
    })();
    return this.draining;
  }

  private async flushIdle(): Promise<void> {
    await this.file(this.reader.flushIdle(Date.now()));
  }

  /** Maps and files exceptions; tells the listeners when any was filed. */
  private async file(found: FoundException[]): Promise<void> {
    if (found.length > 0) await this.options.ready;
    for (const f of found) {
      const resource = resourceOf(f, this.options.environments);
      const exception: ExceptionInfo = { type: f.exception.type, message: f.exception.message, stacktrace: f.exception.stacktrace, timeMs: f.timeMs };
      try {
        const mapped = await this.options.mapper.mapException(resource, exception, null, null);
        this.store.recordException(resource, exception, f.exception.traceId ?? '', mapped.location, mapped.frameKey);
        if (mapped.location === null) this.store.recordUnmapped(resource, `log: ${exception.type}: ${exception.message}`.slice(0, 200), 'no stack frame of the log matches the workspace', f.timeMs);
        this.counters.filed++;
      } catch (err) {
        this.logger.error(`${this.name}: an exception from the logs failed while filing (${(err as Error).message})`);
      }
    }
    if (found.length > 0) this.notice();
  }

  private notice(): void {
    if (this.noticeTimer !== null || this.disposed) return;
    this.noticeTimer = setTimeout(() => {
      this.noticeTimer = null;
      for (const l of [...this.listeners]) l();
    }, 100);
    this.noticeTimer.unref();
  }

  /** Error groups only: Loki holds logs, not spans. Rejects when Loki has never answered. */
  async signals(query: SignalsQuery): Promise<SignalsResponse> {
    if (this.disposed) throw new Error(`${this.name}: disposed`);
    await this.connect();
    await this.drain();
    const status = this.health.status();
    if (status.lastSuccess === null) throw new Error(status.error ?? `${this.name}: no answer yet`);
    const answer = this.store.query({ windowMs: query.windowMs, environment: query.environment, file: query.file, top: query.top, perMinute: query.perMinute });
    const figures = { source: this.name, basis: 'logs' as const, ageMs: this.health.ageMs() ?? undefined, ...(status.state === 'ok' ? {} : { stale: true }) };
    const errors: ErrorSignal[] = answer.errors.map((e) => ({ ...e, figures }));
    return { ...answer, window: query.window, functions: [], operations: [], calls: [], errors };
  }

  async trace(): Promise<TraceResponse | null> {
    return null;
  }

  status(): SourceStatus {
    return this.health.status();
  }

  onChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    void this.connect();
    return { dispose: () => this.listeners.delete(listener) };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.health.stop();
    this.tail?.dispose();
    if (this.flushTimer !== null) clearInterval(this.flushTimer);
    if (this.noticeTimer !== null) clearTimeout(this.noticeTimer);
    this.listeners.clear();
    await this.draining;
  }
}

/** Who wrote an exception: what its line said, else its stream's labels (Loki's OTLP labels, then common ones). */
function resourceOf(f: FoundException, environments: ReadonlyMap<string, string> | undefined): ResourceInfo {
  const l = f.labels;
  const pick = (...keys: string[]) => keys.map((k) => l.get(k)).find((v) => v !== undefined && v !== '') ?? '';
  const e = f.exception;
  return {
    service: e.service || pick('service_name', 'app', 'application', 'job', 'container', 'service') || 'unknown_service',
    environment: shownEnvironment(e.environment || pick('deployment_environment_name', 'deployment_environment', 'environment', 'env'), environments),
    revision: pick('vcs_ref_head_revision'),
    serviceVersion: e.version || pick('service_version', 'version'),
    language: e.language || pick('telemetry_sdk_language', 'language'),
  };
}

function shownEnvironment(name: string, environments: ReadonlyMap<string, string> | undefined): string {
  return environments?.get(name) ?? name;
}
