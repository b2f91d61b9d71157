import type WebSocket from 'ws';
import { STREAM_PATH, type StreamMessage } from '../api/streamProtocol';
import { silentLogger, type Logger } from '../logger';
import { readHeaders } from './readHeaders';
import { parseStreamMessage } from './streamMessages';

/** Where the stream is and how to reconnect to it. */
export interface StreamClientOptions {
  /** `http://127.0.0.1:4318`: the server whose `/api/stream` to read. */
  server: string;
  /** Read token, sent on the upgrade as `Authorization: Bearer ...`. */
  token?: string;
  /** Per connection attempt (default 5 000 ms). */
  handshakeTimeoutMs?: number;
  /** Reconnect delay bounds: doubles from min to max while attempts fail (default 500 ms .. 5 s). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  logger?: Logger;
}

/** What the client tells its owner. */
export interface StreamHandlers {
  /** A checked message (never called with one that failed the checks). */
  message(message: StreamMessage): void;
  /** The connection opened; a `hello` follows. */
  opened?(): void;
  /** The connection dropped or could not be made; another attempt follows after `delayMs`. */
  closed?(delayMs: number): void;
}

let wsModule: typeof import('ws') | undefined;
/** `ws` loads on the first connection, not with the caller: the editor's activation stays cheap. */
function webSocketClass(): typeof import('ws') {
  return (wsModule ??= require('ws') as typeof import('ws'));
}

/**
 * The one client of the read API's stream (`/api/stream`): connects with the read token, checks
 * every message (a bad one is dropped with one warning per connection), and reconnects with
 * backoff and jitter until closed.
 */
export class StreamClient {
  /** Connections opened, messages refused by the checks, and messages of types this client does not know. */
  readonly counters = { opened: 0, invalid: 0, unknown: 0 };
  readonly url: string;
  private socket: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private closedByOwner = false;
  private readonly logger: Logger;

  constructor(
    private readonly options: StreamClientOptions,
    private readonly handlers: StreamHandlers,
  ) {
    const base = new URL(options.server);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`not an http(s) URL: "${options.server}"`);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    this.url = new URL(STREAM_PATH, base).toString();
    this.delay = options.reconnectMinMs ?? 500;
    this.logger = options.logger ?? silentLogger;
  }

  /** Opens the connection (once; later drops reconnect by themselves). */
  start(): void {
    if (this.socket === undefined && this.timer === undefined && !this.closedByOwner) this.open();
  }

  /** Closes the connection and stops reconnecting; nothing is delivered afterwards. */
  close(): void {
    this.closedByOwner = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.removeAllListeners();
    // A socket still connecting reports its abort as an error; nobody listens any more.
    socket?.on('error', () => undefined);
    socket?.terminate();
  }

  private open(): void {
    const WebSocketClass = webSocketClass();
    const socket: WebSocket = new WebSocketClass(this.url, {
      perMessageDeflate: false,
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 5_000,
      headers: readHeaders(this.options.token),
      maxPayload: 64 * 1024 * 1024,
    });
    this.socket = socket;
    let warned = false;
    socket.on('open', () => {
      this.counters.opened++;
      this.delay = this.options.reconnectMinMs ?? 500;
      this.logger.debug(`stream connected: ${this.url}`);
      this.handlers.opened?.();
    });
    socket.on('message', (data) => {
      if (this.socket !== socket) return;
      let parsed: ReturnType<typeof parseStreamMessage>;
      try {
        parsed = parseStreamMessage(String(data));
      } catch (err) {
        this.counters.invalid++;
        if (!warned) this.logger.warn(`stream ${this.url}: message ignored: ${(err as Error).message}`);
        warned = true;
        return;
      }
      if (parsed.known) this.handlers.message(parsed.message);
      else this.counters.unknown++;
    });
    socket.on('error', (err) => this.logger.debug(`stream ${this.url}: ${err.message.split('\n')[0]}`));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      const delay = this.nextDelay();
      this.logger.info(`stream closed; reconnecting in ${delay} ms`);
      this.handlers.closed?.(delay);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.closedByOwner) this.open();
      }, delay);
    });
  }

  /** This attempt's delay (with up to 20% jitter, so many clients of one restarted server spread out); doubles the next. */
  private nextDelay(): number {
    const base = this.delay;
    this.delay = Math.min(this.delay * 2, this.options.reconnectMaxMs ?? 5_000);
    return Math.round(base * (0.8 + Math.random() * 0.2));
  }
}
