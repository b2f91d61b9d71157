/**
 * A validated Faro payload as the records the rest of the receiver reads: the page's app as a
 * resource (so its release and git hash feed revision drift like `service.version` and
 * `vcs.ref.head.revision` do), exceptions as error log records with a V8-style stack, and the
 * page route web vitals are kept under.
 */
import type { ExceptionEvent, ExceptionStackFrame, Meta } from '@grafana/faro-core';
import { decodeTraceRequestJson } from './otlpJson';
import { plausibleRevision } from './revisionText';
import { emptyCode, type DecodedBatch, type LogRecordInfo, type ResourceInfo } from './records';
import type { FaroPayload } from './faroPayload';

/** `telemetry.sdk.language` of browser telemetry, as OpenTelemetry's web SDK names it. */
export const FARO_LANGUAGE = 'webjs';
const ERROR_SEVERITY = 17;
const COMMIT = /^[0-9a-f]{7,64}$/i;

/** The page's app as a resource: `meta.app.name` is the service, its version or release and git hash the deployment. */
export function faroResource(meta: Meta): ResourceInfo {
  const app = meta.app ?? {};
  const release = plausibleRevision(app.release ?? '');
  // A release that is a commit hash names the revision itself (many builds use the short sha).
  const revision = plausibleRevision(app.gitHash ?? '') || (COMMIT.test(release) ? release : '');
  const version = plausibleRevision(app.version ?? '') || (release !== revision ? release : '');
  return { service: app.name || 'unknown_service', environment: app.environment ?? '', revision, serviceVersion: version, language: FARO_LANGUAGE };
}

/** Path segments that are ids (numbers, UUIDs, long hex), so `/orders/123` and `/orders/456` are one route. */
const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i;
const MAX_ROUTE_CHARS = 200;

/** The page route of a payload: the path of `meta.page.url` with ids folded to `{id}`, else `meta.view.name`, else ''. */
export function faroPageRoute(meta: Meta): string {
  const url = meta.page?.url;
  if (url) {
    let path: string;
    try {
      path = new URL(url, 'http://page').pathname;
    } catch {
      path = url.replace(/[?#].*$/, '');
    }
    const folded = path
      .split('/')
      .map((s) => (ID_SEGMENT.test(s) ? '{id}' : s))
      .join('/');
    return (folded || '/').slice(0, MAX_ROUTE_CHARS);
  }
  return (meta.view?.name ?? '').slice(0, MAX_ROUTE_CHARS);
}

/** A Faro exception as the V8 stack text the stack parser reads, frames innermost first as Faro sends them. */
export function faroStackText(type: string, value: string, frames: readonly ExceptionStackFrame[]): string {
  const lines = [oneLine(value ? `${type}: ${value}` : type)];
  for (const f of frames) {
    const where = `${oneLine(f.filename)}:${f.lineno ?? 0}:${f.colno ?? 0}`;
    const fn = oneLine(f.function);
    lines.push(fn && fn !== '?' ? `    at ${fn} (${where})` : `    at ${where}`);
  }
  return lines.join('\n');
}

/** One exception as an error log record (how exception filing takes exceptions that are not on a span). */
export function faroExceptionLog(event: ExceptionEvent, resource: ResourceInfo, stacktrace: string): LogRecordInfo {
  const timeMs = Date.parse(event.timestamp);
  return {
    timeMs,
    traceId: event.trace?.trace_id ?? '',
    spanId: event.trace?.span_id ?? '',
    severity: ERROR_SEVERITY,
    body: `${event.type}: ${event.value}`,
    resource,
    code: emptyCode(),
    exception: { type: event.type, message: event.value, stacktrace, timeMs },
  };
}

/** The spans a payload carries (OTLP JSON under `traces`), decoded as `/v1/traces` would decode them. */
export function faroSpans(payload: FaroPayload): DecodedBatch {
  const resourceSpans = payload.traces?.resourceSpans;
  if (resourceSpans === undefined || resourceSpans.length === 0) return { spans: [], logs: [], rejected: 0, rejectReasons: [] };
  return decodeTraceRequestJson(JSON.stringify({ resourceSpans }));
}

/** A newline in telemetry text would start a frame line of its own. */
function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ');
}
