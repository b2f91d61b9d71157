/**
 * `npm run bench:agent`: what the agent tools cost an agent (issue 14 §4). For every tool, the
 * answer's size in real tokens and its latency through the same AgentData the MCP server and the
 * language-model tools use, against a real `runtime-lens serve` on loopback, on two stores:
 *   - the demo workspace (scripts/lib/demoRepo.ts) with its service and load generator sending real
 *     OTLP from the OpenTelemetry Node SDK for 20 s;
 *   - 10,000 code locations (bench/corpus.ts: 10 services, 1,000 files, uniform traffic, 5% errors
 *     with stacks), 20,480 spans posted as OTLP protobuf.
 * Peers in the same run: the read API's raw JSON answer for the same question (what a
 * backend-scoped server hands an agent) in tokens and latency. Targets: tool list < 1,500 tokens,
 * each default answer < 2,000 tokens, answers within 300 ms. Never asserted: printed, and appended
 * to bench/RESULTS.md with --record.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentData } from '../src/core/agent/agentData';
import type { AgentTool } from '../src/core/agent/agentTool';
import { AGENT_TOOLS, agentTool } from '../src/core/agent/agentTools';
import type { ShadowReport } from '../src/core/api/shadowReport';
import { createAgentReadData } from '../src/core/client/agentReadData';
import { ReadApiClient } from '../src/core/client/readApiClient';
import { recordResults } from './resultsFile';
import { startDemoWorkspace } from '../test/support/demoWorkspace';
import { cliPath, type StartedServer, startChild, startServer, waitForProcessed } from '../test/support/harness';
import { type CallFigures, measureCall, medianMs, tokens, toolListJson } from './agent/measure';
import { connectMcp, listedTools, mcpCallMs } from './agent/mcpPeer';
import { makeBatches, writeWorkspace } from './corpus';

const ROUNDS = 7;
/** Calls made through the MCP server process. */
const mcpRows: { store: string; tool: string; label: string; ms: number }[] = [];
const RECORD = process.argv.includes('--record');
const log = (line: string) => console.error(`[bench:agent ${new Date().toISOString().slice(11, 19)}] ${line}`);

function tool(name: string): AgentTool {
  const t = agentTool(name);
  if (!t) throw new Error(`no tool ${name}`);
  return t;
}

/** The read API's raw answer for a query, in tokens and latency: the peer. */
async function rawPeer(server: string, query: string): Promise<{ tokens: number; ms: number }> {
  const get = async () => (await fetch(`${server}/api/signals?${query}`)).text();
  const ms = await medianMs(get, ROUNDS);
  return { tokens: tokens(await get()), ms };
}

/** Every tool on one store, with inputs an agent would send. */
async function measureStore(store: string, data: AgentData, server: string, base: string | undefined): Promise<{ rows: CallFigures[]; peers: Map<string, { tokens: number; ms: number }> }> {
  const client = new ReadApiClient({ server });
  const signals = await client.signals({ window: '1h' });
  const top = [...signals.functions].sort((a, b) => b.count - a.count)[0];
  const failing = signals.functions.find((f) => f.errors > 0) ?? top;
  const errorFile = signals.errors.find((e) => e.file !== '')?.file;
  const exemplar = top?.exemplars[0]?.traceId;
  const rows: CallFigures[] = [];
  const run = async (name: string, label: string, input: unknown, detail = false) => {
    const figures = await measureCall(tool(name), label, input, data, ROUNDS, detail);
    rows.push(figures);
    log(`${store} ${name} ${label}: ${figures.tokens} tokens, ${figures.medianMs.toFixed(1)} ms — ${figures.head}`);
  };
  if (top) await run('runtimeLens_functionRuntime', `busiest function (${top.function})`, { file: top.file, line: top.line });
  if (failing) await run('runtimeLens_functionRuntime', `a failing function (${failing.function})`, { file: failing.file, line: failing.line });
  await run('runtimeLens_hotspots', 'default (top 10 by impact)', {});
  await run('runtimeLens_hotspots', 'detail, 50 rows', { limit: 50, detail: true }, true);
  await run('runtimeLens_errors', 'workspace, most frequent', {});
  if (errorFile) await run('runtimeLens_errors', `one file (${errorFile})`, { file: errorFile });
  if (exemplar) await run('runtimeLens_trace', 'slowest exemplar of the busiest function', { traceId: exemplar });
  await run('runtimeLens_diffRisk', base ? `working tree vs ${base}` : 'not a git repository', base ? { base } : {});
  // The shadow run's answer, rendered from a real report (test/fixtures/shadow-report), not re-run here.
  const report = JSON.parse(readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'shadow-report', 'planted.json'), 'utf8')) as ShadowReport;
  const withShadow: AgentData = Object.assign(Object.create(data) as AgentData, { runShadow: async () => report });
  const figures = await measureCall(tool('runtimeLens_shadowRun'), 'planted regressions report (140 requests)', { target: 'http://127.0.0.1:1' }, withShadow, ROUNDS);
  rows.push(figures);
  const peers = new Map<string, { tokens: number; ms: number }>();
  // The same questions through the MCP server process, end to end.
  const mcp = await connectMcp(server, data.workspace, false);
  try {
    for (const [name, label, args] of [
      ['runtimeLens_hotspots', 'default (top 10 by impact)', {}],
      ['runtimeLens_errors', 'workspace, most frequent', {}],
      ...(top ? [['runtimeLens_functionRuntime', 'busiest function', { file: top.file, line: top.line }] as const] : []),
    ] as const) {
      const ms = await mcpCallMs(mcp.client, name, args, ROUNDS);
      mcpRows.push({ store, tool: name, label, ms });
      log(`${store} via MCP ${name} ${label}: ${ms.toFixed(1)} ms`);
    }
  } finally {
    await mcp.close();
  }
  peers.set('whole window', await rawPeer(server, 'window=1h'));
  if (top) peers.set(`one file (${top.file})`, await rawPeer(server, `window=1h&file=${encodeURIComponent(top.file)}`));
  return { rows, peers };
}

async function demoStore(): Promise<{ rows: CallFigures[]; peers: Map<string, { tokens: number; ms: number }> }> {
  const demo = await startDemoWorkspace({ rate: 20 });
  const serve = await startChild(process.execPath, [cliPath, 'serve', '--host', '127.0.0.1', '--port', String(demo.receiverPort), '--workspace', demo.workspace], { ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/ });
  try {
    const server = serve.match[1]!;
    log(`demo: ${demo.workspace}, traffic for 20 s`);
    await new Promise((r) => setTimeout(r, 20_000));
    return await measureStore('demo', createAgentReadData({ workspace: demo.workspace, server, cliPath }), server, 'HEAD~1');
  } finally {
    await serve.stop();
    await demo.stop();
  }
}

async function wideStore(): Promise<{ rows: CallFigures[]; peers: Map<string, { tokens: number; ms: number }> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rl-bench-agent-'));
  const workspace = path.join(dir, 'workspace');
  writeWorkspace(workspace, 100);
  const batches = makeBatches(40, 100, 1, 'uniform');
  let server: StartedServer | undefined;
  try {
    server = await startServer({ workspace });
    for (const b of batches) {
      const res = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: b.proto });
      if (res.status !== 200) throw new Error(`receiver answered ${res.status}`);
    }
    await waitForProcessed(server.url, batches.length * 512, 60_000);
    const locations = (await new ReadApiClient({ server: server.url }).signals({ window: '1h' })).functions.length;
    log(`10,000-location store: ${locations} functions with figures`);
    return await measureStore('10k', createAgentReadData({ workspace, server: server.url, cliPath }), server.url, undefined);
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(store: string, rows: CallFigures[], peers: Map<string, { tokens: number; ms: number }>): string {
  const out = [`| ${store}: tool | question | tokens (o200k) | ÷ 2,000 | median ms | max ms | ÷ 300 ms |`, '| --- | --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    out.push(
      `| ${r.tool} | ${r.case}${r.empty ? ' (no data)' : ''} | ${r.tokens.toLocaleString('en-US')} | ${(r.tokens / 2000).toFixed(2)} | ${r.medianMs.toFixed(1)} | ${r.maxMs.toFixed(1)} | ${(r.medianMs / 300).toFixed(3)} |`,
    );
  }
  for (const [q, p] of peers) out.push(`| peer: raw \`/api/signals\` JSON | ${q} | ${p.tokens.toLocaleString('en-US')} | ${(p.tokens / 2000).toFixed(2)} | ${p.ms.toFixed(1)} | | ${(p.ms / 300).toFixed(3)} |`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const demo = await demoStore();
  const wide = await wideStore();
  // The tool list as the real server sends it (with and without --allow-shadow), and as the tools define it.
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'rl-bench-agent-list-'));
  const listed = async (allowShadow: boolean) => {
    const mcp = await connectMcp('http://127.0.0.1:9', workspace, allowShadow);
    try {
      return await listedTools(mcp.client);
    } finally {
      await mcp.close();
    }
  };
  const listTokens = tokens(await listed(true));
  const readOnlyTokens = tokens(await listed(false));
  rmSync(workspace, { recursive: true, force: true });
  const defined = tokens(toolListJson(AGENT_TOOLS));
  log(`tool list: ${listTokens} tokens (${AGENT_TOOLS.length} tools; ${defined} as defined); without the shadow run ${readOnlyTokens}`);
  const head = `### ${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} cores · ${os.cpus()[0]?.model ?? ''} · Node ${process.version}`;
  const section = [
    head,
    '',
    `Tool list as \`runtime-lens mcp --allow-shadow\` answers \`tools/list\` (read by the SDK's client): **${listTokens.toLocaleString('en-US')} tokens** for all ${AGENT_TOOLS.length} tools (${(listTokens / 1500).toFixed(2)} of the 1,500 target); ${readOnlyTokens.toLocaleString('en-US')} without the shadow run (the server's default). Tokens: gpt-tokenizer, o200k_base.`,
    '',
    table('demo workspace', demo.rows, demo.peers),
    '',
    table('10,000 locations', wide.rows, wide.peers),
    '',
    '| through `runtime-lens mcp` (stdio, the SDK client) | question | median ms | ÷ 300 ms |',
    '| --- | --- | ---: | ---: |',
    ...mcpRows.map((r) => `| ${r.store}: ${r.tool} | ${r.label} | ${r.ms.toFixed(1)} | ${(r.ms / 300).toFixed(3)} |`),
  ].join('\n');
  console.log(section);
  if (RECORD) {
    recordResults('## `npm run bench:agent` — the agent tools: answer tokens and latency', section);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
