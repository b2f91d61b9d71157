/**
 * Loki's live tail (`GET /loki/api/v1/tail`, a WebSocket) kept open: reconnects with exponential
 * backoff and full jitter after any close, resumes from the newest entry it has seen (Loki's tail
 * looks back from `start`), sends the same headers and CA as the HTTP transport, and pings the
 * socket so a silent but healthy tail still counts as answering.
 */
import * as fs from 'node:fs';
import WebSocket from 'ws';
import { parseTailMessage, type DroppedEntry, type LokiStream } from './lokiApi';

/** How to tail one query. */
export interface TailOptions {
  /** Names the source in error lines. */
  name: string;
  /** The HTTP(S) base URL of Loki; the socket goes to ws(s)://same/loki/api/v1/tail. */
  baseUrl: string;
  query: string;
  headers?: Record<string, string>;
  caFile?: string;
  /** Entries per lookback (Loki's `limit`, default 100). */
  limit?: number;
  /** Loki's `delay_for`, seconds (0 to 5). */
  delayForS?: number;
  /** Where the (re)connection should look back from, unix ns; undefined lets Loki pick (an hour ago). */
  startNs(): string | undefined;
  onStreams(streams: LokiStream[], dropped: DroppedEntry[]): void;
  /** Open, or closed with a one-line reason. */
  onState(open: boolean, error?: string): void;
  /** Called on each pong: the socket is alive. */
  onAlive?(): void;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  pingMs?: number;
  /** Tells the hint for a 401/403 (`set LOKI_TOKEN`). */
  authHint?: string;
}

/** A tail that stays connected until disposed. */
export class LokiTail {
  /** Connections opened, messages received, malformed messages, entries Loki dropped. */
  readonly counters = { connects: 0, messages: 0, invalid: 0, dropped: 0 };
  private socket: WebSocket | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private disposed = false;
  private readonly ca: Buffer | undefined;

  constructor(private readonly options: TailOptions) {
    this.ca = options.caFile ? fs.readFileSync(options.caFile) : undefined;
  }

  /** True while the socket is open. */
  get open(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket (again, after a failure). */
  connect(): void {
    if (this.disposed || this.socket !== null) return;
    const o = this.options;
    const url = tailUrl(o.baseUrl, o.query, o.limit ?? 100, o.delayForS ?? 0, o.startNs());
    const socket = new WebSocket(url, { headers: o.headers, ca: this.ca, handshakeTimeout: 10_000, maxPayload: 32 * 1024 * 1024 });
    this.socket = socket;
    let failure = '';
    socket.on('open', () => {
      this.attempts = 0;
      this.counters.connects++;
      o.onState(true);
      this.pingTimer = setInterval(() => socket.ping(), o.pingMs ?? 10_000);
      this.pingTimer.unref();
    });
    socket.on('pong', () => o.onAlive?.());
    socket.on('message', (data: WebSocket.RawData) => {
      this.counters.messages++;
      let message: ReturnType<typeof parseTailMessage>;
      try {
        message = parseTailMessage(data.toString());
      } catch (err) {
        this.counters.invalid++;
        failure = `${o.name}: unexpected tail message: ${(err as Error).message}`;
        socket.terminate();
        return;
      }
      this.counters.dropped += message.dropped.length;
      o.onStreams(message.streams, message.dropped);
      o.onAlive?.();
    });
    socket.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.length < 4 && chunks.push(c));
      res.on('end', () => {
        const detail = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
        const status = res.statusCode ?? 0;
        failure =
          status === 401 || status === 403
            ? `${o.name}: tail ${status === 401 ? 'credentials missing or refused' : 'access denied'} (HTTP ${status})${o.authHint ? `; ${o.authHint}` : ''}`
            : `${o.name}: tail refused (HTTP ${status})${detail ? `: ${detail}` : ''}`;
        socket.terminate();
      });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      failure ||= `${o.name}: tail ${err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message)}`;
    });
    socket.on('close', (code: number) => {
      if (this.pingTimer !== null) clearInterval(this.pingTimer);
      this.pingTimer = null;
      this.socket = null;
      if (this.disposed) return;
      o.onState(false, failure || `${o.name}: tail closed (${code})`);
      this.schedule();
    });
  }

  private schedule(): void {
    const base = this.options.reconnectBaseMs ?? 500;
    const max = this.options.reconnectMaxMs ?? 30_000;
    const ceiling = Math.min(max, base * 2 ** Math.min(this.attempts++, 16));
    // Full jitter, never less than the base: many editors reconnecting at once spread out.
    const wait = base + Math.random() * Math.max(0, ceiling - base);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, wait);
    this.retryTimer.unref();
  }

  /** Closes the socket for good. */
  dispose(): void {
    this.disposed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.socket?.terminate();
    this.socket = null;
  }
}

/** The tail's WebSocket URL for an HTTP(S) base URL. */
export function tailUrl(baseUrl: string, query: string, limit: number, delayForS: number, startNs: string | undefined): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + '/loki/api/v1/tail');
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('query', query);
  url.searchParams.set('limit', String(limit));
  url.searchParams.set('delay_for', String(delayForS));
  if (startNs !== undefined) url.searchParams.set('start', startNs);
  return url.toString();
}
