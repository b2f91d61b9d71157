/**
 * Runtime Lens for AI agents in the editor: the language-model tools and the MCP server definition,
 * both reading the server Live Signals reads, both registered only while `runtimeLens.agent.tools`
 * is on and only on hosts that have the APIs (so an older host still activates). Composed by
 * extension.ts.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { AgentData } from '../../core/agent/agentData';
import { AGENT_TOOLS } from '../../core/agent/agentTools';
import type { Logger } from '../../core/logger';
import { SECTION, Settings } from '../ids';
import type { LiveSignals } from '../liveSignals';
import { readReceiverToken } from '../receiverToken';
import { mappingRoot } from '../workspacePaths';
import { MCP_PROVIDER_ID } from './agentManifest';
import { registerLanguageModelTools, type RegisteredLmTool } from './lmTools';
import { type McpTarget, RuntimeLensMcpProvider } from './mcpProvider';

/** What the feature reads. */
export interface AgentFeatureDeps {
  live: Pick<LiveSignals, 'traceServer' | 'onDidChangeState'>;
  /** The receiver address from the settings and the file its read token is kept in (see receiverTokenFile). */
  receiver(): { server: string; tokenFile: string };
  /** The bundled CLI (dist/cli.js): the MCP server and the shadow runs. */
  cliPath: string;
  log: Logger;
}

/** What integration suites read. */
export interface AgentSurfaces {
  /** The tools registered now (none while the setting is off or the host has no `vscode.lm.registerTool`). */
  tools(): readonly RegisteredLmTool[];
  /** The MCP provider registered now. */
  mcp(): RuntimeLensMcpProvider | undefined;
}

/** The `lm` namespace of hosts that have these APIs (older ones have none, or only part). */
function lmApi(): Partial<Pick<typeof vscode.lm, 'registerTool' | 'registerMcpServerDefinitionProvider'>> | undefined {
  return (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
}

/** Whether `runtimeLens.agent.tools` is on. */
export function agentToolsEnabled(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<boolean>(Settings.agentTools, true) !== false;
}

/** Registers the tools and the MCP provider when the setting is on, and follows the setting. */
export function registerAgent(context: vscode.ExtensionContext, deps: AgentFeatureDeps): AgentSurfaces {
  let registered: RegisteredLmTool[] = [];
  let provider: RuntimeLensMcpProvider | undefined;
  let session: vscode.Disposable[] = [];
  let cached: { key: string; data: AgentData } | undefined;

  /** The server Live Signals reads and its token; the configured receiver (and its token file) while it is stopped. */
  const current = (): { server: string; token: string; tokenFile?: string } => {
    const receiver = deps.receiver();
    const live = deps.live.traceServer();
    if (live) return { server: live.server, token: live.token, ...(live.token ? { tokenFile: receiver.tokenFile } : {}) };
    const token = readReceiverToken(receiver.tokenFile);
    return { server: receiver.server, token, ...(token ? { tokenFile: receiver.tokenFile } : {}) };
  };

  const data = (): AgentData => {
    const { server, token } = current();
    const workspace = mappingRoot()?.fsPath ?? '';
    const trusted = vscode.workspace.isTrusted;
    // One AgentData per server, token, folder and trust: it keeps the analysis' caches between calls.
    const key = JSON.stringify([server, token, workspace, trusted]);
    if (cached?.key !== key) {
      // Required at the first call: the analysis behind it must not be evaluated during activation.
      const { createAgentReadData } = require('../../core/client/agentReadData') as typeof import('../../core/client/agentReadData');
      cached = { key, data: createAgentReadData({ workspace, server, token: token || undefined, logger: deps.log, allowShadow: trusted, cliPath: deps.cliPath }) };
    }
    return cached.data;
  };

  const mcpTarget = (): McpTarget | undefined => {
    const root = mappingRoot();
    if (!root || root.scheme !== 'file') return undefined;
    const { server, tokenFile } = current();
    // The MCP server reads the file when it starts: name it only while it holds a token.
    return { server, workspace: root.fsPath, ...(tokenFile && fs.existsSync(tokenFile) ? { tokenFile } : {}) };
  };

  const start = (): void => {
    const lm = lmApi();
    if (typeof lm?.registerTool === 'function') {
      const tools = registerLanguageModelTools(AGENT_TOOLS, { data, log: deps.log });
      registered = tools.registered;
      session.push(...tools.disposables);
    } else deps.log.info('this editor has no language-model tool API (vscode.lm.registerTool); the agent tools are not offered');
    if (typeof lm?.registerMcpServerDefinitionProvider === 'function') {
      const created = new RuntimeLensMcpProvider({ target: mcpTarget, cliPath: deps.cliPath });
      provider = created;
      let last = JSON.stringify(mcpTarget());
      const changed = (): void => {
        const now = JSON.stringify(mcpTarget());
        if (now === last) return;
        last = now;
        created.changed();
      };
      session.push(created, lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, created), deps.live.onDidChangeState(changed), vscode.workspace.onDidChangeWorkspaceFolders(changed));
    }
  };

  const stop = (): void => {
    for (const d of session) d.dispose();
    session = [];
    registered = [];
    provider = undefined;
    cached = undefined;
  };

  if (agentToolsEnabled()) start();
  context.subscriptions.push(
    { dispose: stop },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(`${SECTION}.${Settings.agentTools}`)) return;
      const on = agentToolsEnabled();
      if (on && session.length === 0) start();
      else if (!on && session.length > 0) {
        stop();
        deps.log.info('runtimeLens.agent.tools is off: the language-model tools and the MCP server definition are withdrawn');
      }
    }),
  );
  return { tools: () => registered, mcp: () => provider };
}
