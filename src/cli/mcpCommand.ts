import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { AGENT_TOOLS } from '../core/agent/agentTools';
import { createAgentReadData } from '../core/client/agentReadData';
import { ReceiverStartError } from '../core/ingest/otlpReceiver';
import type { Logger } from '../core/logger';
import { DEFAULT_RECEIVER_OPTIONS, EmbeddedReceiver } from '../core/server/embeddedReceiver';
import { hasMappingFlags, MAPPING_FLAG_OPTIONS, mappingOptions } from './mappingFlags';
import { createMcpServer } from './mcpServer';
import { cliSourceFactory, SOURCE_FLAG_OPTIONS, sourceSpecs } from './sourceFlags';
import { resolveClientToken } from './tokenFlags';
import { UsageError } from './usageError';

/** The receiver `mcp` reads when given neither --server nor --source (`serve`'s default address). */
export const DEFAULT_MCP_SERVER = `http://127.0.0.1:${DEFAULT_RECEIVER_OPTIONS.port}`;

/**
 * `runtime-lens mcp`: the agent tools as an MCP server on stdio, reading a running receiver's read
 * API (--server), or the team's backends (--source) through the same in-process server `serve`
 * builds, receiver off, on an ephemeral loopback port. stdout carries the protocol and nothing
 * else: logs go to stderr. Returns when the client closes stdin or on SIGINT/SIGTERM.
 */
export async function mcpCommand(argv: string[], logger: Logger): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      workspace: { type: 'string' },
      'allow-shadow': { type: 'boolean' },
      ...SOURCE_FLAG_OPTIONS,
      ...MAPPING_FLAG_OPTIONS,
    },
  });
  const sources = sourceSpecs(values);
  if (sources.length > 0 && values.server !== undefined) throw new UsageError('--server and --source are alternatives: read a running receiver, or the backends themselves');
  if (sources.length > 0 && (values.token !== undefined || values['token-file'] !== undefined)) {
    throw new UsageError('--token and --token-file unlock a receiver given with --server; backends take their credentials from --source-auth');
  }
  if (sources.length === 0 && hasMappingFlags(values)) {
    throw new UsageError('--path-rule, --service-root and --environment map --source backends to the workspace; a receiver given with --server maps with its own');
  }
  const workspace = path.resolve(values.workspace ?? process.cwd());
  if (!fs.existsSync(workspace) || !fs.statSync(workspace).isDirectory()) throw new UsageError(`--workspace ${values.workspace ?? workspace}: no such folder`);
  const allowShadow = values['allow-shadow'] === true;

  let server = values.server ?? DEFAULT_MCP_SERVER;
  let token = '';
  let backends: EmbeddedReceiver | undefined;
  if (sources.length === 0) {
    checkServerUrl(server);
    token = resolveClientToken(values, process.env);
  } else {
    // Only this process reads the in-process server: a fresh token keeps other local users out.
    token = randomBytes(24).toString('base64url');
    const { pathRules, serviceRoots, defaultEnvironment } = mappingOptions(values, workspace);
    backends = new EmbeddedReceiver(
      { host: '127.0.0.1', port: 0, token, workspace, pathRules, serviceRoots, store: { defaultEnvironment }, watchWorkspace: true, acceptOtlp: false, remoteSources: cliSourceFactory(sources, logger) },
      logger,
    );
    try {
      await backends.start();
    } catch (err) {
      if (err instanceof ReceiverStartError) throw new UsageError(err.message);
      throw err;
    }
    server = `http://127.0.0.1:${backends.receiver.address()!.port}`;
    for (const s of sources) logger.info(`reading ${s.kind} at ${s.url} as "${s.name}"`);
  }

  // A stray console.log anywhere would corrupt the protocol: everything console prints goes to stderr.
  for (const level of ['log', 'info', 'debug'] as const) console[level] = (...args: unknown[]) => console.error(...args);

  const data = createAgentReadData({ workspace, server, token: token || undefined, logger, allowShadow, cliPath: process.argv[1], execArgv: process.execArgv });
  const tools = AGENT_TOOLS.filter((t) => t.readOnly || allowShadow);
  const withheld = new Map(AGENT_TOOLS.filter((t) => !tools.includes(t)).map((t) => [t.name, `${t.name} is off: it acts (starts processes, sends requests), and this MCP server was started without --allow-shadow`]));
  const mcp = createMcpServer({ tools, withheld, data, logger });
  const done = new Promise<void>((resolve) => {
    mcp.onclose = resolve;
    // The client going away closes our stdin; nothing else would end the process.
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await mcp.connect(new StdioServerTransport());
  logger.info(`MCP server on stdio: ${tools.length} tools, workspace ${workspace}, reading ${backends ? sources.map((s) => s.name).join(', ') : server}`);
  void data.source().then(
    (s) => (s.connected ? undefined : logger.warn(`no telemetry to read yet: ${s.reason ?? s.description}`)),
    () => undefined,
  );
  await done;
  await mcp.close();
  await backends?.stop();
  return 0;
}

function checkServerUrl(server: string): void {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server must be a URL like ${DEFAULT_MCP_SERVER}, got "${server}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server must be an http(s) URL, got "${server}"`);
}
