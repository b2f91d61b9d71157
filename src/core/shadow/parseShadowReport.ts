/**
 * Reads a ShadowReport from JSON that crossed a boundary (the CLI child's stdout, the editor's stored
 * last report): typed values or one clear error. A malformed route or function is dropped and
 * counted, never the whole report; strings are capped so a hostile report cannot bloat the views.
 */
import type { CallDelta, ErrorDelta, FunctionDelta, LatencyDelta, RouteDelta, ShadowReport, ShapeChange, StatusExample } from '../api/shadowReport';

const MAX_TEXT = 2000;
const MAX_ROWS = 5000;

/** The report, or the one-line reason it is not one; `dropped` counts rows left out as malformed. */
export type ParsedShadowReport = { ok: true; report: ShadowReport; dropped: number } | { ok: false; error: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const count = (v: unknown): v is number => num(v) && v >= 0;
const str = (v: unknown): v is string => typeof v === 'string';
const text = (v: string): string => (v.length > MAX_TEXT ? `${v.slice(0, MAX_TEXT)}…` : v);

/** Parses JSON text (or an already parsed value) into a ShadowReport. */
export function parseShadowReport(input: string | unknown): ParsedShadowReport {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (err) {
      return { ok: false, error: `the report is not JSON (${(err as Error).message})` };
    }
  }
  if (!isObj(raw)) return { ok: false, error: 'the report is not a JSON object' };
  if (!count(raw.requests) || !count(raw.replayed)) return { ok: false, error: 'the report has no request counts' };
  const summary = raw.summary;
  if (!isObj(summary) || !count(summary.statusMismatches) || !count(summary.newErrors) || !count(summary.shapeChanges) || !count(summary.newCalls)) {
    return { ok: false, error: 'the report has no summary' };
  }
  const run = raw.run;
  if (!isObj(run) || !str(run.candidate) || !str(run.traffic) || !num(run.startedAt) || !count(run.durationMs)) return { ok: false, error: 'the report does not say what was run' };
  let dropped = 0;
  const rows = <T>(value: unknown, parse: (v: unknown) => T | undefined): T[] => {
    if (!Array.isArray(value)) return [];
    const out: T[] = [];
    for (const v of value.slice(0, MAX_ROWS)) {
      const parsed = parse(v);
      if (parsed === undefined) dropped++;
      else out.push(parsed);
    }
    return out;
  };
  const skipped: Record<string, number> = {};
  if (isObj(raw.skipped)) for (const [reason, n] of Object.entries(raw.skipped)) if (count(n)) skipped[text(reason)] = n;
  const changed = run.changedCode;
  const changedCode =
    isObj(changed) && str(changed.since) && count(changed.functions) && count(changed.replayed) ? { changedCode: { since: text(changed.since), functions: changed.functions, replayed: changed.replayed } } : {};
  const report: ShadowReport = {
    requests: raw.requests,
    replayed: raw.replayed,
    skipped,
    routes: rows(raw.routes, routeDelta),
    functions: rows(raw.functions, functionDelta),
    summary: {
      statusMismatches: summary.statusMismatches,
      newErrors: summary.newErrors,
      shapeChanges: summary.shapeChanges,
      newCalls: summary.newCalls,
      p95Ratio: count(summary.p95Ratio) ? summary.p95Ratio : null,
      ...(count(summary.valueChanges) ? { valueChanges: summary.valueChanges } : {}),
      ...(typeof summary.slower === 'boolean' ? { slower: summary.slower } : {}),
    },
    warnings: Array.isArray(raw.warnings) ? raw.warnings.filter(str).slice(0, MAX_ROWS).map(text) : [],
    run: {
      candidate: text(run.candidate),
      ...(str(run.baseline) ? { baseline: text(run.baseline) } : {}),
      traffic: text(run.traffic),
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      ...changedCode,
    },
  };
  return { ok: true, report, dropped };
}

function latency(v: unknown): LatencyDelta | null | undefined {
  if (v === null) return null;
  if (!isObj(v)) return undefined;
  const keys = ['candidateP50Ms', 'candidateP95Ms', 'baselineP50Ms', 'baselineP95Ms', 'p50Ratio', 'p95Ratio'] as const;
  if (!keys.every((k) => count(v[k]))) return undefined;
  const delta = Object.fromEntries(keys.map((k) => [k, v[k]])) as unknown as LatencyDelta;
  return typeof v.slower === 'boolean' ? { ...delta, slower: v.slower } : delta;
}

function errorDelta(v: unknown): ErrorDelta | undefined {
  if (!isObj(v) || !str(v.type) || !str(v.message) || !count(v.candidate) || !count(v.baseline)) return undefined;
  return {
    type: text(v.type),
    message: text(v.message),
    candidate: v.candidate,
    baseline: v.baseline,
    ...(str(v.file) ? { file: text(v.file) } : {}),
    ...(Number.isInteger(v.line) && (v.line as number) >= 1 ? { line: v.line as number } : {}),
    ...(str(v.function) ? { function: text(v.function) } : {}),
  };
}

function example(v: unknown): StatusExample | undefined {
  if (!isObj(v) || !str(v.requestId) || !str(v.request) || !num(v.candidate)) return undefined;
  return {
    requestId: text(v.requestId),
    request: text(v.request),
    candidate: v.candidate,
    ...(num(v.baseline) ? { baseline: v.baseline } : {}),
    ...(num(v.production) ? { production: v.production } : {}),
  };
}

function shapeChange(v: unknown): ShapeChange | undefined {
  if (!isObj(v) || !str(v.path) || !count(v.requests) || (v.change !== 'added' && v.change !== 'removed' && v.change !== 'retyped')) return undefined;
  return { path: text(v.path), change: v.change, ...(str(v.from) ? { from: text(v.from) } : {}), ...(str(v.to) ? { to: text(v.to) } : {}), requests: v.requests };
}

function callDelta(v: unknown): CallDelta | undefined {
  if (!isObj(v) || !str(v.target) || !count(v.candidatePerRequest) || !count(v.baselinePerRequest) || !count(v.requests)) return undefined;
  if (v.change !== 'added' && v.change !== 'missing' && v.change !== 'repeated') return undefined;
  return {
    target: text(v.target),
    ...(Number.isInteger(v.line) && (v.line as number) >= 1 ? { line: v.line as number } : {}),
    change: v.change,
    candidatePerRequest: v.candidatePerRequest,
    baselinePerRequest: v.baselinePerRequest,
    requests: v.requests,
  };
}

/** Every element valid, or undefined: a row with a malformed part is dropped whole. */
function all<T>(value: unknown, parse: (v: unknown) => T | undefined): T[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return undefined;
  const out: T[] = [];
  for (const v of value.slice(0, MAX_ROWS)) {
    const parsed = parse(v);
    if (parsed === undefined) return undefined;
    out.push(parsed);
  }
  return out;
}

function routeDelta(v: unknown): RouteDelta | undefined {
  if (!isObj(v) || !str(v.method) || !str(v.route) || !count(v.requests) || !count(v.statusMismatches) || !count(v.productionMismatches)) return undefined;
  const lat = latency(v.latency ?? null);
  const examples = all(v.examples, example);
  const shapeChanges = all(v.shapeChanges, shapeChange);
  const newErrors = all(v.newErrors, errorDelta);
  if (lat === undefined || !examples || !shapeChanges || !newErrors) return undefined;
  return {
    method: text(v.method),
    route: text(v.route),
    requests: v.requests,
    statusMismatches: v.statusMismatches,
    productionMismatches: v.productionMismatches,
    examples,
    shapeChanges,
    latency: lat,
    newErrors,
    ...(count(v.valueChanges) ? { valueChanges: v.valueChanges } : {}),
  };
}

function functionDelta(v: unknown): FunctionDelta | undefined {
  if (!isObj(v) || !str(v.service) || !str(v.function) || !str(v.file) || !Number.isInteger(v.line) || !count(v.confidence) || !count(v.requests)) return undefined;
  const lat = latency(v.latency ?? null);
  const calls = all(v.calls, callDelta);
  // Absent when no request through it had production spans: kept absent, not read as none.
  const productionCalls = v.productionCalls === undefined ? undefined : all(v.productionCalls, callDelta);
  const newErrors = all(v.newErrors, errorDelta);
  const spans = v.errorSpans;
  if (lat === undefined || !calls || !newErrors || !isObj(spans) || !count(spans.candidate) || !count(spans.baseline)) return undefined;
  if (v.productionCalls !== undefined && !productionCalls) return undefined;
  const prodSpans = v.productionErrorSpans;
  if (prodSpans !== undefined && (!isObj(prodSpans) || !count(prodSpans.candidate) || !count(prodSpans.production) || !count(prodSpans.requests))) return undefined;
  return {
    service: text(v.service),
    function: text(v.function),
    file: text(v.file),
    line: v.line as number,
    confidence: v.confidence,
    requests: v.requests,
    latency: lat,
    calls,
    ...(productionCalls ? { productionCalls } : {}),
    ...(isObj(prodSpans) ? { productionErrorSpans: { candidate: prodSpans.candidate as number, production: prodSpans.production as number, requests: prodSpans.requests as number } } : {}),
    errorSpans: { candidate: spans.candidate, baseline: spans.baseline },
    newErrors,
  };
}
