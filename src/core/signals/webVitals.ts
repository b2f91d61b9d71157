/**
 * Core Web Vitals from browser pages (Faro `web-vitals` measurements), kept per app, environment,
 * page route and metric as timestamped samples, so a window's p75 is exact. Bounded: a route
 * keeps its latest samples only, and the least recently reported series goes first when full.
 */
import type { WebVitalMetric, WebVitalRow } from '../api/signals';
import { systemClock, type Clock } from '../logger';
import { OldestFirst } from '../oldestFirst';

/** Bounds of the web-vitals store. */
export interface WebVitalsOptions {
  /** How long samples are kept (ms). */
  retentionMs: number;
  /** Series (app, environment, route, metric) kept; past it, the least recently reported is dropped. */
  maxSeries: number;
  /** Samples kept per series (the latest). */
  maxSamples: number;
}

/** An hour, 2,000 series (400 routes of five vitals), 1,000 samples each. */
export const DEFAULT_WEB_VITALS_OPTIONS: WebVitalsOptions = { retentionMs: 3_600_000, maxSeries: 2_000, maxSamples: 1_000 };

const METRICS: ReadonlySet<string> = new Set<WebVitalMetric>(['lcp', 'cls', 'inp', 'fcp', 'ttfb']);

/** True for the value names of a `web-vitals` measurement that are a vital (not `delta` or attribution figures). */
export function isWebVitalMetric(name: string): name is WebVitalMetric {
  return METRICS.has(name);
}

interface Series {
  service: string;
  environment: string;
  route: string;
  metric: WebVitalMetric;
  /** Ring of samples in arrival order. */
  times: number[];
  values: number[];
  next: number;
}

/** The store of web-vital samples behind `SignalsResponse.webVitals`. */
export class WebVitals {
  private readonly series = new Map<string, Series>();
  private readonly seriesOldest = new OldestFirst(this.series);
  private readonly options: WebVitalsOptions;
  /** Bumped per sample kept, so cached answers are recomputed. */
  generation = 0;

  constructor(
    options: Partial<WebVitalsOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    // `{ retentionMs: undefined }` (a store left at its default) must not blank the default out.
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.options = { ...DEFAULT_WEB_VITALS_OPTIONS, ...given };
  }

  /** Keeps one sample; false for a value no vital can have (negative, not finite). */
  record(service: string, environment: string, route: string, metric: WebVitalMetric, value: number, timeMs: number): boolean {
    if (!Number.isFinite(value) || value < 0) return false;
    const key = `${service}\u0000${environment}\u0000${route}\u0000${metric}`;
    let s = this.series.get(key);
    if (s === undefined) {
      if (this.series.size >= this.options.maxSeries) this.seriesOldest.drop();
      s = { service, environment, route, metric, times: [], values: [], next: 0 };
    } else this.series.delete(key);
    // Re-inserted: the Map's order is the order series were last reported in.
    this.series.set(key, s);
    // A page's clock may be off: a sample from the future counts as now, so it is neither lost nor kept forever.
    const time = Math.min(timeMs, this.clock.now());
    if (s.times.length < this.options.maxSamples) {
      s.times.push(time);
      s.values.push(value);
    } else {
      s.times[s.next] = time;
      s.values[s.next] = value;
      s.next = (s.next + 1) % this.options.maxSamples;
    }
    this.generation++;
    return true;
  }

  /** Rows of one environment over the last `windowMs`, by app, route and metric. */
  rows(environment: string, windowMs: number): WebVitalRow[] {
    const now = this.clock.now();
    const since = now - Math.min(windowMs, this.options.retentionMs);
    const rows: WebVitalRow[] = [];
    for (const [key, s] of this.series) {
      if (s.times.every((t) => t < now - this.options.retentionMs)) {
        this.series.delete(key);
        continue;
      }
      if (s.environment !== environment) continue;
      const inWindow: number[] = [];
      s.times.forEach((t, i) => {
        if (t >= since) inWindow.push(s.values[i]);
      });
      if (inWindow.length === 0) continue;
      rows.push({ service: s.service, environment: s.environment, route: s.route, metric: s.metric, p75: round(p75(inWindow)), count: inWindow.length });
    }
    return rows.sort((a, b) => a.service.localeCompare(b.service) || a.route.localeCompare(b.route) || a.metric.localeCompare(b.metric));
  }
}

/** The 75th percentile, nearest rank (what web-vitals reporting uses: a value some page really had). */
function p75(values: number[]): number {
  const sorted = values.sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.75) - 1)];
}

function round(v: number): number {
  return v < 1 ? Math.round(v * 10_000) / 10_000 : Math.round(v * 10) / 10;
}
