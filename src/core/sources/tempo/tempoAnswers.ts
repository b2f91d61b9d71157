/**
 * Tempo's answers, validated into typed values (shapes from tempo.proto in the proto3 JSON mapping:
 * 64-bit integers may come as strings, zero values may be absent). A parser throws a one-line Error
 * naming what is wrong; the transport turns it into an `invalid` outcome.
 */

type Obj = Record<string, unknown>;

/** One trace found by a TraceQL search. */
export interface TempoTraceHit {
  /** 32 lowercase hex digits (Tempo leaves leading zeros out; they are put back). */
  traceId: string;
  rootServiceName: string;
  rootTraceName: string;
  /** Unix ms. */
  startMs: number;
  durationMs: number;
  /** Spans that matched, over all span sets. */
  matched: number;
}

/** A label value of a metrics series: Tempo types it (string, int, double, bool), or leaves it empty for a missing attribute. */
export type LabelValue = string | number | boolean | null;

/** One series of a TraceQL metrics answer. */
export interface TempoSeries {
  labels: Map<string, LabelValue>;
  /** Oldest first; `t` is Unix ms (the end of the sample's interval). */
  samples: { t: number; value: number }[];
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function listOf(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`${what} is not a list`);
  return v;
}

/** A proto3 JSON 64-bit integer (number or decimal string); absent is 0. */
function integer(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return Number(v);
  throw new Error(`${what} is not an integer`);
}

/** A proto3 JSON double: a number, or one of the strings the mapping allows. */
function double(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new Error(`${what} is not a number`);
}

/** Unix ms of a nanosecond timestamp given as a decimal string, without losing the digits a double would. */
function nanosToMs(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return v.length <= 6 ? Number(v) / 1e6 : Number(v.slice(0, -6)) + Number(v.slice(-6)) / 1e6;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v / 1e6;
  throw new Error(`${what} is not a nanosecond timestamp`);
}

function text(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new Error(`${what} is not a string`);
  return v;
}

/** A trace id as 32 lowercase hex digits; throws unless `v` is hex of at most 128 bits. */
export function fullTraceId(v: unknown): string {
  if (typeof v !== 'string' || !/^[0-9a-fA-F]{1,32}$/.test(v)) throw new Error(`trace id ${JSON.stringify(v)?.slice(0, 40)} is not hex of at most 32 digits`);
  return v.toLowerCase().padStart(32, '0');
}

/** Parses the answer of `GET /api/search`. */
export function parseSearchAnswer(body: unknown): TempoTraceHit[] {
  if (!isObj(body)) throw new Error('search answer is not an object');
  return listOf(body.traces, 'traces').map((t, i) => {
    if (!isObj(t)) throw new Error(`traces[${i}] is not an object`);
    const sets = t.spanSets !== undefined ? listOf(t.spanSets, `traces[${i}].spanSets`) : t.spanSet !== undefined ? [t.spanSet] : [];
    let matched = 0;
    for (const s of sets) if (isObj(s)) matched += integer(s.matched, `traces[${i}].spanSets[].matched`);
    return {
      traceId: fullTraceId(t.traceID),
      rootServiceName: text(t.rootServiceName, `traces[${i}].rootServiceName`),
      rootTraceName: text(t.rootTraceName, `traces[${i}].rootTraceName`),
      startMs: nanosToMs(t.startTimeUnixNano, `traces[${i}].startTimeUnixNano`),
      durationMs: integer(t.durationMs, `traces[${i}].durationMs`),
      matched,
    };
  });
}

function labelValue(v: unknown, what: string): LabelValue {
  if (!isObj(v)) throw new Error(`${what} is not an AnyValue`);
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (v.intValue !== undefined) return integer(v.intValue, what);
  if (v.doubleValue !== undefined) return double(v.doubleValue, what);
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  return null;
}

/** Parses the answer of `GET /api/metrics/query_range`. */
export function parseQueryRangeAnswer(body: unknown): TempoSeries[] {
  if (!isObj(body)) throw new Error('query_range answer is not an object');
  return listOf(body.series, 'series').map((s, i) => {
    if (!isObj(s)) throw new Error(`series[${i}] is not an object`);
    const labels = new Map<string, LabelValue>();
    for (const kv of listOf(s.labels, `series[${i}].labels`)) {
      if (!isObj(kv) || typeof kv.key !== 'string') throw new Error(`series[${i}] has a label without a key`);
      labels.set(kv.key, labelValue(kv.value ?? {}, `series[${i}] label ${kv.key}`));
    }
    const samples = listOf(s.samples, `series[${i}].samples`).map((p) => {
      if (!isObj(p)) throw new Error(`series[${i}] has a sample that is not an object`);
      return { t: integer(p.timestampMs, `series[${i}].samples[].timestampMs`), value: double(p.value, `series[${i}].samples[].value`) };
    });
    return { labels, samples: samples.filter((p) => !Number.isNaN(p.value)) };
  });
}
