/**
 * Decoders for OTLP/HTTP protobuf bodies (ExportTraceServiceRequest, ExportLogsServiceRequest)
 * into normalized records. Field numbers follow opentelemetry-proto (collector/*, trace/v1,
 * logs/v1, common/v1, resource/v1). Only the fields the records need are read; everything
 * else is skipped without allocating, and attribute values are decoded only for known keys.
 */
import type { DecodedBatch, ExceptionInfo, LogRecordInfo, ResourceInfo } from './records';
import { ProtoReader } from './protobufReader';
import { readScalarAt } from './protoScalar';
import * as fields from './attributeFields';
import * as nanoTime from './nanoTime';
import { MAX_EXCEPTIONS_PER_SPAN, MAX_ITEMS_PER_REQUEST, MAX_MESSAGE_CHARS, MAX_NAME_CHARS } from './limits';
import { TooManyItemsError } from './records';
import * as keyValues from './protoKeyValue';
import { FIRST_REQUEST_FIELD } from './requestFields';

// Bound once: tsx (tests, benchmarks) compiles each use of an imported name into a getter
// call; at ~25 uses per span that was a fifth of the decode time.
const { applyExceptionField, applyLogField, applyResourceField, applySpanField } = fields;
const { finishResource, finishSpan, isExceptionField, newBatch, newException, newLog, newResource, newSpan, reject, setLogBody, REQUEST_HEADER_FIELD } = fields;
const { durationMs, split, splitFixed64, toMs } = nanoTime;
const { readHeader, readKeyValue, readValue } = keyValues;

// Tags are (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited). The
// per-span and per-log switches use literal tags so they compile to jump tables.
const T_REPEATED_1 = (1 << 3) | 2; // resource_spans/resource_logs, resource, attributes, key...
const T_2_LEN = (2 << 3) | 2; // scope_spans/scope_logs, spans/log_records, value, event name...
const T_EVENT_TIME = (1 << 3) | 1;
const T_EVENT_ATTR = (3 << 3) | 2;
const T_STATUS_CODE = (3 << 3) | 0;

const STATUS_ERROR = 2;
const EXCEPTION = Buffer.from('exception', 'latin1');

/** Reads one ScopeSpans or ScopeLogs message into the batch. */
type ScopeReader = (r: ProtoReader, end: number, res: ResourceInfo, out: DecodedBatch) => void;

/** Decodes an ExportTraceServiceRequest; throws DecodeError only for a structurally broken body. */
export function decodeTraceRequestProto(bytes: Uint8Array): DecodedBatch {
  return decodeRequest(bytes, readScopeSpans);
}

/** Decodes an ExportLogsServiceRequest; throws DecodeError only for a structurally broken body. */
export function decodeLogsRequestProto(bytes: Uint8Array): DecodedBatch {
  return decodeRequest(bytes, readScopeLogs);
}

/** Both requests are `repeated Resource{Spans,Logs} = 1`, each a resource (1) and scopes (2). */
function decodeRequest(bytes: Uint8Array, readScope: ScopeReader): DecodedBatch {
  const r = new ProtoReader(bytes);
  const out = newBatch();
  const end = r.end;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === T_REPEATED_1) {
      const len = r.length(end);
      readResourceItems(r, r.pos + len, out, readScope);
    } else r.skipField(tag, end);
  }
  return out;
}

function readResourceItems(r: ProtoReader, end: number, out: DecodedBatch, readScope: ScopeReader): void {
  // Created before the loop: the scopes may legally precede the resource on the wire.
  const res = newResource();
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === T_REPEATED_1) {
      const len = r.length(end);
      readResource(r, r.pos + len, res);
    } else if (tag === T_2_LEN) {
      const len = r.length(end);
      readScope(r, r.pos + len, res, out);
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
  finishResource(res);
}

function readResource(r: ProtoReader, end: number, res: ResourceInfo): void {
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === T_REPEATED_1) {
      const len = r.length(end);
      const field = readKeyValue(r, r.pos + len);
      if (field !== 0) applyResourceField(res, field, readValue(r));
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
}

/** Throws before the item past MAX_ITEMS_PER_REQUEST is built, so a huge request cannot exhaust the heap. */
function checkItemCount(out: DecodedBatch): void {
  if (out.spans.length + out.logs.length + out.rejected >= MAX_ITEMS_PER_REQUEST) throw TooManyItemsError.of(`more than ${MAX_ITEMS_PER_REQUEST}`);
}

function readScopeSpans(r: ProtoReader, end: number, res: ResourceInfo, out: DecodedBatch): void {
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === T_2_LEN) {
      checkItemCount(out);
      const len = r.length(end);
      readSpan(r, r.pos + len, res, out);
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
}

function readScopeLogs(r: ProtoReader, end: number, res: ResourceInfo, out: DecodedBatch): void {
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === T_2_LEN) {
      checkItemCount(out);
      const len = r.length(end);
      readLog(r, r.pos + len, res, out);
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
}

function readSpan(r: ProtoReader, end: number, res: ResourceInfo, out: DecodedBatch): void {
  const span = newSpan(res);
  let invalid = '';
  let sHi = 0;
  let sLo = 0;
  let eHi = 0;
  let eLo = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10: {
        // trace_id = 1
        const len = r.length(end);
        span.traceId = len === 16 ? r.hex(len) : skipBytes(r, len);
        if (span.traceId === '') invalid = len === 16 ? 'all-zero trace id' : `trace id of ${len} bytes`;
        break;
      }
      case 18: {
        // span_id = 2
        const len = r.length(end);
        span.spanId = len === 8 ? r.hex(len) : skipBytes(r, len);
        if (span.spanId === '' && invalid === '') invalid = len === 8 ? 'all-zero span id' : `span id of ${len} bytes`;
        break;
      }
      case 34: {
        // parent_span_id = 4
        const len = r.length(end);
        // An all-zero parent id is what some SDKs send for a root span.
        span.parentSpanId = len === 8 ? r.hex(len) : skipBytes(r, len);
        if (len !== 0 && len !== 8 && invalid === '') invalid = `parent span id of ${len} bytes`;
        break;
      }
      case 42: // name = 5
        span.name = r.stringCapped(r.length(end), MAX_NAME_CHARS);
        break;
      case 48: // kind = 6
        span.kind = r.varint32();
        break;
      case 57: // start_time_unix_nano = 7
        r.fixed64();
        sHi = r.hi;
        sLo = r.lo;
        break;
      case 65: // end_time_unix_nano = 8
        r.fixed64();
        eHi = r.hi;
        eLo = r.lo;
        break;
      case 74: {
        // attributes = 9
        const len = r.length(end);
        const field = readKeyValue(r, r.pos + len);
        if (field === REQUEST_HEADER_FIELD) readHeader(r, span);
        else if (field !== 0) applySpanField(span, field, readValue(r, field >= FIRST_REQUEST_FIELD));
        break;
      }
      case 90: {
        // events = 11
        const len = r.length(end);
        const exc = readEvent(r, r.pos + len);
        if (exc !== null && span.exceptions.length < MAX_EXCEPTIONS_PER_SPAN) span.exceptions.push(exc);
        break;
      }
      case 122: {
        // status = 15
        const len = r.length(end);
        readStatus(r, r.pos + len, span);
        break;
      }
      default:
        r.skipField(tag, end);
    }
  }
  r.expectEnd(end);
  if (invalid === '' && span.traceId === '') invalid = 'missing trace id';
  if (invalid === '' && span.spanId === '') invalid = 'missing span id';
  if (invalid !== '') {
    reject(out, `span ${JSON.stringify(span.name.slice(0, 80))}: ${invalid}`);
    return;
  }
  splitFixed64(sHi, sLo);
  const sMs = split.ms;
  const sNs = split.ns;
  span.startMs = toMs(sMs, sNs);
  splitFixed64(eHi, eLo);
  span.durationMs = durationMs(sMs, sNs, split.ms, split.ns);
  const excs = span.exceptions;
  // An exception event without a timestamp happened, at the latest, when the span ended.
  for (let i = 0; i < excs.length; i++) if (excs[i].timeMs === 0) excs[i].timeMs = span.startMs + span.durationMs;
  finishSpan(span);
  out.spans.push(span);
}

function skipBytes(r: ProtoReader, len: number): string {
  r.pos += len;
  return '';
}

function readStatus(r: ProtoReader, end: number, span: { error: boolean; statusMessage: string }): void {
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === T_2_LEN) span.statusMessage = r.stringCapped(r.length(end), MAX_MESSAGE_CHARS);
    else if (tag === T_STATUS_CODE) span.error = r.varint32() === STATUS_ERROR;
    else r.skipField(tag, end);
  }
  r.expectEnd(end);
}

/** Returns the ExceptionInfo of an event named `exception`, else null. */
function readEvent(r: ProtoReader, end: number): ExceptionInfo | null {
  let isException = false;
  let timeMs = 0;
  // Allocated lazily: most events are not exceptions, and the name may follow the attributes.
  let exc: ExceptionInfo | null = null;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === T_EVENT_TIME) {
      r.fixed64();
      splitFixed64(r.hi, r.lo);
      timeMs = toMs(split.ms, split.ns);
    } else if (tag === T_2_LEN) {
      const len = r.length(end);
      isException = r.bytesEqual(len, EXCEPTION);
      r.pos += len;
    } else if (tag === T_EVENT_ATTR) {
      const len = r.length(end);
      const field = readKeyValue(r, r.pos + len);
      if (field !== 0 && isExceptionField(field)) {
        if (exc === null) exc = newException(0);
        applyExceptionField(exc, field, readValue(r));
      }
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
  if (!isException) return null;
  if (exc === null) exc = newException(0);
  exc.timeMs = timeMs;
  return exc;
}

function readLog(r: ProtoReader, end: number, res: ResourceInfo, out: DecodedBatch): void {
  const log: LogRecordInfo = newLog(res);
  let observedMs = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 9: // time_unix_nano = 1
        r.fixed64();
        splitFixed64(r.hi, r.lo);
        log.timeMs = toMs(split.ms, split.ns);
        break;
      case 89: // observed_time_unix_nano = 11
        r.fixed64();
        splitFixed64(r.hi, r.lo);
        observedMs = toMs(split.ms, split.ns);
        break;
      case 16: // severity_number = 2
        log.severity = r.varint32();
        break;
      case 42: {
        // body = 5
        const len = r.length(end);
        const bodyEnd = r.pos + len;
        setLogBody(log, readScalarAt(r, r.pos, bodyEnd));
        r.pos = bodyEnd;
        break;
      }
      case 50: {
        // attributes = 6
        const len = r.length(end);
        const field = readKeyValue(r, r.pos + len);
        if (field !== 0) applyLogField(log, field, readValue(r));
        break;
      }
      case 74: {
        // trace_id = 9
        // Trace context on a log is optional; a malformed one is dropped, not the log.
        const len = r.length(end);
        log.traceId = len === 16 ? r.hex(len) : skipBytes(r, len);
        break;
      }
      case 82: {
        // span_id = 10
        const len = r.length(end);
        log.spanId = len === 8 ? r.hex(len) : skipBytes(r, len);
        break;
      }
      default:
        r.skipField(tag, end);
    }
  }
  r.expectEnd(end);
  if (log.timeMs === 0) log.timeMs = observedMs;
  if (log.exception !== null) log.exception.timeMs = log.timeMs;
  out.logs.push(log);
}
