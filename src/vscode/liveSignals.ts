import type WebSocket from 'ws';
import type { ErrorSignal, SignalsResponse, StatusResponse, StreamMessage, TraceResponse } from '../core/api/signals';
import type { Logger } from '../core/logger';
import { Emitter } from './emitter';
import { ReadApiClient } from '../core/client/readApiClient';
import { readHeaders } from './readHeaders';
import type { LiveSelection, LiveSignalsSource, ReceiverState, SignalsQuery } from './liveSignalsSource';

/** A signals query as this client sends it: `top` applies only without `file` (default TOP_DEFAULT). */
export interface LiveSignalsQuery extends SignalsQuery {
  top?: number;
}

let wsModule: typeof import('ws') | undefined;
/** `ws` loads on the first connection, not with the extension: activation stays cheap. */
function webSocketClass(): typeof import('ws') {
  return (wsModule ??= require('ws') as typeof import('ws'));
}

/** Rows per ranking asked for when a query covers the whole workspace. */
export const TOP_DEFAULT = 25;

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

interface CacheEntry {
  query: Required<Pick<LiveSignalsQuery, 'window' | 'perMinute' | 'top'>> & { environment: string | undefined; file: string | undefined };
  response: SignalsResponse | undefined;
  inflight: Promise<SignalsResponse | undefined> | undefined;
  stale: boolean;
  usedAt: number;
}

/**
 * The data side every surface reads: HTTP client for the receiver's read API, a WebSocket on
 * `/api/stream` (with reconnect) for status and change pushes, and a cache of answers so
 * providers answer from memory. Changed files are refetched first, then announced, so a
 * provider asked again after the event gets new figures at once (no flicker, no empty state).
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
  private readonly cache = new Map<string, CacheEntry>();
  private endpoint = '';
  /** The receiver's read token for this session ('' when it needs none). */
  private token = '';
  private attached = false;
  private socket: WebSocket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay: number;
  private slideTimer: NodeJS.Timeout | undefined;
  private pendingFiles = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private failures = 0;
  private lastEnvironment: string | undefined;
  /** Bumped on every connect/disconnect so late answers from an old session are dropped. */
  private session = 0;

  constructor(selection: LiveSelection, private readonly log: Logger, options: Partial<LiveSignalsOptions> = {}) {
    this.chosen = { ...selection };
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.reconnectDelay = this.options.reconnectMinMs;
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
    this.teardown();
    this.endpoint = endpoint;
    this.token = token;
    this.attached = attached;
    this.failures = 0;
    this.setState({ kind: 'running', endpoint, attached, status });
    this.openStream();
    this.slideTimer = setInterval(() => this.slide(), this.options.slideRefreshMs);
    this.slideTimer.unref?.();
    this.announce(this.knownFiles());
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
    this.session++;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.slideTimer);
    clearTimeout(this.flushTimer);
    this.reconnectTimer = this.slideTimer = this.flushTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.removeAllListeners();
    socket?.on('error', () => {});
    socket?.terminate();
    const files = this.knownFiles();
    this.cache.clear();
    this.pendingFiles.clear();
    this.endpoint = '';
    this.token = '';
    return files;
  }

  /** The last answer for a query, without asking the receiver (undefined if never fetched). */
  cached(query: LiveSignalsQuery): SignalsResponse | undefined {
    const entry = this.cache.get(this.key(this.resolve(query)));
    if (entry) entry.usedAt = Date.now();
    return entry?.response;
  }

  /** The answer for a query: from the cache when fresh, else fetched (one request per key at a time). */
  async signals(query: LiveSignalsQuery): Promise<SignalsResponse | undefined> {
    if (this.current.kind !== 'running') return undefined;
    const q = this.resolve(query);
    const key = this.key(q);
    let entry = this.cache.get(key);
    if (!entry) {
      entry = { query: q, response: undefined, inflight: undefined, stale: true, usedAt: Date.now() };
      this.cache.set(key, entry);
    }
    entry.usedAt = Date.now();
    if (!entry.stale && entry.response) return entry.response;
    return this.refresh(entry);
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
    const files = this.knownFiles();
    // Answers for the old selection are useless now; drop them rather than show wrong figures.
    this.cache.clear();
    this.selectionEmitter.fire(next);
    if (files.length > 0) this.signalsEmitter.fire({ files });
  }

  private resolve(query: LiveSignalsQuery): CacheEntry['query'] {
    return {
      window: query.window ?? this.chosen.window,
      environment: query.environment ?? this.chosen.environment,
      file: query.file,
      perMinute: query.perMinute ?? false,
      top: query.file ? 0 : query.top ?? TOP_DEFAULT,
    };
  }

  /** The validating read-API client for this session's endpoint and token. */
  private client(): ReadApiClient {
    return new ReadApiClient({ server: this.endpoint, token: this.token, timeoutMs: this.options.requestTimeoutMs });
  }

  private key(q: CacheEntry['query']): string {
    return `${q.window}\u0000${q.environment ?? ''}\u0000${q.file ?? ''}\u0000${q.perMinute ? 1 : 0}\u0000${q.top}`;
  }

  private refresh(entry: CacheEntry): Promise<SignalsResponse | undefined> {
    if (entry.inflight) return entry.inflight;
    const session = this.session;
    const q = entry.query;
    // Marked fresh before the answer arrives: a change announced meanwhile marks it stale again.
    entry.stale = false;
    entry.inflight = this.client().signals({ window: q.window, environment: q.environment, file: q.file, perMinute: q.perMinute, top: q.top > 0 ? q.top : undefined })
      .then((response) => {
        if (session !== this.session) return undefined;
        this.failures = 0;
        entry.response = response;
        this.lastEnvironment = response.environment || undefined;
        return response;
      })
      .catch((err: Error) => {
        if (session !== this.session) return undefined;
        entry.stale = true;
        if (this.failures++ === 0) this.log.warn(`signals query failed: ${err.message}`);
        // Keep showing what was there: a blip must not blank every lens.
        return entry.response;
      })
      .finally(() => (entry.inflight = undefined));
    return entry.inflight;
  }

  private openStream(): void {
    const session = this.session;
    const url = `${this.endpoint.replace(/^http/, 'ws')}/api/stream`;
    const WebSocketClass = webSocketClass();
    const socket: WebSocket = new WebSocketClass(url, { perMessageDeflate: false, handshakeTimeout: this.options.requestTimeoutMs, headers: readHeaders(this.token) });
    this.socket = socket;
    socket.on('message', (data) => {
      if (session !== this.session) return;
      let message: StreamMessage;
      try {
        message = JSON.parse(data.toString()) as StreamMessage;
      } catch {
        this.log.warn('stream: a message that is not JSON was ignored');
        return;
      }
      this.onMessage(message);
    });
    socket.on('open', () => {
      this.reconnectDelay = this.options.reconnectMinMs;
      this.log.debug(`stream connected: ${url}`);
    });
    socket.on('error', (err) => this.log.debug(`stream: ${err.message}`));
    socket.on('close', () => {
      if (session !== this.session || this.socket !== socket) return;
      this.socket = undefined;
      const delay = this.reconnectDelay;
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.options.reconnectMaxMs);
      this.log.info(`stream closed; reconnecting in ${delay} ms`);
      this.reconnectTimer = setTimeout(() => {
        if (session === this.session) this.openStream();
      }, delay);
    });
  }

  private onMessage(message: StreamMessage): void {
    switch (message.type) {
      case 'hello':
        // After a reconnect, anything may have changed while we were away.
        this.setState({ kind: 'running', endpoint: this.endpoint, attached: this.attached, status: message.status });
        this.markStale(undefined);
        this.announce(this.knownFiles());
        return;
      case 'status':
        this.setState({ kind: 'running', endpoint: this.endpoint, attached: this.attached, status: message.status });
        return;
      case 'changed': {
        const env = this.chosen.environment;
        if (env !== undefined && message.environments.length > 0 && !message.environments.includes(env)) return;
        this.markStale(new Set(message.files));
        this.announce(message.files);
        return;
      }
      case 'newErrorGroup':
        this.errorEmitter.fire(message.error);
        return;
    }
  }

  /** Marks answers for these files (all when undefined) and every workspace-wide answer stale. */
  private markStale(files: Set<string> | undefined): void {
    for (const entry of this.cache.values()) {
      if (entry.query.file === undefined || !files || files.has(entry.query.file)) entry.stale = true;
    }
  }

  /** Windows slide even without new spans: refresh what is in use, as if it had changed. */
  private slide(): void {
    this.markStale(undefined);
    this.announce(this.knownFiles());
  }

  /** Queues files for the next change event: refetch what surfaces use, then fire, at most every debounceMs. */
  private announce(files: Iterable<string>): void {
    for (const f of files) this.pendingFiles.add(f);
    if (this.flushTimer) return;
    const wait = Math.max(0, this.lastFlush + this.options.debounceMs - Date.now());
    const session = this.session;
    this.flushTimer = setTimeout(() => void this.flush(session), wait);
    this.flushTimer.unref?.();
  }

  private async flush(session: number): Promise<void> {
    const files = [...this.pendingFiles];
    this.pendingFiles.clear();
    const now = Date.now();
    const refetches: Promise<unknown>[] = [];
    for (const [key, entry] of this.cache) {
      if (!entry.stale) continue;
      if (now - entry.usedAt > this.options.interestMs) this.cache.delete(key);
      // Prefetch per-file answers (small) so providers read new figures from memory; workspace-wide ones refetch on demand.
      else if (entry.query.file !== undefined) refetches.push(this.refresh(entry));
    }
    await Promise.all(refetches);
    if (session !== this.session) return;
    this.lastFlush = Date.now();
    this.flushTimer = undefined;
    if (files.length > 0) this.signalsEmitter.fire({ files });
    if (this.pendingFiles.size > 0) this.announce([]);
  }

  private knownFiles(): string[] {
    const files = new Set<string>();
    for (const entry of this.cache.values()) if (entry.query.file !== undefined) files.add(entry.query.file);
    return [...files];
  }

  private setState(next: ReceiverState): void {
    this.current = next;
    this.stateEmitter.fire(next);
  }
}
