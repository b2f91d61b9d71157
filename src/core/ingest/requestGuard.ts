import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Paths under this prefix (and every WebSocket upgrade) are the read API, guarded by the read token. */
export const READ_API_PREFIX = '/api/';

/** Header a 401 carries so a client can tell "a Runtime Lens receiver refusing my token" from "something else". */
export const IDENTITY_HEADER = 'X-Runtime-Lens';

/** What the guard needs to know about the receiver. */
export interface RequestGuardOptions {
  /** The address the receiver binds, as configured. */
  host: string;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token: string;
  /** When set, read API requests and upgrades must carry it (or `token`); ingest does not need it. */
  readToken: string;
  /** Browser origins allowed to send requests (exact `scheme://host[:port]`); empty refuses every browser origin. */
  allowedOrigins: readonly string[];
  /** Sent in IDENTITY_HEADER on 401 answers. */
  version: string;
}

/** Why a request is refused: an HTTP status, a one-line message and headers to send. */
export interface Refusal {
  status: 401 | 403 | 421;
  message: string;
  headers: Record<string, string>;
}

const LOOPBACK_IPV4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const WILDCARDS = new Set(['', '0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

/** Strips IPv6 brackets and lowercases, so configured hosts and Host headers compare alike. */
function normalizeHost(host: string): string {
  const lower = host.trim().toLowerCase();
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

/** True for `localhost`, `127.x.x.x` and `::1` (brackets allowed). */
export function isLoopbackHost(host: string): boolean {
  const h = normalizeHost(host);
  return h === 'localhost' || h === '::1' || LOOPBACK_IPV4.test(h);
}

/** True for addresses that bind every interface (`0.0.0.0`, `::`). */
export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(normalizeHost(host));
}

/** Why the receiver must not listen on `host` with these tokens ('' when it may): only loopback may go without a token. */
export function bindProblem(host: string, token: string): string {
  if (isLoopbackHost(host) || token !== '') return '';
  return `listening on ${host} (not loopback) requires a token: other machines and any web page that can reach it could read production stack traces`;
}

/** The host name of a Host header without its port, or undefined when it is malformed. */
export function hostHeaderName(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    if (end < 0) return undefined;
    const rest = v.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    return v.slice(1, end);
  }
  const colon = v.indexOf(':');
  if (colon < 0) return v;
  if (!/^\d{1,5}$/.test(v.slice(colon + 1))) return undefined;
  return v.slice(0, colon);
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Decides per request whether the receiver answers it: the Host must name this receiver (against
 * DNS rebinding), no browser origin may talk to it (against any page in the user's browser), and
 * the bearer token must match. Every check runs before anything is read or served.
 */
export class RequestGuard {
  private readonly loopbackBind: boolean;
  private readonly wildcardBind: boolean;
  private readonly configuredHost: string;
  private readonly origins: Set<string>;
  private readonly tokenDigest: Buffer | undefined;
  private readonly readTokenDigest: Buffer | undefined;

  constructor(private readonly options: RequestGuardOptions) {
    this.loopbackBind = isLoopbackHost(options.host);
    this.wildcardBind = isWildcardHost(options.host);
    this.configuredHost = normalizeHost(options.host);
    this.origins = new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
    this.tokenDigest = options.token ? digest(options.token) : undefined;
    this.readTokenDigest = options.readToken ? digest(options.readToken) : undefined;
  }

  /** The refusal for a request to `pathname` (an upgrade when `upgrade`), or undefined when it may proceed. */
  check(headers: IncomingHttpHeaders, pathname: string, upgrade: boolean): Refusal | undefined {
    const hostProblem = this.hostProblem(headers.host);
    if (hostProblem) return { status: 421, message: hostProblem, headers: {} };
    const originProblem = this.originProblem(headers);
    if (originProblem) return { status: 403, message: originProblem, headers: {} };
    const read = upgrade || pathname.startsWith(READ_API_PREFIX);
    const offered = bearer(headers.authorization);
    const ok = read
      ? (this.tokenDigest === undefined && this.readTokenDigest === undefined) || this.matches(offered, this.tokenDigest) || this.matches(offered, this.readTokenDigest)
      : this.tokenDigest === undefined || this.matches(offered, this.tokenDigest);
    if (ok) return undefined;
    return {
      status: 401,
      message: read ? 'missing or wrong bearer token (the read API needs the read token)' : 'missing or wrong bearer token',
      headers: { 'WWW-Authenticate': 'Bearer', [IDENTITY_HEADER]: this.options.version },
    };
  }

  /** The Host check alone, for browser ingest (Faro), which checks origins and keys itself. */
  hostRefusal(headers: IncomingHttpHeaders): Refusal | undefined {
    const problem = this.hostProblem(headers.host);
    return problem ? { status: 421, message: problem, headers: {} } : undefined;
  }

  private hostProblem(host: string | undefined): string {
    // HTTP/1.0 clients may omit Host; only a loopback bind can be sure such a request is local.
    if (host === undefined || host === '') return this.loopbackBind ? '' : 'a Host header is required';
    const name = hostHeaderName(host);
    if (name === undefined) return `malformed Host header "${host.slice(0, 100)}"`;
    // Bound to every interface, the receiver answers to names it cannot list (the machine's
    // addresses, DNS names); the mandatory token is what keeps rebinding pages out there.
    if (this.wildcardBind) return '';
    if (isLoopbackHost(name) || name === this.configuredHost) return '';
    return `Host "${host.slice(0, 100)}" does not name this receiver (DNS rebinding?); use ${this.loopbackBind ? '127.0.0.1 or localhost' : this.options.host}`;
  }

  private originProblem(headers: IncomingHttpHeaders): string {
    const origin = headers.origin;
    if (origin !== undefined) {
      // `Origin: null` (sandboxed frames, file: pages) is a browser too.
      if (this.origins.has(origin.toLowerCase())) return '';
      return `browser origin "${origin.slice(0, 100)}" may not use this receiver`;
    }
    // Requests a page makes without Origin (<img>, <script>) still say where they come from.
    const site = headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') return `cross-site browser request (Sec-Fetch-Site: ${site}) refused`;
    return '';
  }

  private matches(offered: string | undefined, expected: Buffer | undefined): boolean {
    if (offered === undefined || expected === undefined) return false;
    // Both sides are SHA-256 digests, so the comparison is constant-time and length-independent.
    return timingSafeEqual(digest(offered), expected);
  }
}

function bearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(.+)$/i.exec(header.trim());
  return match ? match[1] : undefined;
}
