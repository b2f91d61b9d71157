import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ErrorSignal, StatusResponse } from '../api/signals';
import { STREAM_PATH, type StreamMessage } from '../api/streamProtocol';
import { STREAM_MAX_BUFFERED_BYTES, STREAM_MAX_CLIENTS } from '../loadLimits';
import { silentLogger, type Logger } from '../logger';
import type { Disposable, SourceChange, TelemetrySource } from '../sources/telemetrySource';

/** Timing of the stream (tests shorten nothing: these are the contract's figures). */
export interface StreamOptions {
  statusIntervalMs: number;
  /** Least time between two `changed` messages. */
  changedIntervalMs: number;
  /** At most this many `newErrorGroup` messages per second; a burst beyond is left to the next query. */
  maxNewGroupsPerSecond: number;
  /** A client with more unsent bytes than this is not reading and is dropped. */
  maxBufferedBytes: number;
  /** Clients served at once; more are refused with 503. */
  maxClients: number;
}

/** The contract's figures: status every second, changes at most every 250 ms; limits from loadLimits.ts. */
export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  statusIntervalMs: 1_000,
  changedIntervalMs: 250,
  maxNewGroupsPerSecond: 50,
  maxBufferedBytes: STREAM_MAX_BUFFERED_BYTES,
  maxClients: STREAM_MAX_CLIENTS,
};

/**
 * The read API's WebSocket (`/api/stream`, protocol in api/streamProtocol.ts): `hello` on connect,
 * `status` every second, `changed` with what the TelemetrySource says changed (at most every 250 ms,
 * only when something did; `all` when the source could not say what), `newErrorGroup` for the new
 * groups the source reports. Timers and the subscription to the source run only while a client is
 * connected.
 */
export class StreamHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096, clientTracking: true });
  private readonly options: StreamOptions;
  private statusTimer: NodeJS.Timeout | undefined;
  private changedTimer: NodeJS.Timeout | undefined;
  private subscription: Disposable | undefined;
  /** What changed since the last `changed` message. */
  private readonly pendingFiles = new Set<string>();
  private readonly pendingEnvironments = new Set<string>();
  private pendingAll = false;
  private lastChanged = Number.NEGATIVE_INFINITY;
  private groupsThisSecond = 0;
  private secondStarted = 0;
  private closed = false;
  /** Upgrades accepted but not yet open: they count against the client cap. */
  private opening = 0;
  /** Clients dropped for not reading (their unsent messages passed `maxBufferedBytes`). */
  dropped = 0;
  /** Connections refused because `maxClients` were connected. */
  refused = 0;

  constructor(
    private readonly source: TelemetrySource,
    private readonly status: () => StatusResponse,
    options: Partial<StreamOptions> = {},
    private readonly logger: Logger = silentLogger,
  ) {
    this.options = { ...DEFAULT_STREAM_OPTIONS, ...options };
  }

  /** Connected clients. */
  get clients(): number {
    return this.wss.clients.size;
  }

  /** Stream figures for the status API: clients now, dropped slow readers, refused connections. */
  get counters(): { clients: number; dropped: number; refused: number } {
    return { clients: this.wss.clients.size, dropped: this.dropped, refused: this.refused };
  }

  /** True while any timer runs or the source is listened to (neither may happen without a client). */
  get active(): boolean {
    return this.statusTimer !== undefined || this.changedTimer !== undefined || this.subscription !== undefined;
  }

  /** Takes over an upgrade request for STREAM_PATH; false for any other path. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
    if (url.pathname !== STREAM_PATH) return false;
    if (this.closed) {
      socket.destroy();
      return true;
    }
    if (this.wss.clients.size + this.opening >= this.options.maxClients) {
      this.refused++;
      const body = `at most ${this.options.maxClients} stream clients at once\n`;
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n${body}`);
      return true;
    }
    this.opening++;
    let counted = true;
    const settle = () => {
      if (counted) this.opening--;
      counted = false;
    };
    // A handshake that fails never calls back: the socket's close frees its place.
    socket.once('close', settle);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      settle();
      this.connected(ws);
    });
    return true;
  }

  /** Closes every client (code 1001, going away) and stops the timers. */
  async close(): Promise<void> {
    this.closed = true;
    const closing = [...this.wss.clients].map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(1001, 'receiver stopping');
          // A client that does not answer the close handshake is cut off.
          setTimeout(() => ws.terminate(), 1_000).unref();
        }),
    );
    await Promise.all(closing);
    this.stop();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private connected(ws: WebSocket): void {
    ws.on('error', (err) => this.logger.debug(`stream client: ${err.message}`));
    ws.on('close', () => {
      if (this.wss.clients.size === 0) this.stop();
    });
    // Messages from clients are not part of the protocol; they are read and dropped.
    ws.on('message', () => undefined);
    this.start();
    this.send(ws, { type: 'hello', status: this.status() });
  }

  private start(): void {
    if (this.statusTimer !== undefined) return;
    this.subscription = this.source.onChange((change) => this.noted(change));
    this.statusTimer = setInterval(() => this.broadcast({ type: 'status', status: this.status() }), this.options.statusIntervalMs);
  }

  private stop(): void {
    if (this.statusTimer !== undefined) clearInterval(this.statusTimer);
    if (this.changedTimer !== undefined) clearTimeout(this.changedTimer);
    this.statusTimer = undefined;
    this.changedTimer = undefined;
    this.subscription?.dispose();
    this.subscription = undefined;
    this.pendingFiles.clear();
    this.pendingEnvironments.clear();
    this.pendingAll = false;
  }

  /** A change from the source: sent at once when the last `changed` is old enough, else when it is. */
  private noted(change: SourceChange | undefined): void {
    if (this.statusTimer === undefined) return;
    if (change === undefined) {
      this.pendingAll = true;
    } else {
      for (const f of change.files) this.pendingFiles.add(f);
      for (const e of change.environments) this.pendingEnvironments.add(e);
      for (const error of change.newErrors ?? []) this.newGroup(error);
      // A change that names nothing (new groups already sent) needs no `changed` of its own.
      if (change.files.length === 0 && change.environments.length === 0) return;
    }
    if (this.changedTimer !== undefined) return;
    const wait = this.lastChanged + this.options.changedIntervalMs - Date.now();
    if (wait <= 0) this.flushChanges();
    else this.changedTimer = setTimeout(() => this.flushChanges(), wait);
  }

  private flushChanges(): void {
    this.changedTimer = undefined;
    if (!this.pendingAll && this.pendingFiles.size === 0 && this.pendingEnvironments.size === 0) return;
    this.lastChanged = Date.now();
    const files = [...this.pendingFiles].sort();
    const environments = [...this.pendingEnvironments].sort();
    const all = this.pendingAll;
    this.pendingFiles.clear();
    this.pendingEnvironments.clear();
    this.pendingAll = false;
    this.broadcast({ type: 'changed', files, environments, at: this.lastChanged, ...(all ? { all: true as const } : {}) });
  }

  private newGroup(error: ErrorSignal): void {
    const now = Date.now();
    if (now - this.secondStarted >= 1_000) {
      this.secondStarted = now;
      this.groupsThisSecond = 0;
    }
    if (++this.groupsThisSecond > this.options.maxNewGroupsPerSecond) return;
    this.broadcast({ type: 'newErrorGroup', error });
  }

  private broadcast(message: StreamMessage): void {
    const text = JSON.stringify(message);
    for (const ws of this.wss.clients) this.sendText(ws, text);
  }

  private send(ws: WebSocket, message: StreamMessage): void {
    this.sendText(ws, JSON.stringify(message));
  }

  /** Sends unless the client has stopped reading: then it is cut off, so its backlog cannot grow without end. */
  private sendText(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount + text.length > this.options.maxBufferedBytes) {
      this.dropped++;
      this.logger.debug(`stream client dropped: ${ws.bufferedAmount} bytes unsent`);
      ws.terminate();
      return;
    }
    ws.send(text);
  }
}
