/**
 * The agent tools as VS Code language-model tools (`vscode.lm.registerTool`): each invocation runs
 * the core tool over the AgentData of the server Live Signals reads, and answers with one text part.
 * Bad input answers with the tool's one-line reason (the model can correct its call); the shadow
 * run asks the user first (prepareInvocation) and needs a trusted workspace.
 */
import * as vscode from 'vscode';
import type { AgentData } from '../../core/agent/agentData';
import { type AgentTool, DEFAULT_MAX_TOKENS, ToolInputError } from '../../core/agent/agentTool';
import { shadowConfirmation } from '../../core/agent/tools/shadowRun';
import type { Logger } from '../../core/logger';

/** What the tools read and where they log. */
export interface LmToolsDeps {
  /** The data of the server Live Signals reads now (the tools say "no source connected" when there is none). */
  data(): AgentData | Promise<AgentData>;
  log: Logger;
}

/** A tool as registered, with its VS Code face (integration suites call prepareInvocation through it). */
export interface RegisteredLmTool {
  tool: AgentTool;
  lmTool: vscode.LanguageModelTool<unknown>;
}

function textResult(text: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
}

/** The answer budget: the default, or less when the caller's token budget is smaller (`detail` raises it in the tool). */
export function hostBudget(options: vscode.LanguageModelToolInvocationOptions<unknown>): number {
  const budget = options.tokenizationOptions?.tokenBudget;
  return budget !== undefined && budget > 0 ? Math.min(budget, DEFAULT_MAX_TOKENS) : DEFAULT_MAX_TOKENS;
}

/** The VS Code tool for one agent tool. */
export function languageModelTool(tool: AgentTool, deps: LmToolsDeps): vscode.LanguageModelTool<unknown> {
  return {
    async invoke(options, token) {
      // A shadow run starts the workspace's build and sends it requests: not in a workspace the user has not trusted.
      if (!tool.readOnly && !vscode.workspace.isTrusted) {
        return textResult('Not run: a shadow run needs a trusted workspace (the user can trust it with "Manage Workspace Trust").');
      }
      const abort = new AbortController();
      const cancelled = token.onCancellationRequested(() => abort.abort());
      try {
        const answer = await tool.run(options.input, await deps.data(), { maxTokens: hostBudget(options), signal: abort.signal });
        return textResult(answer.text);
      } catch (err) {
        if (err instanceof ToolInputError) return textResult(`Invalid input: ${err.message}`);
        if (abort.signal.aborted) throw new vscode.CancellationError();
        const message = (err as Error).message ?? String(err);
        deps.log.error(`${tool.name}: ${(err as Error).stack ?? message}`);
        throw new Error(`Runtime Lens could not answer: ${message}`);
      } finally {
        cancelled.dispose();
      }
    },
    prepareInvocation(options) {
      if (tool.readOnly) return { invocationMessage: `Runtime Lens: ${tool.title}` };
      let confirmation: { title: string; message: string };
      try {
        confirmation = shadowConfirmation(options.input);
      } catch (err) {
        // Input the tool refuses: invoke answers with the reason before anything runs, so no question is needed.
        if (err instanceof ToolInputError) return { invocationMessage: `Runtime Lens: ${tool.title}` };
        throw err;
      }
      // Plain text, not markdown: the target and commands come from the model's input.
      return { invocationMessage: `Runtime Lens: ${tool.title}`, confirmationMessages: { title: confirmation.title, message: confirmation.message } };
    },
  };
}

/** Registers every tool with `vscode.lm.registerTool`; returns what was registered and its disposables. */
export function registerLanguageModelTools(tools: readonly AgentTool[], deps: LmToolsDeps): { registered: RegisteredLmTool[]; disposables: vscode.Disposable[] } {
  const registered = tools.map((tool) => ({ tool, lmTool: languageModelTool(tool, deps) }));
  return { registered, disposables: registered.map((r) => vscode.lm.registerTool(r.tool.name, r.lmTool)) };
}
