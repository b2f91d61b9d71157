/**
 * Decoder of OTLP/HTTP protobuf ExportMetricsServiceRequest bodies. Field numbers follow
 * opentelemetry-proto (collector/metrics/v1, metrics/v1, common/v1, resource/v1). Only histogram
 * data points of the HTTP server duration metrics are decoded; every other metric is skipped
 * without allocating and counted as ignored. Repeated numbers are read packed or unpacked, as
 * the wire format requires of a parser.
 */
import { applyResourceField, fieldForKeyBytes, finishResource, newResource } from './attributeFields';
import { MAX_ITEMS_PER_REQUEST } from './limits';
import { applyPointAttr, finishPoint, newDraft, type PointDraft } from './metricPoint';
import { durationMetricOf, MAX_HISTOGRAM_BUCKETS, msPerUnit, newMetricsBatch, pointAttrOf, type DecodedMetrics, type DurationMetric } from './metricRecords';
import { split, splitFixed64, toMs } from './nanoTime';
import { ProtoReader } from './protobufReader';
import { readScalarAt } from './protoScalar';
import { TooManyItemsError, type ResourceInfo } from './records';

// Tags are (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited).
const LEN_1 = (1 << 3) | 2;
const LEN_2 = (2 << 3) | 2;
const METRIC_UNIT = (3 << 3) | 2;
const METRIC_HISTOGRAM = (9 << 3) | 2;
const METRIC_EXP_HISTOGRAM = (10 << 3) | 2;
const HISTOGRAM_TEMPORALITY = (2 << 3) | 0;
const P_START = (2 << 3) | 1;
const P_TIME = (3 << 3) | 1;
const P_COUNT = (4 << 3) | 1;
const P_SUM = (5 << 3) | 1;
const P_COUNTS_PACKED = (6 << 3) | 2;
const P_COUNTS_ONE = (6 << 3) | 1;
const P_BOUNDS_PACKED = (7 << 3) | 2;
const P_BOUNDS_ONE = (7 << 3) | 1;
const P_ATTRIBUTES = (9 << 3) | 2;
const P_FLAGS = (10 << 3) | 0;
const P_MIN = (11 << 3) | 1;
const P_MAX = (12 << 3) | 1;
const FLAG_NO_RECORDED_VALUE = 1;
/** Longest metric name or unit compared; ours are far shorter. */
const MAX_NAME_BYTES = 64;

/** Decodes an ExportMetricsServiceRequest; throws DecodeError only for a structurally broken body. */
export function decodeMetricsRequestProto(bytes: Uint8Array): DecodedMetrics {
  const r = new ProtoReader(bytes);
  const out = newMetricsBatch();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === LEN_1) {
      const len = r.length(r.end);
      readResourceMetrics(r, r.pos + len, out);
    } else r.skipField(tag, r.end);
  }
  return out;
}

function checkItemCount(out: DecodedMetrics): void {
  const count = out.points.length + out.ignored + out.rejected;
  if (count >= MAX_ITEMS_PER_REQUEST) throw new TooManyItemsError(`request carries more than ${MAX_ITEMS_PER_REQUEST} metrics and data points: send smaller batches`);
}

/** The raw bytes of [start, end) as a string, for identities. */
function bytesOf(r: ProtoReader, start: number, end: number): string {
  return r.buf.toString('latin1', start, end);
}

function readResourceMetrics(r: ProtoReader, end: number, out: DecodedMetrics): void {
  // Scopes may legally precede the resource on the wire: they are read once the resource is known.
  const res = newResource();
  let resourceId = '';
  const scopes: [number, number][] = [];
  while (r.pos < end) {
    const tag = r.tag();
    const len = tag === LEN_1 || tag === LEN_2 ? r.length(end) : -1;
    if (tag === LEN_1) {
      resourceId = bytesOf(r, r.pos, r.pos + len);
      readResource(r, r.pos + len, res);
    } else if (tag === LEN_2) {
      scopes.push([r.pos, r.pos + len]);
      r.pos += len;
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
  finishResource(res);
  for (const [start, stop] of scopes) {
    r.pos = start;
    readScopeMetrics(r, stop, res, resourceId, out);
  }
  r.pos = end;
}

function readResource(r: ProtoReader, end: number, res: ResourceInfo): void {
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN_1) {
      const len = r.length(end);
      const kv = readKeyValue(r, r.pos + len);
      const field = fieldForKeyBytes(r.buf, kv.keyStart, kv.keyLen);
      if (field !== 0) applyResourceField(res, field, readScalarAt(r, kv.valueStart, kv.valueEnd));
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
}

function readScopeMetrics(r: ProtoReader, end: number, res: ResourceInfo, resourceId: string, out: DecodedMetrics): void {
  let scopeId = '';
  const metrics: [number, number][] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN_1 || tag === LEN_2) {
      const len = r.length(end);
      if (tag === LEN_1) scopeId = bytesOf(r, r.pos, r.pos + len);
      else metrics.push([r.pos, r.pos + len]);
      r.pos += len;
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
  const id = `${resourceId}\u0000${scopeId}`;
  for (const [start, stop] of metrics) {
    checkItemCount(out);
    r.pos = start;
    readMetric(r, stop, res, id, out);
  }
  r.pos = end;
}

function readMetric(r: ProtoReader, end: number, res: ResourceInfo, scopeId: string, out: DecodedMetrics): void {
  let name = '';
  let unit = '';
  let histogram: [number, number] | null = null;
  let exponential = false;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN_1 || tag === METRIC_UNIT || tag === METRIC_HISTOGRAM) {
      const len = r.length(end);
      if (tag === METRIC_HISTOGRAM) histogram = [r.pos, r.pos + len];
      else if (len <= MAX_NAME_BYTES) {
        if (tag === LEN_1) name = r.buf.toString('utf8', r.pos, r.pos + len);
        else unit = r.buf.toString('utf8', r.pos, r.pos + len);
      }
      r.pos += len;
    } else {
      if (tag === METRIC_EXP_HISTOGRAM) exponential = true;
      r.skipField(tag, end);
    }
  }
  r.expectEnd(end);
  const metric = durationMetricOf(name);
  // Exponential histograms change scale between cumulative exports; they are skipped, counted.
  if (metric === null || histogram === null || exponential) {
    out.ignored++;
    return;
  }
  r.pos = histogram[0];
  readHistogram(r, histogram[1], res, metric, msPerUnit(metric, unit), `${metric}\u0000${scopeId}`, out);
  r.pos = end;
}

function readHistogram(r: ProtoReader, end: number, res: ResourceInfo, metric: DurationMetric, scale: number, seriesId: string, out: DecodedMetrics): void {
  let temporality = 0;
  const points: [number, number][] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN_1) {
      const len = r.length(end);
      points.push([r.pos, r.pos + len]);
      r.pos += len;
    } else if (tag === HISTOGRAM_TEMPORALITY) temporality = r.varint32();
    else r.skipField(tag, end);
  }
  r.expectEnd(end);
  for (const [start, stop] of points) {
    checkItemCount(out);
    r.pos = start;
    const d = newDraft(res, metric, scale, temporality);
    readPoint(r, stop, d);
    d.identity = `${seriesId}\u0000${d.identity}`;
    finishPoint(d, out);
  }
  r.pos = end;
}

/** Reads a fixed64 as a Number: exact below 2^53, which the validation then requires of counts. */
function readUint64(r: ProtoReader): number {
  r.fixed64();
  return r.hi * 4294967296 + r.lo;
}

function readTime(r: ProtoReader): number {
  r.fixed64();
  splitFixed64(r.hi, r.lo);
  return toMs(split.ms, split.ns);
}

function readPoint(r: ProtoReader, end: number, d: PointDraft): void {
  const attrs: string[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case P_ATTRIBUTES: {
        const len = r.length(end);
        const stop = r.pos + len;
        attrs.push(bytesOf(r, r.pos, stop));
        const kv = readKeyValue(r, stop);
        const code = kv.keyLen <= MAX_NAME_BYTES ? pointAttrOf(r.buf.toString('utf8', kv.keyStart, kv.keyStart + kv.keyLen)) : 0;
        if (code !== 0) applyPointAttr(d, code, readScalarAt(r, kv.valueStart, kv.valueEnd));
        break;
      }
      case P_START:
        d.startMs = readTime(r);
        break;
      case P_TIME:
        d.timeMs = readTime(r);
        break;
      case P_COUNT:
        d.count = readUint64(r);
        break;
      case P_SUM:
        d.sum = r.double();
        break;
      case P_MIN:
        d.min = r.double();
        break;
      case P_MAX:
        d.max = r.double();
        break;
      case P_FLAGS:
        d.noRecordedValue = (r.varint32() & FLAG_NO_RECORDED_VALUE) !== 0;
        break;
      case P_COUNTS_ONE:
        pushBounded(d, d.counts, readUint64(r));
        break;
      case P_BOUNDS_ONE:
        pushBounded(d, d.bounds, r.double());
        break;
      case P_COUNTS_PACKED:
      case P_BOUNDS_PACKED: {
        const len = r.length(end);
        const stop = r.pos + len;
        if (len % 8 !== 0) d.problem = 'a packed bucket_counts or explicit_bounds field is not a whole number of 8-byte values';
        const list = tag === P_COUNTS_PACKED ? d.counts : d.bounds;
        while (r.pos + 8 <= stop) pushBounded(d, list, tag === P_COUNTS_PACKED ? readUint64(r) : r.double());
        r.pos = stop;
        break;
      }
      default:
        r.skipField(tag, end);
    }
  }
  r.expectEnd(end);
  d.identity = attrs.sort().join('\u0000');
}

/** Appends while under the bucket cap (one past it, so validation names the excess). */
function pushBounded(d: PointDraft, list: number[], v: number): void {
  if (list.length <= MAX_HISTOGRAM_BUCKETS) list.push(v);
  else if (d.problem === '') d.problem = `more than ${MAX_HISTOGRAM_BUCKETS} buckets`;
}

/** Where a KeyValue's key bytes and value (AnyValue) bytes lie; the value range is empty when absent. */
function readKeyValue(r: ProtoReader, end: number): { keyStart: number; keyLen: number; valueStart: number; valueEnd: number } {
  let keyStart = 0;
  let keyLen = 0;
  let valueStart = -1;
  let valueEnd = -1;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN_1 || tag === LEN_2) {
      const len = r.length(end);
      if (tag === LEN_1) {
        keyStart = r.pos;
        keyLen = len;
      } else {
        valueStart = r.pos;
        valueEnd = r.pos + len;
      }
      r.pos += len;
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
  return { keyStart, keyLen, valueStart, valueEnd };
}
