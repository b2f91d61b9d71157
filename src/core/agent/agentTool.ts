/**
 * One agent tool, defined once for both hosts (VS Code's language-model tools and the MCP server):
 * its name, what a model reads to decide when to call it, the JSON Schema of its input, and how it
 * answers: compact text (a small table or tree, figures with units, `file:line` references), within
 * a token budget unless the caller asks for `detail`.
 */
import type { AgentData } from './agentData';

/** The JSON Schema of a tool's input (an object; both hosts take this subset). */
export interface ToolInputSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties?: false;
}

/** How a tool runs. */
export interface ToolRunOptions {
  /** The answer's budget in tokens (2,000 by default; more with `detail`). */
  maxTokens: number;
  signal?: AbortSignal;
}

/** A tool's answer: text for the model. */
export interface ToolAnswer {
  text: string;
  /** True when there was nothing to show (the text says why). */
  empty?: boolean;
}

/** A tool, as both hosts register it. */
export interface AgentTool {
  /** `runtimeLens_functionRuntime`: the same in package.json, `vscode.lm.registerTool` and MCP. */
  name: string;
  /** A short human title (MCP `title`, VS Code `displayName`). */
  title: string;
  /** What a model reads: what it answers, when to call it, what the input means. */
  description: string;
  inputSchema: ToolInputSchema;
  /** False only for the shadow run (it starts processes and sends requests). */
  readOnly: boolean;
  /** Validates `input` (a ToolInputError with one line when it is wrong) and answers. */
  run(input: unknown, data: AgentData, options: ToolRunOptions): Promise<ToolAnswer>;
}

/** Bad tool input: the message is one line the model can act on. */
export class ToolInputError extends Error {}

/** The default answer budget, in tokens. */
export const DEFAULT_MAX_TOKENS = 2_000;
/** The budget with `detail: true`. */
export const DETAIL_MAX_TOKENS = 8_000;
