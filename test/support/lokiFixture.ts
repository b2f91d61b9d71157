/**
 * A strict stand-in for Grafana Loki's query API on loopback (Loki is AGPL: it is never built or
 * run here). Written from the public documentation only:
 *  - Loki HTTP API reference, https://grafana.com/docs/loki/latest/reference/loki-http-api/
 *    (query_range parameters, defaults and response; timestamps as ns, float seconds or RFC3339;
 *    the tail WebSocket's parameters, `delay_for` at most 5, and its message shape; /labels; /ready)
 *  - Troubleshoot queries, https://grafana.com/docs/loki/latest/query/troubleshoot-query/
 *    (the 400 texts: parse errors, the empty-compatible selector, max_entries_limit_per_query
 *    default 5000, max_query_length default 721h, end before start)
 *  - LogQL log queries, https://grafana.com/docs/loki/latest/query/log_queries/ (see lokiFixtureLogql.ts)
 * Errors are answered as Loki answers them: status 400 and the message as plain text.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { LogqlError, parseLogQuery, selects, type LogQuery } from './lokiFixtureLogql';

/** Limits as a Loki's `limits_config` would set them. */
export interface LokiFixtureOptions {
  maxEntriesLimitPerQuery?: number;
  maxQueryLengthMs?: number;
  /** Headers every request must carry (a gateway in front of Loki); else 401. */
  requireHeaders?: Record<string, string>;
}

interface Entry {
  ns: bigint;
  line: string;
}

interface Stream {
  labels: Record<string, string>;
  entries: Entry[];
}

interface Tail {
  socket: WebSocket;
  query: LogQuery;
  delayMs: number;
}

const HOUR_NS = 3_600_000_000_000n;
const DEFAULT_LIMIT = 100;

/** The fixture: push entries, then query them as Loki would answer. */
export class LokiFixture {
  /** Every request: path and query parameters. */
  readonly requests: Array<{ path: string; params: URLSearchParams }> = [];
  private readonly streams = new Map<string, Stream>();
  private readonly tails = new Set<Tail>();
  private readonly sockets = new Set<Socket>();
  private readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private port = 0;
  private readonly limits: Required<Omit<LokiFixtureOptions, 'requireHeaders'>>;

  private constructor(private readonly options: LokiFixtureOptions) {
    this.limits = { maxEntriesLimitPerQuery: options.maxEntriesLimitPerQuery ?? 5000, maxQueryLengthMs: options.maxQueryLengthMs ?? 721 * 3_600_000 };
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as Socket, head));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Starts a fixture on a free loopback port. */
  static async start(options: LokiFixtureOptions = {}): Promise<LokiFixture> {
    const f = new LokiFixture(options);
    await f.listen(0);
    return f;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Open tail sockets. */
  get tailCount(): number {
    return this.tails.size;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  /** Stores entries (`[unix ns, line]`) under a stream and sends them to the tails that select it. */
  push(labels: Record<string, string>, entries: Array<[string | bigint, string]>): void {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    let stream = this.streams.get(key);
    if (stream === undefined) this.streams.set(key, (stream = { labels: { ...labels }, entries: [] }));
    const added = entries.map(([ns, line]) => ({ ns: BigInt(ns), line }));
    stream.entries.push(...added);
    stream.entries.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
    for (const tail of this.tails) {
      const lines = added.filter((e) => tail.query.filters.every((f) => f(e.line)));
      if (!selects(tail.query, stream.labels) || lines.length === 0) continue;
      const message = JSON.stringify({ streams: [{ stream: stream.labels, values: lines.map((e) => [String(e.ns), e.line]) }], dropped_entries: null });
      setTimeout(() => tail.socket.readyState === tail.socket.OPEN && tail.socket.send(message), tail.delayMs);
    }
  }

  /** Loki goes away: the port stops listening and every connection (tails included) is cut. */
  async pause(): Promise<void> {
    for (const t of this.tails) t.socket.terminate();
    this.tails.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Loki is back on the same port. */
  resume(): Promise<void> {
    return this.listen(this.port);
  }

  async stop(): Promise<void> {
    await this.pause();
    this.wss.close();
  }

  private authorized(req: http.IncomingMessage): boolean {
    for (const [k, v] of Object.entries(this.options.requireHeaders ?? {})) if (req.headers[k.toLowerCase()] !== v) return false;
    return true;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://loki');
    this.requests.push({ path: url.pathname, params: url.searchParams });
    const text = (status: number, body: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(body);
    };
    if (!this.authorized(req)) return text(401, 'no org id');
    if (url.pathname === '/ready') return text(200, 'ready\n');
    if (req.method !== 'GET') return text(405, 'method not allowed');
    try {
      let body: unknown;
      if (url.pathname === '/loki/api/v1/query_range') body = this.queryRange(url.searchParams);
      else if (url.pathname === '/loki/api/v1/labels') body = this.labels(url.searchParams);
      else return text(404, '404 page not found\n');
      res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(body));
    } catch (err) {
      if (err instanceof LogqlError) return text(err.status, err.message);
      throw err;
    }
  }

  private queryRange(params: URLSearchParams): unknown {
    const now = BigInt(Date.now()) * 1_000_000n;
    const end = timestamp(params.get('end'), now);
    const start = timestamp(params.get('start'), end - HOUR_NS);
    if (end < start) throw new LogqlError('end timestamp must not be before or equal to start time');
    const limit = integer(params.get('limit'), DEFAULT_LIMIT);
    if (limit <= 0) throw new LogqlError('limit must be a positive value');
    const direction = (params.get('direction') ?? 'backward').toLowerCase();
    if (direction !== 'forward' && direction !== 'backward') throw new LogqlError(`invalid direction '${params.get('direction')}'`);
    const query = parseLogQuery(params.get('query') ?? '');
    if (limit > this.limits.maxEntriesLimitPerQuery) throw new LogqlError(`max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > ${this.limits.maxEntriesLimitPerQuery})`);
    const lengthMs = Number((end - start) / 1_000_000n);
    if (lengthMs > this.limits.maxQueryLengthMs) throw new LogqlError(`the query time range exceeds the limit (query length: ${goDuration(lengthMs)}, limit: ${goDuration(this.limits.maxQueryLengthMs)})`);
    const picked = this.select(query, (e) => e.ns >= start && e.ns < end);
    picked.sort((a, b) => (a.entry.ns < b.entry.ns ? -1 : a.entry.ns > b.entry.ns ? 1 : 0) * (direction === 'forward' ? 1 : -1));
    const result = group(picked.slice(0, limit));
    const lines = result.reduce((n, s) => n + s.values.length, 0);
    return {
      status: 'success',
      data: {
        resultType: 'streams',
        result,
        stats: { summary: { bytesProcessedPerSecond: 0, linesProcessedPerSecond: 0, totalBytesProcessed: 0, totalLinesProcessed: lines, execTime: 0, queueTime: 0 } },
      },
    };
  }

  private labels(params: URLSearchParams): unknown {
    const now = BigInt(Date.now()) * 1_000_000n;
    const end = timestamp(params.get('end'), now);
    const start = timestamp(params.get('start'), end - 6n * HOUR_NS);
    const q = params.get('query');
    const query = q === null || q === '' ? null : parseLogQuery(q);
    const names = new Set<string>();
    for (const s of this.streams.values()) {
      if (query !== null && !selects(query, s.labels)) continue;
      if (s.entries.some((e) => e.ns >= start && e.ns <= end)) for (const k of Object.keys(s.labels)) names.add(k);
    }
    return { status: 'success', data: [...names].sort() };
  }

  private select(query: LogQuery, inRange: (e: Entry) => boolean): Array<{ stream: Stream; entry: Entry }> {
    const out: Array<{ stream: Stream; entry: Entry }> = [];
    for (const stream of this.streams.values()) {
      if (!selects(query, stream.labels)) continue;
      for (const entry of stream.entries) if (inRange(entry) && query.filters.every((f) => f(entry.line))) out.push({ stream, entry });
    }
    return out;
  }

  /** `GET /loki/api/v1/tail`: checked like a query, then upgraded; sends the lookback, then entries as pushed. */
  private upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://loki');
    this.requests.push({ path: url.pathname, params: url.searchParams });
    const refuse = (status: number, body: string) => {
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    if (!this.authorized(req)) return refuse(401, 'no org id');
    if (url.pathname !== '/loki/api/v1/tail') return refuse(404, '404 page not found\n');
    let query: LogQuery;
    let limit: number;
    let start: bigint;
    let delay: number;
    try {
      query = parseLogQuery(url.searchParams.get('query') ?? '');
      limit = integer(url.searchParams.get('limit'), DEFAULT_LIMIT);
      if (limit <= 0) throw new LogqlError('limit must be a positive value');
      if (limit > this.limits.maxEntriesLimitPerQuery) throw new LogqlError(`max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > ${this.limits.maxEntriesLimitPerQuery})`);
      delay = integer(url.searchParams.get('delay_for'), 0);
      if (delay > 5) throw new LogqlError("delay_for can't be greater than 5");
      if (delay < 0) throw new LogqlError('delay_for must be a positive value');
      start = timestamp(url.searchParams.get('start'), BigInt(Date.now()) * 1_000_000n - HOUR_NS);
    } catch (err) {
      if (err instanceof LogqlError) return refuse(err.status, err.message);
      throw err;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const tail: Tail = { socket: ws, query, delayMs: delay * 1000 };
      this.tails.add(tail);
      ws.on('close', () => this.tails.delete(tail));
      // The lookback: the newest `limit` entries since `start`, oldest first.
      const picked = this.select(query, (e) => e.ns >= start);
      picked.sort((a, b) => (a.entry.ns < b.entry.ns ? -1 : a.entry.ns > b.entry.ns ? 1 : 0));
      const recent = picked.slice(Math.max(0, picked.length - limit));
      if (recent.length > 0) ws.send(JSON.stringify({ streams: group(recent), dropped_entries: null }));
    });
  }
}

/** Entries regrouped by stream, in the order given. */
function group(picked: Array<{ stream: Stream; entry: Entry }>): Array<{ stream: Record<string, string>; values: Array<[string, string]> }> {
  const byStream = new Map<Stream, Array<[string, string]>>();
  for (const { stream, entry } of picked) {
    let values = byStream.get(stream);
    if (values === undefined) byStream.set(stream, (values = []));
    values.push([String(entry.ns), entry.line]);
  }
  return [...byStream].map(([s, values]) => ({ stream: s.labels, values }));
}

/** Loki's timestamp parameter: float seconds, integer epoch (ns; up to 10 digits, seconds), or RFC3339(Nano). */
function timestamp(value: string | null, fallback: bigint): bigint {
  if (value === null || value === '') return fallback;
  if (value.includes('.') && /^\d+\.\d*$/.test(value)) {
    const [s, frac] = value.split('.');
    return BigInt(s) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
  }
  if (/^-?\d+$/.test(value)) return value.replace('-', '').length <= 10 ? BigInt(value) * 1_000_000_000n : BigInt(value);
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  const ms = m === null ? NaN : Date.parse(`${m[1]}${m[3]}`);
  if (m === null || Number.isNaN(ms)) throw new LogqlError(`cannot parse "${value}" to a valid timestamp`);
  return BigInt(ms) * 1_000_000n + BigInt(((m[2] ?? '') + '000000000').slice(0, 9));
}

function integer(value: string | null, fallback: number): number {
  if (value === null || value === '') return fallback;
  if (!/^-?\d+$/.test(value)) throw new LogqlError(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  return Number(value);
}

/** Go's time.Duration String() for whole milliseconds: `721h0m0s`, `1m30.5s`. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return s >= 1 ? `${s}s` : `${ms}ms`;
}
