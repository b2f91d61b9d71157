/**
 * Which recorded headers never reach a replayed request, and why. Production credentials must not
 * be sent to a local build (or stored, or shown); framing and hop-by-hop headers belong to the
 * replayer's own connection; incoming trace context would join local spans to the production trace
 * instead of the fresh `traceparent` the replayer sets; conditional headers (`If-None-Match`, ...)
 * tie the answer to the recording client's cache, not to the code: a build whose answer matches the
 * recorded ETag would answer 304 where another answers 200.
 */
import type { HeaderPair } from './shadowRequest';

/** Why a header is dropped. */
export type HeaderDrop = 'credential' | 'hop-by-hop' | 'trace-context' | 'conditional';

const CREDENTIAL_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'cookie2', 'set-cookie', 'set-cookie2']);

/**
 * The credential rule: a header is a credential when a word of its name (split on `-`, `_` and
 * `.`) is `auth`, `session`, `sessionid`, `signature` or `credential(s)`, or ends in `token`,
 * `secret`, `password`, `passwd`, `jwt` or `key` (so `X-API-Key`, `api_key`, `apikey`,
 * `X-Auth-Token`, `X-CSRFToken`, `X-Amz-Security-Token`, `Ocp-Apim-Subscription-Key`). The one
 * exception is `Idempotency-Key`, which names a request rather than a caller.
 */
const CREDENTIAL_WORDS = new Set(['auth', 'session', 'sessionid', 'signature', 'credential', 'credentials']);
const CREDENTIAL_SUFFIXES = ['token', 'secret', 'password', 'passwd', 'jwt', 'key'];
const NOT_CREDENTIALS = new Set(['idempotency-key']);

/** RFC 9110 7.6.1 hop-by-hop fields, plus the framing the replayer computes for the body it sends. */
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'content-length', 'te', 'trailer', 'upgrade', 'http2-settings']);

/** W3C Trace Context and Baggage, and the other propagators' headers an instrumented service may read. */
const TRACE_NAMES = new Set(['traceparent', 'tracestate', 'baggage', 'b3', 'uber-trace-id', 'x-amzn-trace-id', 'x-cloud-trace-context', 'grpc-trace-bin', 'sentry-trace', 'elastic-apm-traceparent']);
const TRACE_PREFIXES = ['x-b3-', 'uberctx-', 'ot-tracer-', 'ot-baggage-', 'x-datadog-'];
/** Conditional request headers (RFC 9110 13.1). */
const CONDITIONAL = new Set(['if-none-match', 'if-match', 'if-modified-since', 'if-unmodified-since', 'if-range']);

/** Why a header with this name is dropped, or undefined when it is kept. */
export function headerDrop(name: string): HeaderDrop | undefined {
  const n = name.trim().toLowerCase();
  if (n.startsWith(':') || HOP_BY_HOP.has(n) || (n.startsWith('proxy-') && n !== 'proxy-authorization')) return 'hop-by-hop';
  if (TRACE_NAMES.has(n) || TRACE_PREFIXES.some((p) => n.startsWith(p))) return 'trace-context';
  if (CONDITIONAL.has(n)) return 'conditional';
  if (isCredential(n)) return 'credential';
  return undefined;
}

function isCredential(n: string): boolean {
  if (CREDENTIAL_NAMES.has(n) || n.startsWith('proxy-')) return true;
  if (NOT_CREDENTIALS.has(n)) return false;
  return n.split(/[-_.]/).some((w) => CREDENTIAL_WORDS.has(w) || CREDENTIAL_SUFFIXES.some((s) => w.endsWith(s)));
}

/** Names a `Connection` header lists are hop-by-hop for that message too (RFC 9110 7.6.1). */
export function connectionListed(headers: readonly HeaderPair[]): Set<string> {
  const listed = new Set<string>();
  for (const [name, value] of headers) {
    if (name.trim().toLowerCase() !== 'connection') continue;
    for (const token of value.split(',')) {
      const t = token.trim().toLowerCase();
      if (t) listed.add(t);
    }
  }
  return listed;
}
