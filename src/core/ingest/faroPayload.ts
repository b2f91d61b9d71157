/**
 * The Grafana Faro payload (what `@grafana/faro-core` transports POST: `meta`, `exceptions`,
 * `measurements`, `logs`, `events`, `traces`), validated into faro-core's own types. A body that
 * is not a Faro payload is one DecodeError (400); an item that is not what faro-core sends is
 * counted rejected and the good items are kept. Only faro-core's types are imported: nothing of
 * the SDK runs here.
 */
import type { EventEvent, ExceptionEvent, ExceptionStackFrame, LogEvent, LogLevel, MeasurementEvent, Meta, MetaApp, TraceContext, TraceEvent, TransportBody } from '@grafana/faro-core';
import { MAX_MESSAGE_CHARS, MAX_NAME_CHARS, MAX_PATH_CHARS, MAX_RESOURCE_CHARS } from './limits';
import { DecodeError, TooManyItemsError } from './records';

/** Frames kept per exception (innermost first); deeper ones add nothing to where it threw. */
export const FARO_MAX_FRAMES = 100;
/** Items (exceptions, measurements, logs, events) one payload may carry. */
export const FARO_MAX_ITEMS = 10_000;
/** Values one measurement may carry. */
const MAX_VALUES = 64;
const MAX_REASONS = 5;

/** A validated payload: every list present (possibly empty), each item of faro-core's shape. */
export interface FaroPayload extends Required<Omit<TransportBody, 'traces'>> {
  /** OTLP JSON spans the page sent (`@grafana/faro-web-tracing`), undefined when none. */
  traces: TraceEvent | undefined;
  /** Items present but invalid: counted, never thrown. */
  rejected: number;
  /** Why the first rejected items were rejected. */
  rejectReasons: string[];
}

type Obj = Record<string, unknown>;

/** Thrown inside an item's check; the item is rejected with this one line. */
class BadItem extends Error {}

const LOG_LEVELS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'log', 'warn', 'error']);
const HEX_TRACE = /^[0-9a-f]{32}$/i;
const HEX_SPAN = /^[0-9a-f]{16}$/i;

/** Parses and validates a Faro request body; throws DecodeError (400) or TooManyItemsError (413). */
export function parseFaroPayload(body: Uint8Array | string): FaroPayload {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw new DecodeError(`the Faro payload is not JSON: ${(err as Error).message.slice(0, 120)}`);
  }
  if (!isObj(json)) throw new DecodeError(`the Faro payload is ${kind(json)}, not an object with meta and items`);
  const meta = readMeta(own(json, 'meta'));
  const lists = ['exceptions', 'measurements', 'logs', 'events'] as const;
  let items = 0;
  for (const key of lists) {
    const list = own(json, key);
    if (list !== undefined && !Array.isArray(list)) throw new DecodeError(`${key} is ${kind(list)}, not a list`);
    items += Array.isArray(list) ? list.length : 0;
  }
  if (items > FARO_MAX_ITEMS) throw new TooManyItemsError(`the Faro payload carries ${items} items, more than the limit of ${FARO_MAX_ITEMS}: send smaller batches`);
  const traces = own(json, 'traces');
  if (traces !== undefined && traces !== null && (!isObj(traces) || (own(traces, 'resourceSpans') !== undefined && !Array.isArray(own(traces, 'resourceSpans'))))) {
    throw new DecodeError('traces is not an object with a resourceSpans list');
  }
  const out: FaroPayload = { meta, exceptions: [], measurements: [], logs: [], events: [], traces: isObj(traces) ? (traces as TraceEvent) : undefined, rejected: 0, rejectReasons: [] };
  collect(own(json, 'exceptions'), 'exceptions', readException, out.exceptions, out);
  collect(own(json, 'measurements'), 'measurements', readMeasurement, out.measurements, out);
  collect(own(json, 'logs'), 'logs', readLog, out.logs, out);
  collect(own(json, 'events'), 'events', readEvent, out.events, out);
  return out;
}

function collect<T>(list: unknown, key: string, read: (v: unknown) => T, into: T[], out: FaroPayload): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    try {
      into.push(read(item));
    } catch (err) {
      if (!(err instanceof BadItem)) throw err;
      out.rejected++;
      if (out.rejectReasons.length < MAX_REASONS) out.rejectReasons.push(`${key}[${i}]: ${err.message}`);
    }
  });
}

/** `meta` is shared by every item: a wrong shape there refuses the payload. */
function readMeta(v: unknown): Meta {
  if (v === undefined) return {};
  if (!isObj(v)) throw new DecodeError(`meta is ${kind(v)}, not an object`);
  const meta: Meta = {};
  const app = section(v, 'app');
  if (app) {
    const a: MetaApp = {};
    for (const k of ['name', 'namespace', 'release', 'version', 'environment', 'bundleId', 'gitHash'] as const) {
      const s = metaString(app, `meta.app.${k}`, k, MAX_RESOURCE_CHARS);
      if (s !== undefined) a[k] = s;
    }
    meta.app = a;
  }
  const page = section(v, 'page');
  if (page) {
    const url = metaString(page, 'meta.page.url', 'url', MAX_PATH_CHARS * 2);
    const id = metaString(page, 'meta.page.id', 'id', MAX_NAME_CHARS);
    meta.page = { ...(url !== undefined ? { url } : {}), ...(id !== undefined ? { id } : {}) };
  }
  const view = section(v, 'view');
  if (view) {
    const name = metaString(view, 'meta.view.name', 'name', MAX_NAME_CHARS);
    if (name !== undefined) meta.view = { name };
  }
  const session = section(v, 'session');
  if (session) {
    const id = metaString(session, 'meta.session.id', 'id', MAX_NAME_CHARS);
    meta.session = id !== undefined ? { id } : {};
  }
  return meta;
}

function section(meta: Obj, key: string): Obj | undefined {
  const v = meta[key];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new DecodeError(`meta.${key} is ${kind(v)}, not an object`);
  return v;
}

function metaString(o: Obj, at: string, key: string, max: number): string | undefined {
  const v = own(o, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new DecodeError(`${at} is ${kind(v)}, not a string`);
  return v.slice(0, max);
}

function readException(v: unknown): ExceptionEvent {
  const o = item(v);
  const event: ExceptionEvent = {
    type: text(o, 'type', MAX_NAME_CHARS),
    value: text(o, 'value', MAX_MESSAGE_CHARS, true),
    timestamp: timestamp(o),
  };
  const stack = own(o, 'stacktrace');
  if (stack !== undefined && stack !== null) {
    if (!isObj(stack) || !Array.isArray(stack.frames)) throw new BadItem('stacktrace is not an object with a frames list');
    event.stacktrace = { frames: stack.frames.slice(0, FARO_MAX_FRAMES).map(readFrame) };
  }
  const trace = traceContext(o);
  if (trace) event.trace = trace;
  return event;
}

function readFrame(v: unknown, i: number): ExceptionStackFrame {
  if (!isObj(v)) throw new BadItem(`frame ${i} is ${kind(v)}, not an object`);
  const filename = own(v, 'filename');
  const fn = own(v, 'function');
  if (typeof filename !== 'string') throw new BadItem(`frame ${i} has no filename`);
  if (fn !== undefined && typeof fn !== 'string') throw new BadItem(`frame ${i} function is ${kind(fn)}, not a string`);
  const frame: ExceptionStackFrame = { filename: filename.slice(0, MAX_PATH_CHARS * 2), function: (fn ?? '').slice(0, MAX_NAME_CHARS) };
  const lineno = position(v, 'lineno', i);
  const colno = position(v, 'colno', i);
  if (lineno !== undefined) frame.lineno = lineno;
  if (colno !== undefined) frame.colno = colno;
  return frame;
}

function position(o: Obj, key: string, i: number): number | undefined {
  const v = own(o, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new BadItem(`frame ${i} ${key} is not a whole number`);
  return v;
}

function readMeasurement(v: unknown): MeasurementEvent {
  const o = item(v);
  const values = own(o, 'values');
  if (!isObj(values)) throw new BadItem('values is not an object of numbers');
  const kept: Record<string, number> = {};
  let n = 0;
  for (const [k, x] of Object.entries(values)) {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new BadItem(`values.${k.slice(0, 40)} is not a finite number`);
    if (++n <= MAX_VALUES) kept[k.slice(0, MAX_NAME_CHARS)] = x;
  }
  const event: MeasurementEvent = { type: text(o, 'type', MAX_NAME_CHARS), values: kept, timestamp: timestamp(o) };
  const context = stringMap(o, 'context');
  if (context) event.context = context;
  const trace = traceContext(o);
  if (trace) event.trace = trace;
  return event;
}

function readLog(v: unknown): LogEvent {
  const o = item(v);
  const level = own(o, 'level');
  if (typeof level !== 'string' || !LOG_LEVELS.has(level)) throw new BadItem(`level is not one of ${[...LOG_LEVELS].join(', ')}`);
  const event: LogEvent = { level: level as LogLevel, message: text(o, 'message', MAX_MESSAGE_CHARS, true), timestamp: timestamp(o), context: stringMap(o, 'context') };
  const trace = traceContext(o);
  if (trace) event.trace = trace;
  return event;
}

function readEvent(v: unknown): EventEvent {
  const o = item(v);
  const event: EventEvent = { name: text(o, 'name', MAX_NAME_CHARS), timestamp: timestamp(o) };
  const domain = own(o, 'domain');
  if (domain !== undefined && domain !== null) {
    if (typeof domain !== 'string') throw new BadItem('domain is not a string');
    event.domain = domain.slice(0, MAX_NAME_CHARS);
  }
  const attributes = stringMap(o, 'attributes');
  if (attributes) event.attributes = attributes;
  return event;
}

function item(v: unknown): Obj {
  if (!isObj(v)) throw new BadItem(`is ${kind(v)}, not an object`);
  return v;
}

function text(o: Obj, key: string, max: number, emptyOk = false): string {
  const v = own(o, key);
  if (typeof v !== 'string' || (!emptyOk && v === '')) throw new BadItem(`${key} is ${kind(v)}, not a${emptyOk ? '' : ' non-empty'} string`);
  return v.slice(0, max);
}

/** Faro stamps items with ISO 8601 strings; anything Date cannot read is not its timestamp. */
function timestamp(o: Obj): string {
  const v = own(o, 'timestamp');
  if (typeof v !== 'string' || v.length > 64 || !Number.isFinite(Date.parse(v))) throw new BadItem('timestamp is not an ISO 8601 time');
  return v;
}

function stringMap(o: Obj, key: string): Record<string, string> | undefined {
  const v = own(o, key);
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new BadItem(`${key} is not an object of strings`);
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') continue;
    if (++n > MAX_VALUES) break;
    // Own data properties only, whatever the keys: `__proto__` must stay a plain key.
    Object.defineProperty(out, k.slice(0, MAX_NAME_CHARS), { value: x.slice(0, MAX_MESSAGE_CHARS), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function traceContext(o: Obj): TraceContext | undefined {
  const v = own(o, 'trace');
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new BadItem('trace is not an object');
  const traceId = own(v, 'trace_id');
  const spanId = own(v, 'span_id');
  // A malformed trace context is dropped, not the item: it only links the item to a trace.
  if (typeof traceId !== 'string' || !HEX_TRACE.test(traceId) || /^0+$/.test(traceId)) return undefined;
  return { trace_id: traceId.toLowerCase(), span_id: typeof spanId === 'string' && HEX_SPAN.test(spanId) ? spanId.toLowerCase() : '' };
}

function own(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  return v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
