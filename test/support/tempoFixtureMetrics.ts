/**
 * The Tempo fixture's `GET /api/metrics/query_range` (facts from the Tempo HTTP API docs, the
 * TraceQL metrics docs and tempo.proto's QueryRangeResponse): bounds from `start`/`end` (unix
 * seconds, nanoseconds, fractional seconds or RFC3339) or `since` (default 1 h), `step` as seconds
 * or a duration; the range aligned to the step with one extra leading interval; intervals are
 * right-closed and a sample is stamped with its interval's end. `rate()` is spans per second,
 * `quantile_over_time(duration, ...)` is in seconds with a `p` label per quantile (0 where an
 * interval has no spans), an ungrouped series is labelled `__name__`. Tempo approximates quantiles
 * with log2 buckets; the fixture gives exact nearest-rank ones.
 */
import { attributeOf, matches, parseTraceql, TraceqlError, type FixtureSpan } from './tempoFixtureTraceql';

const MAX_RANGE_NS = 24n * 3600n * 1_000_000_000n;
const MAX_INTERVALS = 10_000n;
const END_CUTOFF_NS = 30n * 1_000_000_000n;
const DEFAULT_SINCE_NS = 3600n * 1_000_000_000n;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

function timestampNs(name: string, text: string | null): bigint | undefined {
  if (text === null || text === '') return undefined;
  if (text.includes('.') && Number.isFinite(Number(text))) return BigInt(Math.round(Number(text) * 1e3)) * 1_000_000n;
  if (/^-?\d+$/.test(text)) return text.replace('-', '').length <= 10 ? BigInt(text) * 1_000_000_000n : BigInt(text);
  const t = Date.parse(text);
  if (/^\d{4}-\d\d-\d\dT/.test(text) && Number.isFinite(t)) return BigInt(t) * 1_000_000n;
  throw new RangeError(`could not parse '${name}' parameter: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
}

function durationNs(text: string, what: string): bigint {
  if (Number.isFinite(Number(text)) && text.trim() !== '') return BigInt(Math.round(Number(text) * 1e9));
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join('') !== text.replace(/^-/, '')) throw new RangeError(`${what}cannot parse ${JSON.stringify(text)} to a valid duration`);
  const ns = parts.reduce((sum, m) => sum + Number(m[1]) * UNIT_NS[m[2]], 0);
  return BigInt(Math.round(ns)) * (text.startsWith('-') ? -1n : 1n);
}

function goDuration(ns: bigint): string {
  const s = Number(ns) / 1e9;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${+(s % 60).toFixed(9)}s`;
}

function label(key: string, value: unknown): { key: string; value: Record<string, unknown> } {
  if (value === undefined || value === null) return { key, value: {} };
  if (typeof value === 'object') return { key, value: { stringValue: String(Object.values(value)[0]) } };
  if (typeof value === 'number') return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return { key, value: { stringValue: String(value) } };
}

function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** Answers a query_range request over `spans`; throws TraceqlError or RangeError (both 400). */
export function queryRange(q: string, p: URLSearchParams, spans: FixtureSpan[], nowMs: number): unknown {
  const now = BigInt(Math.floor(nowMs)) * 1_000_000n;
  const since = p.get('since') ? durationNs(p.get('since')!, "could not parse 'since' parameter: ") : DEFAULT_SINCE_NS;
  let end = timestampNs('end', p.get('end')) ?? now;
  const start = timestampNs('start', p.get('start')) ?? (end > now ? now : end) - since;
  const stepText = p.get('step');
  const step = stepText ? durationNs(stepText, '') : (end - start) / 100n > 1_000_000_000n ? (end - start) / 100n : 1_000_000_000n;
  if (step < 0n) throw new RangeError(`cannot parse ${JSON.stringify(stepText)}: step must be positive`);
  if (end > now - END_CUTOFF_NS) end = now - END_CUTOFF_NS;
  if (start >= end) throw new RangeError('end must be greater than start');
  if (end - start > MAX_RANGE_NS) throw new RangeError('metrics query time range exceeds the maximum allowed duration of 24h0m0s');
  if (step === 0n || (end - start) / step > MAX_INTERVALS) throw new RangeError(`step of ${goDuration(step)} is too small, minimum step for given range is ${goDuration((end - start) / MAX_INTERVALS)}`);
  if (q === '') throw new TraceqlError('parse error at line 1, col 1: syntax error: empty query');
  const query = parseTraceql(q);
  if (query.metrics === undefined) throw new TraceqlError('not a metrics query: add a metrics function such as | rate()');
  const { fn, by, quantiles, attr } = query.metrics;
  if (fn === 'quantile_over_time' && attr !== 'duration') throw new TraceqlError('the fixture computes quantile_over_time over duration only');

  const alignedStart = (start / step) * step - step;
  let alignedEnd = ((end + step - 1n) / step) * step;
  if (alignedEnd > now - END_CUTOFF_NS) alignedEnd = ((now - END_CUTOFF_NS) / step) * step;
  const intervals = Number((alignedEnd - alignedStart) / step);
  const groups = new Map<string, { labels: unknown[]; per: number[][] }>();
  for (const span of spans) {
    if (span.startNs <= alignedStart || span.startNs > alignedEnd || !matches(query, span)) continue;
    const offset = span.startNs - alignedStart;
    const i = Number(offset % step === 0n ? offset / step - 1n : offset / step);
    const labels = by.length === 0 ? [label('__name__', fn)] : by.map((b) => label(b, attributeOf(span, b)));
    const key = JSON.stringify(labels);
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { labels, per: Array.from({ length: intervals }, () => []) }));
    group.per[i].push(Number(span.endNs - span.startNs) / 1e9);
  }
  const stepS = Number(step) / 1e9;
  const stamp = (i: number) => String((alignedStart + BigInt(i + 1) * step) / 1_000_000n);
  // jsonpb leaves a zero value out, so a sample of 0 is `{ timestampMs }` alone.
  const sample = (i: number, v: number) => (v === 0 ? { timestampMs: stamp(i) } : { timestampMs: stamp(i), value: v });
  const series: unknown[] = [];
  for (const g of groups.values()) {
    if (fn === 'quantile_over_time') {
      for (const qv of quantiles) {
        const samples = g.per.map((d, i) =>
          sample(
            i,
            d.length === 0
              ? 0
              : nearestRank(
                  [...d].sort((a, b) => a - b),
                  qv,
                ),
          ),
        );
        series.push({ labels: [...g.labels, { key: 'p', value: { doubleValue: qv } }], samples });
      }
    } else {
      series.push({ labels: g.labels, samples: g.per.map((d, i) => sample(i, fn === 'rate' ? d.length / stepS : d.length)) });
    }
  }
  return { series, metrics: { inspectedTraces: new Set(spans.map((s) => s.traceId)).size, inspectedSpans: String(spans.length), completedJobs: 1, totalJobs: 1 } };
}
