/**
 * Trace backends answer with whole traces in OTLP's JSON shape, with a few differences from what an
 * SDK sends: Tempo's trace by id lists `batches` (its older name for `resourceSpans`) and, being
 * gogo-protobuf JSON, gives ids as base64 bytes where OTLP/JSON uses hex. This turns such an answer
 * into what the OTLP JSON decoder reads, in place, leaving anything else for the decoder to judge.
 */

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The hex of an id given as base64 of `bytes` bytes; the value unchanged when it is already hex of
 * the right length or not base64 of that size (the decoder then rejects the span with its reason).
 */
export function hexOfId(value: unknown, bytes: number): unknown {
  if (typeof value !== 'string' || value === '') return value;
  if (value.length === bytes * 2 && HEX.test(value)) return value;
  if (value.length !== Math.ceil(bytes / 3) * 4 || !BASE64.test(value)) return value;
  const raw = Buffer.from(value, 'base64');
  return raw.length === bytes ? raw.toString('hex') : value;
}

/**
 * The `{ resourceSpans }` object of a backend's trace answer (`resourceSpans`, or Tempo's `batches`),
 * with base64 ids turned to hex. Throws a one-line Error when it is not an object of that shape.
 */
export function otlpTracesOf(body: unknown): Obj {
  if (!isObj(body)) throw new Error('traces: expected an object with resourceSpans');
  const list = body.resourceSpans ?? body.batches;
  if (list === undefined || list === null) return { resourceSpans: [] };
  if (!Array.isArray(list)) throw new Error('traces: resourceSpans is not an array');
  for (const resource of list) {
    if (!isObj(resource)) continue;
    // Tempo before OTLP 0.19 named scope spans after the instrumentation library.
    if (resource.scopeSpans === undefined && Array.isArray(resource.instrumentationLibrarySpans)) resource.scopeSpans = resource.instrumentationLibrarySpans;
    const scopes = resource.scopeSpans;
    if (!Array.isArray(scopes)) continue;
    for (const scope of scopes) {
      const spans = isObj(scope) ? scope.spans : undefined;
      if (!Array.isArray(spans)) continue;
      for (const span of spans) {
        if (!isObj(span)) continue;
        span.traceId = hexOfId(span.traceId, 16);
        span.spanId = hexOfId(span.spanId, 8);
        if (span.parentSpanId !== undefined) span.parentSpanId = hexOfId(span.parentSpanId, 8);
      }
    }
  }
  return { resourceSpans: list };
}
