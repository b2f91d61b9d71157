/**
 * `runtimeLens_shadowRun`: replays sampled production requests against the local build (and a
 * baseline, when a ref is given) with the safe defaults (loopback targets only, GET/HEAD/OPTIONS
 * only, a bounded budget), and answers with what changed per route and per function. Not read-only:
 * VS Code asks the user first (`shadowConfirmation`), MCP offers it only under `--allow-shadow`.
 */
import type { AgentData, AgentShadowRequest } from '../agentData';
import { type AgentTool, type ToolAnswer, ToolInputError, type ToolRunOptions } from '../agentTool';
import { safeText } from '../agentText';
import { answerBudget, inputObject, readBoolean, readInteger, readString } from '../toolInput';
import { renderShadowReport } from '../shadowReportText';

const INPUTS = ['target', 'start', 'health', 'baselineRef', 'budget', 'detail'];
/** Requests an agent may ask to replay at most. */
export const MAX_AGENT_SHADOW_BUDGET = 500;
/** The budget when the agent names none (the editor's default). */
const DEFAULT_BUDGET = 200;

export const shadowRunTool: AgentTool = {
  name: 'runtimeLens_shadowRun',
  title: 'Shadow run',
  description:
    'Replays sampled real production requests (GET/HEAD/OPTIONS only) against the local build running on this machine, and against a baseline when baselineRef is given, then reports what changed per route (status, response shape, new errors, p95) and per function (p95 ratio, new errors, added/missing/repeated downstream calls) with file:line. Give target (a loopback URL of the running build) or start (a command that starts it, with health). Takes seconds to minutes; the user may be asked to confirm.',
  inputSchema: {
    type: 'object',
    properties: {
      target: { type: 'string', description: 'URL of the running local build, on loopback (http://127.0.0.1:3000).' },
      start: { type: 'string', description: 'Command that starts the local build (instead of target), e.g. "npm start".' },
      health: { type: 'string', description: 'With start: path or URL to wait on until the build answers (default /).' },
      baselineRef: { type: 'string', description: 'With start: a git ref whose build is the baseline (started in a temporary worktree).' },
      budget: { type: 'integer', minimum: 1, maximum: MAX_AGENT_SHADOW_BUDGET, description: `Requests to replay at most (default ${DEFAULT_BUDGET}).` },
      detail: { type: 'boolean', description: 'A longer answer: every differing route and function.' },
    },
    additionalProperties: false,
  },
  readOnly: false,
  run: runShadowTool,
};

/** The request an input names; throws a ToolInputError with one line when it names none. */
export function shadowRequest(input: unknown): AgentShadowRequest & { budget: number } {
  const obj = inputObject(input, INPUTS);
  const target = readString(obj, 'target', 500);
  const start = readString(obj, 'start', 500);
  const health = readString(obj, 'health', 500);
  const baselineRef = readString(obj, 'baselineRef', 255);
  const budget = readInteger(obj, 'budget', 1, MAX_AGENT_SHADOW_BUDGET) ?? DEFAULT_BUDGET;
  if (!target && !start) throw new ToolInputError('give "target" (the URL of the running local build) or "start" (the command that starts it)');
  if (target && start) throw new ToolInputError('give "target" or "start", not both');
  if (target) {
    let url: URL | undefined;
    try {
      url = new URL(target);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new ToolInputError('"target" must be an http:// URL such as http://127.0.0.1:3000');
  }
  if (baselineRef && !start) throw new ToolInputError('"baselineRef" needs "start": the same command starts the baseline in a worktree');
  if (health && !start) throw new ToolInputError('"health" goes with "start"');
  return { ...(target ? { target } : {}), ...(start ? { start } : {}), ...(health ? { health } : {}), ...(baselineRef ? { baselineRef } : {}), budget };
}

/**
 * What VS Code shows before the run (`prepareInvocation`): the target or start command, the
 * baseline and the budget. Throws a ToolInputError for input the run would refuse.
 */
export function shadowConfirmation(input: unknown): { title: string; message: string } {
  const r = shadowRequest(input);
  const against = r.target ? `the build at ${r.target}` : `the build started with \`${r.start}\` (waiting on ${r.health ?? '/'})`;
  const baseline = r.baselineRef ? `, compared with ${r.baselineRef} started the same way in a temporary worktree` : '';
  return {
    title: 'Run a shadow run?',
    message: `Replay up to ${r.budget} sampled production requests (GET, HEAD and OPTIONS only) against ${against}${baseline}. ${r.start ? 'This runs the command in the workspace. ' : ''}Only loopback targets are allowed.`,
  };
}

async function runShadowTool(input: unknown, data: AgentData, options: ToolRunOptions): Promise<ToolAnswer> {
  const request = shadowRequest(input);
  const detail = readBoolean(inputObject(input, INPUTS), 'detail') === true;
  if (!data.runShadow) {
    return {
      text: "This host does not allow shadow runs: the MCP server runs them only when started with --allow-shadow (in VS Code the tool asks the user to confirm each run instead). runtimeLens_diffRisk shows the last run's results.",
      empty: true,
    };
  }
  let report: Awaited<ReturnType<NonNullable<AgentData['runShadow']>>>;
  try {
    report = await data.runShadow(request, options.signal);
  } catch (err) {
    return { text: `The shadow run failed: ${safeText((err as Error).message, 300)}`, empty: true };
  }
  return { text: renderShadowReport(report, answerBudget(options, detail)), empty: report.replayed === 0 };
}
