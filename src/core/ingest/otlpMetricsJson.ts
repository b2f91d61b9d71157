/**
 * Decoder of OTLP/JSON ExportMetricsServiceRequest bodies: one JSON.parse, then a walk that reads
 * only histogram data points of the HTTP server duration metrics. Other metrics are counted as
 * ignored; a malformed data point of ours is counted as rejected; only a body that is not a JSON
 * object, or whose `resourceMetrics` is not a list, throws DecodeError.
 */
import { applyResourceField, fieldForKey, finishResource, newResource } from './attributeFields';
import { MAX_ITEMS_PER_REQUEST } from './limits';
import { applyPointAttr, finishPoint, newDraft } from './metricPoint';
import { durationMetricOf, msPerUnit, newMetricsBatch, pointAttrOf, rejectPoint, type DecodedMetrics, type DurationMetric } from './metricRecords';
import { split, toMs } from './nanoTime';
import { isObj, type Obj, scalar, splitTime } from './otlpJsonValues';
import { DecodeError, TooManyItemsError, type ResourceInfo } from './records';

const TEMPORALITIES = new Map<string, number>([
  ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 0],
  ['AGGREGATION_TEMPORALITY_DELTA', 1],
  ['AGGREGATION_TEMPORALITY_CUMULATIVE', 2],
]);
const FLAG_NO_RECORDED_VALUE = 1;

/** An optional repeated field: absent gives [], a wrong type gives null. */
function listOf(o: Obj, key: string): unknown[] | null {
  const v = o[key];
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : null;
}

/** Decodes an OTLP/JSON ExportMetricsServiceRequest. */
export function decodeMetricsRequestJson(text: string): DecodedMetrics {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`invalid JSON: ${(err as Error).message.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  if (!isObj(root)) throw new DecodeError('OTLP/JSON body must be an object');
  const list = listOf(root, 'resourceMetrics');
  if (list === null) throw new DecodeError('resourceMetrics must be an array');
  checkItemCount(list);
  const out = newMetricsBatch();
  for (const item of list) {
    if (!isObj(item)) {
      rejectPoint(out, 'resourceMetrics item is not an object');
      continue;
    }
    const res = resourceOf(item.resource);
    const scopes = listOf(item, 'scopeMetrics');
    if (res === null || scopes === null) {
      rejectPoint(out, 'resourceMetrics item has a malformed resource or scopeMetrics');
      continue;
    }
    const resourceId = canonical(item.resource);
    for (const scope of scopes) {
      const metrics = isObj(scope) ? listOf(scope, 'metrics') : null;
      if (metrics === null) {
        rejectPoint(out, 'scopeMetrics item is not an object with a metrics array');
        continue;
      }
      const scopeId = `${resourceId}\u0000${canonical((scope as Obj).scope)}`;
      for (const metric of metrics) readMetric(metric, res, scopeId, out);
    }
  }
  return out;
}

/** Metrics and data points are counted before any record is built: a request over the cap must not exhaust the heap first. */
function checkItemCount(list: unknown[]): void {
  let count = 0;
  for (const item of list) {
    const scopes = isObj(item) ? item.scopeMetrics : undefined;
    if (!Array.isArray(scopes)) continue;
    for (const scope of scopes) {
      const metrics = isObj(scope) ? scope.metrics : undefined;
      if (!Array.isArray(metrics)) continue;
      count += metrics.length;
      for (const m of metrics) {
        const h = isObj(m) ? m.histogram : undefined;
        if (isObj(h) && Array.isArray(h.dataPoints)) count += h.dataPoints.length;
      }
    }
  }
  if (count > MAX_ITEMS_PER_REQUEST) throw new TooManyItemsError(`request carries ${count} metrics and data points, more than the limit of ${MAX_ITEMS_PER_REQUEST}: send smaller batches`);
}

function resourceOf(r: unknown): ResourceInfo | null {
  const res = newResource();
  if (r !== undefined && r !== null) {
    const attrs = isObj(r) ? listOf(r, 'attributes') : null;
    if (attrs === null) return null;
    for (const kv of attrs) {
      if (!isObj(kv) || typeof kv.key !== 'string') continue;
      const field = fieldForKey(kv.key);
      if (field !== 0) applyResourceField(res, field, scalar(kv.value));
    }
  }
  finishResource(res);
  return res;
}

/** A value's identity independent of the order of its attributes. */
function canonical(v: unknown): string {
  if (!isObj(v)) return '';
  const attrs = Array.isArray(v.attributes) ? v.attributes.map((a) => JSON.stringify(a)).sort() : [];
  return JSON.stringify({ ...v, attributes: attrs });
}

function readMetric(m: unknown, res: ResourceInfo, scopeId: string, out: DecodedMetrics): void {
  const name = isObj(m) && typeof m.name === 'string' ? m.name : '';
  const metric = durationMetricOf(name);
  if (metric === null || !isObj(m)) {
    out.ignored++;
    return;
  }
  const h = m.histogram;
  // Exponential histograms change scale between cumulative exports; they are skipped, counted.
  if (!isObj(h)) {
    out.ignored++;
    return;
  }
  const temporality = enumOf(h.aggregationTemporality);
  const points = listOf(h, 'dataPoints');
  if (points === null) {
    rejectPoint(out, `${metric}: dataPoints is not an array`);
    return;
  }
  const scale = msPerUnit(metric, typeof m.unit === 'string' ? m.unit : '');
  for (const p of points) readPoint(p, res, metric, scale, temporality, `${metric}\u0000${scopeId}`, out);
}

function enumOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return TEMPORALITIES.get(v) ?? -1;
  return 0;
}

function readPoint(p: unknown, res: ResourceInfo, metric: DurationMetric, scale: number, temporality: number, seriesId: string, out: DecodedMetrics): void {
  if (!isObj(p)) {
    rejectPoint(out, `${metric} data point is not an object`);
    return;
  }
  const d = newDraft(res, metric, scale, temporality);
  const attrs = listOf(p, 'attributes');
  const counts = listOf(p, 'bucketCounts');
  const bounds = listOf(p, 'explicitBounds');
  if (attrs === null || counts === null || bounds === null) {
    rejectPoint(out, `${metric} data point: attributes, bucketCounts or explicitBounds is not an array`);
    return;
  }
  const ids: string[] = [];
  for (const kv of attrs) {
    ids.push(JSON.stringify(kv));
    if (isObj(kv) && typeof kv.key === 'string') applyPointAttr(d, pointAttrOf(kv.key), scalar(kv.value));
  }
  d.identity = `${seriesId}\u0000${ids.sort().join('\u0000')}`;
  d.startMs = timeOf(p.startTimeUnixNano);
  d.timeMs = timeOf(p.timeUnixNano);
  d.count = numberOf(p.count);
  d.sum = optionalDouble(p.sum);
  d.min = optionalDouble(p.min);
  d.max = optionalDouble(p.max);
  d.counts = counts.map(numberOf);
  d.bounds = bounds.map(doubleOf);
  const flags = p.flags;
  d.noRecordedValue = typeof flags === 'number' && (flags & FLAG_NO_RECORDED_VALUE) !== 0;
  finishPoint(d, out);
}

/** A timestamp in ms; NaN for a wrong type, 0 when absent. */
function timeOf(v: unknown): number {
  return splitTime(v) ? toMs(split.ms, split.ns) : NaN;
}

/** A (u)int64, sent as a decimal string or a number; NaN when neither. */
function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return Number(v);
  return NaN;
}

/** proto3 JSON writes doubles as numbers, or as the strings "NaN", "Infinity", "-Infinity". */
function doubleOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

/** An optional double: NaN when absent; Infinity (rejected by validation) when of the wrong type. */
function optionalDouble(v: unknown): number {
  if (v === undefined || v === null) return NaN;
  const n = doubleOf(v);
  return Number.isNaN(n) ? Infinity : n;
}
