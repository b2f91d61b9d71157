/**
 * The transport seam of remote sources (../shared/DESIGN.md, the source seam): a GET (or a form
 * POST, for queries too long for a URL) that never throws. It returns an Outcome (the value, or one line saying what failed where), retries what
 * may succeed later with backoff and jitter, gives up at a timeout, and stops asking a backend that
 * keeps failing (a circuit breaker) until a cool-down has passed.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { CircuitBreaker } from './circuitBreaker';

/** What a remote call gave: the parsed value, or why not. */
export type Outcome<T> = { ok: true; value: T; bytes: number } | { ok: false; error: string; kind: FailureKind; status?: number };

/** Why a remote call failed: `auth` needs the user; the others may pass by themselves. */
export type FailureKind = 'auth' | 'http' | 'network' | 'timeout' | 'invalid' | 'circuit-open';

/** How to reach one backend. */
export interface RemoteOptions {
  /** Names the source in every error line: `jaeger`, `prometheus (prod)`. */
  name: string;
  /** `https://jaeger.example.com:16686`; paths are appended to its path. */
  baseUrl: string;
  /** Sent with every request (auth headers are built by the caller from a secret, never logged). */
  headers?: Record<string, string>;
  /** A PEM file of extra certificate authorities to trust; verification is never turned off. */
  caFile?: string;
  /** Per attempt (default 10 000 ms). */
  timeoutMs?: number;
  /** Further attempts after a retryable failure (default 2). */
  retries?: number;
  /** Told after a 401/403: what fixes it (`run "Runtime Lens: Add Telemetry Source…"`, `set JAEGER_TOKEN`). */
  authHint?: string;
  /** Largest body taken (default 32 MiB); a larger one is `invalid`. */
  maxBytes?: number;
  /** Base delay between attempts (default 250 ms); doubled per attempt, with full jitter. */
  backoffMs?: number;
}

/** Query parameters; undefined ones are left out, arrays repeat the key. */
export type Params = Record<string, string | number | readonly string[] | undefined>;

interface RawAnswer {
  status: number;
  body: Buffer;
  retryAfterMs?: number;
}

class AttemptFailure {
  constructor(
    readonly kind: FailureKind,
    readonly error: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {}
}

const DEFAULTS = { timeoutMs: 10_000, retries: 2, maxBytes: 32 * 1024 * 1024, backoffMs: 250 };

/** One backend's HTTP client: shared by its source's queries, counted for the bench and the status. */
export class RemoteTransport {
  /** Requests sent (attempts, retries included), bytes received, and calls that failed. */
  readonly counters = { requests: 0, bytes: 0, failures: 0 };
  private readonly base: URL;
  private readonly ca: Buffer | undefined;
  private readonly breaker: CircuitBreaker;
  private readonly options: RemoteOptions & typeof DEFAULTS;

  constructor(
    options: RemoteOptions,
    private readonly sleep: (ms: number) => Promise<void> = delay,
    breaker?: CircuitBreaker,
  ) {
    // An option given as undefined keeps its default.
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as RemoteOptions;
    this.options = { ...DEFAULTS, ...given };
    this.base = parseBase(options.name, options.baseUrl);
    this.ca = options.caFile ? readCa(options.name, options.caFile) : undefined;
    this.breaker = breaker ?? new CircuitBreaker();
  }

  /** The base URL, for logs and status (never carries credentials). */
  get url(): string {
    return this.base.origin + this.base.pathname.replace(/\/+$/, '');
  }

  /** GET `path` and parse its JSON with `parse` (which throws a one-line Error for a body that is not the API's). */
  async getJson<T>(path: string, params: Params, parse: (body: unknown) => T, headers: Record<string, string> = {}): Promise<Outcome<T>> {
    return this.json(path, await this.getText(path, params, { Accept: 'application/json', ...headers }), parse);
  }

  /**
   * As getJson, with the parameters sent as a form body (`POST`, `application/x-www-form-urlencoded`):
   * for APIs that accept it (Prometheus' query endpoints) when a query is too long for a URL.
   */
  async postFormJson<T>(path: string, params: Params, parse: (body: unknown) => T, headers: Record<string, string> = {}): Promise<Outcome<T>> {
    return this.json(path, await this.send(path, params, { Accept: 'application/json', ...headers }, true), parse);
  }

  private json<T>(path: string, text: Outcome<string>, parse: (body: unknown) => T): Outcome<T> {
    if (!text.ok) return text;
    let body: unknown;
    try {
      body = JSON.parse(text.value);
    } catch {
      return this.fail('invalid', `${this.options.name} at ${this.url}: ${path} did not answer JSON`);
    }
    try {
      return { ok: true, value: parse(body), bytes: text.bytes };
    } catch (err) {
      return this.fail('invalid', `${this.options.name} at ${this.url}: unexpected answer from ${path}: ${(err as Error).message}`);
    }
  }

  /** GET `path` as text, retrying 5xx, 429, timeouts and network errors with backoff and jitter. */
  getText(path: string, params: Params, headers: Record<string, string> = {}): Promise<Outcome<string>> {
    return this.send(path, params, headers, false);
  }

  private async send(path: string, params: Params, headers: Record<string, string>, form: boolean): Promise<Outcome<string>> {
    if (!this.breaker.allows()) return this.fail('circuit-open', `${this.options.name} at ${this.url}: not asked for ${Math.ceil(this.breaker.coolDownLeftMs() / 1000)} s after repeated failures`);
    const url = this.urlOf(path, params);
    let last: AttemptFailure | undefined;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) await this.sleep(Math.max(last?.retryAfterMs ?? 0, Math.random() * this.options.backoffMs * 2 ** (attempt - 1)));
      const answer = await this.attempt(url, headers, form);
      if (!(answer instanceof AttemptFailure)) {
        this.breaker.succeeded();
        return { ok: true, value: answer.body.toString('utf8'), bytes: answer.body.length };
      }
      last = answer;
      if (!answer.retryable) break;
    }
    // A backend refusing credentials is working; only failures that say it is unwell trip the breaker.
    if (last!.kind !== 'auth' && last!.kind !== 'invalid' && !(last!.kind === 'http' && last!.status! < 500 && last!.status !== 429)) this.breaker.failed();
    return this.fail(last!.kind, last!.error, last!.status);
  }

  private fail(kind: FailureKind, error: string, status?: number): Outcome<never> {
    this.counters.failures++;
    return status === undefined ? { ok: false, kind, error } : { ok: false, kind, error, status };
  }

  private urlOf(path: string, params: Params): URL {
    const url = new URL(this.base.href.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`));
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value as readonly string[]) url.searchParams.append(key, v);
      else url.searchParams.set(key, String(value));
    }
    return url;
  }

  private attempt(url: URL, headers: Record<string, string>, form = false): Promise<RawAnswer | AttemptFailure> {
    this.counters.requests++;
    const body = form ? Buffer.from(url.searchParams.toString()) : undefined;
    const target = form ? new URL(url.pathname, url) : url;
    const bodyHeaders: Record<string, string> = body ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length) } : {};
    const where = `${this.options.name} at ${this.url}`;
    const { timeoutMs, maxBytes } = this.options;
    return new Promise((resolve) => {
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(target, { method: body ? 'POST' : 'GET', headers: { ...this.options.headers, ...headers, ...bodyHeaders }, ca: this.ca, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          this.counters.bytes += chunk.length;
          if (size > maxBytes) {
            req.destroy();
            resolve(new AttemptFailure('invalid', `${where}: answer larger than ${Math.round(maxBytes / 1048576)} MiB from ${url.pathname}`, false));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => resolve(new AttemptFailure('network', `${where}: ${err.message}`, true)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks);
          if (status >= 200 && status < 300) return resolve({ status, body });
          resolve(httpFailure(where, url, status, body, res.headers['retry-after'], this.options.authHint));
        });
      });
      req.on('timeout', () => {
        req.destroy();
        resolve(new AttemptFailure('timeout', `${where}: no answer in ${timeoutMs} ms for ${url.pathname}`, true));
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve(new AttemptFailure('network', `${where}: ${networkWhy(err)}`, !isTlsError(err))));
      req.end(body);
    });
  }
}

function httpFailure(where: string, url: URL, status: number, body: Buffer, retryAfter: string | undefined, authHint: string | undefined): AttemptFailure {
  if (status === 401 || status === 403) {
    const fix = authHint ? `; ${authHint}` : '';
    return new AttemptFailure('auth', `${where}: ${status === 401 ? 'credentials missing or refused' : 'access denied'} (HTTP ${status})${fix}`, false, status);
  }
  const detail = body.toString('utf8', 0, Math.min(body.length, 300)).replace(/\s+/g, ' ').trim();
  const retryable = status >= 500 || status === 429;
  return new AttemptFailure('http', `${where}: HTTP ${status} for ${url.pathname}${detail ? `: ${detail.slice(0, 200)}` : ''}`, retryable, status, retryAfterMs(retryAfter));
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number(header);
  // Honoured up to a bound: a backend cannot park a refresh for minutes.
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : undefined;
}

function networkWhy(err: NodeJS.ErrnoException): string {
  if (isTlsError(err)) return `TLS verification failed (${err.code ?? err.message}); give the backend's CA certificate in the source's caFile`;
  return err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message);
}

function isTlsError(err: NodeJS.ErrnoException): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(err.code ?? '');
}

function parseBase(name: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${name}: not a URL: "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name}: not an http(s) URL: "${text}"`);
  if (url.username || url.password) throw new Error(`${name}: put credentials in an environment variable or the secret store, not in the URL`);
  return url;
}

function readCa(name: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${name}: cannot read CA file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
