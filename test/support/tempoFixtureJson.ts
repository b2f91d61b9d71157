/**
 * How the Tempo fixture holds traces and writes them back. It takes OTLP/JSON as an OpenTelemetry
 * SDK exports it (hex ids, enums as numbers) and answers in the encoding Tempo's HTTP API uses: the
 * proto3 JSON mapping of its own protobuf messages (pkg/tempopb/tempo.proto, trace/v1), written by
 * gogo's jsonpb with its defaults: `bytes` ids as base64, enums by name, 64-bit integers as strings,
 * zero values left out. Facts from the proto and the JSON mapping only; nothing copied.
 */
import type { FixtureSpan } from './tempoFixtureTraceql';

type Obj = Record<string, unknown>;

const KIND_NAMES = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The plain value of an OTLP AnyValue. */
export function anyValue(v: unknown): unknown {
  if (!isObj(v)) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  return undefined;
}

function attributeMap(attrs: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const kv of list(attrs)) if (isObj(kv) && typeof kv.key === 'string') out.set(kv.key, anyValue(kv.value));
  return out;
}

/** One held trace: its resource spans as exported (OTLP/JSON) and its spans for evaluation. */
export interface HeldTrace {
  traceId: string;
  resourceSpans: Obj[];
  spans: FixtureSpan[];
}

/** Files an OTLP/JSON export request into `traces` (by lowercase trace id); returns the spans taken. */
export function holdExport(traces: Map<string, HeldTrace>, body: unknown): number {
  if (!isObj(body) || !Array.isArray(body.resourceSpans)) throw new Error('expected an ExportTraceServiceRequest with resourceSpans');
  let taken = 0;
  for (const rs of body.resourceSpans) {
    if (!isObj(rs)) continue;
    const resource = attributeMap(isObj(rs.resource) ? rs.resource.attributes : undefined);
    // One resource span per trace, so a trace answer carries only its own spans.
    const perTrace = new Map<string, Obj[]>();
    for (const ss of list(rs.scopeSpans)) {
      if (!isObj(ss)) continue;
      for (const s of list(ss.spans)) {
        if (!isObj(s) || typeof s.traceId !== 'string' || typeof s.spanId !== 'string') continue;
        const traceId = s.traceId.toLowerCase();
        let held = traces.get(traceId);
        if (held === undefined) traces.set(traceId, (held = { traceId, resourceSpans: [], spans: [] }));
        held.spans.push({
          traceId,
          spanId: s.spanId.toLowerCase(),
          parentSpanId: typeof s.parentSpanId === 'string' ? s.parentSpanId.toLowerCase() : '',
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          startNs: BigInt(String(s.startTimeUnixNano ?? 0)),
          endNs: BigInt(String(s.endTimeUnixNano ?? 0)),
          statusCode: isObj(s.status) ? Number(s.status.code ?? 0) : 0,
          attributes: attributeMap(s.attributes),
          resource,
        });
        const key = `${traceId}|${String(isObj(ss.scope) ? ss.scope.name : '')}`;
        const group = perTrace.get(key) ?? [];
        group.push(s);
        perTrace.set(key, group);
        taken++;
      }
    }
    for (const [key, spans] of perTrace) {
      const traceId = key.slice(0, key.indexOf('|'));
      const scope = list(rs.scopeSpans).find((ss) => isObj(ss) && String(isObj(ss.scope) ? ss.scope.name : '') === key.slice(key.indexOf('|') + 1)) as Obj;
      traces.get(traceId)!.resourceSpans.push({ resource: rs.resource, scopeSpans: [{ scope: scope.scope, spans }] });
    }
  }
  return taken;
}

function base64OfHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

function jsonpbValue(v: unknown): unknown {
  if (!isObj(v)) return v;
  if ('intValue' in v) return { intValue: String(v.intValue) };
  if ('arrayValue' in v && isObj(v.arrayValue)) return { arrayValue: { values: list(v.arrayValue.values).map(jsonpbValue) } };
  return v;
}

function jsonpbAttributes(attrs: unknown): unknown[] | undefined {
  const out = list(attrs)
    .filter(isObj)
    .map((kv) => ({ key: kv.key, value: jsonpbValue(kv.value) }));
  return out.length > 0 ? out : undefined;
}

/** A value written as jsonpb does: zero values (0, '', [], undefined) left out. */
function compact(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === 0 || v === '' || v === '0' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}

function jsonpbSpan(s: Obj): Obj {
  const status = isObj(s.status) ? s.status : {};
  const code = Number(status.code ?? 0);
  return compact({
    traceId: base64OfHex(String(s.traceId)),
    spanId: base64OfHex(String(s.spanId)),
    traceState: s.traceState,
    parentSpanId: typeof s.parentSpanId === 'string' && s.parentSpanId !== '' ? base64OfHex(s.parentSpanId) : undefined,
    name: s.name,
    kind: Number(s.kind ?? 0) === 0 ? undefined : KIND_NAMES[Number(s.kind)],
    startTimeUnixNano: String(s.startTimeUnixNano ?? '0'),
    endTimeUnixNano: String(s.endTimeUnixNano ?? '0'),
    attributes: jsonpbAttributes(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount,
    events: list(s.events)
      .filter(isObj)
      .map((e) => compact({ timeUnixNano: String(e.timeUnixNano ?? '0'), name: e.name, attributes: jsonpbAttributes(e.attributes) })),
    links: list(s.links)
      .filter(isObj)
      .map((l) => compact({ traceId: base64OfHex(String(l.traceId)), spanId: base64OfHex(String(l.spanId)), attributes: jsonpbAttributes(l.attributes) })),
    status: compact({ message: status.message, code: code === 0 ? undefined : STATUS_NAMES[code] }),
  });
}

/** A held trace's resource spans as Tempo's Trace message writes them in JSON. */
export function jsonpbResourceSpans(trace: HeldTrace): Obj[] {
  return trace.resourceSpans.map((rs) =>
    compact({
      resource: isObj(rs.resource) ? compact({ attributes: jsonpbAttributes(rs.resource.attributes) }) : undefined,
      scopeSpans: list(rs.scopeSpans)
        .filter(isObj)
        .map((ss) => compact({ scope: ss.scope, spans: list(ss.spans).filter(isObj).map(jsonpbSpan) })),
    }),
  );
}

/** A trace id as Tempo's search answer writes it: hex without leading zeros. */
export function searchTraceId(id: string): string {
  return id.replace(/^0+/, '');
}
