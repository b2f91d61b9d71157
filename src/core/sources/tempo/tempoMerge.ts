/**
 * Joins TraceQL metrics figures to the sampled-trace answer: a function both have takes its rate,
 * error rate and percentiles from metrics (every span counted) and keeps its exemplars and error
 * groups from the traces; a function only metrics have is a row of its own. Rows say which is which.
 */
import type { FigureSource, FunctionSignal, SignalsResponse } from '../../api/signals';
import type { FigureLabel } from '../sampledTraces';
import type { SignalsQuery } from '../telemetrySource';
import type { MetricLocator } from './metricLocator';
import type { FunctionKey, MetricHistory, WindowTotals } from './tempoFigures';

function rowKey(service: string, file: string, fn: string): string {
  return JSON.stringify([service, file, fn]);
}

/** The environment a query without one answers for: the traces' choice, else the busiest in metrics. */
function environmentOf(sampled: SignalsResponse, query: SignalsQuery, keys: FunctionKey[], history: MetricHistory, since: number): string {
  if (query.environment !== undefined) return query.environment;
  if (sampled.environments.length > 0) return sampled.environment;
  const totals = new Map<string, number>();
  for (const k of keys) totals.set(k.environment, (totals.get(k.environment) ?? 0) + (history.totals(k, since)?.count ?? 0));
  return [...totals].sort((a, b) => b[1] - a[1])[0]?.[0] ?? sampled.environment;
}

function figures(t: WindowTotals, windowMs: number, now: number): Pick<FunctionSignal, 'count' | 'errors' | 'errorRate' | 'ratePerMin' | 'p50Ms' | 'p95Ms' | 'p99Ms'> {
  // As the store does: a rate over the time there are figures for, not the whole window, when shorter.
  const covered = t.perMinute.length > 0 ? Math.min(windowMs, Math.max(60_000, now - t.perMinute[0].t + 60_000)) : windowMs;
  return {
    count: t.count,
    errors: t.errors,
    errorRate: t.count > 0 ? t.errors / t.count : 0,
    ratePerMin: Math.round((t.count * 60_000 * 100) / covered) / 100,
    p50Ms: t.p50Ms,
    p95Ms: t.p95Ms,
    p99Ms: t.p99Ms,
  };
}

/** The sampled answer with metrics rows joined in, filtered to the query's file and bounded by its top. */
export async function mergeMetricRows(sampled: SignalsResponse, query: SignalsQuery, history: MetricHistory, locate: MetricLocator, label: FigureLabel, now: number): Promise<SignalsResponse> {
  const since = now - query.windowMs;
  const keys = history.functions();
  const environment = environmentOf(sampled, query, keys, history, since);
  const metricsFigure: FigureSource = { ...label, basis: 'metrics' };
  const rows = new Map<string, FunctionSignal>(sampled.functions.map((f) => [rowKey(f.service, f.file, f.function), f]));
  for (const key of keys) {
    if (key.environment !== environment) continue;
    const totals = history.totals(key, since);
    if (totals === null || totals.count === 0) continue;
    const location = await locate(key);
    if (location === null || (query.file !== undefined && location.file !== query.file)) continue;
    const id = rowKey(key.service, location.file, location.function);
    const traced = rows.get(id);
    const perMinute = query.perMinute ? { perMinute: totals.perMinute } : {};
    if (traced !== undefined) {
      rows.set(id, { ...traced, ...figures(totals, query.windowMs, now), ...perMinute, figures: { traffic: metricsFigure, errors: traced.figures?.errors ?? metricsFigure } });
      continue;
    }
    rows.set(id, {
      service: key.service,
      environment,
      function: location.function,
      file: location.file,
      line: location.line,
      mappedBy: location.mappedBy,
      confidence: location.confidence,
      exemplars: [],
      ...figures(totals, query.windowMs, now),
      ...perMinute,
      ...(location.deployedLine !== undefined ? { deployedLine: location.deployedLine } : {}),
      ...(location.drift ? { drift: location.drift } : {}),
      figures: { traffic: metricsFigure, errors: metricsFigure },
    });
  }
  const functions = [...rows.values()].sort((a, b) => b.count - a.count || b.p95Ms - a.p95Ms);
  const environments = [...new Set([...sampled.environments, ...keys.map((k) => k.environment)])].sort();
  return { ...sampled, environment, environments, functions: query.top === undefined ? functions : functions.slice(0, query.top) };
}
