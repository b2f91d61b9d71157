import type { SignalsResponse, StatusResponse, TraceResponse } from '../api/signals';
import { IDENTITY_HEADER } from '../ingest/requestGuard';
import { InvalidAnswer, parseSignalsAnswer, parseStatusAnswer, parseTraceAnswer, parseTrafficAnswer, type TrafficAnswer } from './validate';

/** Why a read-API request failed, in one line: not reachable, an HTTP error, or an answer that is not the API's. */
export class ReadApiError extends Error {
  constructor(
    message: string,
    readonly kind: 'url' | 'unreachable' | 'http' | 'invalid',
    readonly status?: number,
  ) {
    super(message);
  }
}

/** What answers on a port: nothing (`free`), Runtime Lens (readable, or `locked` to another token), something else, or a listener that took the connection and said nothing in time (`silent`: busy, or not HTTP). */
export type ProbeResult = { kind: 'free' } | { kind: 'runtimeLens'; status: StatusResponse } | { kind: 'locked'; version: string } | { kind: 'foreign'; detail: string } | { kind: 'silent'; detail: string };

// A status answer is a few hundred bytes; anything big is not ours.
const PROBE_MAX_BYTES = 64 * 1024;

/** Where and how the client asks. */
export interface ReadApiClientOptions {
  /** `http://127.0.0.1:4318`: the receiver (or `serve`) to read. */
  server: string;
  /** Sent as `Authorization: Bearer ...` when given. */
  token?: string;
  /** Per request (default 10 000 ms). */
  timeoutMs?: number;
}

/** The signals query in the read API's parameters. */
export interface SignalsParams {
  window?: string;
  environment?: string;
  file?: string;
  top?: number;
  perMinute?: boolean;
}

/** The traffic query in the read API's parameters. */
export interface TrafficParams {
  /** How far back (`15m`; the server's default when absent). */
  window?: string;
  /** At most this many traces (the server's default, 500, when absent). */
  limit?: number;
  environment?: string;
}

/**
 * The one client of the read API (`/api/signals`, `/api/status`, `/api/traces/:id`, `/api/traffic`): every answer is
 * checked before it is returned, and every failure is a ReadApiError with one line saying what went
 * wrong where.
 */
export class ReadApiClient {
  readonly server: string;
  private readonly base: URL;

  constructor(private readonly options: ReadApiClientOptions) {
    this.server = options.server.replace(/\/+$/, '');
    let base: URL;
    try {
      base = new URL(options.server);
    } catch {
      throw new ReadApiError(`not a URL: "${options.server}"`, 'url');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new ReadApiError(`not an http(s) URL: "${options.server}"`, 'url');
    this.base = base;
  }

  /** The URL of a read-API path on this server. */
  url(pathname: string): URL {
    return new URL(pathname, this.base);
  }

  /** `GET /api/signals` with these parameters. */
  signals(params: SignalsParams = {}): Promise<SignalsResponse> {
    const url = this.url('/api/signals');
    if (params.window !== undefined) url.searchParams.set('window', params.window);
    if (params.environment !== undefined) url.searchParams.set('environment', params.environment);
    if (params.file !== undefined) url.searchParams.set('file', params.file);
    if (params.top !== undefined) url.searchParams.set('top', String(params.top));
    if (params.perMinute) url.searchParams.set('perMinute', '1');
    return this.get(url, parseSignalsAnswer);
  }

  /** `GET /api/status`. */
  status(): Promise<StatusResponse> {
    return this.get(this.url('/api/status'), parseStatusAnswer);
  }

  /** `GET /api/traces/:id`; null when the server does not hold the trace (404). */
  async trace(traceId: string): Promise<TraceResponse | null> {
    try {
      return await this.get(this.url(`/api/traces/${encodeURIComponent(traceId)}`), parseTraceAnswer);
    } catch (err) {
      if (err instanceof ReadApiError && err.status === 404) return null;
      throw err;
    }
  }

  /** `GET /api/traffic`: recent production requests as whole traces; traces with bad fields are left out and named. */
  traffic(params: TrafficParams = {}): Promise<TrafficAnswer> {
    const url = this.url('/api/traffic');
    if (params.window !== undefined) url.searchParams.set('window', params.window);
    if (params.limit !== undefined) url.searchParams.set('limit', String(params.limit));
    if (params.environment !== undefined) url.searchParams.set('environment', params.environment);
    return this.get(url, parseTrafficAnswer);
  }

  /**
   * What listens at the server. Never rejects: a refused connection is `free`; a receiver that refuses
   * this token still names its version in IDENTITY_HEADER (`locked`); an answer that is not a status
   * (or is larger than a status can be) is `foreign`; no whole answer within the timeout is `silent`.
   */
  async probe(): Promise<ProbeResult> {
    const timeoutMs = this.options.timeoutMs ?? 1500;
    try {
      return await this.probeOnce(AbortSignal.timeout(timeoutMs));
    } catch (err) {
      // The connection was taken but no whole answer came: a busy server, or one that does not speak HTTP.
      if ((err as Error).name === 'TimeoutError') return { kind: 'silent', detail: `no answer within ${timeoutMs / 1000} s` };
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      return cause?.code === 'ECONNREFUSED' ? { kind: 'free' } : { kind: 'foreign', detail: cause?.message ?? (err as Error).message };
    }
  }

  private async probeOnce(signal: AbortSignal): Promise<ProbeResult> {
    const res = await fetch(this.url('/api/status'), { headers: this.headers(), signal });
    const identity = res.headers.get(IDENTITY_HEADER);
    if (res.status === 401 && identity !== null) {
      await res.body?.cancel();
      return { kind: 'locked', version: identity };
    }
    const text = await capped(res, PROBE_MAX_BYTES);
    if (text === null) return { kind: 'foreign', detail: `answer too large from ${this.server}/api/status` };
    if (res.status === 200) {
      try {
        return { kind: 'runtimeLens', status: parseStatusAnswer(JSON.parse(text)) };
      } catch {
        // not JSON, or not a status: someone else's server
      }
    }
    return { kind: 'foreign', detail: `HTTP ${res.status} from ${this.server}/api/status` };
  }

  private headers(): Record<string, string> {
    return this.options.token ? { Authorization: `Bearer ${this.options.token}` } : {};
  }

  private async get<T>(url: URL, parse: (v: unknown) => T): Promise<T> {
    let res: Response;
    try {
      res = await fetch(url, { headers: this.headers(), signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = (err as Error).name === 'TimeoutError' ? `no answer in ${this.options.timeoutMs ?? 10_000} ms` : (cause?.code ?? cause?.message ?? (err as Error).message);
      throw new ReadApiError(`cannot reach ${this.server}: ${why}`, 'unreachable');
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw new ReadApiError(`${this.server} answered ${res.status}: ${text.slice(0, 200).replace(/\s+/g, ' ')}`, 'http', res.status);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ReadApiError(`${this.server} did not answer JSON for ${url.pathname}`, 'invalid');
    }
    try {
      return parse(body);
    } catch (err) {
      if (err instanceof InvalidAnswer) throw new ReadApiError(`${this.server} answered ${url.pathname} with something else than the read API: ${err.message}`, 'invalid');
      throw err;
    }
  }
}

/** The body as text, or null once it passes `max` bytes (the rest is not read). */
async function capped(res: Response, max: number): Promise<string | null> {
  const reader = res.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
