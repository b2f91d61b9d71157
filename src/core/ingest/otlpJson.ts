/**
 * Decoders for OTLP/HTTP JSON bodies (the proto3 JSON mapping with OTLP's exceptions: hex ids,
 * lowerCamelCase keys, enums as integers). One JSON.parse, then a walk that reads only what
 * the records need. A malformed item (span, log, scope) is counted as rejected; only a body
 * that is not a JSON object, or whose top-level list is not a list, throws DecodeError.
 */
import type { DecodedBatch, ExceptionInfo, ResourceInfo, SpanRecord } from './records';
import { DecodeError, TooManyItemsError } from './records';
import {
  applyExceptionField,
  applyLogField,
  applyResourceField,
  applySpanField,
  fieldForKey,
  finishResource,
  finishSpan,
  isExceptionField,
  newBatch,
  newException,
  newLog,
  newResource,
  newSpan,
  reject,
  REQUEST_HEADER_FIELD,
  setLogBody,
  setSpanName,
  setStatusMessage,
} from './attributeFields';
import { MAX_EXCEPTIONS_PER_SPAN, MAX_ITEMS_PER_REQUEST } from './limits';
import { addRequestHeader, REQUEST_HEADER_PREFIX, requestHeaderName, takesRequest } from './requestFields';
import { durationMs, split, toMs } from './nanoTime';
import { enumValue, hexId, isObj, type Obj, SEVERITIES, SPAN_KINDS, STATUS_CODES, STATUS_ERROR, scalar, splitTime } from './otlpJsonValues';

/** Where one signal's items sit in an export request, and how to read one item. */
interface RequestShape {
  resources: string;
  scopes: string;
  items: string;
  read: (item: unknown, res: ResourceInfo, out: DecodedBatch) => void;
}

const TRACES: RequestShape = { resources: 'resourceSpans', scopes: 'scopeSpans', items: 'spans', read: (s, res, out) => readSpan(s, res, out) };
const LOGS: RequestShape = { resources: 'resourceLogs', scopes: 'scopeLogs', items: 'logRecords', read: (l, res, out) => readLog(l, res, out) };

/** Decodes an OTLP/JSON ExportTraceServiceRequest. */
export function decodeTraceRequestJson(text: string): DecodedBatch {
  return decodeRequest(text, TRACES);
}

/** Decodes an OTLP/JSON ExportLogsServiceRequest. */
export function decodeLogsRequestJson(text: string): DecodedBatch {
  return decodeRequest(text, LOGS);
}

/**
 * Decodes an ExportTraceServiceRequest already parsed from JSON: a trace backend's answer (Jaeger's
 * `/api/v3` `result`, Tempo's trace by id) carries the same `resourceSpans` shape.
 */
export function decodeTraceRequestValue(root: unknown): DecodedBatch {
  if (!isObj(root)) throw new DecodeError(`OTLP/JSON traces must be an object, got ${describe(root)}`);
  return decodeRoot(root, TRACES);
}

function decodeRequest(text: string, shape: RequestShape): DecodedBatch {
  return decodeRoot(parseRoot(text), shape);
}

function decodeRoot(root: Obj, shape: RequestShape): DecodedBatch {
  const out = newBatch();
  const list = topLevelList(root, shape.resources);
  checkItemCount(list, shape);
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    const res = resourceOf(item, out, shape.resources);
    if (res === null) continue;
    const scopes = listField(item as Obj, shape.scopes);
    if (scopes === null) {
      reject(out, `${shape.scopes} is not an array`);
      continue;
    }
    for (let j = 0; j < scopes.length; j++) {
      const scope = scopes[j];
      const items = isObj(scope) ? listField(scope, shape.items) : null;
      if (items === null) {
        reject(out, `${shape.scopes} item is not an object with a ${shape.items} array`);
        continue;
      }
      for (let k = 0; k < items.length; k++) shape.read(items[k], res, out);
    }
  }
  return out;
}

/** Counts the items before any record is built: a request over the cap must not exhaust the heap first. */
function checkItemCount(list: unknown[], shape: RequestShape): void {
  let count = 0;
  for (let i = 0; i < list.length; i++) {
    const scopes = isObj(list[i]) ? (list[i] as Obj)[shape.scopes] : undefined;
    if (!Array.isArray(scopes)) continue;
    for (let j = 0; j < scopes.length; j++) {
      const items = isObj(scopes[j]) ? (scopes[j] as Obj)[shape.items] : undefined;
      if (Array.isArray(items)) count += items.length;
    }
  }
  if (count > MAX_ITEMS_PER_REQUEST) throw TooManyItemsError.of(count);
}

function parseRoot(text: string): Obj {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new DecodeError(`invalid JSON: ${msg.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  if (!isObj(root)) throw new DecodeError(`OTLP/JSON body must be an object, got ${describe(root)}`);
  return root;
}

function topLevelList(root: Obj, key: string): unknown[] {
  const list = root[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new DecodeError(`${key} must be an array, got ${describe(list)}`);
  return list;
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** An optional repeated field: absent gives [], a wrong type gives null. */
function listField(o: Obj, key: string): unknown[] | null {
  const v = o[key];
  if (v === undefined || v === null) return EMPTY;
  return Array.isArray(v) ? v : null;
}
const EMPTY: unknown[] = [];

function resourceOf(item: unknown, out: DecodedBatch, what: string): ResourceInfo | null {
  if (!isObj(item)) {
    reject(out, `${what} item is not an object`);
    return null;
  }
  const res = newResource();
  const r = item.resource;
  if (r !== undefined && r !== null) {
    const attrs = isObj(r) ? listField(r, 'attributes') : null;
    if (attrs === null) {
      reject(out, `${what} item has a malformed resource`);
      return null;
    }
    for (let i = 0; i < attrs.length; i++) {
      const field = attrField(attrs[i]);
      if (field !== 0) applyResourceField(res, field, scalar((attrs[i] as Obj).value));
    }
  }
  finishResource(res);
  return res;
}

/** The field code of a KeyValue; malformed entries are ignored like unknown keys. */
function attrField(kv: unknown): number {
  if (!isObj(kv)) return 0;
  const key = kv.key;
  return typeof key === 'string' ? fieldForKey(key) : 0;
}

function readSpan(s: unknown, res: ResourceInfo, out: DecodedBatch): void {
  if (!isObj(s)) {
    reject(out, 'span is not an object');
    return;
  }
  const span = newSpan(res);
  const name = s.name;
  if (typeof name === 'string') setSpanName(span, name);
  const label = typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : '(unnamed)';
  const problem = spanProblem(s, name);
  if (problem !== '') {
    reject(out, `span ${label}: ${problem}`);
    return;
  }
  // What spanProblem read and checked.
  span.traceId = checked.traceId;
  span.spanId = checked.spanId;
  span.parentSpanId = checked.parentSpanId;
  span.kind = checked.kind;
  span.startMs = toMs(checked.startMs, checked.startNs);
  span.durationMs = durationMs(checked.startMs, checked.startNs, checked.endMs, checked.endNs);
  const endMs = span.startMs + span.durationMs;

  const attrs = listField(s, 'attributes') as unknown[];
  for (let i = 0; i < attrs.length; i++) {
    const field = attrField(attrs[i]);
    if (field === REQUEST_HEADER_FIELD) readHeader(span, attrs[i] as Obj);
    else if (field !== 0) applySpanField(span, field, scalar((attrs[i] as Obj).value));
  }
  const status = s.status;
  if (isObj(status)) {
    span.error = enumValue(status.code, STATUS_CODES) === STATUS_ERROR;
    if (typeof status.message === 'string') setStatusMessage(span, status.message);
  }
  const events = listField(s, 'events') as unknown[];
  for (let i = 0; i < events.length && span.exceptions.length < MAX_EXCEPTIONS_PER_SPAN; i++) {
    const exc = readEvent(events[i], endMs);
    if (exc !== null) span.exceptions.push(exc);
  }
  finishSpan(span);
  out.spans.push(span);
}

/** An `http.request.header.<name>` attribute: a list of strings (semantic conventions), or one string as some SDKs send. */
function readHeader(span: SpanRecord, kv: Obj): void {
  if (!takesRequest(span)) return;
  const name = requestHeaderName((kv.key as string).slice(REQUEST_HEADER_PREFIX.length));
  const v = kv.value;
  if (name === '' || !isObj(v)) return;
  if (typeof v.stringValue === 'string') {
    addRequestHeader(span, name, v.stringValue);
    return;
  }
  const list = isObj(v.arrayValue) ? v.arrayValue.values : undefined;
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (isObj(item) && typeof item.stringValue === 'string' && !addRequestHeader(span, name, item.stringValue)) return;
  }
}

/** The ids, kind and times of the span spanProblem last passed, as it read them (readSpan files these). */
const checked = { traceId: '', spanId: '', parentSpanId: '', kind: 0, startMs: 0, startNs: 0, endMs: 0, endNs: 0 };

/** Everything that rejects a span, checked up front so no half-built span escapes; fills `checked` on the way. */
function spanProblem(s: Obj, name: unknown): string {
  if (name !== undefined && name !== null && typeof name !== 'string') return 'name is not a string';
  const traceId = s.traceId;
  if (typeof traceId !== 'string' || traceId === '') return 'missing trace id';
  const t = hexId(traceId, 32);
  if (t === null) return 'trace id is not 32 hex digits';
  if (t === '') return 'all-zero trace id';
  const spanId = s.spanId;
  if (typeof spanId !== 'string' || spanId === '') return 'missing span id';
  const id = hexId(spanId, 16);
  if (id === null) return 'span id is not 16 hex digits';
  if (id === '') return 'all-zero span id';
  const parent = s.parentSpanId;
  let parentId = '';
  if (parent !== undefined && parent !== null && parent !== '') {
    const p = typeof parent === 'string' ? hexId(parent, 16) : null;
    if (p === null) return 'parent span id is not 16 hex digits';
    parentId = p;
  }
  const kind = enumValue(s.kind, SPAN_KINDS);
  if (kind === null) return 'kind is not a SpanKind';
  if (!splitTime(s.startTimeUnixNano)) return 'startTimeUnixNano is not an unsigned int64';
  const startMs = split.ms;
  const startNs = split.ns;
  if (!splitTime(s.endTimeUnixNano)) return 'endTimeUnixNano is not an unsigned int64';
  checked.traceId = t;
  checked.spanId = id;
  checked.parentSpanId = parentId;
  checked.kind = kind;
  checked.startMs = startMs;
  checked.startNs = startNs;
  checked.endMs = split.ms;
  checked.endNs = split.ns;
  if (listField(s, 'attributes') === null) return 'attributes is not an array';
  if (listField(s, 'events') === null) return 'events is not an array';
  const status = s.status;
  if (status !== undefined && status !== null) {
    if (!isObj(status) || enumValue(status.code, STATUS_CODES) === null) return 'malformed status';
  }
  return '';
}

/** The ExceptionInfo of an event named `exception`; other or malformed events give null. */
function readEvent(e: unknown, spanEndMs: number): ExceptionInfo | null {
  if (!isObj(e) || e.name !== 'exception') return null;
  const exc = newException(0);
  exc.timeMs = splitTime(e.timeUnixNano) ? toMs(split.ms, split.ns) : 0;
  // An exception event without a timestamp happened, at the latest, when the span ended.
  if (exc.timeMs === 0) exc.timeMs = spanEndMs;
  const attrs = listField(e, 'attributes');
  if (attrs !== null) {
    for (let i = 0; i < attrs.length; i++) {
      const field = attrField(attrs[i]);
      if (field !== 0 && isExceptionField(field)) applyExceptionField(exc, field, scalar((attrs[i] as Obj).value));
    }
  }
  return exc;
}

function readLog(l: unknown, res: ResourceInfo, out: DecodedBatch): void {
  if (!isObj(l)) {
    reject(out, 'log record is not an object');
    return;
  }
  const severity = enumValue(l.severityNumber, SEVERITIES);
  if (severity === null) return reject(out, 'log record: severityNumber is not a SeverityNumber');
  const attrs = listField(l, 'attributes');
  if (attrs === null) return reject(out, 'log record: attributes is not an array');
  if (!splitTime(l.observedTimeUnixNano)) return reject(out, 'log record: observedTimeUnixNano is not an unsigned int64');
  const observedMs = toMs(split.ms, split.ns);
  if (!splitTime(l.timeUnixNano)) return reject(out, 'log record: timeUnixNano is not an unsigned int64');
  const log = newLog(res);
  log.timeMs = toMs(split.ms, split.ns);
  if (log.timeMs === 0) log.timeMs = observedMs;
  log.severity = severity;
  setLogBody(log, scalar(l.body));
  // Trace context on a log is optional; a malformed one is dropped, not the log.
  if (typeof l.traceId === 'string') log.traceId = hexId(l.traceId, 32) ?? '';
  if (typeof l.spanId === 'string') log.spanId = hexId(l.spanId, 16) ?? '';
  for (let i = 0; i < attrs.length; i++) {
    const field = attrField(attrs[i]);
    if (field !== 0) applyLogField(log, field, scalar((attrs[i] as Obj).value));
  }
  if (log.exception !== null) log.exception.timeMs = log.timeMs;
  out.logs.push(log);
}
