/**
 * The MCP server over the agent tools: the low-level SDK Server (the tools carry JSON Schema, which
 * McpServer would want as zod), listing each tool as both hosts define it and answering a call with
 * the tool's text. Bad input comes back as a tool error of one line the model can act on; any other
 * failure as one line too, never a stack. The workspace's findings are resources.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { AgentData } from '../core/agent/agentData';
import { DEFAULT_MAX_TOKENS, DETAIL_MAX_TOKENS, ToolInputError, type AgentTool } from '../core/agent/agentTool';
import { safeText } from '../core/agent/agentText';
import { FINDINGS_FILE_TEMPLATE, FINDINGS_URI, findingsTarget, findingsText } from '../core/agent/findingsResource';
import type { Logger } from '../core/logger';
import { RUNTIME_LENS_VERSION } from '../core/server/embeddedReceiver';

/** What the server offers. */
export interface McpServerOptions {
  /** The tools to list and run (the shadow run only with --allow-shadow). */
  tools: readonly AgentTool[];
  /** Tools known but left off, named when called (`start the server with --allow-shadow`). */
  withheld?: ReadonlyMap<string, string>;
  data: AgentData;
  logger: Logger;
}

const INSTRUCTIONS =
  'Production behaviour of this workspace’s code, mapped to files, lines and functions: latency, error rates, traffic and error groups per function, traces, and risk findings in AI-written code. Call runtimeLens_diffRisk before saying a change is done; runtimeLens_functionRuntime for the function you are editing.';

/** The MCP server for `tools` over `data`; connect it to a transport. */
export function createMcpServer(options: McpServerOptions): Server {
  const { data, logger } = options;
  const tools = new Map(options.tools.map((t) => [t.name, t]));
  const server = new Server({ name: 'runtime-lens', title: 'Runtime Lens', version: RUNTIME_LENS_VERSION }, { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS });

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: options.tools.map(toolListing) }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const tool = tools.get(name);
    if (!tool) {
      const why = options.withheld?.get(name);
      if (why !== undefined) return errorResult(why);
      throw new McpError(ErrorCode.InvalidParams, `unknown tool "${safeText(name, 60)}"; this server has ${[...tools.keys()].join(', ')}`);
    }
    try {
      // The tool raises the budget itself when its input asks for detail.
      const answer = await tool.run(request.params.arguments ?? {}, data, { maxTokens: DEFAULT_MAX_TOKENS, signal: extra.signal });
      return { content: [{ type: 'text', text: answer.text }] };
    } catch (err) {
      if (err instanceof ToolInputError) return errorResult(oneLine(err.message));
      const message = oneLine(err instanceof Error ? err.message : String(err));
      logger.error(`${name} failed: ${err instanceof Error && err.stack ? err.stack : message}`);
      return errorResult(`${name} failed: ${message}`);
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: [
      { uri: FINDINGS_URI, name: 'findings', title: 'Risk findings in AI-written code', description: 'Every risk finding of the workspace’s AI-written functions, one line each with file:line.', mimeType: 'text/plain' },
    ],
  }));

  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      {
        uriTemplate: FINDINGS_FILE_TEMPLATE,
        name: 'findings-of-file',
        title: 'Risk findings in one file',
        description: 'The risk findings of one workspace-relative file (percent-encode the slashes or not).',
        mimeType: 'text/plain',
      },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const uri = request.params.uri;
    const target = findingsTarget(uri);
    // -32002: the resource-not-found code of the MCP specification.
    if (target.kind === 'bad') throw new McpError(-32002, `${safeText(uri, 120)}: ${target.reason}`);
    let text: string;
    try {
      const findings = target.kind === 'all' ? await data.findings() : await data.findings([target.file]);
      text = findingsText(findings, target.kind === 'all' ? `workspace ${safeText(data.workspace, 160)}` : safeText(target.file, 160), DETAIL_MAX_TOKENS);
    } catch (err) {
      const message = oneLine(err instanceof Error ? err.message : String(err));
      logger.error(`reading ${uri} failed: ${message}`);
      throw new McpError(ErrorCode.InternalError, `could not read the findings: ${message}`);
    }
    return { contents: [{ uri, mimeType: 'text/plain', text }] };
  });

  return server;
}

/** A tool as tools/list gives it. */
function toolListing(tool: AgentTool): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: { ...tool.inputSchema },
    // The shadow run keeps the specification's defaults (may change things, open world): clients ask before it.
    annotations: { title: tool.title, readOnlyHint: tool.readOnly },
  };
}

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/** The first line of a message, made safe and short: what a model can act on. */
function oneLine(message: string): string {
  const first = message.split(/\r?\n/, 1)[0] ?? '';
  return safeText(first, 300) || 'failed without a message';
}
