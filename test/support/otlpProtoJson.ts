/**
 * Converts a recorded OTLP/protobuf ExportTraceServiceRequest into its OTLP/JSON form (the
 * OTLP spec's JSON encoding: hex ids, int64 as decimal strings, enums as integers, bytes as
 * base64), field numbers from opentelemetry-proto. It lets the JSON decoders be tried on what the
 * real Go, Java, Python and Node SDKs send, which those SDKs only export as protobuf.
 */
import { ProtoReader } from '../../src/core/ingest/protobufReader';

type Json = Record<string, unknown>;
type Fields = (r: ProtoReader, no: number, wireType: number, end: number, out: Json) => boolean;

/** Reads the message in [r.pos, end) with `fields`; fields it does not take are skipped. */
function message(r: ProtoReader, end: number, fields: Fields): Json {
  const out: Json = {};
  while (r.pos < end) {
    const tag = r.tag();
    if (!fields(r, tag >>> 3, tag & 7, end, out)) r.skipField(tag, end);
  }
  return out;
}

function sub(r: ProtoReader, end: number, fields: Fields): Json {
  const len = r.length(end);
  const stop = r.pos + len;
  const m = message(r, stop, fields);
  r.pos = stop;
  return m;
}

function push(out: Json, key: string, v: unknown): void {
  ((out[key] ??= []) as unknown[]).push(v);
}

function str(r: ProtoReader, end: number): string {
  return r.string(r.length(end));
}

function hex(r: ProtoReader, end: number): string {
  const len = r.length(end);
  return len === 0 ? '' : r.hex(len).padStart(2 * len, '0');
}

function fixed64(r: ProtoReader): string {
  r.fixed64();
  return ((BigInt(r.hi) << 32n) | BigInt(r.lo)).toString();
}

const anyValue: Fields = (r, no, wt, end, out) => {
  if (no === 1 && wt === 2) out.stringValue = str(r, end);
  else if (no === 2 && wt === 0) out.boolValue = r.varint64() !== 0;
  else if (no === 3 && wt === 0) out.intValue = String(r.varint64());
  else if (no === 4 && wt === 1) out.doubleValue = r.double();
  else if (no === 5 && wt === 2) out.arrayValue = sub(r, end, (r2, n2, w2, e2, o2) => n2 === 1 && w2 === 2 && (push(o2, 'values', sub(r2, e2, anyValue)), true));
  else if (no === 6 && wt === 2) out.kvlistValue = sub(r, end, (r2, n2, w2, e2, o2) => n2 === 1 && w2 === 2 && (push(o2, 'values', sub(r2, e2, keyValue)), true));
  else if (no === 7 && wt === 2) {
    const len = r.length(end);
    out.bytesValue = Buffer.from(r.buf.subarray(r.pos, r.pos + len)).toString('base64');
    r.pos += len;
  } else return false;
  return true;
};

const keyValue: Fields = (r, no, wt, end, out) => {
  if (no === 1 && wt === 2) out.key = str(r, end);
  else if (no === 2 && wt === 2) out.value = sub(r, end, anyValue);
  else return false;
  return true;
};

const attributes = (r: ProtoReader, end: number, out: Json): true => (push(out, 'attributes', sub(r, end, keyValue)), true);

const scope: Fields = (r, no, wt, end, out) => {
  if (no === 1 && wt === 2) out.name = str(r, end);
  else if (no === 2 && wt === 2) out.version = str(r, end);
  else if (no === 3 && wt === 2) return attributes(r, end, out);
  else return false;
  return true;
};

const event: Fields = (r, no, wt, end, out) => {
  if (no === 1 && wt === 1) out.timeUnixNano = fixed64(r);
  else if (no === 2 && wt === 2) out.name = str(r, end);
  else if (no === 3 && wt === 2) return attributes(r, end, out);
  else return false;
  return true;
};

const status: Fields = (r, no, wt, end, out) => {
  if (no === 2 && wt === 2) out.message = str(r, end);
  else if (no === 3 && wt === 0) out.code = r.varint64();
  else return false;
  return true;
};

const span: Fields = (r, no, wt, end, out) => {
  if (no === 1 && wt === 2) out.traceId = hex(r, end);
  else if (no === 2 && wt === 2) out.spanId = hex(r, end);
  else if (no === 3 && wt === 2) out.traceState = str(r, end);
  else if (no === 4 && wt === 2) out.parentSpanId = hex(r, end);
  else if (no === 16 && wt === 5) out.flags = r.fixed32();
  else if (no === 5 && wt === 2) out.name = str(r, end);
  else if (no === 6 && wt === 0) out.kind = r.varint64();
  else if (no === 7 && wt === 1) out.startTimeUnixNano = fixed64(r);
  else if (no === 8 && wt === 1) out.endTimeUnixNano = fixed64(r);
  else if (no === 9 && wt === 2) return attributes(r, end, out);
  else if (no === 10 && wt === 0) out.droppedAttributesCount = r.varint64();
  else if (no === 11 && wt === 2) push(out, 'events', sub(r, end, event));
  else if (no === 15 && wt === 2) out.status = sub(r, end, status);
  else return false;
  return true;
};

const scopeSpans: Fields = (r, no, wt, end, out) => {
  if (no === 1 && wt === 2) out.scope = sub(r, end, scope);
  else if (no === 2 && wt === 2) push(out, 'spans', sub(r, end, span));
  else if (no === 3 && wt === 2) out.schemaUrl = str(r, end);
  else return false;
  return true;
};

const resourceSpans: Fields = (r, no, wt, end, out) => {
  if (no === 1 && wt === 2) out.resource = sub(r, end, (r2, n2, w2, e2, o2) => n2 === 1 && w2 === 2 && attributes(r2, e2, o2));
  else if (no === 2 && wt === 2) push(out, 'scopeSpans', sub(r, end, scopeSpans));
  else if (no === 3 && wt === 2) out.schemaUrl = str(r, end);
  else return false;
  return true;
};

/** The OTLP/JSON text of a protobuf ExportTraceServiceRequest. */
export function traceRequestJson(proto: Uint8Array): string {
  const r = new ProtoReader(proto);
  const root = message(r, proto.byteLength, (r2, no, wt, end, out) => no === 1 && wt === 2 && (push(out, 'resourceSpans', sub(r2, end, resourceSpans)), true));
  return JSON.stringify(root);
}
