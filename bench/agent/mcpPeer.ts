/**
 * The agent tools through the real MCP server (`runtime-lens mcp` over stdio, the SDK's own client):
 * the tool list exactly as `tools/list` sends it, and a call's latency end to end (JSON-RPC,
 * the server process, its read API client), next to the in-process figures.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { cliPath } from '../../test/support/harness';

/** A connected client of `runtime-lens mcp --server URL --workspace DIR`, and how to close it. */
export async function connectMcp(server: string, workspace: string, allowShadow: boolean): Promise<{ client: Client; close(): Promise<void> }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath, 'mcp', '--server', server, '--workspace', workspace, ...(allowShadow ? ['--allow-shadow'] : [])], stderr: 'ignore' });
  const client = new Client({ name: 'runtime-lens-bench', version: '1.0.0' });
  await client.connect(transport);
  return { client, close: () => client.close() };
}

/** The `tools/list` result's tools as JSON: what a session pays for before its first question. */
export async function listedTools(client: Client): Promise<string> {
  return JSON.stringify((await client.listTools()).tools);
}

/** Median milliseconds of a tool call through the server, after one warm-up call. */
export async function mcpCallMs(client: Client, name: string, args: Record<string, unknown>, rounds: number): Promise<number> {
  await client.callTool({ name, arguments: args });
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await client.callTool({ name, arguments: args });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}
