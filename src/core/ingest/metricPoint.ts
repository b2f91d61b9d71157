/**
 * The one place that validates a duration data point and turns it into a RouteHistogramPoint,
 * shared by the JSON and protobuf metrics decoders so they cannot drift apart.
 */
import { createHash } from 'node:crypto';
import type { Scalar } from './attributeFields';
import { capString, MAX_METHOD_CHARS, MAX_NAME_CHARS } from './limits';
import { ATTR, MAX_HISTOGRAM_BUCKETS, rejectPoint, type DecodedMetrics, type DurationMetric, type Temporality } from './metricRecords';
import type { ResourceInfo } from './records';

/** A data point as read off the wire, before validation; numbers may be anything the sender sent. */
export interface PointDraft {
  resource: ResourceInfo;
  metric: DurationMetric;
  msPerUnit: number;
  /** As sent: anything but 1 or 2 is rejected. */
  temporality: number;
  /** The identity parts of the series (see seriesKeyOf). */
  identity: string;
  route: string;
  target: string;
  method: string;
  methodOld: string;
  statusCode: number;
  errorType: string;
  startMs: number;
  timeMs: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  bounds: number[];
  counts: number[];
  /** DataPointFlags.FLAG_NO_RECORDED_VALUE: a marker of a gap, not a measurement. */
  noRecordedValue: boolean;
  /** Set by a decoder for a field of the wrong type; the point is rejected with it. */
  problem: string;
}

/** A draft with nothing read yet. */
export function newDraft(resource: ResourceInfo, metric: DurationMetric, msPerUnit: number, temporality: number): PointDraft {
  return {
    resource,
    metric,
    msPerUnit,
    temporality,
    identity: '',
    route: '',
    target: '',
    method: '',
    methodOld: '',
    statusCode: 0,
    errorType: '',
    startMs: 0,
    timeMs: 0,
    count: NaN,
    sum: NaN,
    min: NaN,
    max: NaN,
    bounds: [],
    counts: [],
    noRecordedValue: false,
    problem: '',
  };
}

/** Applies one point attribute read by `pointAttrOf`. */
export function applyPointAttr(d: PointDraft, code: number, v: Scalar): void {
  switch (code) {
    case ATTR.route:
      d.route = typeof v === 'string' ? capString(v, MAX_NAME_CHARS) : '';
      break;
    case ATTR.method:
      d.method = typeof v === 'string' ? capString(v, MAX_METHOD_CHARS) : '';
      break;
    case ATTR.methodOld:
      d.methodOld = typeof v === 'string' ? capString(v, MAX_METHOD_CHARS) : '';
      break;
    case ATTR.status:
      d.statusCode = statusOf(v);
      break;
    case ATTR.statusOld:
      if (d.statusCode === 0) d.statusCode = statusOf(v);
      break;
    case ATTR.errorType:
      d.errorType = v === null ? '' : capString(String(v), MAX_NAME_CHARS);
      break;
    case ATTR.target:
      d.target = typeof v === 'string' ? capString(v, MAX_NAME_CHARS) : '';
      break;
  }
}

/** Status codes arrive as intValue, or as strings from older instrumentations. */
function statusOf(v: Scalar): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : 0;
  return Number.isInteger(n) && n >= 100 && n <= 999 ? n : 0;
}

/**
 * A short fixed-size key for a series identity: identities carry the whole resource, so keeping
 * them verbatim would cost a kilobyte or more per series.
 */
export function seriesKeyOf(identity: string): string {
  return createHash('sha1').update(identity).digest('base64');
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function isOptionalLatency(n: number): boolean {
  return Number.isNaN(n) || (Number.isFinite(n) && n >= 0);
}

/** Why a draft is not a valid point, or ''. */
function problemOf(d: PointDraft): string {
  if (d.problem !== '') return d.problem;
  if (d.temporality !== 1 && d.temporality !== 2) return `aggregation temporality ${d.temporality} is neither delta (1) nor cumulative (2)`;
  if (!(d.timeMs > 0) || !Number.isFinite(d.timeMs)) return 'missing timeUnixNano';
  if (!Number.isFinite(d.startMs) || d.startMs < 0) return 'startTimeUnixNano is not a time';
  if (!isCount(d.count)) return 'count is not a whole number from 0 to 2^53';
  if (d.counts.length > MAX_HISTOGRAM_BUCKETS) return `${d.counts.length} buckets, more than ${MAX_HISTOGRAM_BUCKETS}`;
  if (d.counts.length === 0 && d.bounds.length > 0) return 'explicit bounds without bucket counts';
  if (d.counts.length > 0 && d.bounds.length !== d.counts.length - 1) return `${d.counts.length} bucket counts need ${d.counts.length - 1} explicit bounds, got ${d.bounds.length}`;
  let total = 0;
  for (const c of d.counts) {
    if (!isCount(c)) return 'a bucket count is not a whole number from 0 to 2^53';
    total += c;
  }
  if (d.counts.length > 0 && total !== d.count) return `bucket counts add up to ${total}, not the count ${d.count}`;
  for (let i = 0; i < d.bounds.length; i++) {
    if (!Number.isFinite(d.bounds[i])) return 'an explicit bound is not a finite number';
    if (i > 0 && d.bounds[i] <= d.bounds[i - 1]) return 'explicit bounds are not strictly ascending';
  }
  if (!isOptionalLatency(d.sum)) return 'sum is not a finite number >= 0';
  if (!isOptionalLatency(d.min) || !isOptionalLatency(d.max)) return 'min or max is not a finite number >= 0';
  return '';
}

/** Validates a draft and adds it to `out` as a point (or counts it as rejected or ignored). */
export function finishPoint(d: PointDraft, out: DecodedMetrics): void {
  if (d.noRecordedValue) {
    out.ignored++;
    return;
  }
  const problem = problemOf(d);
  if (problem !== '') {
    rejectPoint(out, `${d.metric} data point: ${problem}`);
    return;
  }
  const k = d.msPerUnit;
  // A target with a query string is a raw path, never a route template.
  const route = d.route || (d.metric === 'http.server.duration' && !d.target.includes('?') ? d.target : '');
  out.points.push({
    resource: d.resource,
    metric: d.metric,
    seriesKey: seriesKeyOf(d.identity),
    route,
    method: d.method || d.methodOld,
    statusCode: d.statusCode,
    errorType: d.errorType,
    temporality: d.temporality as Temporality,
    startMs: d.startMs,
    timeMs: d.timeMs,
    count: d.count,
    sumMs: d.sum * k,
    minMs: d.min * k,
    maxMs: d.max * k,
    boundsMs: d.bounds.map((b) => b * k),
    bucketCounts: d.counts,
  });
}
