/**
 * The `contributes.languageModelTools` entries of package.json, built from AGENT_TOOLS so the
 * manifest says what the code does: name, model description and input schema come from the tool;
 * what only VS Code shows (the `#` reference, the user description, the icon) is kept here.
 * scripts/syncLanguageModelTools.ts writes them; test/unit/vscode/agentManifest.test.ts checks them.
 * No 'vscode' import: the script and the unit test run in plain Node.
 */
import type { AgentTool, ToolInputSchema } from '../../core/agent/agentTool';
import { AGENT_TOOLS } from '../../core/agent/agentTools';
import { SECTION, Settings } from '../ids';

/** One `contributes.languageModelTools` entry, as VS Code reads it. */
export interface LanguageModelToolContribution {
  name: string;
  displayName: string;
  toolReferenceName: string;
  canBeReferencedInPrompt: boolean;
  userDescription: string;
  modelDescription: string;
  icon: string;
  when: string;
  inputSchema: ToolInputSchema;
}

/** What the chat UI shows for a tool, beside what the model reads. */
interface ChatFace {
  /** `#runtimeLensFunction` in a chat prompt. */
  reference: string;
  userDescription: string;
  /** A codicon. */
  icon: string;
}

const FACES: ReadonlyMap<string, ChatFace> = new Map([
  ['runtimeLens_functionRuntime', { reference: 'runtimeLensFunction', icon: '$(pulse)', userDescription: 'Production latency, errors, traffic and error samples of one function.' }],
  ['runtimeLens_diffRisk', { reference: 'runtimeLensDiffRisk', icon: '$(git-compare)', userDescription: 'The changed functions with their production traffic, errors and risk findings.' }],
  ['runtimeLens_hotspots', { reference: 'runtimeLensHotspots', icon: '$(flame)', userDescription: 'The functions with the most production impact, errors or latency.' }],
  ['runtimeLens_errors', { reference: 'runtimeLensErrors', icon: '$(error)', userDescription: 'Production error groups of a file, function or service.' }],
  ['runtimeLens_trace', { reference: 'runtimeLensTrace', icon: '$(list-tree)', userDescription: "One trace's spans, mapped to the code, as a tree." }],
  ['runtimeLens_shadowRun', { reference: 'runtimeLensShadowRun', icon: '$(run-all)', userDescription: 'Replays sampled production traffic against the local build (asks first).' }],
]);

/** The `when` clause every tool carries: the `runtimeLens.agent.tools` setting. */
export const AGENT_TOOLS_WHEN = `config.${SECTION}.${Settings.agentTools}`;

/** The package.json entry of one tool. */
export function toolContribution(tool: AgentTool): LanguageModelToolContribution {
  const face = FACES.get(tool.name);
  if (!face) throw new Error(`${tool.name} has no chat reference name in src/vscode/agent/toolManifest.ts`);
  return {
    name: tool.name,
    displayName: `Runtime Lens: ${tool.title}`,
    toolReferenceName: face.reference,
    canBeReferencedInPrompt: true,
    userDescription: face.userDescription,
    modelDescription: tool.description,
    icon: face.icon,
    when: AGENT_TOOLS_WHEN,
    inputSchema: tool.inputSchema,
  };
}

/** Every tool's entry, in AGENT_TOOLS' order. */
export function languageModelToolContributions(tools: readonly AgentTool[] = AGENT_TOOLS): LanguageModelToolContribution[] {
  return tools.map(toolContribution);
}

/** The id of the MCP server definition provider (package.json `contributes.mcpServerDefinitionProviders`). */
export const MCP_PROVIDER_ID = 'runtimeLens.mcp';
