/**
 * Every size the receiver bounds, in one place (documented in docs/security.md, "Limits").
 * Telemetry is attacker-influenced: a field, a request and the sum of requests in flight all
 * have a ceiling, so no sender can make the store, an answer of the read API or the process
 * grow without bound.
 */

/** Span names, function names and namespaces, routes, exception types (characters). */
export const MAX_NAME_CHARS = 1024;

/** HTTP methods: the store names a server operation "METHOD route", so this stays short. */
export const MAX_METHOD_CHARS = 32;

/** File paths (`code.file.path`) and what a client span calls (a URL without its query). */
export const MAX_PATH_CHARS = 1024;

/** Exception types, exception messages, span status messages and log bodies. */
export const MAX_MESSAGE_CHARS = 4096;

/** Stack traces (`exception.stacktrace`, `code.stacktrace`): enough for the frames mapping reads. */
export const MAX_STACK_CHARS = 32_768;

/** Resource attributes: service name, environment, revision, service version, SDK language. */
export const MAX_RESOURCE_CHARS = 256;

/** The path of a server span's request (`url.path`, `http.target`); a longer one is cut and so not replayable. */
export const MAX_REQUEST_PATH_CHARS = 2048;

/** The query of a server span's request (`url.query`, `http.target`); a longer one is cut and so not replayable. */
export const MAX_REQUEST_QUERY_CHARS = 4096;

/** `url.scheme`: `http`, `https`, rarely anything longer. */
export const MAX_SCHEME_CHARS = 32;

/** Header pairs kept per server span (`http.request.header.*`, each value one pair); further ones are dropped. */
export const MAX_REQUEST_HEADERS = 64;

/** A request header's name; a longer one is dropped, never cut (a cut name is another header). */
export const MAX_HEADER_NAME_CHARS = 256;

/** A request header's value; a longer one is dropped, never cut (a cut value would be replayed as if real). */
export const MAX_HEADER_VALUE_CHARS = 8192;

/** All header names and values of one span together; headers past it are dropped. */
export const MAX_REQUEST_HEADER_CHARS = 32_768;

/**
 * A captured request body; a longer one is dropped, never cut. Below the capture limits of the
 * instrumentations that record bodies (tens of KB), so a body they cut is longer than this and dropped too.
 */
export const MAX_REQUEST_BODY_CHARS = 16_384;

/** The longest value any field keeps: attribute values are never decoded past it. */
export const MAX_FIELD_CHARS = Math.max(MAX_NAME_CHARS, MAX_PATH_CHARS, MAX_MESSAGE_CHARS, MAX_STACK_CHARS, MAX_RESOURCE_CHARS, MAX_REQUEST_QUERY_CHARS, MAX_REQUEST_BODY_CHARS);

/** Exceptions kept per span; the rest of a span's exception events are dropped. */
export const MAX_EXCEPTIONS_PER_SPAN = 64;

/**
 * Spans plus log records in one export request. Above it the request is answered 413 while it is
 * decoded, before its records can exhaust the decoder's heap (the OTel SDKs send 512 per request,
 * the collector's batch processor 8,192).
 */
export const MAX_ITEMS_PER_REQUEST = 250_000;

/** Default cap of one request body after decompression, bytes. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Request bodies held at once by all requests together (wire bytes, inflated bytes and the copy
 * handed to a decoder), bytes. A request that would pass it is answered 503 with Retry-After.
 */
export const DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 256 * 1024 * 1024;

/** Bytes of bodies waiting for a decode worker; requests arriving above it are shed with 503 and Retry-After. */
export const DEFAULT_MAX_DECODE_BACKLOG_BYTES = 32 * 1024 * 1024;

/** Open connections to the receiver (OTLP and read API together); further ones are closed at once. */
export const DEFAULT_MAX_CONNECTIONS = 256;

/** How long a client may take to send its request headers (slow-loris), ms. */
export const HEADERS_TIMEOUT_MS = 15_000;

/** How long a client may take to send a whole request, body included, ms. */
export const REQUEST_TIMEOUT_MS = 120_000;

/**
 * Largest inflated:compressed ratio of a gzip/deflate body. OTLP exports compress 5-30:1; a
 * pathologically repetitive one (1,000 spans with the same 4 KB attribute) 300:1; zeros 1,030:1.
 * Past it the body is refused with 413 as soon as that is clear, instead of inflating to the cap.
 */
export const MAX_INFLATE_RATIO = 400;
/** The ratio is judged once this much has been inflated, so small bodies are never refused for it. */
export const INFLATE_RATIO_FROM_BYTES = 1024 * 1024;

/** Seconds a shed request is told to wait (`Retry-After`). */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Heap of a decode worker: a base plus a multiple of the body cap. Measured: a 67 MiB JSON body of
 * 250,000 spans needs 256-384 MB, a 63 MiB body of tiny attributes 192-256 MB, 250,000 minimal
 * protobuf spans 64-128 MB; the heap is a ceiling, not a reservation (steady-state RSS is the same).
 */
export const WORKER_HEAP_BASE_MB = 128;
/** See WORKER_HEAP_BASE_MB. */
export const WORKER_HEAP_MB_PER_BODY_MB = 5;
/** Upper bound of a decode worker's heap, whatever the body cap. */
export const WORKER_HEAP_MAX_MB = 4096;

/** Heap ceiling of a decode worker for bodies up to `maxBodyBytes`, MB. */
export function workerHeapMb(maxBodyBytes: number): number {
  const bodyMb = Math.ceil(maxBodyBytes / (1024 * 1024));
  return Math.min(WORKER_HEAP_MAX_MB, WORKER_HEAP_BASE_MB + WORKER_HEAP_MB_PER_BODY_MB * bodyMb);
}

/** What replaces the cut-off end of a capped string. */
export const TRUNCATION_MARK = '…';

/**
 * `text` when it has at most `max` UTF-16 units, else its start cut on a code-point boundary
 * with TRUNCATION_MARK appended, `max` units in all (one fewer when a surrogate pair straddles the cut);
 * either way well-formed (lone surrogates become U+FFFD).
 */
export function capString(text: string, max: number): string {
  if (text.length <= max) return wellFormed(text);
  let end = max - TRUNCATION_MARK.length;
  const last = text.charCodeAt(end - 1);
  // Never keep half a surrogate pair: the high half alone is not valid UTF-16.
  if (last >= 0xd800 && last <= 0xdbff) end--;
  // A plain slice would be a view that keeps the whole (megabytes long) original alive: the
  // concatenation is flattened by the outer slice into a string of its own.
  return wellFormed((' ' + text.slice(0, end)).slice(1)) + TRUNCATION_MARK;
}

/**
 * `text` with lone surrogates (which JSON's `"\ud800"` escapes can produce) replaced by U+FFFD:
 * clients put telemetry strings such as environment names in URLs, and encodeURIComponent throws
 * on a lone surrogate, so one such name made the environment impossible to query.
 */
function wellFormed(text: string): string {
  const t = text as string & { isWellFormed(): boolean; toWellFormed(): string };
  return t.isWellFormed() ? text : t.toWellFormed();
}
