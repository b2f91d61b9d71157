/**
 * Per-function figures from TraceQL metrics, kept per minute so one incremental query serves every
 * window: `rate() by (..., status)` gives spans and errors per minute, `quantile_over_time(duration,
 * .5, .95, .99)` the percentiles per minute. A window's count is the sum of its minutes; its
 * percentiles are the minutes' percentiles weighted by their spans (Tempo gives no mergeable sketch).
 */
import type { SparkPoint } from '../../api/signals';
import type { LabelValue, TempoSeries } from './tempoAnswers';
import { FUNCTION_GROUPING } from './tempoQueries';

/** Which function a series is about, as Tempo labels it. */
export interface FunctionKey {
  service: string;
  environment: string;
  function: string;
  /** As the deployed service reported it (`/app/src/orders.js`), '' when absent. */
  file: string;
}

interface Minute {
  count: number;
  errors: number;
  /** Seconds, NaN until the quantile query answered for this minute. */
  p50: number;
  p95: number;
  p99: number;
}

/** A function's figures over one window. */
export interface WindowTotals {
  count: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  perMinute: SparkPoint[];
}

const [SERVICE, ENVIRONMENT, FUNCTION, FILE] = FUNCTION_GROUPING;

function str(v: LabelValue | undefined): string {
  return v === undefined || v === null ? '' : String(v);
}

function keyOf(labels: ReadonlyMap<string, LabelValue>): FunctionKey | null {
  const fn = str(labels.get(FUNCTION));
  if (fn === '') return null;
  return { service: str(labels.get(SERVICE)), environment: str(labels.get(ENVIRONMENT)), function: fn, file: str(labels.get(FILE)) };
}

function idOf(k: FunctionKey): string {
  return JSON.stringify([k.service, k.environment, k.function, k.file]);
}

/** Minutes of figures per function, bounded in time. */
export class MetricHistory {
  private readonly keys = new Map<string, { key: FunctionKey; minutes: Map<number, Minute> }>();

  constructor(private readonly keepMs: number) {}

  /** Files a `rate() by (..., status)` answer at `stepS` seconds per sample; series without a function are not a function's. */
  addRates(series: readonly TempoSeries[], stepS: number): void {
    const fresh = new Map<string, Map<number, Minute>>();
    for (const s of series) {
      const key = keyOf(s.labels);
      if (key === null) continue;
      const failed = s.labels.get('status') === 'error';
      const minutes = this.minutesOf(key, fresh);
      for (const p of s.samples) {
        const m = minuteAt(minutes, p.t);
        const n = p.value * stepS;
        m.count += n;
        if (failed) m.errors += n;
      }
    }
    this.replace(fresh, (old, now) => ({ ...now, p50: old?.p50 ?? NaN, p95: old?.p95 ?? NaN, p99: old?.p99 ?? NaN }));
  }

  /** Files a `quantile_over_time(duration, .5, .95, .99)` answer (series labelled `p`). */
  addQuantiles(series: readonly TempoSeries[]): void {
    for (const s of series) {
      const key = keyOf(s.labels);
      const p = s.labels.get('p');
      if (key === null || typeof p !== 'number') continue;
      const field = p === 0.5 ? 'p50' : p === 0.95 ? 'p95' : p === 0.99 ? 'p99' : null;
      if (field === null) continue;
      const minutes = this.minutesOf(key);
      for (const sample of s.samples) minuteAt(minutes, sample.t)[field] = sample.value;
    }
  }

  /** Drops minutes older than the history keeps. */
  trim(nowMs: number): void {
    const floor = nowMs - this.keepMs;
    for (const [id, entry] of this.keys) {
      for (const t of entry.minutes.keys()) if (t < floor) entry.minutes.delete(t);
      if (entry.minutes.size === 0) this.keys.delete(id);
    }
  }

  /** The functions with figures, and their services. */
  functions(): FunctionKey[] {
    return [...this.keys.values()].map((e) => e.key);
  }

  /** A function's totals over samples stamped after `sinceMs` (a sample's stamp is its interval's end). */
  totals(key: FunctionKey, sinceMs: number): WindowTotals | null {
    const entry = this.keys.get(idOf(key));
    if (entry === undefined) return null;
    let count = 0;
    let errors = 0;
    const weighted = { p50: 0, p95: 0, p99: 0 };
    let weight = 0;
    const perMinute: SparkPoint[] = [];
    for (const [t, m] of [...entry.minutes].sort((a, b) => a[0] - b[0])) {
      if (t <= sinceMs) continue;
      count += m.count;
      errors += m.errors;
      if (m.count > 0 && Number.isFinite(m.p50)) {
        weight += m.count;
        for (const f of ['p50', 'p95', 'p99'] as const) weighted[f] += m[f] * m.count;
      }
      // Metrics give no mean or maximum: the median and p99 stand in for the sparkline.
      perMinute.push({ t, count: Math.round(m.count), errors: Math.round(m.errors), avgMs: ms(m.p50), maxMs: ms(m.p99) });
    }
    const at = (f: 'p50' | 'p95' | 'p99') => (weight > 0 ? ms(weighted[f] / weight) : 0);
    return { count: Math.round(count), errors: Math.round(errors), p50Ms: at('p50'), p95Ms: at('p95'), p99Ms: at('p99'), perMinute };
  }

  private minutesOf(key: FunctionKey, fresh?: Map<string, Map<number, Minute>>): Map<number, Minute> {
    const id = idOf(key);
    if (fresh !== undefined) {
      let minutes = fresh.get(id);
      if (minutes === undefined) fresh.set(id, (minutes = new Map()));
      if (!this.keys.has(id)) this.keys.set(id, { key, minutes: new Map() });
      return minutes;
    }
    let entry = this.keys.get(id);
    if (entry === undefined) this.keys.set(id, (entry = { key, minutes: new Map() }));
    return entry.minutes;
  }

  /** A rate answer re-counts the minutes it covers (they overlap the last answer's): its counts replace theirs. */
  private replace(fresh: Map<string, Map<number, Minute>>, merge: (old: Minute | undefined, now: Minute) => Minute): void {
    for (const [id, minutes] of fresh) {
      const entry = this.keys.get(id)!;
      for (const [t, m] of minutes) entry.minutes.set(t, merge(entry.minutes.get(t), m));
    }
  }
}

function minuteAt(minutes: Map<number, Minute>, t: number): Minute {
  let m = minutes.get(t);
  if (m === undefined) minutes.set(t, (m = { count: 0, errors: 0, p50: NaN, p95: NaN, p99: NaN }));
  return m;
}

function ms(seconds: number): number {
  return Number.isFinite(seconds) ? Math.round(seconds * 1e6) / 1e3 : 0;
}
