/**
 * `runtimeLens_diffRisk`: what an agent reads before it says "done". The working tree against a
 * base ref: each changed function with its production traffic and errors, the risk findings in its
 * lines, whether AI wrote it and what the last shadow run saw it do, ordered by production impact
 * (calls/min × p95 + calls/min × error rate × 10 s, as `runtime-lens check` ranks), the functions
 * production never called after them, and a one-line verdict.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { ShadowReport } from '../../api/shadowReport';
import type { ErrorSignal, FunctionSignal } from '../../api/signals';
import { fitRows } from '../answerBudget';
import type { AgentChanges, AgentData, AgentSourceInfo } from '../agentData';
import { table } from '../agentTable';
import { fileLine, fmtAgo, fmtMs, fmtPercent, fmtRate, safeText, shortRev } from '../agentText';
import { type AgentTool, type ToolAnswer, ToolInputError, type ToolRunOptions } from '../agentTool';
import { type DiffRiskRow, diffRiskRows } from '../diffRiskRows';
import { functionDeltaParts } from '../shadowDeltaText';
import { answerBudget, inputObject, readBoolean, readEnum, readString, TOOL_WINDOWS, WINDOW_SCHEMA } from '../toolInput';

const INPUTS = ['base', 'window', 'environment', 'detail'];
/** Files asked one by one (the read API filters by file); past this, one whole answer is read instead. */
const MAX_FILE_QUERIES = 30;

export const diffRiskTool: AgentTool = {
  name: 'runtimeLens_diffRisk',
  title: 'Diff risk',
  description:
    "Production risk of the uncommitted and unpushed changes: the working tree against a base ref (default: the upstream branch). Lists each changed function with its production traffic (calls/min, p95, error rate, error groups), the risk findings in its lines, whether AI wrote it, and the last shadow run's result for it, ordered by production impact; functions production never called come last; ends with a one-line verdict. Call it before saying a change is done.",
  inputSchema: {
    type: 'object',
    properties: {
      base: { type: 'string', description: 'Branch, tag or commit to compare with. Default: the upstream branch, else origin/HEAD, else main or master.' },
      window: { ...WINDOW_SCHEMA, description: 'Production window for the figures. Default 1h.' },
      environment: { type: 'string', description: "Deployment environment (e.g. production). Default: the server's." },
      detail: { type: 'boolean', description: 'A longer answer: more rows and wider cells.' },
    },
    additionalProperties: false,
  },
  readOnly: true,
  run: runDiffRisk,
};

async function runDiffRisk(input: unknown, data: AgentData, options: ToolRunOptions): Promise<ToolAnswer> {
  const obj = inputObject(input, INPUTS);
  const base = readString(obj, 'base', 255);
  const window = readEnum(obj, 'window', TOOL_WINDOWS) ?? '1h';
  const environment = readString(obj, 'environment', 200);
  const detail = readBoolean(obj, 'detail') === true;
  const budget = answerBudget(options, detail);

  let changes: AgentChanges;
  try {
    changes = await data.changes(base);
  } catch (err) {
    const message = safeText((err as Error).message, 300);
    if (base !== undefined && /names no commit|is not a branch, tag or commit name/.test(message)) throw new ToolInputError(`"base": ${message}`);
    return { text: `No diff to assess: ${message}.`, empty: true };
  }
  options.signal?.throwIfAborted();
  const head = await data.head().catch(() => undefined);
  const top = `diff vs ${safeText(changes.ref, 80)} @ ${shortRev(changes.commit)}${changes.how ? ` (${changes.how})` : ''}${head ? `, HEAD ${shortRev(head)}` : ''}: ${changes.files.length} file${plural(changes.files.length)}, ${changes.functions.length} function${plural(changes.functions.length)} changed`;
  if (changes.functions.length === 0) {
    const files = changes.files.slice(0, 10).map((f) => safeText(f, 120));
    const more = changes.files.length > files.length ? `, … ${changes.files.length - files.length} more` : '';
    const why = changes.files.length === 0 ? 'The working tree is the same as the base.' : `No named function changed (module-level code, configuration or files the analysis does not read): ${files.join(', ')}${more}.`;
    return { text: `${top}\n${why}`, empty: true };
  }

  const workingFiles = [...new Set(changes.functions.filter((f) => f.side === 'working tree').map((f) => f.file))];
  const notes: string[] = [];
  const noted =
    <T>(what: string, fallback: T) =>
    (err: unknown): T => {
      notes.push(`${what} unavailable: ${safeText((err as Error).message, 200)}`);
      return fallback;
    };
  const [source, findings, authored, last, latestChange] = await Promise.all([
    data.source().catch((err: Error): AgentSourceInfo => ({ connected: false, description: 'read API', reason: err.message })),
    data.findings(workingFiles).catch(noted('risk findings', [])),
    data.authored(workingFiles).catch(noted('authorship', [])),
    data.lastShadow().catch(noted('last shadow run', undefined)),
    latestModified(data.workspace, workingFiles),
  ]);
  options.signal?.throwIfAborted();
  const production = source.connected ? await readProduction(data, changes, window, environment, notes) : undefined;
  const rows = diffRiskRows({
    functions: changes.functions,
    signals: production?.functions ?? [],
    errors: production?.errors ?? [],
    findings,
    authored,
    shadow: last?.report.functions ?? [],
  });

  const now = Date.now();
  const header = [top];
  header.push(
    source.connected
      ? `production: ${safeText(source.description, 160)}, window ${window}, environment ${safeText(production?.environment || 'all', 60)}; ordered by impact (calls/min × p95 + calls/min × error rate × 10 s)`
      : `production: not connected (${safeText(source.reason ?? 'no answer', 200)}); figures unavailable`,
  );
  header.push(shadowLine(last, latestChange, now));
  header.push(...notes);

  const width = detail ? 160 : 70;
  const called = rows.filter((r) => r.production !== undefined);
  const uncalled = rows.filter((r) => r.production === undefined);
  const body: string[] = [];
  if (called.length > 0) {
    const t = table(
      [
        { title: 'function', max: 50 },
        { title: 'file:line', max: 60 },
        { title: 'calls/min', align: 'right' },
        { title: 'p95', align: 'right' },
        { title: 'err%', align: 'right' },
        { title: 'err groups', align: 'right' },
        { title: 'findings', max: 50 },
        { title: 'AI', max: 24 },
        { title: 'shadow', max: width },
      ],
      called.map((r) => [name(r), where(r), fmtRate(r.production!.ratePerMin), fmtMs(r.production!.p95Ms), fmtPercent(r.production!.errorRate), errorCell(r), findingsCell(r), aiCell(r), shadowCell(r, last?.report)]),
    );
    header.push(...t.header);
    body.push(...t.rows);
  }
  if (uncalled.length > 0) {
    const t = table(
      [
        { title: 'function', max: 50 },
        { title: 'file:line', max: 60 },
        { title: 'findings', max: 50 },
        { title: 'AI', max: 24 },
        { title: 'shadow', max: width },
      ],
      uncalled.map((r) => [name(r), where(r), findingsCell(r), aiCell(r), shadowCell(r, last?.report)]),
    );
    const title = source.connected ? `no production calls in ${window}: new or unused code` : 'changed functions (no production figures)';
    // With nothing called, this table is the answer: its title and columns head it, so they are never cut.
    if (called.length === 0) header.push(`${title}:`, ...t.header);
    else body.push(`${title}:`, ...t.header);
    body.push(...t.rows);
  }
  return { text: fitRows(header, body, budget, [verdict(rows, last, latestChange)]) };
}

/** Each changed file's figures (or, for many files, the whole answer), with the environment they are for. */
async function readProduction(
  data: AgentData,
  changes: AgentChanges,
  window: string,
  environment: string | undefined,
  notes: string[],
): Promise<{ functions: FunctionSignal[]; errors: ErrorSignal[]; environment: string } | undefined> {
  const files = [...new Set(changes.functions.map((f) => f.file))];
  const queries = files.length <= MAX_FILE_QUERIES ? files.map((file) => ({ window, file, ...(environment ? { environment } : {}) })) : [{ window, ...(environment ? { environment } : {}) }];
  try {
    const answers = await Promise.all(queries.map((q) => data.signals(q)));
    const first = answers[0]!;
    if (environment !== undefined && first.environments.length > 0 && !first.environments.includes(environment)) {
      notes.push(
        `environment "${safeText(environment, 60)}" is unknown to the server; it knows: ${first.environments
          .slice(0, 8)
          .map((e) => safeText(e, 40))
          .join(', ')}`,
      );
    }
    return { functions: answers.flatMap((a) => a.functions), errors: answers.flatMap((a) => a.errors), environment: first.environment };
  } catch (err) {
    notes.push(`production figures unavailable: ${safeText((err as Error).message, 200)}`);
    return undefined;
  }
}

/** The newest mtime of the changed files that still exist (Unix ms), or 0. */
async function latestModified(workspace: string, files: readonly string[]): Promise<number> {
  const times = await Promise.all(
    files.map((f) =>
      stat(path.join(workspace, f)).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  return Math.max(0, ...times);
}

function shadowLine(last: { report: ShadowReport; finishedAt: number } | undefined, latestChange: number, now: number): string {
  if (!last) return 'shadow run: none for this workspace yet';
  const r = last.report;
  const order = last.finishedAt < latestChange ? 'older than the latest change' : 'newer than the latest change';
  return `shadow run: finished ${fmtAgo(last.finishedAt, now)}, ${r.replayed} requests replayed against ${safeText(r.run.candidate, 80)}${r.run.baseline ? ` (baseline ${safeText(r.run.baseline, 80)})` : ' (no baseline)'}; ${order}`;
}

function verdict(rows: readonly DiffRiskRow[], last: { report: ShadowReport; finishedAt: number } | undefined, latestChange: number): string {
  const risky = rows.filter((r) => r.risks.length > 0);
  const named = risky.slice(0, 3).map((r) => `${safeText(r.fn.function, 50)} at ${where(r)} (${r.risks.join(', ')})`);
  const rest = risky.slice(3);
  const more =
    rest.length > 0
      ? `; and ${rest.length} more: ${rest
          .slice(0, 5)
          .map((r) => safeText(r.fn.function, 40))
          .join(', ')}${rest.length > 5 ? ', …' : ''}`
      : '';
  const risks = risky.length === 0 ? `no risks found in ${rows.length} changed function${plural(rows.length)}` : `${risky.length} risk${plural(risky.length)}: ${named.join('; ')}${more}`;
  let shadow: string;
  if (!last) shadow = 'no shadow run yet: run runtimeLens_shadowRun to replay production traffic against the change';
  else if (last.finishedAt < latestChange) shadow = 'shadow run is older than the change: run runtimeLens_shadowRun';
  else if (!rows.some((r) => r.shadow)) shadow = 'the last shadow run did not reach the changed functions';
  else shadow = 'shadow run is newer than the change';
  return `verdict: ${risks}; ${shadow}`;
}

function name(r: DiffRiskRow): string {
  return `${safeText(r.fn.function, 50)}${r.fn.side === 'base' ? ' (removed)' : ''}`;
}

function where(r: DiffRiskRow): string {
  return `${fileLine(r.fn.file, r.fn.line)}${r.fn.side === 'base' ? '@base' : ''}`;
}

function errorCell(r: DiffRiskRow): string {
  return r.errorGroups === 0 ? '0' : `${r.errorGroups} (${r.errorCount}×)`;
}

function findingsCell(r: DiffRiskRow): string {
  return r.findings.length === 0 ? '–' : r.findings.map((f) => `${f.rule}:${f.line}`).join(', ');
}

function aiCell(r: DiffRiskRow): string {
  const a = r.authored?.authorship ?? r.findings.find((f) => f.authorship?.ai)?.authorship;
  if (!a?.ai) return '–';
  return a.agent ? `AI (${safeText(a.agent, 20)})` : 'AI';
}

function shadowCell(r: DiffRiskRow, report: ShadowReport | undefined): string {
  if (!report) return '–';
  if (!r.shadow) return 'not reached';
  const parts = functionDeltaParts(r.shadow);
  return parts.length === 0 ? 'no difference' : parts.join('; ');
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
