/**
 * The diff-risk tool's rows: each changed function joined with its production figures (matched by
 * file and function name, as spans map to it; a function removed since the base is found under its
 * base name), its error groups, the risk findings inside its lines, whether AI wrote it, and what the
 * last shadow run saw it do; ordered by production impact.
 */
import type { FunctionDelta } from '../api/shadowReport';
import type { ErrorSignal, FunctionSignal } from '../api/signals';
import type { AgentAuthoredFunction, AgentChangedFunction, AgentFinding } from './agentData';
import { fmtPercent } from './agentText';
import { functionDeltaParts, functionDiffers } from './shadowDeltaText';

/**
 * What a failed call weighs in the impact, in ms of waiting: the same weight `runtime-lens check`
 * ranks findings by (a failure hurts at least as much as a ten-second wait).
 */
export const ERROR_PENALTY_MS = 10_000;

/** Impact: calls/min × p95 ms + calls/min × error rate × ERROR_PENALTY_MS (ms of waiting per minute). */
export function impactOf(ratePerMin: number, p95Ms: number, errorRate: number): number {
  return ratePerMin * p95Ms + ratePerMin * errorRate * ERROR_PENALTY_MS;
}

/** One changed function, with everything the answer says about it. */
export interface DiffRiskRow {
  fn: AgentChangedFunction;
  /** Production figures summed over the services that run it; undefined when it had no calls in the window. */
  production?: { ratePerMin: number; p95Ms: number; errorRate: number; count: number };
  impact: number;
  /** Error groups thrown in it, and their occurrences in the window. */
  errorGroups: number;
  errorCount: number;
  findings: AgentFinding[];
  authored?: AgentAuthoredFunction;
  shadow?: FunctionDelta;
  /** Why the function is a risk, one short phrase each (none: empty). */
  risks: string[];
}

/** What the rows are joined from. */
export interface DiffRiskInputs {
  functions: readonly AgentChangedFunction[];
  signals: readonly FunctionSignal[];
  errors: readonly ErrorSignal[];
  findings: readonly AgentFinding[];
  authored: readonly AgentAuthoredFunction[];
  shadow: readonly FunctionDelta[];
}

/** `OrderService.create` and `create` name the same function (a span may carry either). */
export function sameName(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

/** The rows, highest impact first, then the functions production never called (by file and line). */
export function diffRiskRows(inputs: DiffRiskInputs): DiffRiskRow[] {
  const rows = inputs.functions.map((fn): DiffRiskRow => {
    const mine = inputs.signals.filter((s) => s.file === fn.file && sameName(s.function, fn.function));
    const count = mine.reduce((n, s) => n + s.count, 0);
    const production =
      mine.length > 0 && count > 0
        ? {
            ratePerMin: mine.reduce((n, s) => n + s.ratePerMin, 0),
            // The slowest service's p95: sums of quantiles mean nothing, and the worst is what a change risks.
            p95Ms: Math.max(...mine.map((s) => s.p95Ms)),
            errorRate: mine.reduce((n, s) => n + s.errors, 0) / count,
            count,
          }
        : undefined;
    const groups = inputs.errors.filter((e) => e.file === fn.file && sameName(e.function, fn.function));
    // Findings belong to today's text: a function removed since the base has none.
    const findings = fn.side === 'working tree' ? inputs.findings.filter((f) => f.file === fn.file && f.line >= fn.line && f.line <= fn.endLine) : [];
    const authored = fn.side === 'working tree' ? inputs.authored.find((a) => a.file === fn.file && a.line <= fn.line && a.endLine >= fn.line && sameName(a.function, fn.function)) : undefined;
    const shadow = inputs.shadow.find((d) => d.file === fn.file && sameName(d.function, fn.function));
    const row: DiffRiskRow = {
      fn,
      ...(production ? { production } : {}),
      impact: production ? impactOf(production.ratePerMin, production.p95Ms, production.errorRate) : 0,
      errorGroups: groups.length,
      errorCount: groups.reduce((n, e) => n + e.count, 0),
      findings,
      ...(authored ? { authored } : {}),
      ...(shadow ? { shadow } : {}),
      risks: [],
    };
    row.risks = risksOf(row);
    return row;
  });
  return rows.sort((a, b) => {
    const called = Number(b.production !== undefined) - Number(a.production !== undefined);
    return called || b.impact - a.impact || (a.fn.file < b.fn.file ? -1 : a.fn.file > b.fn.file ? 1 : a.fn.line - b.fn.line);
  });
}

/** The reasons a changed function is a risk: findings in its lines, what the shadow run saw, production failures. */
function risksOf(row: DiffRiskRow): string[] {
  const risks: string[] = [];
  for (const f of row.findings.slice(0, 2)) risks.push(`${f.rule} at line ${f.line}`);
  if (row.findings.length > 2) risks.push(`${row.findings.length - 2} more findings`);
  // The most serious difference only: the row's shadow cell has the rest.
  if (row.shadow && functionDiffers(row.shadow)) risks.push(`shadow: ${functionDeltaParts(row.shadow)[0]}`);
  if (row.production && row.production.errorRate > 0) risks.push(`fails ${fmtPercent(row.production.errorRate)} in production`);
  return risks;
}
