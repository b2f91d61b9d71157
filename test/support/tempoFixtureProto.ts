/**
 * OTLP/HTTP protobuf for the Tempo fixture's `POST /v1/traces` (Tempo's distributor takes it, and the
 * SDK's `exporter-trace-otlp-proto` sends it). Decodes an ExportTraceServiceRequest into the OTLP/JSON
 * shape the fixture holds (hex ids, enums as numbers, 64-bit integers as strings). Field numbers are
 * facts from opentelemetry-proto (collector/trace/v1, trace/v1, common/v1, resource/v1). Written
 * apart from the receiver's decoder on purpose, so the fixture never agrees with a bug it is testing.
 */

type Obj = Record<string, unknown>;

/** One field of a message: its number, wire type and raw value. */
interface Field {
  no: number;
  wire: number;
  varint?: bigint;
  bytes?: Buffer;
}

function varint(buf: Buffer, at: { i: number }): bigint {
  let v = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (at.i >= buf.length) throw new Error('protobuf: truncated varint');
    const b = buf[at.i++];
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return v;
  }
  throw new Error('protobuf: varint longer than 10 bytes');
}

/** The fields of one message in order; unknown fields are kept for the caller to skip (proto3). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  const at = { i: 0 };
  while (at.i < buf.length) {
    const tag = Number(varint(buf, at));
    const no = tag >>> 3;
    const wire = tag & 7;
    if (no === 0) throw new Error('protobuf: field number 0');
    const take = (n: number): Buffer => {
      if (at.i + n > buf.length) throw new Error(`protobuf: field ${no} runs past the end`);
      const b = buf.subarray(at.i, at.i + n);
      at.i += n;
      return b;
    };
    if (wire === 0) out.push({ no, wire, varint: varint(buf, at) });
    else if (wire === 1) out.push({ no, wire, bytes: take(8) });
    else if (wire === 2) out.push({ no, wire, bytes: take(Number(varint(buf, at))) });
    else if (wire === 5) out.push({ no, wire, bytes: take(4) });
    else throw new Error(`protobuf: wire type ${wire} (field ${no}) is not used by OTLP`);
  }
  return out;
}

const str = (f: Field): string => f.bytes!.toString('utf8');
const hex = (f: Field): string => f.bytes!.toString('hex');
const u64 = (f: Field): string => f.bytes!.readBigUInt64LE(0).toString();
const num = (f: Field): number => Number(f.varint);

function anyValue(buf: Buffer): Obj {
  let out: Obj = {};
  for (const f of fields(buf)) {
    if (f.no === 1 && f.wire === 2) out = { stringValue: str(f) };
    else if (f.no === 2 && f.wire === 0) out = { boolValue: f.varint !== 0n };
    else if (f.no === 3 && f.wire === 0) out = { intValue: BigInt.asIntN(64, f.varint!).toString() };
    else if (f.no === 4 && f.wire === 1) out = { doubleValue: f.bytes!.readDoubleLE(0) };
    else if (f.no === 5 && f.wire === 2) out = { arrayValue: { values: repeated(f.bytes!, 1, anyValue) } };
    else if (f.no === 6 && f.wire === 2) out = { kvlistValue: { values: repeated(f.bytes!, 1, keyValue) } };
    else if (f.no === 7 && f.wire === 2) out = { bytesValue: f.bytes!.toString('base64') };
  }
  return out;
}

function keyValue(buf: Buffer): Obj {
  const out: Obj = { key: '', value: {} };
  for (const f of fields(buf)) {
    if (f.no === 1 && f.wire === 2) out.key = str(f);
    else if (f.no === 2 && f.wire === 2) out.value = anyValue(f.bytes!);
  }
  return out;
}

/** Every length-delimited field `no` of `buf`, each decoded by `decode`. */
function repeated(buf: Buffer, no: number, decode: (b: Buffer) => Obj): Obj[] {
  return fields(buf)
    .filter((f) => f.no === no && f.wire === 2)
    .map((f) => decode(f.bytes!));
}

/** A message's scalar fields by number (`name: decoder`), plus its repeated attributes at `attrNo`. */
function message(buf: Buffer, scalars: Record<number, [string, (f: Field) => unknown]>, attrNo?: number): Obj {
  const out: Obj = {};
  for (const f of fields(buf)) {
    const known = Object.hasOwn(scalars, f.no) ? scalars[f.no] : undefined;
    if (known !== undefined) out[known[0]] = known[1](f);
  }
  const attributes = attrNo === undefined ? [] : repeated(buf, attrNo, keyValue);
  // As the SDK's JSON leaves them: no attributes, no list.
  if (attributes.length > 0) out.attributes = attributes;
  return out;
}

function span(buf: Buffer): Obj {
  const out = message(
    buf,
    {
      1: ['traceId', hex],
      2: ['spanId', hex],
      3: ['traceState', str],
      4: ['parentSpanId', hex],
      5: ['name', str],
      6: ['kind', num],
      7: ['startTimeUnixNano', u64],
      8: ['endTimeUnixNano', u64],
      10: ['droppedAttributesCount', num],
    },
    9,
  );
  out.events = repeated(buf, 11, (b) => message(b, { 1: ['timeUnixNano', u64], 2: ['name', str] }, 3));
  out.links = repeated(buf, 13, (b) => message(b, { 1: ['traceId', hex], 2: ['spanId', hex], 3: ['traceState', str] }, 4));
  const status = fields(buf).find((f) => f.no === 15 && f.wire === 2);
  if (status !== undefined) out.status = message(status.bytes!, { 2: ['message', str], 3: ['code', num] });
  return out;
}

/** An ExportTraceServiceRequest in protobuf as the OTLP/JSON object the fixture holds; throws on a malformed body. */
export function exportRequestOfProtobuf(body: Buffer): Obj {
  const resourceSpans = repeated(body, 1, (rs) => {
    const resource = fields(rs).find((f) => f.no === 1 && f.wire === 2);
    const scopeSpans = repeated(rs, 2, (ss) => {
      const scope = fields(ss).find((f) => f.no === 1 && f.wire === 2);
      return { scope: scope === undefined ? {} : message(scope.bytes!, { 1: ['name', str], 2: ['version', str] }, 3), spans: repeated(ss, 2, span) };
    });
    return { resource: resource === undefined ? {} : message(resource.bytes!, {}, 1), scopeSpans };
  });
  return { resourceSpans };
}
