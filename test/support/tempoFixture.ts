/**
 * A strict stand-in for Grafana Tempo's query HTTP API on loopback (Tempo is AGPL: never built or run
 * here). Written from the public documentation and protobuf definitions, facts only:
 * - endpoints and parameters: "Tempo HTTP API" (grafana.com/docs/tempo/latest/api_docs/):
 *   `GET /ready`, `GET /api/echo` (200 `echo`), `GET /api/search` (q, start, end, limit, spss),
 *   `GET /api/traces/<id>` (v1: the Trace message with its list named `batches`),
 *   `GET /api/v2/traces/<id>` (TraceByIDResponse: `{ trace: { resourceSpans }, metrics }`),
 *   `GET /api/metrics/query_range` (q, start, end, since, step; QueryRangeResponse);
 * - answer shapes: pkg/tempopb/tempo.proto (SearchResponse, TraceSearchMetadata, SpanSet, Span,
 *   SearchMetrics, TraceByIDResponse, QueryRangeResponse, TimeSeries, Sample) in the proto3 JSON
 *   mapping as gogo jsonpb writes it (see tempoFixtureJson.ts);
 * - what is rejected, all `400` with a plain-text reason: a start or end that is not an unsigned
 *   number of seconds, an end not after the start, a search range over 168 h, a limit that is not a
 *   positive integer, spss that is not an unsigned integer or is over 100, tags together with q,
 *   TraceQL that does not parse, a trace id with a non-hex character or over 128 bits; a metrics
 *   range over 24 h, more than 10 000 steps, a negative step. An unknown trace id is 404 on v1 and
 *   an empty trace on v2. Queries end at most 30 s before now (the query frontend's end cut-off).
 * - ingest: OTLP/HTTP on `POST /v1/traces` (Tempo's distributor takes OTLP), JSON or protobuf
 *   (tempoFixtureProto.ts), plain or gzip, so tests load it with the real OpenTelemetry JS SDK's
 *   exporters; any other content type or encoding is refused with 415.
 * TraceQL is a subset (tempoFixtureTraceql.ts); valid TraceQL beyond it is rejected too.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { holdExport, jsonpbResourceSpans, searchTraceId, type HeldTrace } from './tempoFixtureJson';
import { attributeOf, matches, namedAttributes, parseTraceql, TraceqlError, type FixtureSpan, type TraceqlQuery } from './tempoFixtureTraceql';
import { queryRange } from './tempoFixtureMetrics';
import { exportRequestOfProtobuf } from './tempoFixtureProto';

/** One request the fixture answered, for tests that count queries. */
export interface FixtureRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  status: number;
}

const SEARCH_MAX_RANGE_S = 168 * 3600;
const MAX_SPSS = 100;
const DEFAULT_LIMIT = 20;
const DEFAULT_SPSS = 3;
const MAX_BODY = 16 * 1024 * 1024;

class BadRequest extends Error {}

/** A Tempo query API over the traces it was sent. */
export class TempoFixture {
  readonly traces = new Map<string, HeldTrace>();
  readonly requests: FixtureRequest[] = [];
  private server: http.Server | undefined;
  private port = 0;

  /** `v2: false` stands in for a Tempo from before `/api/v2/traces` (its router answers 404). */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly options: { v2?: boolean } = {},
  ) {}

  /** Listens on 127.0.0.1 (`port` 0 picks one; a restart passes the old one); resolves to the base URL. */
  async start(port = this.port): Promise<string> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops listening and drops open connections (as a backend that went down). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Holds an OTLP/JSON export request (as an SDK sends it); returns the spans taken. */
  hold(body: unknown): number {
    return holdExport(this.traces, body);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const answer = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      this.requests.push({ method: req.method ?? '', path: url.pathname, params: url.searchParams, status });
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    };
    const json = (body: unknown) => answer(200, JSON.stringify(body), 'application/json');
    try {
      if (req.method === 'POST' && url.pathname === '/v1/traces') return answer(...(await this.ingest(req)));
      if (req.method !== 'GET') return answer(405, 'method not allowed');
      if (url.pathname === '/ready') return answer(200, 'ready');
      if (url.pathname === '/api/echo') return answer(200, 'echo');
      if (url.pathname === '/api/search') return json(this.search(url.searchParams));
      if (url.pathname === '/api/metrics/query_range') return json(this.metrics(url.searchParams));
      const byId = /^\/api\/(v2\/)?traces\/([^/]*)$/.exec(url.pathname);
      if (byId !== null && !(byId[1] !== undefined && this.options.v2 === false)) {
        if (/application\/protobuf/.test(req.headers.accept ?? '')) return answer(501, 'fixture: protobuf answers are not implemented; ask for JSON');
        const trace = this.traceById(decodeURIComponent(byId[2]), url.searchParams);
        if (byId[1] === undefined) return trace === undefined ? answer(404, '') : json({ batches: jsonpbResourceSpans(trace) });
        return json({ trace: trace === undefined ? {} : { resourceSpans: jsonpbResourceSpans(trace) }, metrics: { inspectedBytes: String(trace === undefined ? 0 : JSON.stringify(trace.resourceSpans).length) } });
      }
      return answer(404, '404 page not found');
    } catch (err) {
      if (err instanceof BadRequest) return answer(400, err.message);
      return answer(500, (err as Error).message);
    }
  }

  private async ingest(req: http.IncomingMessage): Promise<[number, string, string?]> {
    const type = req.headers['content-type'] ?? '';
    const json = /^application\/json/.test(type);
    if (!json && !/^application\/x-protobuf/.test(type)) return [415, 'fixture: OTLP/HTTP JSON or protobuf only'];
    const encoding = req.headers['content-encoding'] ?? 'identity';
    if (encoding !== 'identity' && encoding !== 'gzip') return [415, `fixture: content encoding ${encoding} is not taken`];
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) return [413, 'body too large'];
      chunks.push(chunk as Buffer);
    }
    try {
      const raw = encoding === 'gzip' ? gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks);
      this.hold(json ? JSON.parse(raw.toString('utf8')) : exportRequestOfProtobuf(raw));
    } catch (err) {
      return [400, (err as Error).message];
    }
    // An empty ExportTraceServiceResponse: `{}` in JSON, no bytes in protobuf.
    return json ? [200, '{}', 'application/json'] : [200, '', 'application/x-protobuf'];
  }

  private search(p: URLSearchParams): unknown {
    const start = unsigned(p, 'start', 'invalid start');
    const end = unsigned(p, 'end', 'invalid end');
    const q = p.get('q');
    if (q !== null && p.has('tags')) throw new BadRequest("invalid request: can't specify tags and q in the same query");
    const limit = unsigned(p, 'limit', 'invalid limit');
    if (limit === 0) throw new BadRequest('invalid limit: must be a positive number');
    const spss = unsigned(p, 'spss', 'invalid spss') ?? DEFAULT_SPSS;
    if ((start ?? 0) !== 0 || (end ?? 0) !== 0) {
      if ((end ?? 0) <= (start ?? 0)) throw new BadRequest(`http parameter start must be before end. received start=${start ?? 0} end=${end ?? 0}`);
      if (end! - start! > SEARCH_MAX_RANGE_S) throw new BadRequest(`range specified by start and end exceeds 168h0m0s. received start=${start} end=${end}`);
    }
    if (spss > MAX_SPSS) throw new BadRequest(`spans per span set exceeds ${MAX_SPSS}. received ${spss}`);
    if (q === null || q === '') throw new BadRequest('fixture: only TraceQL search (q) is implemented');
    const query = traceql(q);
    if (query.metrics !== undefined) throw new BadRequest('invalid TraceQL query: a metrics query is answered by /api/metrics/query_range');
    const fromNs = start ? BigInt(start) * 1_000_000_000n : 0n;
    const toNs = end ? BigInt(end) * 1_000_000_000n : BigInt(Math.floor(this.now())) * 1_000_000n;
    const found: { trace: HeldTrace; matched: FixtureSpan[]; startNs: bigint; endNs: bigint }[] = [];
    for (const trace of this.traces.values()) {
      const startNs = trace.spans.reduce((m, s) => (s.startNs < m ? s.startNs : m), trace.spans[0].startNs);
      const endNs = trace.spans.reduce((m, s) => (s.endNs > m ? s.endNs : m), 0n);
      if (endNs < fromNs || startNs > toNs) continue;
      const matched = trace.spans.filter((s) => matches(query, s));
      if (matched.length > 0) found.push({ trace, matched, startNs, endNs });
    }
    found.sort((a, b) => (b.startNs > a.startNs ? 1 : b.startNs < a.startNs ? -1 : 0));
    const names = namedAttributes(query);
    const traces = found.slice(0, limit ?? DEFAULT_LIMIT).map(({ trace, matched, startNs, endNs }) => {
      const root = trace.spans.find((s) => s.parentSpanId === '');
      const spanSet = { spans: matched.slice(0, spss).map((s) => searchSpan(s, names)), matched: matched.length };
      return compactTop({
        traceID: searchTraceId(trace.traceId),
        rootServiceName: root === undefined ? '<root span not yet received>' : String(root.resource.get('service.name') ?? ''),
        rootTraceName: root?.name,
        startTimeUnixNano: String(startNs),
        durationMs: Number((endNs - startNs) / 1_000_000n),
        spanSet,
        spanSets: [spanSet],
      });
    });
    return { traces, metrics: { inspectedTraces: this.traces.size, inspectedBytes: String(JSON.stringify([...this.traces.values()].map((t) => t.resourceSpans)).length), completedJobs: 1, totalJobs: 1 } };
  }

  private traceById(id: string, p: URLSearchParams): HeldTrace | undefined {
    for (let i = 0; i < id.length; i++) {
      if (!/[0-9a-fA-F]/.test(id[i])) throw new BadRequest(`trace IDs can only contain hex characters: invalid character '${id[i]}' at position ${i + 1}`);
    }
    if (id.length > 32) throw new BadRequest("trace IDs can't be larger than 128 bits");
    if (id === '') throw new BadRequest('please provide a traceID');
    const start = unsigned(p, 'start', 'invalid start');
    const end = unsigned(p, 'end', 'invalid end');
    if ((start ?? 0) !== 0 || (end ?? 0) !== 0) {
      if ((end ?? 0) <= (start ?? 0)) throw new BadRequest(`http parameter start must be before end. received start=${start ?? 0} end=${end ?? 0}`);
    }
    return this.traces.get(id.toLowerCase().padStart(32, '0'));
  }

  private metrics(p: URLSearchParams): unknown {
    const q = p.get('q') ?? p.get('query') ?? '';
    try {
      return queryRange(
        q,
        p,
        [...this.traces.values()].flatMap((t) => t.spans),
        this.now(),
      );
    } catch (err) {
      if (err instanceof TraceqlError) throw new BadRequest(`invalid TraceQL query: ${err.message}`);
      if (err instanceof RangeError) throw new BadRequest(err.message);
      throw err;
    }
  }
}

function traceql(q: string): TraceqlQuery {
  try {
    return parseTraceql(q);
  } catch (err) {
    if (err instanceof TraceqlError) throw new BadRequest(`invalid TraceQL query: ${err.message}`);
    throw err;
  }
}

/** A parameter that must be an unsigned 32-bit integer when present (Go's ParseUint wording). */
function unsigned(p: URLSearchParams, name: string, what: string): number | undefined {
  const text = p.get(name);
  if (text === null) return undefined;
  if (!/^\d+$/.test(text)) throw new BadRequest(`${what}: strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  const n = Number(text);
  if (n > 0xffffffff) throw new BadRequest(`${what}: strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
  return n;
}

function searchSpan(s: FixtureSpan, names: string[]): Record<string, unknown> {
  const attributes = names
    .filter((n) => !['name', 'status', 'kind', 'duration'].includes(n))
    .flatMap((n) => {
      const v = attributeOf(s, n);
      if (v === undefined) return [];
      const key = n.replace(/^(resource|span)?\./, '');
      return [{ key, value: typeof v === 'number' ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : typeof v === 'boolean' ? { boolValue: v } : { stringValue: String(v) } }];
    });
  return compactTop({ spanID: s.spanId, name: s.name, startTimeUnixNano: String(s.startNs), durationNanos: String(s.endNs - s.startNs), attributes });
}

function compactTop(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== 0 && v !== '' && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  return out;
}
