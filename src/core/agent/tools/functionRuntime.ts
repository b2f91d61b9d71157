/**
 * runtimeLens_functionRuntime: what production says about one function (by file + line, or by
 * name): its figures per window, how it was mapped, deployed revision against HEAD, its top error
 * groups with one stack trimmed to in-app frames, exemplar traces, and its AI authorship and findings.
 */
import type { FunctionSignal, SignalsResponse } from '../../api/signals';
import type { AgentData } from '../agentData';
import { authoredAt, authorshipLine, readAuthored, readFindings } from '../agentAuthorship';
import { connectedSource, emptyWindow, knownEnvironments, sourceLine, unknownEnvironment } from '../agentPreamble';
import { trimStack } from '../agentStack';
import { table } from '../agentTable';
import { approx, figureNote, fileLine, fmtMs, fmtNumber, fmtPercent, fmtRate, fmtWhen, safeText, shortRev } from '../agentText';
import { ToolInputError, type AgentTool } from '../agentTool';
import { sameFunctionName } from '../agentNames';
import { fitRows } from '../answerBudget';
import { locateFunction, sameLocationIn } from '../functionLocate';
import { answerBudget, inputObject, readBoolean, readEnum, readInteger, readString, readWorkspaceFile, TOOL_WINDOWS, WINDOW_SCHEMA } from '../toolInput';

/** The function runtime tool. */
export const functionRuntimeTool: AgentTool = {
  name: 'runtimeLens_functionRuntime',
  title: 'Function runtime',
  description:
    'Production figures of one function (workspace file + line, or name): p50/p95/p99, error rate, rate (default windows 1h and 5m), top errors with stack, trace ids, mapping, deployed vs HEAD, AI authorship, findings.',
  inputSchema: {
    type: 'object',
    properties: {
      file: { type: 'string' },
      line: { type: 'integer' },
      function: { type: 'string' },
      window: WINDOW_SCHEMA,
      environment: { type: 'string' },
      detail: { type: 'boolean' },
    },
  },
  readOnly: true,
  async run(input, data, options) {
    const obj = inputObject(input, ['file', 'line', 'function', 'window', 'environment', 'detail']);
    const file = readWorkspaceFile(obj, 'file');
    const line = readInteger(obj, 'line', 1, 10_000_000);
    const fn = readString(obj, 'function', 300);
    const window = readEnum(obj, 'window', TOOL_WINDOWS);
    const environment = readString(obj, 'environment', 200);
    const detail = readBoolean(obj, 'detail') ?? false;
    if (line !== undefined && file === undefined) throw new ToolInputError('"line" needs "file" (workspace-relative), or give "function" instead');
    if (fn === undefined && (file === undefined || line === undefined)) throw new ToolInputError('give "file" and "line", or "function" (optionally with "file")');
    const budget = answerBudget(options, detail);
    const windows: string[] = window ? [window] : ['1h', '5m'];

    const connected = await connectedSource(data);
    if ('answer' in connected) return connected.answer;
    const primary = await data.signals({ window: windows[0], ...(environment !== undefined ? { environment } : {}), ...(file !== undefined ? { file } : {}) });
    const env = environment ?? primary.environment;
    const first = `Function runtime · ${sourceLine(connected.source, windows.join(' and '), env, primary)}`;
    const unknown = unknownEnvironment(primary, environment, first);
    if (unknown) return unknown;
    if (file === undefined && primary.functions.length === 0) return emptyWindow({ ...primary, errors: [] }, first)!;

    const located = locateFunction(primary.functions, { file, line, function: fn });
    const asked = file !== undefined && line !== undefined ? fileLine(file, line) : `"${safeText(fn ?? '', 80)}"${file !== undefined ? ` in ${safeText(file, 120)}` : ''}`;
    if (located.kind === 'none') {
      const nearby = located.nearby.slice(0, 15).map((s) => `${safeText(s.function, 50)} (line ${s.line})`);
      const where =
        file !== undefined
          ? nearby.length > 0
            ? `Functions with calls in ${safeText(file, 120)}: ${nearby.join(', ')}.`
            : `Nothing in ${safeText(file, 120)} was called in this window (or the file is not in the workspace).`
          : '';
      const envs = primary.environments.length > 1 ? ` ${knownEnvironments(primary)}` : '';
      return { text: `${first}\nNo calls of ${asked} in ${windows[0]}: never called in this window, or not mapped to this code. ${where}${envs}`.trimEnd(), empty: true };
    }
    if (located.kind === 'ambiguous') {
      const t = table(
        [
          { title: 'function', max: 50 },
          { title: 'file:line', max: 90 },
          { title: 'calls', align: 'right' },
        ],
        located.locations.map((s) => [safeText(s.function, 50), fileLine(s.file, s.line), String(s.count)]),
      );
      return { text: fitRows([first, `${located.locations.length} functions match ${asked}; call again with file and line:`, ...t.header], t.rows, budget) };
    }

    const sig = located.signals[0];
    const perWindow: [string, FunctionSignal[]][] = [[windows[0], located.signals]];
    for (const w of windows.slice(1)) {
      const resp = await data.signals({ window: w, environment: env, file: sig.file });
      perWindow.push([w, sameLocationIn(resp.functions, sig)]);
    }
    const header = [first, ...identity(sig, located.how), ...figuresTable(perWindow, located.signals.length > 1), ...(await driftLines(sig, data))];
    const rows = [...(await authorshipRows(sig, data, detail)), ...exemplarRows(sig, detail, primary.generatedAt), ...errorRows(sig, primary, windows[0], detail, data.workspace)];
    return { text: fitRows(header, rows, budget) };
  },
};

function identity(sig: FunctionSignal, how: string): string[] {
  return [
    `${safeText(sig.function, 80)} at ${fileLine(sig.file, sig.line)} · service ${safeText(sig.service, 40)} · environment ${safeText(sig.environment, 40)}`,
    `mapped by ${sig.mappedBy}, confidence ${fmtNumber(sig.confidence)}; ${how}`,
  ];
}

function figuresTable(perWindow: [string, FunctionSignal[]][], withService: boolean): string[] {
  const cells: string[][] = [];
  const notes = new Set<string>();
  for (const [w, list] of perWindow) {
    if (list.length === 0) cells.push([w, ...(withService ? [''] : []), '0', 'no calls', '', '', '', '']);
    for (const s of list) {
      const a = approx(s.figures?.traffic);
      const note = figureNote(s.figures?.traffic);
      if (note) notes.add(`${w}: ${note}`);
      cells.push([
        w,
        ...(withService ? [safeText(s.service, 30)] : []),
        `${a}${s.count}`,
        `${a}${fmtRate(s.ratePerMin)}`,
        `${a}${fmtMs(s.p50Ms)}`,
        `${a}${fmtMs(s.p95Ms)}`,
        `${a}${fmtMs(s.p99Ms)}`,
        `${a}${fmtPercent(s.errorRate)} (${s.errors})`,
      ]);
    }
  }
  const right = { align: 'right' as const };
  const t = table(
    [
      { title: 'window' },
      ...(withService ? [{ title: 'service' }] : []),
      { title: 'calls', ...right },
      { title: 'rate', ...right },
      { title: 'p50', ...right },
      { title: 'p95', ...right },
      { title: 'p99', ...right },
      { title: 'errors', ...right },
    ],
    cells,
  );
  return [...t.header, ...t.rows, ...[...notes].map((n) => `~ figures ${n}`)];
}

/** True when two revisions name the same commit (one may be abbreviated). */
function sameRevision(a: string, b: string | undefined): boolean {
  const x = a.toLowerCase();
  const y = (b ?? '').toLowerCase();
  return x.length >= 7 && y.length >= 7 && (x.startsWith(y) || y.startsWith(x));
}

async function driftLines(sig: FunctionSignal, data: AgentData): Promise<string[]> {
  let head: string | undefined;
  try {
    head = await data.head();
  } catch {
    head = undefined;
  }
  const headText = head ? `HEAD ${shortRev(head)}` : 'HEAD unknown (not a git repository)';
  if (!sig.deployed && !sig.drift) return [`deployed revision: not reported by the telemetry (vcs.ref.head.revision); ${headText}`];
  const version = sig.deployed?.version ? ` (${safeText(sig.deployed.version, 30)})` : '';
  const rev = sig.deployed?.revision ?? sig.drift?.deployed ?? '';
  const d = sig.drift;
  const state = d
    ? d.status === 'same'
      ? 'same as HEAD'
      : d.status === 'drifted'
        ? `drifted: the deployment is ${d.behind} commit${d.behind === 1 ? '' : 's'} behind HEAD, ${d.ahead} ahead`
        : 'unknown'
    : sameRevision(rev, head)
      ? 'same as HEAD'
      : head && rev
        ? 'not HEAD (the source did not say how far apart)'
        : 'not compared';
  const reason = d?.reason ? ` (${safeText(d.reason, 100)})` : '';
  const moved = sig.deployedLine !== undefined && sig.deployedLine !== sig.line ? `; telemetry said line ${sig.deployedLine}, which is line ${sig.line} at HEAD` : '';
  return [`deployed ${shortRev(rev)}${version} vs ${headText}: ${state}${reason}${moved}`];
}

async function authorshipRows(sig: FunctionSignal, data: AgentData, detail: boolean): Promise<string[]> {
  const authored = await readAuthored(data, [sig.file]);
  if (authored.error) return [`authorship: unknown (${authored.error})`];
  const a = authoredAt(authored.functions, sig.file, sig.line);
  if (!a) return ['authorship: not known to be AI-written'];
  const rows = [`AI-written: ${authorshipLine(a.authorship)} (${safeText(a.function, 60)}, lines ${a.line}-${a.endLine})`];
  const found = await readFindings(data, [sig.file]);
  if (found.error) return [...rows, `findings: unknown (${found.error})`];
  const inside = found.findings.filter((f) => f.file === sig.file && f.line >= a.line && f.line <= a.endLine);
  rows.push(inside.length > 0 ? `findings (${inside.length}):` : 'findings: none');
  for (const f of inside.slice(0, detail ? 30 : 8)) rows.push(`  ${fileLine(f.file, f.line)} ${f.severity} ${safeText(f.rule, 40)}: ${safeText(f.message, 140)}`);
  if (inside.length > (detail ? 30 : 8)) rows.push(`  … ${inside.length - (detail ? 30 : 8)} more findings (ask with detail: true)`);
  return rows;
}

function exemplarRows(sig: FunctionSignal, detail: boolean, now: number): string[] {
  if (sig.exemplars.length === 0) return ['exemplar traces: none kept'];
  const list = [...sig.exemplars].sort((a, b) => (a.kind === b.kind ? b.durationMs - a.durationMs : a.kind === 'slowest' ? -1 : 1));
  const kept = detail ? list : [...list.filter((e) => e.kind === 'slowest').slice(0, 2), ...list.filter((e) => e.kind === 'error').slice(0, 2)];
  return ['exemplar traces (open with runtimeLens_trace):', ...kept.map((e) => `  ${e.kind} ${safeText(e.traceId, 32)} ${fmtMs(e.durationMs)} ${fmtWhen(e.time, now || Date.now())}`)];
}

function errorRows(sig: FunctionSignal, response: SignalsResponse, window: string, detail: boolean, workspaceRoot: string): string[] {
  const groups = response.errors.filter((e) => e.file === sig.file && e.service === sig.service && sameFunctionName(e.function, sig.function)).sort((a, b) => b.count - a.count);
  if (groups.length === 0) return [`errors in ${window}: none${sig.errors > 0 ? ` grouped (${sig.errors} failed calls without a recorded exception)` : ''}`];
  const note = figureNote(groups[0].figures);
  const max = detail ? 10 : 3;
  const now = response.generatedAt || Date.now();
  const rows = [`top errors in ${window} (${groups.length} group${groups.length === 1 ? '' : 's'})${note ? `; ${note}` : ''}:`];
  for (const e of groups.slice(0, max)) {
    const trace = e.traceIds[0] ? ` · trace ${safeText(e.traceIds[0], 32)}` : '';
    rows.push(`  ${safeText(e.type, 60)}: ${safeText(e.message, 120)} · ${e.count} in ${window} / ${e.totalCount} total · line ${e.line} · last ${fmtWhen(e.lastSeen, now)}${trace}`);
  }
  if (groups.length > max) rows.push(`  … ${groups.length - max} more groups (runtimeLens_errors with this file and function)`);
  const stack = trimStack(groups[0].stacktrace, { workspaceFiles: [sig.file, ...new Set(response.functions.map((s) => s.file))], workspaceRoot, maxFrames: detail ? 20 : 6 });
  if (stack.length > 0) rows.push(`stack of the top group (in-app frames):`, ...stack.map((l) => `  ${l}`));
  return rows;
}
