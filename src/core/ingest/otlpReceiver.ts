import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from '../logger';
import { readBody } from './bodyReader';
import { HttpError } from './httpErrors';
import { DecodePool, type IngestBatch } from './decodePool';
import type { DecodedMetrics, MetricsSink } from './metricRecords';
import { decodeMetricsRequest } from './otlpMetricsDecode';
import { contentTypeOf, exportResponse, statusResponse, type OtlpEncoding } from './otlpResponses';
import { DecodeError, TooManyItemsError } from './records';
import { DEFAULT_MAX_BODY_BYTES_IN_FLIGHT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_DECODE_BACKLOG_BYTES, HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, RETRY_AFTER_SECONDS, workerHeapMb } from './limits';
import { MemoryBudget } from './memoryBudget';
import { bindProblem, RequestGuard } from './requestGuard';

/** Where decoded batches go (the ingest pipeline): a bounded queue the receiver waits on for room. */
export interface BatchSink {
  /** Takes the batch when there is room; false when the queue is full. */
  offer(batch: IngestBatch): boolean;
  /** Resolves true when there is room again, false after `timeoutMs`. */
  waitForRoom(timeoutMs: number): Promise<boolean>;
}

/** Settings of the embedded OTLP/HTTP receiver. */
export interface ReceiverOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Largest accepted body after decompression, bytes (default 64 MiB). */
  maxBodyBytes: number;
  /** When set, every request must carry `Authorization: Bearer <token>`; required unless `host` is loopback. */
  token: string;
  /** When set, the read API (`/api/*` and its WebSocket) needs `Authorization: Bearer <readToken>` (or `token`); ingest does not. */
  readToken: string;
  /** Browser origins that may send requests (reserved for a browser-telemetry endpoint); empty refuses every `Origin`. */
  allowedOrigins: readonly string[];
  /** Named in the `X-Runtime-Lens` header of 401 answers, so clients can recognise the receiver. */
  version: string;
  /** How to change the port, named in the "port in use" message (a flag or a setting). */
  portHint: string;
  /** How long a request may wait for room in a full ingest queue before it gets 429 (default 2 s). */
  queueWaitMs: number;
  /** Worker threads that decode request bodies (default: decodeWorkersFor the machine); 0 decodes on the main thread. */
  decodeWorkers: number;
  /** Bytes of request bodies all requests may hold at once (default DEFAULT_MAX_BODY_BYTES_IN_FLIGHT); past it, 503. */
  maxBodyBytesInFlight?: number;
  /** Bytes of bodies waiting for a decode worker above which new requests are shed with 503 (default DEFAULT_MAX_DECODE_BACKLOG_BYTES). */
  maxDecodeBacklogBytes?: number;
  /** Open connections accepted at once (default DEFAULT_MAX_CONNECTIONS); further ones are closed. */
  maxConnections?: number;
  /** Heap ceiling of each decode worker, MB (default: sized from `maxBodyBytes`, see workerHeapMb). */
  decodeHeapMb?: number;
  /** False answers `/v1/*` with 404: the server only reads remote sources (`serve --no-receiver`). Default true. */
  acceptOtlp?: boolean;
}

/** Serves requests the receiver does not handle itself (the read API). Returns false when it does not know the path. */
export type ExtraHandler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean>;

/**
 * Ingest that browser pages call (Grafana Faro): only the Host check runs before it, since it
 * admits its configured origins and checks its own key and rate; it answers and returns the status.
 */
export interface BrowserRoute {
  readonly paths: ReadonlySet<string>;
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<number>;
}

/** Takes over an HTTP upgrade (the read API's WebSocket) that passed the token check. Returns false when it does not know the path. */
export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL) => boolean;

function decodeBehind(): HttpError {
  return new HttpError(503, 'decoding is behind; retry later', { 'Retry-After': String(RETRY_AFTER_SECONDS) });
}

function queueFull(): HttpError {
  return new HttpError(429, 'ingest queue is full; retry later', { 'Retry-After': '1' });
}

/** A receiver that could not start, with a one-line reason fit for a user. */
export class ReceiverStartError extends Error {}

const SIGNALS: Record<string, 'traces' | 'logs' | 'metrics'> = { '/v1/traces': 'traces', '/v1/logs': 'logs', '/v1/metrics': 'metrics' };

/**
 * The embedded OTLP/HTTP receiver: `POST /v1/traces`, `/v1/logs` and `/v1/metrics` in JSON or
 * protobuf, optionally gzipped, answering per the OTLP/HTTP spec, plus whatever `extra` serves.
 * Metrics are accepted even without a sink: an SDK whose default metrics export is refused logs
 * the failure, and that log would land in the user's own service as an error.
 */
export class OtlpReceiver {
  private server: http.Server | undefined;
  /** Requests answered per status code, for the status API and tests. */
  readonly responses = new Map<number, number>();
  private readonly decoders: DecodePool;
  /** Bytes of request bodies held by all requests together. */
  private readonly bodies: MemoryBudget;
  /** Bodies are read into buffers the decode workers hand back, so they are not allocated per request. */
  private readonly bodyBuffer = (size: number): Uint8Array => this.decoders.bodyBuffer(size);
  private readonly guard: RequestGuard;

  constructor(
    private readonly options: ReceiverOptions,
    private readonly pipeline: BatchSink,
    private readonly extra: ExtraHandler = async () => false,
    private readonly logger: Logger = silentLogger,
    private readonly upgrade: UpgradeHandler = () => false,
    private readonly metrics: MetricsSink = () => {},
    private readonly browser: BrowserRoute | null = null,
  ) {
    this.decoders = new DecodePool(options.decodeWorkers, logger, undefined, options.decodeHeapMb ?? workerHeapMb(options.maxBodyBytes));
    this.bodies = new MemoryBudget(options.maxBodyBytesInFlight ?? DEFAULT_MAX_BODY_BYTES_IN_FLIGHT);
    this.guard = new RequestGuard(options);
  }

  /** Binds and listens; rejects with a one-line ReceiverStartError when the port is taken. */
  async start(): Promise<AddressInfo> {
    const unsafe = bindProblem(this.options.host, this.options.token);
    if (unsafe) throw new ReceiverStartError(unsafe);
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 65_000;
    // Each connection holds buffers and a parser: past the cap, new ones are closed on accept.
    server.maxConnections = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(this.startError(err)));
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    server.on('error', (err) => this.logger.error(`receiver: ${err.message}`));
    server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
    this.server = server;
    return server.address() as AddressInfo;
  }

  /** The bound address, once started. */
  address(): AddressInfo | undefined {
    return this.server?.address() as AddressInfo | undefined;
  }

  /** Stops accepting connections, closes idle ones, then stops the decode workers. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
    await this.decoders.stop();
  }

  /** Only the paths the upgrade handler knows upgrade, and only past the request guard (Host, Origin, token). */
  private handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://receiver');
    } catch {
      socket.destroy();
      return;
    }
    const refuse = (status: number, message: string, extra = ''): void => {
      this.responses.set(status, (this.responses.get(status) ?? 0) + 1);
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n${extra}\r\n${message}`);
    };
    const refusal = this.guard.check(req.headers, url.pathname, true);
    if (refusal)
      return refuse(
        refusal.status,
        refusal.message,
        Object.entries(refusal.headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join(''),
      );
    if (!this.upgrade(req, socket, head, url)) refuse(404, `no WebSocket at ${url.pathname}`);
  }

  private startError(err: NodeJS.ErrnoException): ReceiverStartError {
    const where = `${this.options.host}:${this.options.port}`;
    if (err.code === 'EADDRINUSE') {
      return new ReceiverStartError(`port ${this.options.port} on ${this.options.host} is already in use (another receiver or collector?); choose another with ${this.options.portHint}`);
    }
    if (err.code === 'EACCES') return new ReceiverStartError(`not allowed to listen on ${where}; choose a port above 1023 with ${this.options.portHint}`);
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') return new ReceiverStartError(`cannot listen on ${where}: no such local address`);
    return new ReceiverStartError(`cannot listen on ${where}: ${err.message}`);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let encoding: OtlpEncoding = 'json';
    try {
      const url = new URL(req.url ?? '/', 'http://receiver');
      if (this.browser !== null && this.options.acceptOtlp !== false && this.browser.paths.has(url.pathname)) {
        const wrongHost = this.guard.hostRefusal(req.headers);
        if (wrongHost) throw new HttpError(wrongHost.status, wrongHost.message, wrongHost.headers);
        const status = await this.browser.handle(req, res);
        this.responses.set(status, (this.responses.get(status) ?? 0) + 1);
        return;
      }
      const refusal = this.guard.check(req.headers, url.pathname, false);
      if (refusal) throw new HttpError(refusal.status, refusal.message, refusal.headers);
      const signal = SIGNALS[url.pathname];
      if (signal === undefined) {
        if (!(await this.extra(req, res, url))) throw new HttpError(404, `no such endpoint: ${req.method} ${url.pathname}`);
        return;
      }
      if (this.options.acceptOtlp === false) throw new HttpError(404, `the embedded receiver is off: this server reads its configured telemetry sources only (start it without --no-receiver to accept OTLP)`);
      if (req.method !== 'POST') throw new HttpError(405, `${url.pathname} takes POST`, { Allow: 'POST' });
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type === 'application/x-protobuf' || type === 'application/protobuf') encoding = 'protobuf';
      else if (type !== 'application/json') throw new HttpError(415, `unsupported Content-Type "${type}": use application/json or application/x-protobuf`);
      // A full queue holds the request (unread, so TCP slows the sender) for a while before 429.
      const deadline = Date.now() + this.options.queueWaitMs;
      // Shed before reading when decoding is behind: a sender retrying later beats one waiting many seconds.
      const maxBacklog = this.options.maxDecodeBacklogBytes ?? DEFAULT_MAX_DECODE_BACKLOG_BYTES;
      if (this.decoders.backlogBytes > maxBacklog) throw decodeBehind();
      if (!(await this.pipeline.waitForRoom(this.options.queueWaitMs))) throw queueFull();
      const lease = this.bodies.lease();
      let batch: IngestBatch | undefined;
      let metrics: DecodedMetrics | undefined;
      try {
        const body = await readBody(req, this.options.maxBodyBytes, this.bodyBuffer, lease);
        // Others may have queued bodies while this one was read: the same check, now with this body counted.
        if (this.decoders.backlogBytes > maxBacklog) throw decodeBehind();
        if (signal === 'metrics') metrics = decodeMetricsRequest(encoding, body);
        else batch = await this.decoders.decode(signal, encoding, body);
      } finally {
        lease.release();
      }
      if (metrics !== undefined) {
        this.metrics(metrics);
        this.send(res, 200, encoding, exportResponse(encoding, 'metrics', metrics.rejected, metrics.rejectReasons.join('; ')));
        return;
      }
      if (batch === undefined) throw new Error('no batch decoded');
      // Other requests may have filled the queue while this body was read: wait again, same deadline.
      while (!this.pipeline.offer(batch)) {
        if (!(await this.pipeline.waitForRoom(Math.max(0, deadline - Date.now())))) throw queueFull();
      }
      this.send(res, 200, encoding, exportResponse(encoding, signal, batch.rejected, batch.rejectReasons.join('; ')));
    } catch (err) {
      const failure =
        err instanceof HttpError
          ? err
          : err instanceof DecodeError
            ? new HttpError(400, err.message)
            : err instanceof TooManyItemsError
              ? new HttpError(413, err.message)
              : new HttpError(500, `internal error: ${(err as Error).message}`);
      if (failure.status === 500) this.logger.error(`receiver: ${(err as Error).stack ?? err}`);
      if (failure.status === 413 || failure.status === 429 || failure.status === 503) req.resume();
      this.send(res, failure.status, encoding, statusResponse(encoding, failure.status, failure.message), failure.headers);
    }
  }

  private send(res: http.ServerResponse, status: number, encoding: OtlpEncoding, body: Buffer, headers: Record<string, string> = {}): void {
    this.responses.set(status, (this.responses.get(status) ?? 0) + 1);
    if (res.headersSent) return;
    res.writeHead(status, { 'Content-Type': contentTypeOf(encoding), 'Content-Length': body.length, ...headers });
    res.end(body);
  }
}
