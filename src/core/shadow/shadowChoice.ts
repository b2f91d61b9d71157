/**
 * What the editor's "Shadow Run…" asks for (traffic, target, baseline, budget), validated from
 * wherever it comes from (the pickers, the last run remembered in workspace state, a command
 * argument), and the `runtime-lens shadow` arguments it becomes.
 */
import { isSafeRevision } from '../mapping/git';

/** The local build to replay against: one that runs, or a command that starts it. */
export type ShadowTarget = { kind: 'url'; url: string } | { kind: 'start'; command: string; health: string };

/** What to compare the candidate with. */
export type ShadowBaseline = { kind: 'none' } | { kind: 'url'; url: string } | { kind: 'ref'; ref: string; label?: string };

/** The traffic choice that means "the production traces the editor's Runtime Lens server holds" (`--from`). */
export const PRODUCTION_TRACES = 'production-traces';

/** Where the editor reads production traces from: its read API and the session's read token. */
export interface TraceServer {
  server: string;
  token: string;
}

/** One shadow run's choices. */
export interface ShadowChoice {
  /** Absolute path of a .har, .gor or .json traffic file, or PRODUCTION_TRACES. */
  traffic: string;
  target: ShadowTarget;
  baseline: ShadowBaseline;
  /** Requests to replay at most. */
  budget: number;
}

/** The budget offered first. */
export const DEFAULT_SHADOW_BUDGET = 200;
const MAX_BUDGET = 1_000_000;
const TRAFFIC = /\.(har|gor|json)$/i;

/** One line on what is wrong with a URL the user typed, or undefined when it is an http(s) URL. */
export function urlProblem(value: string): string | undefined {
  try {
    const u = new URL(value.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'an http:// or https:// URL';
  } catch {
    return 'a URL such as http://127.0.0.1:3000';
  }
}

/** One line on what is wrong with a health path, or undefined (a path `/health`, or a URL). */
export function healthProblem(value: string): string | undefined {
  const v = value.trim();
  if (v.startsWith('/') && !/\s/.test(v)) return undefined;
  return urlProblem(v) ? 'a path such as /health, or a URL' : undefined;
}

/** The budget typed, or the reason it is not one. */
export function parseBudget(value: string): number | string {
  const v = value.trim();
  if (!/^\d{1,7}$/.test(v) || Number(v) < 1 || Number(v) > MAX_BUDGET) return `a whole number of requests from 1 to ${MAX_BUDGET}`;
  return Number(v);
}

/** Validates a choice from outside (workspace state, a command argument); undefined when it is not one. */
export function parseShadowChoice(raw: unknown): ShadowChoice | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.traffic !== 'string' || (r.traffic !== PRODUCTION_TRACES && !TRAFFIC.test(r.traffic))) return undefined;
  if (typeof r.budget !== 'number' || !Number.isInteger(r.budget) || r.budget < 1 || r.budget > MAX_BUDGET) return undefined;
  const target = parseTarget(r.target);
  const baseline = parseBaseline(r.baseline);
  if (!target || !baseline) return undefined;
  // The CLI starts a ref's baseline with the candidate's command: a running URL has none.
  if (baseline.kind === 'ref' && target.kind !== 'start') return undefined;
  return { traffic: r.traffic, target, baseline, budget: r.budget };
}

/** True when the run starts a process (a trusted workspace is needed). */
export function startsProcess(choice: ShadowChoice): boolean {
  return choice.target.kind === 'start';
}

/**
 * The `runtime-lens shadow` arguments of a choice, JSON on stdout and progress as JSON lines on stderr.
 * Production traces are read from `traces.server` (its token goes in the environment, never here).
 */
export function shadowCliArgs(choice: ShadowChoice, workspace: string, traces?: TraceServer): string[] {
  if (choice.traffic === PRODUCTION_TRACES && traces === undefined) throw new Error('production traces need a running Runtime Lens receiver or source');
  const args = choice.traffic === PRODUCTION_TRACES ? ['shadow', '--from', traces!.server] : ['shadow', '--traffic', choice.traffic];
  if (choice.target.kind === 'url') args.push('--target', choice.target.url);
  else args.push('--start', choice.target.command, '--health', choice.target.health);
  if (choice.baseline.kind === 'url') args.push('--baseline', choice.baseline.url);
  // `=` form: a ref can never read as another flag (and isSafeRevision refused a leading `-`).
  else if (choice.baseline.kind === 'ref') args.push(`--baseline-ref=${choice.baseline.ref}`);
  if (workspace) args.push('--workspace', workspace);
  args.push('--budget', String(choice.budget), '--json', '--progress', 'json');
  return args;
}

/** One line describing the choice, for logs and the progress title. */
export function describeChoice(choice: ShadowChoice): string {
  const target = choice.target.kind === 'url' ? choice.target.url : `\`${choice.target.command}\``;
  const base = choice.baseline.kind === 'none' ? 'no baseline' : choice.baseline.kind === 'url' ? `baseline ${choice.baseline.url}` : `baseline ${choice.baseline.label ?? choice.baseline.ref}`;
  const traffic = choice.traffic === PRODUCTION_TRACES ? 'production traces' : basename(choice.traffic);
  return `${choice.budget} requests of ${traffic} against ${target}, ${base}`;
}

function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function parseTarget(raw: unknown): ShadowTarget | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const t = raw as Record<string, unknown>;
  if (t.kind === 'url' && typeof t.url === 'string' && !urlProblem(t.url)) return { kind: 'url', url: t.url.trim() };
  if (t.kind === 'start' && typeof t.command === 'string' && t.command.trim() !== '' && typeof t.health === 'string' && !healthProblem(t.health)) {
    return { kind: 'start', command: t.command.trim(), health: t.health.trim() };
  }
  return undefined;
}

function parseBaseline(raw: unknown): ShadowBaseline | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const b = raw as Record<string, unknown>;
  if (b.kind === 'none') return { kind: 'none' };
  if (b.kind === 'url' && typeof b.url === 'string' && !urlProblem(b.url)) return { kind: 'url', url: b.url.trim() };
  if (b.kind === 'ref' && typeof b.ref === 'string' && isSafeRevision(b.ref)) return { kind: 'ref', ref: b.ref, ...(typeof b.label === 'string' ? { label: b.label.slice(0, 200) } : {}) };
  return undefined;
}
