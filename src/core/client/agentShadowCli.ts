/**
 * A shadow run an agent asked for, run as the bundled CLI in a child process
 * (`runtime-lens shadow --from <server> ... --json --progress json`) through the editor's own
 * runner (shadowCliRunner.ts): the CLI's safe defaults hold (loopback targets only, GET/HEAD/OPTIONS
 * only, the default budget), since no flag that widens them is ever passed. The CLI keeps the report as the workspace's last run.
 */
import type { ShadowReport } from '../api/shadowReport';
import type { AgentShadowRequest } from '../agent/agentData';
import { DEFAULT_SHADOW_BUDGET, PRODUCTION_TRACES, parseShadowChoice, shadowCliArgs } from '../shadow/shadowChoice';
import { runShadowCli } from './shadowCliRunner';

/** How to run the CLI. */
export interface AgentShadowCli {
  /** The bundled CLI (dist/cli.js). */
  cliPath: string;
  /** Node flags before the CLI path (tests run src/cli.ts through `--import tsx`). */
  execArgv?: string[];
  /** The read API the production traces come from, and its token (passed in the environment, never on the command line). */
  server: string;
  token?: string;
  workspace: string;
}

/** After SIGINT (the CLI stops its builds and cleans up), SIGKILL when it has not ended by then. */
const KILL_AFTER_MS = 15_000;

/** The `runtime-lens shadow` arguments of a request; throws one line when the request is not one the CLI takes. */
export function agentShadowArgs(request: AgentShadowRequest, cli: Pick<AgentShadowCli, 'server' | 'workspace'>): string[] {
  if (!request.target && !request.start) throw new Error('a shadow run needs a target URL (a local build that runs) or a start command');
  if (request.target && request.start) throw new Error('give a target URL or a start command, not both');
  const choice = parseShadowChoice({
    traffic: PRODUCTION_TRACES,
    target: request.target ? { kind: 'url', url: request.target } : { kind: 'start', command: request.start, health: request.health ?? '/' },
    baseline: request.baselineRef ? { kind: 'ref', ref: request.baselineRef } : { kind: 'none' },
    budget: request.budget ?? DEFAULT_SHADOW_BUDGET,
  });
  if (!choice) {
    if (request.baselineRef && !request.start) throw new Error('a baseline ref needs a start command: the same command starts the baseline in a worktree');
    throw new Error('the shadow run request is not valid: a target must be an http(s) URL, a health check a path like /health, a baseline ref a branch, tag or commit name');
  }
  return shadowCliArgs(choice, cli.workspace, { server: cli.server, token: '' });
}

/** Runs the CLI to its end: the parsed report, or a rejection with one line (the CLI's last error line). Aborting stops the child. */
export async function runAgentShadow(cli: AgentShadowCli, request: AgentShadowRequest, signal?: AbortSignal): Promise<ShadowReport> {
  const args = agentShadowArgs(request, cli);
  if (signal?.aborted) throw new Error('the shadow run was cancelled');
  const outcome = await runShadowCli({
    cliPath: cli.cliPath,
    ...(cli.execArgv ? { execArgv: cli.execArgv } : {}),
    args,
    ...(cli.token ? { token: cli.token } : {}),
    cwd: cli.workspace,
    onProgress: () => {},
    onStderrLine: () => {},
    ...(signal ? { signal } : {}),
    killAfterMs: KILL_AFTER_MS,
  });
  // An agent that cancelled asked for no partial report: it gets none.
  if (outcome.cancelled) throw new Error('the shadow run was cancelled');
  if (outcome.kind === 'failed') throw new Error(outcome.message);
  return outcome.report;
}
