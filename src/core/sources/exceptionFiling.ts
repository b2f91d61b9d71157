/**
 * Exceptions and error-level log records into error groups, each occurrence once (ExceptionDedup),
 * on the line that threw, in the request it happened in. A log record without a stack waits for
 * the span it was written in (AwaitingSpan); an SDK's failure to export to this receiver is dropped.
 */
import { silentLogger, type Logger } from '../logger';
import type { CodeMapper } from '../mapping/codeMapper';
import { AwaitingSpan } from '../signals/awaitingSpan';
import { ExceptionDedup, exceptionIdentity } from '../signals/exceptionDedup';
import { FOLD_MAX_DEPTH } from '../signals/requestFold';
import type { SignalStore } from '../signals/signalStore';
import type { CodeLocation } from '../signals/storeTypes';
import type { TraceBuffer } from '../signals/traceBuffer';
import { isOwnExportFailure } from '../ingest/ownExportFailure';
import type { ExceptionInfo, LogRecordInfo, ResourceInfo, SpanRecord } from '../ingest/records';

/** The counters this keeps (part of the pipeline's stats). */
export interface ExceptionStats {
  /** Exception occurrences counted (repeats of one exception are not), and those tied to code. */
  exceptions: number;
  exceptionsMapped: number;
  /** Repeats of an exception already counted in the same trace (several spans, a log record). */
  exceptionRepeats: number;
  /** Log records of an SDK failing to export to this receiver: not filed as the service's errors. */
  ownExportFailures: number;
}

const ERROR_SEVERITY = 17;
const SERVER = 2;

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}

/** `METHOD route` when the span has a route, else its name (as the trace buffer names operations). */
export function operationName(method: string, route: string, name: string): string {
  return route ? (method ? `${method} ${route}` : route) : name;
}

/** Files exception occurrences for the ingest pipeline. */
export class ExceptionFiling {
  private readonly dedup = new ExceptionDedup();
  /** Log records waiting for the span they were written in (see placeBySpan); released unplaced when it does not come. */
  private readonly awaitingLogs = new AwaitingSpan<LogRecordInfo>((log) => this.released(log));
  /** Released log records being filed (shutdown waits for them). */
  private readonly late = new Set<Promise<void>>();

  /** `traces` places log records by their span; `ownOrigins` names where this receiver listens. */
  constructor(
    private readonly store: SignalStore,
    private readonly mapper: CodeMapper,
    private readonly stats: ExceptionStats,
    private readonly traces?: TraceBuffer,
    private readonly ownOrigins?: () => string[],
    private readonly logger: Logger = silentLogger,
  ) {}

  /** After a span is filed (and held in the trace buffer): files the log records that waited for it. */
  spanFiled(span: { readonly spanId: string }): Promise<void> | undefined {
    // The id is read (a span cursor builds the string) only when some log waits at all.
    const waiting = this.awaitingLogs.size > 0 ? this.awaitingLogs.take(span.spanId) : undefined;
    if (waiting === undefined) return undefined;
    return Promise.all(waiting.map((log) => this.recordLogLate(log))).then(() => undefined);
  }

  /** Files the log records still waiting for their span, without it (at shutdown, before the last snapshot). */
  async flush(): Promise<void> {
    this.awaitingLogs.flush();
    await Promise.all([...this.late]);
  }

  /** Files the exceptions recorded on a span just filed at `location`; a span's exception without a stack sits there. */
  async spanExceptions(span: SpanRecord, location: CodeLocation | null): Promise<void> {
    // Read before awaiting: a columnar cursor's fields are views.
    const { traceId, resource } = span;
    const operation = this.requestOf(span.kind === SERVER ? span : null, span.parentSpanId);
    const endMs = span.startMs + span.durationMs;
    for (const exception of span.exceptions) {
      const mapped = await this.mapper.mapException(resource, exception, null, location);
      this.fileException(resource, exception, traceId, mapped.location, mapped.frameKey, operation, exception.timeMs || endMs);
    }
  }

  /** Files a log record: an exception (or an error-level record) becomes an occurrence of its error group. */
  async log(log: LogRecordInfo, waited = false): Promise<void> {
    const exception = log.exception ?? (log.severity >= ERROR_SEVERITY ? { type: 'error log', message: log.body, stacktrace: '', timeMs: log.timeMs } : null);
    if (exception === null) return;
    if (this.ownOrigins !== undefined && isOwnExportFailure(`${exception.type}: ${exception.message}\n${log.body}`, this.ownOrigins())) {
      this.stats.ownExportFailures++;
      return;
    }
    // A log record without a stack or code attributes sits on the function of the span it was
    // written in: that span (or its nearest mapped ancestor) may not be filed yet, so it waits.
    let inSpan: CodeLocation | null = null;
    if (!exception.stacktrace && !log.code.file && !log.code.function && log.spanId !== '' && this.traces !== undefined) {
      const placed = this.placeBySpan(log.spanId);
      if (placed.waitFor !== undefined && !waited) {
        this.awaitingLogs.add(placed.waitFor, log);
        return;
      }
      inSpan = placed.location;
    }
    const mapped = await this.mapper.mapException(log.resource, exception, log.code, inSpan);
    const operation = this.requestOf(null, log.spanId);
    const counted = this.fileException(log.resource, exception, log.traceId, mapped.location, mapped.frameKey, operation, log.timeMs || Date.now());
    if (counted && mapped.location === null)
      this.store.recordUnmapped(
        log.resource,
        `log record: ${exception.type}: ${exception.message}`.slice(0, 200),
        'log record with no stack trace, code attributes or span that match the workspace',
        log.timeMs || Date.now(),
      );
  }

  /** Files a log record whose span did not come in time, without it. */
  private released(log: LogRecordInfo): void {
    const filing = this.recordLogLate(log, true);
    this.late.add(filing);
    void filing.finally(() => this.late.delete(filing));
  }

  /** Files a log record that waited for its span, once that span is filed. */
  private async recordLogLate(log: LogRecordInfo, waited = false): Promise<void> {
    try {
      await this.log(log, waited);
    } catch (err) {
      this.logger.error(`ingest: a log record failed while filing (${messageOf(err)})`);
    }
  }

  /** The nearest mapped span at or above `spanId`, or the span id to wait for when one on the way is not filed yet. */
  private placeBySpan(spanId: string): { location: CodeLocation | null; waitFor?: string } {
    const traces = this.traces!;
    let id = spanId;
    for (let depth = 0; id !== '' && depth < FOLD_MAX_DEPTH; depth++) {
      const held = traces.findSpan(id);
      if (held === undefined) return { location: null, waitFor: id };
      if (held.location !== null) return { location: held.location };
      id = held.parentSpanId;
    }
    return { location: null };
  }

  /** Files one exception occurrence once: a repeat in the same trace only adds the request it happened in. Returns true when counted. */
  private fileException(resource: ResourceInfo, exception: ExceptionInfo, traceId: string, location: CodeLocation | null, frameKey: string, operation: string, timeMs: number): boolean {
    const identity = exceptionIdentity(resource.service, resource.environment, exception.type, exception.message, frameKey);
    const counted = this.dedup.isNew(traceId, identity, timeMs);
    this.store.recordException(resource, exception, traceId, location, frameKey, operation, counted, identity);
    if (counted && operation === '' && traceId !== '') this.dedup.holdUnnamed(traceId, { resource, exception: { type: exception.type, message: exception.message }, location, frameKey });
    if (counted) {
      this.stats.exceptions++;
      if (location !== null) this.stats.exceptionsMapped++;
    } else this.stats.exceptionRepeats++;
    return counted;
  }

  /** The request (server span operation) a span belongs to: itself when it is one, else its nearest server ancestor held. */
  private requestOf(server: SpanRecord | null, parentSpanId: string): string {
    if (server !== null) return operationName(server.httpMethod, server.httpRoute, server.name);
    const traces = this.traces;
    let id = parentSpanId;
    for (let depth = 0; traces !== undefined && id !== '' && depth < FOLD_MAX_DEPTH; depth++) {
      const held = traces.findSpan(id);
      if (held === undefined) return '';
      if (held.kind === SERVER) return held.operation;
      id = held.parentSpanId;
    }
    return '';
  }

  /** A server span arriving after exceptions of its trace were filed names the request they happened in. */
  serverSpanFiled(span: SpanRecord): void {
    if (this.dedup.unnamedHeld === 0) return;
    const seen = this.dedup.takeUnnamed(span.traceId);
    if (seen === undefined) return;
    const operation = operationName(span.httpMethod, span.httpRoute, span.name);
    for (const o of seen) this.store.recordException(o.resource, { ...o.exception, stacktrace: '', timeMs: 0 }, span.traceId, o.location, o.frameKey, operation, false);
  }
}
