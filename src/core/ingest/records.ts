/**
 * Normalized telemetry records: what the OTLP decoders (JSON and protobuf) produce and what
 * the mapper and the signal store read. Only the fields Runtime Lens uses are kept.
 */
import type { RecordedHttpRequest } from '../api/signals';
import { MAX_ITEMS_PER_REQUEST } from './limits';

/** Who emitted a record, from the OTLP resource attributes. */
export interface ResourceInfo {
  /** `service.name`, or `unknown_service` when absent. */
  service: string;
  /** `deployment.environment.name`, else the older `deployment.environment`, else ''. */
  environment: string;
  /** `vcs.ref.head.revision` (or `vcs.repository.ref.revision`), else ''. */
  revision: string;
  /** `service.version`, else ''. */
  serviceVersion: string;
  /** `telemetry.sdk.language` (e.g. `nodejs`, `python`), else ''. Helps pick a stack trace parser. */
  language: string;
}

/** OpenTelemetry `code.*` attributes, stable names preferred over the deprecated ones. */
export interface CodeAttributes {
  /** `code.function.name`, else `code.function`. */
  function: string;
  /** `code.namespace` (deprecated; stable names fold it into `code.function.name`). */
  namespace: string;
  /** `code.file.path`, else `code.filepath`. */
  file: string;
  /** `code.line.number`, else `code.lineno`; 0 when absent. */
  line: number;
  /** `code.column.number`, else `code.column`; 0 when absent. */
  column: number;
  /** `code.stacktrace`, else ''. */
  stacktrace: string;
}

/** An exception recorded on a span event named `exception` or on a log record. */
export interface ExceptionInfo {
  /** `exception.type`. */
  type: string;
  /** `exception.message`. */
  message: string;
  /** `exception.stacktrace`, in the format of the emitting language. */
  stacktrace: string;
  /** Unix time in milliseconds. */
  timeMs: number;
}

/** One span. */
export interface SpanRecord {
  /** Lowercase hex, 32 characters. */
  traceId: string;
  /** Lowercase hex, 16 characters. */
  spanId: string;
  /** Lowercase hex, or '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Unix time in milliseconds (fractional). */
  startMs: number;
  durationMs: number;
  /** True when `status.code` is ERROR (2). */
  error: boolean;
  statusMessage: string;
  resource: ResourceInfo;
  code: CodeAttributes;
  /** `http.route`, else ''. */
  httpRoute: string;
  /** `http.request.method`, else the older `http.method`, else ''. */
  httpMethod: string;
  /** Events named `exception`, in order. */
  exceptions: ExceptionInfo[];
  /**
   * What a client span (kind 3) calls: `url.full` (else `http.url`) without its query and fragment,
   * else `server.address[:server.port]` (else `net.peer.name[:net.peer.port]`); '' when absent or not a client span.
   */
  peer?: string;
  /**
   * What a server span (kind 2) recorded of its HTTP request (path, query, status, opt-in headers,
   * a captured body), for replaying it; undefined on other spans and when none of it was recorded.
   */
  request?: RecordedHttpRequest;
}

/** One log record; those with an exception or `code.*` attributes feed the signal store. */
export interface LogRecordInfo {
  timeMs: number;
  traceId: string;
  spanId: string;
  /** OTLP SeverityNumber (17..20 are the ERROR levels). */
  severity: number;
  body: string;
  resource: ResourceInfo;
  code: CodeAttributes;
  exception: ExceptionInfo | null;
}

/** The result of decoding one export request. */
export interface DecodedBatch {
  spans: SpanRecord[];
  logs: LogRecordInfo[];
  /** Items that were present but invalid (e.g. a span without ids); counted, never thrown. */
  rejected: number;
  /** Why the first rejected items were rejected (at most a few messages). */
  rejectReasons: string[];
}

/** Raised for a body that cannot be decoded at all; the receiver turns it into a 400. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

/** Raised for a request with more spans and log records than MAX_ITEMS_PER_REQUEST; the receiver answers 413. */
export class TooManyItemsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TooManyItemsError';
  }

  /** The error for a request of `count` items. */
  static of(count: number | string): TooManyItemsError {
    return new TooManyItemsError(`request carries ${count} items (spans and log records), more than the limit of ${MAX_ITEMS_PER_REQUEST}: send smaller batches`);
  }
}

/** An empty `CodeAttributes`. */
export function emptyCode(): CodeAttributes {
  return { function: '', namespace: '', file: '', line: 0, column: 0, stacktrace: '' };
}
