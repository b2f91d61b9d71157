/**
 * The answers of Jaeger's query API v3 (`/api/v3`, Jaeger v2; module v1.75.0), validated into typed
 * values. Jaeger writes them with gogo-protobuf's jsonpb, which leaves out empty lists (no services
 * is `{}`), and wraps traces in `{ result: <OTLP TracesData> }` written by the collector's OTLP JSON
 * marshaler (hex ids, integer enums, int64 times as strings). Each parser throws one line.
 */

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Longest service or operation name taken; longer ones are not Jaeger's. */
const MAX_NAME = 1024;
/** Most services or operations taken from one answer. */
const MAX_LIST = 10_000;

/** An operation of a service, as `/api/v3/operations` lists it. */
export interface JaegerOperation {
  name: string;
  /** `server`, `client`, `internal`, `producer`, `consumer`, or '' when Jaeger does not say. */
  spanKind: string;
}

/** Parses `GET /api/v3/services`: `{ services?: string[] }`. */
export function parseServices(body: unknown): string[] {
  if (!isObj(body)) throw new Error('services: expected an object');
  const list = body.services;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error('services: "services" is not a list');
  if (list.length > MAX_LIST) throw new Error(`services: more than ${MAX_LIST} services`);
  return list.map((s, i) => {
    if (typeof s !== 'string' || s.length > MAX_NAME) throw new Error(`services: entry ${i} is not a service name`);
    return s;
  });
}

/** Parses `GET /api/v3/operations?service=`: `{ operations?: { name, spanKind? }[] }`. */
export function parseOperations(body: unknown): JaegerOperation[] {
  if (!isObj(body)) throw new Error('operations: expected an object');
  const list = body.operations;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error('operations: "operations" is not a list');
  if (list.length > MAX_LIST) throw new Error(`operations: more than ${MAX_LIST} operations`);
  return list.map((o, i) => {
    if (!isObj(o) || typeof o.name !== 'string' || o.name.length > MAX_NAME) throw new Error(`operations: entry ${i} has no name`);
    const kind = o.spanKind ?? '';
    if (typeof kind !== 'string') throw new Error(`operations: entry ${i} has a spanKind that is not a string`);
    return { name: o.name, spanKind: kind };
  });
}

/**
 * Parses `GET /api/v3/traces` and `/api/v3/traces/{id}`: `{ result: { resourceSpans: [...] } }`.
 * Returns the `result` (OTLP TracesData) for the sampled-trace store to decode span by span.
 */
export function parseTraces(body: unknown): Obj {
  if (!isObj(body)) throw new Error('traces: expected an object');
  // An error can come with a 200 from a gateway that streams: it is not a trace.
  if (isObj(body.error)) throw new Error(`traces: Jaeger answered an error: ${String(body.error.message ?? '').slice(0, 200)}`);
  const result = body.result;
  if (!isObj(result)) throw new Error('traces: no "result" object');
  const list = result.resourceSpans;
  if (list !== undefined && list !== null && !Array.isArray(list)) throw new Error('traces: result.resourceSpans is not a list');
  return result;
}

/** True for the 404 Jaeger answers when a search or id finds nothing (not a 404 of a wrong URL). */
export function isNothingFound(error: string): boolean {
  return /No traces found|trace not found/i.test(error);
}

/** Jaeger's time parameters are RFC 3339 with nanoseconds; milliseconds are what we have. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}
