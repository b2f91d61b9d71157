/**
 * Offers the bundled CLI's MCP server (`runtime-lens mcp`) to VS Code's agent: one stdio server
 * definition, "Runtime Lens", reading the receiver Live Signals reads. It runs on the same Node the
 * receiver does (the editor's, as Node through ELECTRON_RUN_AS_NODE); the read token reaches it as
 * a file path (`--token-file`), never as an argument or a stored environment value. The shadow run
 * stays off there (no `--allow-shadow`): in VS Code it is the language-model tool, which asks first.
 */
import * as vscode from 'vscode';

/** Where the MCP server reads from, as it is now. */
export interface McpTarget {
  /** The read API (`http://127.0.0.1:4318`). */
  server: string;
  /** The file holding the receiver's read token; undefined when the receiver needs none. */
  tokenFile?: string;
  /** The workspace folder the tools' files are relative to. */
  workspace: string;
}

/** How the provider finds its target and the CLI. */
export interface McpProviderDeps {
  /** undefined when no folder is open (no definition is offered then). */
  target(): McpTarget | undefined;
  /** The bundled CLI (dist/cli.js). */
  cliPath: string;
  /** Defaults to process.execPath, run as Node. */
  execPath?: string;
}

/** The definition's label, as VS Code lists it. */
export const MCP_SERVER_LABEL = 'Runtime Lens';

/** The `runtime-lens mcp` arguments (after the CLI path) for a target. */
export function mcpArgs(target: McpTarget): string[] {
  const args = ['mcp', '--server', target.server, '--workspace', target.workspace];
  if (target.tokenFile) args.push('--token-file', target.tokenFile);
  return args;
}

/** The provider; `changed()` tells VS Code the definition changed (the server, its token or the folder). */
export class RuntimeLensMcpProvider implements vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this.emitter.event;
  /** Bumped on every change, so VS Code sees a new definition (and offers to restart a running server). */
  private generation = 1;

  constructor(private readonly deps: McpProviderDeps) {}

  /** Signals a new definition. */
  changed(): void {
    this.generation++;
    this.emitter.fire();
  }

  provideMcpServerDefinitions(): vscode.McpStdioServerDefinition[] {
    const target = this.deps.target();
    if (!target) return [];
    const definition = new vscode.McpStdioServerDefinition(
      MCP_SERVER_LABEL,
      this.deps.execPath ?? process.execPath,
      [this.deps.cliPath, ...mcpArgs(target)],
      // Node, not Electron; and a token in the editor's environment must not override the receiver's own.
      { ELECTRON_RUN_AS_NODE: '1', RUNTIME_LENS_TOKEN: null },
      String(this.generation),
    );
    definition.cwd = vscode.Uri.file(target.workspace);
    return [definition];
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
