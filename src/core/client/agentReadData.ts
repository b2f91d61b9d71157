/**
 * The AgentData the composition roots hand to the agent tools (the MCP server, the editor's
 * language-model tools): production signals and traces through the read API's one client (the same
 * code path as the editor), changes from git, findings and authorship from the analysis, the last
 * shadow run from the cache folder, and, where the host allows it, a shadow run through the CLI.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { AgentChanges, AgentData, AgentShadowRequest, AgentSourceInfo } from '../agent/agentData';
import type { ShadowReport } from '../api/shadowReport';
import { type Logger, silentLogger } from '../logger';
import { nodeGit } from '../mapping/git';
import { changedFunctions } from '../shadow/changedFunctions';
import { readLastShadowReport } from '../shadow/lastShadowReport';
import { AgentAnalysis } from './agentAnalysis';
import { runAgentShadow } from './agentShadowCli';
import { resolveBaseRef } from './defaultBaseRef';
import { ReadApiClient } from './readApiClient';

/** What the adapter reads from. */
export interface AgentReadDataOptions {
  /** The workspace folder files are relative to. */
  workspace: string;
  /** The read API: a running receiver, or `serve` over the team's backends. */
  server: string;
  token?: string;
  logger?: Logger;
  /** Offer `runShadow` (MCP: `--allow-shadow`; the editor: its setting, after the user confirms each run). */
  allowShadow?: boolean;
  /** The bundled CLI (dist/cli.js), which runs the shadow runs. */
  cliPath?: string;
  /** Node flags before `cliPath` (tests run src/cli.ts through `--import tsx`). */
  execArgv?: string[];
}

/** Builds the agent tools' data port over a read API server and a workspace. */
export function createAgentReadData(options: AgentReadDataOptions): AgentData {
  const workspace = path.resolve(options.workspace);
  const logger = options.logger ?? silentLogger;
  let client: ReadApiClient | undefined;
  let clientError: Error | undefined;
  try {
    client = new ReadApiClient({ server: options.server, ...(options.token ? { token: options.token } : {}) });
  } catch (err) {
    clientError = err as Error;
  }
  const api = (): ReadApiClient => {
    if (!client) throw clientError!;
    return client;
  };
  const git = nodeGit(workspace);
  const analysis = new AgentAnalysis(workspace, logger);

  const data: AgentData = {
    workspace,
    source: () => (client ? describeSource(client) : Promise.resolve({ connected: false, description: `read API at ${options.server}`, reason: clientError!.message })),
    signals: async (query) =>
      api().signals({
        window: query.window,
        ...(query.environment ? { environment: query.environment } : {}),
        ...(query.file ? { file: query.file } : {}),
        ...(query.perMinute ? { perMinute: true } : {}),
        ...(query.top ? { top: query.top } : {}),
      }),
    trace: async (traceId) => api().trace(traceId),
    changes: (base) => changesSince(git, workspace, base),
    findings: (files) => analysis.findings(files),
    authored: (files) => analysis.authored(files),
    head: async () => {
      const out = await git.run(['rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => '');
      return /^[0-9a-f]{40,64}$/.test(out.trim()) ? out.trim() : undefined;
    },
    lastShadow: () => readLastShadowReport(workspace, logger),
  };
  if (options.allowShadow && options.cliPath) {
    const cli = { cliPath: options.cliPath, server: options.server, workspace, ...(options.token ? { token: options.token } : {}), ...(options.execArgv ? { execArgv: options.execArgv } : {}) };
    data.runShadow = (request: AgentShadowRequest, signal?: AbortSignal): Promise<ShadowReport> => runAgentShadow(cli, request, signal);
  }
  return data;
}

/** Whether the server answers as Runtime Lens, and if not, why, in one line. */
async function describeSource(client: ReadApiClient): Promise<AgentSourceInfo> {
  const probe = await client.probe();
  const at = client.server;
  switch (probe.kind) {
    case 'runtimeLens': {
      const remote = probe.status.sources?.filter((s) => s.kind !== 'embedded') ?? [];
      const over = remote.length > 0 ? ` over ${remote.map((s) => s.name).join(', ')}` : '';
      const what = probe.status.receiving === false ? `read API at ${at}${over}` : `receiver at ${at}${over}`;
      return { connected: true, description: `${what} (Runtime Lens ${probe.status.version})` };
    }
    case 'free':
      return { connected: false, description: `read API at ${at}`, reason: `nothing listens at ${at} (connection refused): start the receiver or \`runtime-lens serve\`` };
    case 'locked':
      return { connected: false, description: `read API at ${at}`, reason: `Runtime Lens ${probe.version} at ${at} refuses this token (wrong or missing read token)` };
    case 'foreign':
      return { connected: false, description: `read API at ${at}`, reason: `not a Runtime Lens server at ${at}: ${probe.detail}` };
    case 'silent':
      return { connected: false, description: `read API at ${at}`, reason: `${at} took the connection but gave ${probe.detail} (busy, or not an HTTP server)` };
  }
}

/** The working tree's changed functions against `base` (or the default base), in the agent's shape. */
async function changesSince(git: ReturnType<typeof nodeGit>, workspace: string, base: string | undefined): Promise<AgentChanges> {
  await git.run(['rev-parse', '--is-inside-work-tree']).catch(() => {
    throw new Error(`${workspace} is not in a git repository: there are no changes to compare`);
  });
  const chosen = await resolveBaseRef(git, base);
  const read = async (file: string): Promise<string | undefined> => {
    const abs = path.resolve(workspace, file);
    const rel = path.relative(workspace, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return readFile(abs, 'utf8').catch(() => undefined);
  };
  const changed = await changedFunctions(git, chosen.ref, read);
  return {
    ref: changed.ref,
    commit: changed.commit,
    ...(chosen.how ? { how: chosen.how } : {}),
    files: changed.files,
    functions: changed.functions.map((f) => ({ file: f.file, function: f.qualifiedName, line: f.line, endLine: f.endLine, side: f.side })),
  };
}
