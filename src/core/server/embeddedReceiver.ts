import * as path from 'node:path';
import { QueryGate } from '../sources/queryGate';
import { readApiHandler, type ReadApiSources } from './readApi';
import type { SignalsResponse, StatusResponse } from '../api/signals';
import { StreamHub } from './streamHub';
import { IngestPipeline } from '../sources/ingestPipeline';
import { decodeWorkersFor } from '../ingest/decodePool';
import { OtlpReceiver, type ReceiverOptions } from '../ingest/otlpReceiver';
import { RateMeter } from '../ingest/rateMeter';
import { silentLogger, systemClock, type Clock, type Logger } from '../logger';
import { CallSites } from '../mapping/callSites';
import { CodeMapper } from '../mapping/codeMapper';
import { nodeGit } from '../mapping/git';
import type { PathRule } from '../mapping/pathResolver';
import { RevisionDrift } from '../mapping/revisionDrift';
import type { ServiceRootRule } from '../mapping/serviceRoots';
import { workspaceReader, WorkspaceIndex } from '../mapping/workspaceIndex';
import { watchWorkspaceIndex, type WorkspaceWatcher } from '../mapping/workspaceWatcher';
import { OutgoingCalls, type OutgoingCallOptions } from '../signals/outgoingCalls';
import { RouteMetrics } from '../signals/routeMetrics';
import { SignalStore } from '../signals/signalStore';
import type { StoreOptions } from '../signals/storeTypes';
import { removeLeftoverTemps, restoreSnapshot, SnapshotScheduler } from '../signals/snapshot';
import { TraceBuffer, type TraceBufferOptions } from '../signals/traceBuffer';
import { CompositeSource, type CompositeMember } from '../sources/compositeSource';
import { EmbeddedSource } from '../sources/embeddedSource';
import { StoreChangeFeed } from '../sources/storeChanges';
import { WebVitals } from '../signals/webVitals';
import { FaroRoute, type FaroOptions } from './faroRoute';
import { parseSignalsQuery, type TelemetrySource } from '../sources/telemetrySource';

/** Version reported by the status API. */
export const RUNTIME_LENS_VERSION = '0.1.0';

/** Everything the embedded receiver can be told. */
export interface EmbeddedReceiverOptions extends ReceiverOptions {
  /** Workspace root to map against; '' maps nothing (all spans listed as unmapped). */
  workspace: string;
  pathRules: PathRule[];
  /** Explicit service folders (`--service-root`); manifests in the workspace name the rest. */
  serviceRoots: ServiceRootRule[];
  /** Re-index files of the workspace as they change (serve does; in-process tests need not). */
  watchWorkspace: boolean;
  /** Snapshot file; '' disables snapshots. */
  snapshotFile: string;
  snapshotIntervalMs: number;
  /** Items (spans + log records) the ingest queue holds before answering 429. */
  maxQueuedItems: number;
  defaultWindow: string;
  store: Partial<StoreOptions>;
  /** Bounds of the recent-trace buffer behind `/api/traces/:traceId`. */
  traces: Partial<TraceBufferOptions>;
  /** Bounds of the client spans waiting for their parent. */
  calls: Partial<OutgoingCallOptions>;
  /** The Grafana Faro endpoint (`/collect`): allowed browser origins, API key, payload cap, rate limit. */
  faro?: Partial<FaroOptions>;
  /** Remote sources read beside the receiver (Jaeger, Prometheus, ...), built once the mapper exists. */
  remoteSources?: RemoteSourceFactory;
}

/** What a remote source may share with the receiver: the mapper (tied to the workspace index) and when it is ready. */
export interface SharedMapping {
  mapper: CodeMapper;
  /** Resolves once the workspace is indexed and the mapper uses it. */
  ready: Promise<unknown>;
}

/** Builds the remote members of the read API's composite. */
export type RemoteSourceFactory = (shared: SharedMapping) => CompositeMember[];

/** Defaults for a developer machine: loopback only, the standard OTLP/HTTP port. */
export const DEFAULT_RECEIVER_OPTIONS: EmbeddedReceiverOptions = {
  host: '127.0.0.1',
  port: 4318,
  maxBodyBytes: 64 * 1024 * 1024,
  token: '',
  readToken: '',
  allowedOrigins: [],
  version: RUNTIME_LENS_VERSION,
  portHint: '--port',
  queueWaitMs: 2_000,
  decodeWorkers: decodeWorkersFor(),
  workspace: '',
  pathRules: [],
  serviceRoots: [],
  watchWorkspace: false,
  snapshotFile: '',
  snapshotIntervalMs: 60_000,
  maxQueuedItems: 20_000,
  defaultWindow: '5m',
  store: {},
  traces: {},
  calls: {},
};

/**
 * The default telemetry source: an OTLP/HTTP receiver on loopback feeding a signal store,
 * with spans mapped to the workspace, a snapshot across restarts and the read API.
 */
export class EmbeddedReceiver {
  readonly kind = 'embedded receiver';
  readonly store: SignalStore;
  readonly pipeline: IngestPipeline;
  readonly receiver: OtlpReceiver;
  readonly traces: TraceBuffer;
  readonly calls: OutgoingCalls;
  /** The lines making outgoing calls, as resolved for the client spans filed so far. */
  readonly callSites: CallSites;
  /** Route figures from `/v1/metrics`, joined into the operation rows of the read API. */
  readonly routeMetrics: RouteMetrics;
  /** Core Web Vitals from browser pages (Faro), per page route. */
  readonly webVitals: WebVitals;
  /** The Faro endpoint browser pages send to. */
  readonly faro: FaroRoute;
  /** The `/api/stream` WebSocket. */
  readonly stream: StreamHub;
  /** The store as a TelemetrySource. */
  readonly source: EmbeddedSource;
  /** What the read API, the stream and `signals()` answer from: the store alone, or a composite with the remote sources. */
  readonly readSource: TelemetrySource;
  private readonly composite: CompositeSource | undefined;
  /** Paces signals queries (the read API's and `signals()`), so reading cannot starve ingest. */
  readonly queries: QueryGate<SignalsResponse>;
  private readonly options: EmbeddedReceiverOptions;
  private readonly api: ReadApiSources;
  private readonly meter = new RateMeter();
  /** Resolves once the workspace is indexed and the mapper uses it. */
  readonly indexReady: Promise<WorkspaceIndex>;
  private resolveIndex!: (index: WorkspaceIndex) => void;
  private snapshots: SnapshotScheduler | undefined;
  private index: WorkspaceIndex | undefined;
  private watcher: WorkspaceWatcher | undefined;
  private meterTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private spansPerSecond = 0;
  /** What had been filed at the last tick, and when that count last moved (ms; null before anything was). */
  private filedCount = 0;
  private lastFiled: number | null = null;

  constructor(
    options: Partial<EmbeddedReceiverOptions>,
    private readonly logger: Logger = silentLogger,
    clock: Clock = systemClock,
  ) {
    this.options = { ...DEFAULT_RECEIVER_OPTIONS, ...options };
    this.store = new SignalStore(this.options.store, clock);
    this.indexReady = new Promise((resolve) => (this.resolveIndex = resolve));
    // Ingest waits for the real index before filing anything, so the empty one is never used for mapping.
    const drift = this.options.workspace ? new RevisionDrift(nodeGit(this.options.workspace), logger) : null;
    const mapper = new CodeMapper(WorkspaceIndex.empty(), drift);
    const sites = (this.callSites = new CallSites(WorkspaceIndex.empty().functions, { read: async () => undefined }));
    const mapperReady = this.indexReady.then((index) => {
      mapper.setSources(index);
      sites.setSources(index.functions, workspaceReader(this.options.workspace));
      index.onFileScanned = (file) => sites.invalidate(file);
      index.onUpdated = () => mapper.invalidate();
    });
    this.traces = new TraceBuffer(this.options.traces);
    this.calls = new OutgoingCalls(this.store, this.traces, sites, this.options.calls, clock);
    this.store.onTraceReferenced = (traceId) => this.traces.pin(traceId);
    this.pipeline = new IngestPipeline(this.store, mapper, this.options.maxQueuedItems, mapperReady, logger, {
      traces: this.traces,
      calls: this.calls,
      ownOrigins: () => this.ownOrigins(),
    });
    this.routeMetrics = new RouteMetrics({ retentionMs: this.options.store.retentionMs }, clock);
    this.webVitals = new WebVitals({ retentionMs: this.options.store.retentionMs }, clock);
    // Everything filed (or half-filed) changes the store; that count is the query cache's generation.
    this.queries = new QueryGate(
      () => {
        const s = this.pipeline.stats;
        return s.spansProcessed + s.spansFailed + s.logsProcessed + s.logsFailed + this.routeMetrics.generation + this.webVitals.generation;
      },
      {},
      Date.now,
      () => this.store.changeNotices,
      () => this.pipeline.stats.queueDepth > 0,
    );
    this.source = new EmbeddedSource({
      store: this.store,
      traces: this.traces,
      queries: this.queries,
      routeMetrics: this.routeMetrics,
      webVitals: this.webVitals,
      lastFiled: () => this.lastFiled,
      running: () => this.receiver.address() !== null,
      changes: new StoreChangeFeed(this.store),
    });
    const remote = this.options.remoteSources?.({ mapper, ready: mapperReady }) ?? [];
    const members: CompositeMember[] = [...(this.options.acceptOtlp === false ? [] : [{ source: this.source, name: 'embedded' }]), ...remote];
    this.composite = remote.length > 0 || members.length === 0 ? new CompositeSource(members) : undefined;
    this.readSource = this.composite ?? this.source;
    this.api = { source: this.readSource, status: () => this.status(), defaultWindow: this.options.defaultWindow, queries: this.queries };
    // The stream pushes what the read API answers from: every member's changes, with detail where a member gives it.
    this.stream = new StreamHub(this.readSource, () => this.status(), {}, logger);
    const upgrade = this.stream.handleUpgrade.bind(this.stream);
    this.faro = new FaroRoute(
      this.options.faro ?? {},
      {
        pipeline: this.pipeline,
        webVitals: this.webVitals,
        sources: () => this.indexReady,
        token: this.options.token,
        queueWaitMs: this.options.queueWaitMs,
      },
      logger,
    );
    this.receiver = new OtlpReceiver(this.options, this.pipeline, readApiHandler(this.api), logger, upgrade, (batch) => this.routeMetrics.record(batch), this.faro);
  }

  /** Restores the snapshot, starts listening, then indexes the workspace (ingest waits for the index). */
  async start(): Promise<void> {
    if (this.options.snapshotFile) {
      // A write killed half-way leaves its temp file behind; nothing would ever remove it otherwise.
      const removed = await removeLeftoverTemps(this.options.snapshotFile);
      if (removed.length > 0) this.logger.info(`removed ${removed.length} leftover snapshot temp file(s): ${removed.join(', ')}`);
      this.logger.info(await restoreSnapshot(this.options.snapshotFile, this.store, this.logger));
    }
    await this.receiver.start();
    this.startedAt = Date.now();
    this.meterTimer = setInterval(() => this.sample(), 1000);
    this.meterTimer.unref();
    if (this.options.snapshotFile) {
      this.snapshots = new SnapshotScheduler(this.store, this.options.snapshotFile, this.options.snapshotIntervalMs, this.logger);
      this.snapshots.start();
    }
    void this.buildIndex();
  }

  /** Stops listening, files what was accepted, and writes the snapshot. */
  async stop(): Promise<void> {
    await this.stream.close();
    await this.receiver.stop();
    this.watcher?.close();
    if (this.meterTimer) clearInterval(this.meterTimer);
    await this.pipeline.idle();
    await this.pipeline.flushWaiting();
    await this.snapshots?.stop();
    await this.composite?.dispose();
  }

  /** The `/api/signals` answer for these query parameters (a one-line Error for bad ones). */
  signals(params: URLSearchParams): Promise<SignalsResponse> {
    return this.readSource.signals(parseSignalsQuery(params, this.options.defaultWindow));
  }

  /** Once a second: the span rate, and a change event when anything was filed since the last tick. */
  private sample(): void {
    const s = this.pipeline.stats;
    const now = Date.now();
    this.spansPerSecond = this.meter.sample(now, s.spansProcessed);
    const filed = s.spansProcessed + s.spansFailed + s.logsProcessed + s.logsFailed + this.routeMetrics.generation + this.webVitals.generation;
    if (filed !== this.filedCount) {
      this.filedCount = filed;
      this.lastFiled = now;
      this.source.changed();
    }
  }

  /** Where this receiver listens, as SDK export failures name it. */
  private ownOrigins(): string[] {
    const a = this.receiver.address();
    return a ? [`http://${a.address}:${a.port}`] : [];
  }

  /** Counters for the status API and the CLI's status line. */
  status(): StatusResponse {
    const s = this.pipeline.stats;
    const address = this.receiver.address();
    return {
      version: RUNTIME_LENS_VERSION,
      listening: address ? `http://${address.address}:${address.port}` : '',
      workspace: this.options.workspace ? path.resolve(this.options.workspace) : '',
      startedAt: this.startedAt,
      spansAccepted: s.spansAccepted,
      spansProcessed: s.spansProcessed,
      spansFailed: s.spansFailed,
      spansRejected: s.itemsRejected,
      logsAccepted: s.logsAccepted,
      logsProcessed: s.logsProcessed,
      logsFailed: s.logsFailed,
      queueDepth: s.queueDepth,
      spansPerSecond: Math.round(this.spansPerSecond),
      services: this.store.services().length,
      metricPointsAccepted: this.routeMetrics.counters.pointsAccepted,
      mappedPercent: percent(s.spansCountedMapped + s.exceptionsMapped, s.spansCounted + s.exceptions),
      ...(s.serverSpans > 0 ? { requestsMappedPercent: percent(s.serverSpansMapped, s.serverSpans) } : {}),
      ...(s.exceptions > 0 ? { exceptionsMappedPercent: percent(s.exceptionsMapped, s.exceptions) } : {}),
      spansFolded: s.spansFolded,
      clientSpans: s.clientSpans,
      indexedAt: this.index?.indexedAt ?? 0,
      receiving: this.options.acceptOtlp !== false,
      ...(this.composite !== undefined ? { sources: this.composite.summaries() } : {}),
    };
  }

  private async buildIndex(): Promise<void> {
    if (!this.options.workspace) {
      this.resolveIndex(WorkspaceIndex.empty(this.options.pathRules));
      return;
    }
    try {
      const { index, stats } = await WorkspaceIndex.build(this.options.workspace, this.options.pathRules, this.logger, { serviceRoots: this.options.serviceRoots });
      this.logger.info(`indexed ${stats.files} files of ${this.options.workspace} (${stats.functions} functions, ${stats.routes} routes, ${stats.services} service folders) in ${stats.ms} ms`);
      this.index = index;
      this.resolveIndex(index);
      // Not once stopped: a build outlasting stop() must not leave a watch behind.
      if (this.options.watchWorkspace && this.receiver.address()) this.watcher = watchWorkspaceIndex(this.options.workspace, index, this.logger);
    } catch (err) {
      this.logger.error(`could not index workspace ${this.options.workspace}: ${(err as Error).message}; spans will be listed as unmapped`);
      this.resolveIndex(WorkspaceIndex.empty(this.options.pathRules));
    }
  }
}

/** `part` of `whole` in percent with one decimal; 0 of 0 is 0. */
function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}
