/**
 * Turns histogram data points into what each adds since the previous point of its series.
 *
 * SDKs export cumulative histograms by default: every point holds the totals since the series'
 * start time. A series is identified by its `seriesKey` (metric, resource, scope, every point
 * attribute); its delta is the difference with the previous point held for that key. A reset is a
 * start time that changed, a count or a bucket that went down, or bounds that changed (a restarted
 * process, a re-created MeterProvider): the point then counts whole, since its new start. A point
 * not newer than the one held (an exporter's retry) adds nothing.
 *
 * The first point of a series counts whole only when the series started after this converter did
 * (so every request it counts was made while the receiver listened); a series that started before
 * is taken as a baseline, because its totals include requests of unknown time, perhaps hours old.
 * Delta points (temporality 1) count as they are.
 */
import type { RouteHistogramPoint } from '../ingest/metricRecords';
import { BoundedMap } from './boundedMap';

/** What one data point adds: a histogram over (fromMs, toMs]. */
export interface PointDelta {
  fromMs: number;
  toMs: number;
  count: number;
  /** ms; NaN when unknown. */
  sumMs: number;
  /** Only known for delta points (cumulative min and max span the whole series); NaN otherwise. */
  minMs: number;
  maxMs: number;
  boundsMs: number[];
  bucketCounts: number[];
}

interface SeriesState {
  touched: number;
  evicted?: boolean;
  service: string;
  startMs: number;
  timeMs: number;
  count: number;
  sumMs: number;
  boundsMs: number[];
  bucketCounts: number[];
}

/** Series held by default; past it the least recently updated of the largest services are forgotten (their next point is a baseline). */
export const DEFAULT_MAX_SERIES = 20_000;

/** Cumulative-to-delta conversion with bounded state (see the file comment for the rules). */
export class MetricDeltas {
  private readonly series: BoundedMap<SeriesState>;

  /** `sinceMs`: when this converter started listening (unix ms). */
  constructor(
    private readonly sinceMs: number,
    maxSeries = DEFAULT_MAX_SERIES,
  ) {
    this.series = new BoundedMap<SeriesState>(maxSeries, undefined, undefined, (s) => s.service);
  }

  /** Series held now. */
  get size(): number {
    return this.series.size;
  }

  /** What `p` adds since the previous point of its series; null when it adds nothing. */
  delta(p: RouteHistogramPoint): PointDelta | null {
    if (p.temporality === 1) return nonEmpty(whole(p, p.minMs, p.maxMs));
    const held = this.series.get(p.seriesKey);
    if (held === undefined) {
      this.series.set(p.seriesKey, stateOf(p));
      return p.startMs > 0 && p.startMs >= this.sinceMs ? nonEmpty(whole(p, NaN, NaN)) : null;
    }
    if (p.timeMs <= held.timeMs) return null;
    const reset = p.startMs !== held.startMs || p.count < held.count || !sameBounds(p, held) || p.bucketCounts.some((c, i) => c < held.bucketCounts[i]);
    const delta: PointDelta = reset
      ? whole(p, NaN, NaN)
      : {
          fromMs: held.timeMs,
          toMs: p.timeMs,
          count: p.count - held.count,
          sumMs: p.sumMs - held.sumMs,
          minMs: NaN,
          maxMs: NaN,
          boundsMs: p.boundsMs,
          bucketCounts: p.bucketCounts.map((c, i) => c - held.bucketCounts[i]),
        };
    Object.assign(held, stateOf(p));
    return nonEmpty(delta);
  }
}

function stateOf(p: RouteHistogramPoint): SeriesState {
  return { touched: 0, service: p.resource.service, startMs: p.startMs, timeMs: p.timeMs, count: p.count, sumMs: p.sumMs, boundsMs: p.boundsMs, bucketCounts: p.bucketCounts };
}

function whole(p: RouteHistogramPoint, minMs: number, maxMs: number): PointDelta {
  return { fromMs: p.startMs || p.timeMs, toMs: p.timeMs, count: p.count, sumMs: p.sumMs, minMs, maxMs, boundsMs: p.boundsMs, bucketCounts: p.bucketCounts };
}

function nonEmpty(d: PointDelta): PointDelta | null {
  return d.count > 0 ? d : null;
}

function sameBounds(p: RouteHistogramPoint, held: SeriesState): boolean {
  if (p.boundsMs.length !== held.boundsMs.length || p.bucketCounts.length !== held.bucketCounts.length) return false;
  for (let i = 0; i < p.boundsMs.length; i++) if (p.boundsMs[i] !== held.boundsMs[i]) return false;
  return true;
}
