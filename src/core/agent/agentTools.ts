/** The agent tools, in the order hosts list them (at most six: issue 14 §1). */
import type { AgentTool } from './agentTool';
import { diffRiskTool } from './tools/diffRisk';
import { errorsTool } from './tools/errors';
import { functionRuntimeTool } from './tools/functionRuntime';
import { hotspotsTool } from './tools/hotspots';
import { shadowRunTool } from './tools/shadowRun';
import { traceTool } from './tools/trace';

export const AGENT_TOOLS: readonly AgentTool[] = [functionRuntimeTool, diffRiskTool, hotspotsTool, errorsTool, traceTool, shadowRunTool];

/** The tool of this name, if there is one. */
export function agentTool(name: string): AgentTool | undefined {
  return AGENT_TOOLS.find((t) => t.name === name);
}
