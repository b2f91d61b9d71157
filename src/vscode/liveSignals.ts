import type { ErrorSignal, SignalsResponse, StatusResponse, TraceResponse } from '../core/api/signals';
import type { StreamMessage } from '../core/api/streamProtocol';
import { ReadApiClient } from '../core/client/readApiClient';
import { resolveQuery, SignalsCache, type CachedAnswer, type SignalsAsk } from '../core/client/signalsCache';
import { StreamClient } from '../core/client/streamClient';
import type { Logger } from '../core/logger';
import { Emitter } from './emitter';
import type { LiveSelection, LiveSignalsSource, ReceiverState } from './liveSignalsSource';

/** A signals query as this client sends it: `top` applies only without `file` (default TOP_DEFAULT). */
export type LiveSignalsQuery = SignalsAsk;

/** Tuning, mostly for tests. */
export interface LiveSignalsOptions {
  /** Minimum gap between two onDidChangeSignals events (default 250 ms). */
  debounceMs: number;
  /** Reconnect backoff bounds for the stream (default 500 ms .. 5 s). */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Cached per-file answers are refreshed this often even without new spans, as windows slide (default 30 s). */
  slideRefreshMs: number;
  /** Files whose answers were read within this long are refetched before a change is announced (default 2 min). */
  interestMs: number;
  requestTimeoutMs: number;
}

const DEFAULT_OPTIONS: LiveSignalsOptions = {
  debounceMs: 250,
  reconnectMinMs: 500,
  reconnectMaxMs: 5_000,
  slideRefreshMs: 30_000,
  interestMs: 120_000,
  requestTimeoutMs: 5_000,
};

/**
 * The data side every surface reads: the read API through the core's validating client, its stream
 * (`/api/stream`, reconnecting) for status and change pushes, and the core's SignalsCache so
 * providers answer from memory. This file adapts them to editor events; the cache logic is in
 * core/client/signalsCache.ts.
 */
export class LiveSignals implements LiveSignalsSource {
  private current: ReceiverState = { kind: 'stopped' };
  private chosen: LiveSelection;
  private readonly stateEmitter = new Emitter<ReceiverState>();
  private readonly selectionEmitter = new Emitter<LiveSelection>();
  private readonly signalsEmitter = new Emitter<{ files: string[] }>();
  private readonly errorEmitter = new Emitter<ErrorSignal>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onDidChangeSelection = this.selectionEmitter.event;
  readonly onDidChangeSignals = this.signalsEmitter.event;
  readonly onNewErrorGroup = this.errorEmitter.event;

  private readonly options: LiveSignalsOptions;
  private readonly cache: SignalsCache;
  private endpoint = '';
  /** The receiver's read token for this session ('' when it needs none). */
  private token = '';
  private attached = false;
  private stream: StreamClient | undefined;
  private slideTimer: NodeJS.Timeout | undefined;
  private lastEnvironment: string | undefined;

  constructor(
    selection: LiveSelection,
    private readonly log: Logger,
    options: Partial<LiveSignalsOptions> = {},
  ) {
    this.chosen = { ...selection };
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.cache = new SignalsCache(
      {
        fetch: (q) => this.client().signals({ window: q.window, environment: q.environment, file: q.file, perMinute: q.perMinute, top: q.top > 0 ? q.top : undefined }),
        changed: (files) => this.signalsEmitter.fire({ files }),
        failed: (message, first) => {
          if (first) this.log.warn(`signals query failed: ${message}`);
        },
        answered: (response) => (this.lastEnvironment = response.environment || undefined),
      },
      { debounceMs: this.options.debounceMs, interestMs: this.options.interestMs },
    );
  }

  get state(): ReceiverState {
    return this.current;
  }

  get selection(): LiveSelection {
    return this.chosen;
  }

  /** The environment the receiver answered for last (its default when none is selected). */
  get resolvedEnvironment(): string | undefined {
    return this.lastEnvironment;
  }

  /** Shows the receiver as starting (before the child listens). */
  setStarting(endpoint: string): void {
    this.setState({ kind: 'starting', endpoint });
  }

  /** Shows a failure; surfaces keep their last figures but stop refreshing. */
  setError(message: string): void {
    const files = this.teardown();
    this.setState({ kind: 'error', message });
    if (files.length > 0) this.signalsEmitter.fire({ files });
  }

  /** Starts reading from a receiver (with its read token, if any): state becomes running, the stream connects, every surface refreshes. */
  connect(endpoint: string, attached: boolean, status: StatusResponse, token = ''): void {
    // Surfaces showing answers of an earlier session ask again (the state's kind may not change).
    const files = this.teardown();
    this.endpoint = endpoint;
    this.token = token;
    this.attached = attached;
    this.setState({ kind: 'running', endpoint, attached, status });
    this.stream = new StreamClient(
      { server: endpoint, token, handshakeTimeoutMs: this.options.requestTimeoutMs, reconnectMinMs: this.options.reconnectMinMs, reconnectMaxMs: this.options.reconnectMaxMs, logger: this.log },
      { message: (m) => this.onMessage(m) },
    );
    this.stream.start();
    this.slideTimer = setInterval(() => this.cache.invalidate(undefined), this.options.slideRefreshMs);
    this.slideTimer.unref?.();
    this.cache.announce(files);
  }

  /** Stops reading: closes the stream, forgets cached answers, state becomes stopped. */
  disconnect(): void {
    const files = this.teardown();
    if (this.current.kind === 'stopped') return;
    this.setState({ kind: 'stopped' });
    // Surfaces drop their overlays: there is nothing live to show.
    if (files.length > 0) this.signalsEmitter.fire({ files });
  }

  /** Closes the stream and timers and forgets cached answers; returns the files that had answers. */
  private teardown(): string[] {
    clearInterval(this.slideTimer);
    this.slideTimer = undefined;
    this.stream?.close();
    this.stream = undefined;
    this.endpoint = '';
    this.token = '';
    return this.cache.clear();
  }

  /** The last answer for a query, without asking the receiver (undefined if never fetched). */
  cached(query: LiveSignalsQuery): SignalsResponse | undefined {
    return this.cache.cached(resolveQuery(query, this.chosen))?.response;
  }

  /** The last answer for a query with when it was fetched (ms since the epoch), for showing its age. */
  cachedAnswer(query: LiveSignalsQuery): CachedAnswer | undefined {
    return this.cache.cached(resolveQuery(query, this.chosen));
  }

  /** The answer for a query: from the cache when fresh (a file's stale one while it refreshes), else fetched (one request per query at a time). */
  async signals(query: LiveSignalsQuery): Promise<SignalsResponse | undefined> {
    if (this.current.kind !== 'running') return undefined;
    return (await this.cache.get(resolveQuery(query, this.chosen)))?.response;
  }

  /** A trace held by the receiver; undefined when it is gone or no receiver answers. */
  async trace(traceId: string): Promise<TraceResponse | undefined> {
    if (this.current.kind !== 'running' || !/^[0-9a-fA-F]{1,64}$/.test(traceId)) return undefined;
    try {
      return (await this.client().trace(traceId)) ?? undefined;
    } catch (err) {
      this.log.warn(`trace ${traceId}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Changes the window every surface shows. */
  setWindow(window: string): void {
    if (window === this.chosen.window) return;
    this.select({ ...this.chosen, window });
  }

  /** Changes the environment (undefined = the receiver's default). */
  setEnvironment(environment: string | undefined): void {
    const next = environment === '' ? undefined : environment;
    if (next === this.chosen.environment) return;
    this.select({ ...this.chosen, environment: next });
  }

  /** Closes everything. */
  dispose(): void {
    this.disconnect();
    for (const e of [this.stateEmitter, this.selectionEmitter, this.signalsEmitter, this.errorEmitter]) e.dispose();
  }

  private select(next: LiveSelection): void {
    this.chosen = next;
    // Answers for the old selection are useless now; drop them rather than show wrong figures.
    const files = this.cache.clear();
    this.selectionEmitter.fire(next);
    if (files.length > 0) this.signalsEmitter.fire({ files });
  }

  /** The server this session reads and its read token, while it runs: where a shadow run reads production traces. */
  traceServer(): { server: string; token: string } | undefined {
    return this.state.kind === 'running' && this.endpoint !== '' ? { server: this.endpoint, token: this.token } : undefined;
  }

  /** The validating read-API client for this session's endpoint and token. */
  private client(): ReadApiClient {
    return new ReadApiClient({ server: this.endpoint, token: this.token, timeoutMs: this.options.requestTimeoutMs });
  }

  private onMessage(message: StreamMessage): void {
    switch (message.type) {
      case 'hello':
        // After a reconnect, anything may have changed while we were away.
        this.setState({ kind: 'running', endpoint: this.endpoint, attached: this.attached, status: message.status });
        this.cache.invalidate(undefined);
        return;
      case 'status':
        this.setState({ kind: 'running', endpoint: this.endpoint, attached: this.attached, status: message.status });
        return;
      case 'changed': {
        // A source that could not say what changed: everything held may be out of date.
        if (message.all) {
          this.cache.invalidate(undefined);
          this.cache.announce(message.files);
          return;
        }
        const env = this.chosen.environment;
        if (env !== undefined && message.environments.length > 0 && !message.environments.includes(env)) return;
        this.cache.invalidate(message.files);
        return;
      }
      case 'newErrorGroup':
        this.errorEmitter.fire(message.error);
        return;
    }
  }

  private setState(next: ReceiverState): void {
    this.current = next;
    this.stateEmitter.fire(next);
  }
}
