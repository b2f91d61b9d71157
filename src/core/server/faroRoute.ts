/**
 * The Grafana Faro endpoint of the embedded receiver (`POST /collect`, as Alloy's `faro.receiver`
 * names it, and `/faro/collect`): browser pages send what `@grafana/faro-web-sdk` collects.
 * CORS is off unless origins are configured, and then only those exact origins may send; an
 * optional `X-API-Key`, a payload cap and a per-client rate limit guard it. Exceptions are mapped
 * through the workspace's source maps and filed like any other exception; web vitals are kept
 * per page route.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type * as http from 'node:http';
import type { ExceptionEvent, MeasurementEvent } from '@grafana/faro-core';
import { readBody } from '../ingest/bodyReader';
import { parseFaroPayload, type FaroPayload } from '../ingest/faroPayload';
import { faroExceptionLog, faroPageRoute, faroResource, faroSpans, faroStackText } from '../ingest/faroRecords';
import { HttpError } from '../ingest/httpErrors';
import type { BatchSink, BrowserRoute } from '../ingest/otlpReceiver';
import { DecodeError, TooManyItemsError, type DecodedBatch, type LogRecordInfo, type ResourceInfo } from '../ingest/records';
import { silentLogger, type Logger } from '../logger';
import type { MappingSources } from '../mapping/codeMapper';
import { isWebVitalMetric, type WebVitals } from '../signals/webVitals';
import { mapFaroFrames } from './faroFrames';
import { normalizeOrigin } from './faroOrigins';
import { ClientRateLimit } from './faroRateLimit';

/** Settings of the Faro endpoint. */
export interface FaroOptions {
  /** Exact origins (`https://shop.example`) whose pages may send; empty turns CORS off (every browser origin gets 403). */
  allowedOrigins: readonly string[];
  /** When set, requests must carry it in `X-API-Key` (as Faro's `apiKey` option sends it). */
  apiKey: string;
  /** Largest accepted payload after decompression, bytes (Alloy's default: 5 MiB). */
  maxPayloadBytes: number;
  /** Per client: requests per second sustained, and at once. */
  ratePerSecond: number;
  burst: number;
}

/** Alloy's defaults: 5 MiB, 50 requests per second with bursts of 100. */
export const DEFAULT_FARO_OPTIONS: FaroOptions = { allowedOrigins: [], apiKey: '', maxPayloadBytes: 5 * 1024 * 1024, ratePerSecond: 50, burst: 100 };

/** The paths Faro's transport is pointed at. */
export const FARO_PATHS: ReadonlySet<string> = new Set(['/collect', '/faro/collect']);

/** What the endpoint counts, for tests and the logs. */
export interface FaroStats {
  payloads: number;
  exceptions: number;
  measurements: number;
  webVitals: number;
  logs: number;
  events: number;
  spans: number;
  rejected: number;
}

/** What the route hands its work to. */
export interface FaroSinks {
  pipeline: BatchSink;
  webVitals: WebVitals;
  /** The workspace's paths and source maps, once indexed. */
  sources: () => Promise<Pick<MappingSources, 'paths' | 'sourceMaps'>>;
  /** The receiver's bearer token: with no API key configured, it is what a Faro request must carry (off loopback). */
  token: string;
  /** How long to wait for room in a full ingest queue before 429. */
  queueWaitMs: number;
}

const ALLOWED_HEADERS = 'content-type, content-encoding, x-api-key, x-faro-session-id, idempotency-key';
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The Faro endpoint, as the receiver's BrowserRoute. */
export class FaroRoute implements BrowserRoute {
  readonly paths = FARO_PATHS;
  readonly stats: FaroStats = { payloads: 0, exceptions: 0, measurements: 0, webVitals: 0, logs: 0, events: 0, spans: 0, rejected: 0 };
  private readonly options: FaroOptions;
  private readonly origins: ReadonlySet<string>;
  private readonly limit: ClientRateLimit;
  private readonly keyDigest: Buffer | undefined;
  private readonly tokenDigest: Buffer | undefined;

  constructor(
    options: Partial<FaroOptions>,
    private readonly sinks: FaroSinks,
    private readonly logger: Logger = silentLogger,
    now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_FARO_OPTIONS, ...options };
    const origins = new Set<string>();
    for (const o of this.options.allowedOrigins) {
      const origin = normalizeOrigin(o);
      if (origin instanceof Error) throw origin;
      origins.add(origin);
    }
    this.origins = origins;
    this.limit = new ClientRateLimit(this.options, now);
    this.keyDigest = this.options.apiKey ? digest(this.options.apiKey) : undefined;
    this.tokenDigest = sinks.token ? digest(sinks.token) : undefined;
  }

  /** Answers one request; never throws. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<number> {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && this.origins.has(origin.toLowerCase());
    const cors: Record<string, string> = allowed ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Expose-Headers': 'Retry-After' } : {};
    try {
      if (origin !== undefined && !allowed) {
        throw new HttpError(
          403,
          this.origins.size === 0
            ? `browser origin "${origin.slice(0, 100)}" may not send Faro telemetry: no origins are allowed (--faro-origin, or the runtimeLens.faro.allowedOrigins setting)`
            : `browser origin "${origin.slice(0, 100)}" is not among the allowed Faro origins`,
        );
      }
      const site = req.headers['sec-fetch-site'];
      if (origin === undefined && (site === 'cross-site' || site === 'same-site')) throw new HttpError(403, `cross-site browser request (Sec-Fetch-Site: ${site}) refused`);
      if (req.method === 'OPTIONS') return this.preflight(req, res, cors);
      if (req.method !== 'POST') throw new HttpError(405, 'the Faro endpoint takes POST', { Allow: 'POST, OPTIONS' });
      const wait = this.limit.take(req.socket.remoteAddress ?? '');
      if (wait > 0) throw new HttpError(429, `too many Faro requests from this client; retry in ${wait} s`, { 'Retry-After': String(wait) });
      this.authorize(req);
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/json') throw new HttpError(415, `unsupported Content-Type "${type.slice(0, 100)}": Faro sends application/json`);
      if (!(await this.sinks.pipeline.waitForRoom(this.sinks.queueWaitMs))) throw new HttpError(429, 'ingest queue is full; retry later', { 'Retry-After': '1' });
      const payload = parseFaroPayload(await readBody(req, this.options.maxPayloadBytes));
      const accepted = await this.file(payload);
      return send(res, 202, 'application/json', JSON.stringify({ accepted, rejected: payload.rejected, ...(payload.rejectReasons.length > 0 ? { reasons: payload.rejectReasons } : {}) }), cors);
    } catch (err) {
      const failure =
        err instanceof HttpError
          ? err
          : err instanceof DecodeError
            ? new HttpError(400, err.message)
            : err instanceof TooManyItemsError
              ? new HttpError(413, err.message)
              : new HttpError(500, `internal error: ${(err as Error).message}`);
      if (failure.status === 500) this.logger.error(`faro: ${(err as Error).stack ?? err}`);
      // The body is left unread: drain it so the answer reaches the page instead of a reset.
      if (!req.readableEnded) req.resume();
      return send(res, failure.status, 'text/plain; charset=utf-8', `${failure.message}\n`, { ...cors, ...failure.headers });
    }
  }

  private preflight(req: http.IncomingMessage, res: http.ServerResponse, cors: Record<string, string>): number {
    const headers: Record<string, string> = { ...cors, Allow: 'POST, OPTIONS' };
    if (cors['Access-Control-Allow-Origin'] !== undefined) {
      headers['Access-Control-Allow-Methods'] = 'POST, OPTIONS';
      headers['Access-Control-Allow-Headers'] = ALLOWED_HEADERS;
      headers['Access-Control-Max-Age'] = '600';
      // A public page calling a receiver on loopback asks Chrome's Private Network Access first.
      if (req.headers['access-control-request-private-network'] === 'true') headers['Access-Control-Allow-Private-Network'] = 'true';
    }
    return send(res, 204, '', '', headers);
  }

  /** The API key when one is configured; else the receiver's bearer token when it has one. */
  private authorize(req: http.IncomingMessage): void {
    if (this.keyDigest !== undefined) {
      const key = req.headers['x-api-key'];
      if (typeof key !== 'string' || !timingSafeEqual(digest(key), this.keyDigest)) throw new HttpError(401, 'missing or wrong X-API-Key for the Faro endpoint');
      return;
    }
    if (this.tokenDigest === undefined) return;
    const bearer = /^Bearer +(.+)$/i.exec((req.headers.authorization ?? '').trim())?.[1];
    if (bearer === undefined || !timingSafeEqual(digest(bearer), this.tokenDigest)) {
      throw new HttpError(401, 'missing or wrong bearer token (or configure a Faro API key)', { 'WWW-Authenticate': 'Bearer' });
    }
  }

  /** Maps, files and counts a payload's items; returns how many were accepted. */
  private async file(payload: FaroPayload): Promise<number> {
    const resource = faroResource(payload.meta);
    const route = faroPageRoute(payload.meta);
    const sources = await this.sinks.sources();
    const logs: LogRecordInfo[] = [];
    for (const e of payload.exceptions) logs.push(await this.exceptionLog(e, resource, sources));
    const traced = faroSpans(payload);
    const batch: DecodedBatch = { spans: traced.spans, logs, rejected: payload.rejected + traced.rejected, rejectReasons: [...payload.rejectReasons, ...traced.rejectReasons].slice(0, 5) };
    if (batch.spans.length > 0 || batch.logs.length > 0 || batch.rejected > 0) {
      while (!this.sinks.pipeline.offer(batch)) {
        if (!(await this.sinks.pipeline.waitForRoom(this.sinks.queueWaitMs))) throw new HttpError(429, 'ingest queue is full; retry later', { 'Retry-After': '1' });
      }
    }
    const vitals = this.recordVitals(payload.measurements, resource, route);
    const s = this.stats;
    s.payloads++;
    s.exceptions += payload.exceptions.length;
    s.measurements += payload.measurements.length;
    s.webVitals += vitals;
    s.logs += payload.logs.length;
    s.events += payload.events.length;
    s.spans += traced.spans.length;
    s.rejected += batch.rejected;
    return payload.exceptions.length + payload.measurements.length + payload.logs.length + payload.events.length + traced.spans.length;
  }

  private async exceptionLog(e: ExceptionEvent, resource: ResourceInfo, sources: Pick<MappingSources, 'paths' | 'sourceMaps'>): Promise<LogRecordInfo> {
    const frames = await mapFaroFrames(e.stacktrace?.frames ?? [], sources);
    return faroExceptionLog(e, resource, frames.length > 0 ? faroStackText(e.type, e.value, frames) : '');
  }

  private recordVitals(measurements: readonly MeasurementEvent[], resource: ResourceInfo, route: string): number {
    let kept = 0;
    for (const m of measurements) {
      if (m.type !== 'web-vitals') continue;
      const time = Date.parse(m.timestamp);
      for (const [name, value] of Object.entries(m.values)) {
        if (isWebVitalMetric(name) && this.sinks.webVitals.record(resource.service, resource.environment, route, name, value, time)) kept++;
      }
    }
    return kept;
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string, headers: Record<string, string>): number {
  if (res.headersSent) return status;
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...(type ? { 'Content-Type': type } : {}), 'Content-Length': bytes.length, ...headers });
  res.end(bytes);
  return status;
}
