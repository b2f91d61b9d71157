/**
 * Production ranking: findings joined with what their functions do in production (the signal
 * store's per-function figures), ordered hot first, and the one-line message every surface shows:
 * `AI-written (Claude Code, trailer) · no timeout on fetch · p95 2.3 s, 140/min in production`.
 */
import { agentLabel } from './attribution/agents';
import type { FunctionSignal, SignalsResponse } from '../api/signals';
import { formatMs, formatPercent, formatRate } from '../format';
import type { Attribution, AttributionSource, Finding, FunctionSpan, ProductionFigures, Severity } from './findings';

/**
 * What a failed call costs in the impact score, in milliseconds of latency: a failure hurts at
 * least as much as a ten-second wait, so a function failing 5% of 100 calls/min (5 errors/min)
 * gains 50 000 ms/min of impact, as much as a p95 of 500 ms at 100/min.
 */
export const ERROR_PENALTY_MS = 10_000;

/** The ranking key: ratePerMin × p95Ms + ratePerMin × errorRate × ERROR_PENALTY_MS (ms of waiting per minute). */
export function impactOf(ratePerMin: number, p95Ms: number, errorRate: number): number {
  const rate = finite(ratePerMin);
  return rate * finite(p95Ms) + rate * finite(errorRate) * ERROR_PENALTY_MS;
}

/** Which function's figures a finding wants: its file, function name and line, and the function's lines when known. */
export interface ProductionQuery {
  file: string;
  function: string;
  line: number;
  /** The enclosing function's first and last lines (1-based, inclusive), when the caller knows them. */
  startLine?: number;
  endLine?: number;
}

/** A source of production figures per function (the port the ranking reads through). */
export interface ProductionLookup {
  figures(query: ProductionQuery): Promise<ProductionFigures | null>;
}

/** ProductionFigures of one function signal. */
export function figuresFromSignal(s: FunctionSignal, window: string): ProductionFigures {
  return {
    ratePerMin: s.ratePerMin,
    p95Ms: s.p95Ms,
    errorRate: s.errorRate,
    count: s.count,
    window,
    environment: s.environment,
    impact: impactOf(s.ratePerMin, s.p95Ms, s.errorRate),
  };
}

/** Whether two function names denote the same function (`OrderService.create` and `create` do). */
function sameName(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

/**
 * The signal of the queried function among `signals` (already of the right file), or null.
 * With the function's lines: a signal inside them, by name first, else the one nearest the
 * function's start (telemetry maps to the function's first line; nested functions come later).
 * Without: by name, the nearest one starting at or above the finding. Several services with the
 * same function: the one with the highest impact.
 */
export function matchFunctionSignal(signals: readonly FunctionSignal[], q: ProductionQuery): FunctionSignal | null {
  if (q.function === '') return null; // module level: no function, no figures
  const best = (list: FunctionSignal[], distance: (s: FunctionSignal) => number): FunctionSignal | null => {
    let pick: FunctionSignal | null = null;
    for (const s of list) {
      if (!pick) pick = s;
      else {
        const d = distance(s) - distance(pick);
        if (d < 0 || (d === 0 && impactOf(s.ratePerMin, s.p95Ms, s.errorRate) > impactOf(pick.ratePerMin, pick.p95Ms, pick.errorRate))) pick = s;
      }
    }
    return pick;
  };
  const named = signals.filter((s) => sameName(s.function, q.function));
  if (q.startLine !== undefined && q.endLine !== undefined) {
    const start = q.startLine;
    const end = q.endLine;
    const inside = signals.filter((s) => s.line >= start && s.line <= end);
    const insideNamed = inside.filter((s) => named.includes(s));
    if (insideNamed.length > 0) return best(insideNamed, (s) => s.line - start);
    if (inside.length > 0) return best(inside, (s) => s.line - start);
  }
  const above = named.filter((s) => s.line <= q.line);
  if (above.length > 0) return best(above, (s) => q.line - s.line);
  return best(named, (s) => Math.abs(s.line - q.line));
}

/** Figures from a signals response held in memory (the editor's LiveSignals, tests). */
export class MemoryProductionLookup implements ProductionLookup {
  private readonly byFile = new Map<string, FunctionSignal[]>();

  constructor(private readonly response: SignalsResponse) {
    for (const s of response.functions) {
      const list = this.byFile.get(s.file);
      if (list) list.push(s);
      else this.byFile.set(s.file, [s]);
    }
  }

  /** Figures of the queried function, or null when the response has none for it. */
  async figures(q: ProductionQuery): Promise<ProductionFigures | null> {
    const s = matchFunctionSignal(this.byFile.get(q.file) ?? [], q);
    return s ? figuresFromSignal(s, this.response.window) : null;
  }
}

/** A receiver that could not be asked, or answered something unusable. */
export class ProductionLookupError extends Error {}

/** Options for `rankFindings`. */
export interface RankOptions {
  /** The function span of each finding (a scan's `spans`), for a line-exact join. */
  spans?: ReadonlyMap<Finding, FunctionSpan>;
}

/** Findings with their production figures (copies), in ranking order; without a lookup, only ordered. */
export async function rankFindings(findings: readonly Finding[], lookup: ProductionLookup | null, options: RankOptions = {}): Promise<Finding[]> {
  const joined = await Promise.all(
    findings.map(async (f) => {
      if (!lookup) return { ...f };
      const span = options.spans?.get(f);
      const q: ProductionQuery = { file: f.file, function: f.function, line: f.line, ...(span ? { startLine: span.startLine, endLine: span.endLine } : {}) };
      return { ...f, production: await lookup.figures(q) };
    }),
  );
  return joined.sort(compareFindings);
}

const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, note: 1 };

/** Severity as a number (error 3, warning 2, note 1), for thresholds like `--fail-on`. */
export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}

/**
 * The ranking order: hot first (impact, descending; functions with figures before those without),
 * then severity, then AI-written before the rest, then position.
 */
export function compareFindings(a: Finding, b: Finding): number {
  const ia = a.production ? a.production.impact : -1;
  const ib = b.production ? b.production.impact : -1;
  if (ia !== ib) return ib - ia;
  const s = SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
  if (s !== 0) return s;
  const ai = Number(b.attribution?.ai === true) - Number(a.attribution?.ai === true);
  if (ai !== 0) return ai;
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
}

const KIND_LABEL: Record<AttributionSource | 'none', string> = {
  'git-ai-note': 'git-ai note',
  'agent-trace': 'Agent Trace',
  'commit-trailer': 'trailer',
  'commit-author': 'commit author',
  'code-marker': 'marker',
  none: '',
};

/** `AI-written (Claude Code, trailer)`; null for functions not attributed to an AI. */
export function attributionLabel(a: Attribution | null): string | null {
  if (a?.unknown !== undefined) return 'authorship unknown';
  if (!a?.ai) return null;
  const who = agentLabel(a.agent, a.model);
  const parts = [who, KIND_LABEL[a.kind]].filter((p) => p !== '');
  return parts.length > 0 ? `AI-written (${parts.join(', ')})` : 'AI-written';
}

/** `p95 2.3 s, 140/min in production` (with `, 3.2% errors` when any failed). */
export function productionLabel(p: ProductionFigures): string {
  const errors = p.errorRate > 0 ? `, ${formatPercent(p.errorRate)} errors` : '';
  return `p95 ${formatMs(p.p95Ms)}, ${formatRate(p.ratePerMin)}/min${errors} in ${p.environment || 'production'}`;
}

/** The message every surface shows: attribution · what is wrong · production figures (parts omitted when unknown). */
export function riskMessage(f: Finding): string {
  const who = attributionLabel(f.attribution);
  return [who, f.message, f.production ? productionLabel(f.production) : null].filter((p): p is string => p !== null).join(' · ');
}

function finite(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}
