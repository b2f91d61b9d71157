/**
 * `runtime-lens mcp` end to end: the SDK's real Client over stdio spawns the bundled CLI against a
 * receiver fed by the demo service (instrumented with the OpenTelemetry Node SDK, its AI-written
 * shipping.js calling a flaky carrier), lists the tools, calls each one and checks the figures of
 * its answer against the read API's JSON for the same query; bad input, the withheld shadow run,
 * the findings resources and the purity of stdout are checked too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { FunctionSignal, SignalsResponse } from '../../src/core/api/signals';
import { AGENT_TOOLS } from '../../src/core/agent/agentTools';
import { fmtMs, fmtPercent, fmtRate, safeText } from '../../src/core/agent/agentText';
import { FINDINGS_URI } from '../../src/core/agent/findingsResource';
import { ReadApiClient } from '../../src/core/client/readApiClient';
import { AI_FILE, freePort, startDemoWorkspace, type DemoWorkspace } from '../support/demoWorkspace';
import { assertUsageError, cliPath, repoRoot, runCli, startChild, waitForStatus, type StartedChild } from '../support/harness';

const WINDOW = '15m';
/** The demo file whose function calls the flaky inventory service (its error groups). */
const ERROR_FILE = 'stock.js';
const root = path.join(repoRoot, 'test-results', `mcp-wire-${process.pid}`);
let demo: DemoWorkspace | undefined;
let receiver: StartedChild | undefined;
let url = '';
let api: ReadApiClient;
const clients: Client[] = [];

before(
  async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    demo = await startDemoWorkspace({ root, otlpEndpoint: url, rate: 30 });
    receiver = await startChild(process.execPath, [cliPath, 'serve', '--host', '127.0.0.1', '--port', String(port), '--workspace', demo.workspace], {
      ready: /^Runtime Lens receiver listening on http:\/\/127\.0\.0\.1:\d+$/,
    });
    api = new ReadApiClient({ server: url, timeoutMs: 10_000 });
    // Enough traffic that the AI-written quoteShipping has calls and exemplars, and the flaky inventory made checkStock throw.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await api.signals({ window: WINDOW });
      const quote = s.functions.find((f) => f.function === 'quoteShipping');
      if (quote && quote.count >= 50 && quote.exemplars.length > 0 && s.errors.some((e) => e.file === ERROR_FILE)) break;
      if (Date.now() > deadline) throw new Error(`the demo sent too little within 60 s: ${JSON.stringify(s.functions.map((f) => [f.function, f.count]))}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // Stop the load so counts, percentiles and error groups hold still while tools and the API are compared.
    await demo.stop();
    let last = -1;
    await waitForStatus(
      url,
      (s) => {
        const settled = s.queueDepth === 0 && s.spansProcessed === last;
        last = s.spansProcessed;
        return settled;
      },
      30_000,
    );
  },
  { timeout: 120_000 },
);

after(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await receiver?.stop();
  await demo?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A real MCP client connected to `runtime-lens mcp` over stdio. */
async function connect(extra: string[] = [], workspace = demo!.workspace): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath, 'mcp', '--server', url, '--workspace', workspace, ...extra], stderr: 'pipe' });
  let err = '';
  transport.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const client = new Client({ name: 'runtime-lens-wire-test', version: '1.0.0' });
  const protocolErrors: Error[] = [];
  client.onerror = (e) => protocolErrors.push(e);
  await client.connect(transport);
  clients.push(client);
  return {
    client,
    stderr: () => (protocolErrors.length > 0 ? `${err}\nprotocol errors: ${protocolErrors.map((e) => e.message).join('; ')}` : err),
  };
}

/** The text of a tool result (one text content). */
function textOf(result: unknown): { text: string; isError: boolean } {
  const r = result as { content: { type: string; text?: string }[]; isError?: boolean };
  assert.equal(r.content.length, 1, 'one content item');
  assert.equal(r.content[0].type, 'text');
  return { text: r.content[0].text ?? '', isError: r.isError === true };
}

/** Calls a tool between two reads of the API (rates slide with the clock: the tool's lies between). */
async function callBetween(client: Client, name: string, args: Record<string, unknown>, query: { window: string; file?: string }): Promise<{ text: string; before: SignalsResponse; after: SignalsResponse }> {
  const beforeCall = await api.signals(query);
  const result = await client.callTool({ name, arguments: args });
  const afterCall = await api.signals(query);
  const { text, isError } = textOf(result);
  assert.equal(isError, false, text);
  return { text, before: beforeCall, after: afterCall };
}

/** The answer's line naming `file:line`, or a failure listing the answer. */
function lineWith(text: string, ref: string): string {
  const line = text.split('\n').find((l) => l.includes(ref));
  assert.ok(line, `no line with ${ref} in:\n${text}`);
  return line;
}

function sameFunction(a: FunctionSignal, b: FunctionSignal): boolean {
  return a.service === b.service && a.file === b.file && a.line === b.line && a.function === b.function;
}

/** Asserts `line` carries the figure as formatted from the before or the after read of the API. */
function hasFigure(line: string, label: string, values: string[]): void {
  assert.ok(
    values.some((v) => line.includes(v)),
    `${label}: expected ${[...new Set(values)].join(' or ')} in: ${line}`,
  );
}

test('tools/list: the five read-only tools as AGENT_TOOLS defines them; the shadow run only with --allow-shadow', async () => {
  const { client } = await connect();
  const listed = (await client.listTools()).tools;
  assert.deepEqual(
    listed.map((t) => t.name),
    AGENT_TOOLS.filter((t) => t.readOnly).map((t) => t.name),
  );
  for (const t of listed) {
    const tool = AGENT_TOOLS.find((a) => a.name === t.name)!;
    assert.equal(t.title, tool.title);
    assert.equal(t.description, tool.description);
    assert.deepEqual(t.inputSchema, JSON.parse(JSON.stringify(tool.inputSchema)));
    assert.equal(t.annotations?.readOnlyHint, true);
  }
  const withShadow = (await (await connect(['--allow-shadow'])).client.listTools()).tools;
  assert.deepEqual(
    withShadow.map((t) => t.name),
    AGENT_TOOLS.map((t) => t.name),
  );
  assert.equal(withShadow.find((t) => t.name === 'runtimeLens_shadowRun')?.annotations?.readOnlyHint, false);
});

test('hotspots: every row carries the read API figures of its function (rate, p95, error rate)', async () => {
  const { client } = await connect();
  const { text, before: b, after: a } = await callBetween(client, 'runtimeLens_hotspots', { window: WINDOW, limit: 50 }, { window: WINDOW });
  assert.ok(b.functions.length >= 3, 'the demo has several functions with calls');
  for (const f of b.functions) {
    const line = lineWith(text, `${f.file}:${f.line}`);
    const later = a.functions.find((x) => sameFunction(x, f)) ?? f;
    hasFigure(line, `${f.function} rate`, [fmtRate(f.ratePerMin), fmtRate(later.ratePerMin)]);
    hasFigure(line, `${f.function} p95`, [fmtMs(f.p95Ms)]);
    hasFigure(line, `${f.function} error rate`, [fmtPercent(f.errorRate)]);
  }
  // The AI-written function is marked as such.
  assert.match(lineWith(text, `${AI_FILE}:`), /\bAI\b/);
});

test('function runtime: percentiles, error rate, rate and exemplars of quoteShipping as the read API has them, its AI author and finding', async () => {
  const { client } = await connect();
  const quote = (await api.signals({ window: WINDOW, file: AI_FILE })).functions.find((f) => f.function === 'quoteShipping')!;
  const { text, before: b, after: a } = await callBetween(client, 'runtimeLens_functionRuntime', { file: AI_FILE, line: quote.line, window: WINDOW }, { window: WINDOW, file: AI_FILE });
  const f = b.functions.find((x) => sameFunction(x, quote))!;
  const later = a.functions.find((x) => sameFunction(x, quote))!;
  assert.ok(text.includes(`${AI_FILE}:${f.line}`), text);
  for (const [label, ms] of [
    ['p50', f.p50Ms],
    ['p95', f.p95Ms],
    ['p99', f.p99Ms],
  ] as const) {
    hasFigure(text, label, [fmtMs(ms)]);
  }
  hasFigure(text, 'error rate', [fmtPercent(f.errorRate)]);
  hasFigure(text, 'rate', [fmtRate(f.ratePerMin), fmtRate(later.ratePerMin)]);
  assert.ok(
    f.exemplars.some((e) => text.includes(e.traceId)),
    `an exemplar trace id in:\n${text}`,
  );
  // AI-written, by whom, and its finding.
  assert.match(text, /Claude/);
  assert.match(text, /missing-timeout/);
});

test('function runtime: the top error group of checkStock (it calls the flaky inventory) with its count', async () => {
  const { client } = await connect();
  const { text, before: b } = await callBetween(client, 'runtimeLens_functionRuntime', { function: 'checkStock', window: WINDOW }, { window: WINDOW, file: ERROR_FILE });
  const f = b.functions.find((x) => x.function === 'checkStock')!;
  hasFigure(text, 'error rate', [fmtPercent(f.errorRate)]);
  const group = b.errors.filter((e) => e.function === 'checkStock').sort((x, y) => y.count - x.count)[0];
  assert.ok(group, 'the flaky inventory made checkStock throw');
  const line = lineWith(text, safeText(group.message, 40).slice(0, 30));
  assert.match(line, new RegExp(`\\b${group.count}\\b`), `count ${group.count} on: ${line}`);
});

test('errors: each error group of stock.js with the read API count', async () => {
  const { client } = await connect();
  const { text, before: b } = await callBetween(client, 'runtimeLens_errors', { file: ERROR_FILE, window: WINDOW, limit: 50 }, { window: WINDOW, file: ERROR_FILE });
  assert.ok(b.errors.length > 0, 'stock.js has error groups');
  for (const e of b.errors) {
    const block = text.split('\n').findIndex((l) => l.includes(safeText(e.message, 40).slice(0, 30)));
    assert.ok(block >= 0, `group "${e.message}" in:\n${text}`);
    const near = text
      .split('\n')
      .slice(block, block + 4)
      .join('\n');
    assert.match(near, new RegExp(`\\b${e.count}\\b`), `count ${e.count} of "${e.message}" near:\n${near}`);
    if (e.file) assert.ok(text.includes(`${e.file}:${e.line}`), `where "${e.message}" is thrown`);
  }
});

test('trace: an exemplar trace of quoteShipping as the read API has it (every span, durations)', async () => {
  const { client } = await connect();
  const quote = (await api.signals({ window: WINDOW, file: AI_FILE })).functions.find((f) => f.function === 'quoteShipping')!;
  const traceId = quote.exemplars[0].traceId;
  const trace = (await api.trace(traceId))!;
  assert.ok(trace && trace.spans.length >= 2, `the receiver holds exemplar trace ${traceId}`);
  const { text, isError } = textOf(await client.callTool({ name: 'runtimeLens_trace', arguments: { traceId } }));
  assert.equal(isError, false, text);
  assert.ok(text.includes(traceId), text);
  for (const span of trace.spans) {
    const line = lineWith(text, safeText(span.name, 40).slice(0, 30));
    if (span.mapping) assert.ok(text.includes(`${span.mapping.file}:${span.mapping.line}`), `${span.name} mapped to ${span.mapping.file}:${span.mapping.line} in:\n${text}`);
    assert.ok(line.length > 0);
  }
  const rootSpan = trace.spans.find((s) => !s.parentSpanId || !trace.spans.some((p) => p.spanId === s.parentSpanId))!;
  hasFigure(lineWith(text, safeText(rootSpan.name, 40).slice(0, 30)), 'root duration', [fmtMs(rootSpan.durationMs)]);
});

test('diff risk: against the commit before the AI change, the AI-written quoteShipping, with its production traffic and its finding', async () => {
  const { client } = await connect();
  const commit = execFileSync('git', ['rev-parse', 'HEAD~1'], { cwd: demo!.workspace, encoding: 'utf8' }).trim();
  // As an agent asks: "the commit before".
  const { text, before: b, after: a } = await callBetween(client, 'runtimeLens_diffRisk', { base: 'HEAD~1', window: WINDOW }, { window: WINDOW, file: AI_FILE });
  assert.ok(text.includes(commit.slice(0, 7)), `names the base's commit: ${text.split('\n')[0]}`);
  const f = b.functions.find((x) => x.function === 'quoteShipping')!;
  const later = a.functions.find((x) => sameFunction(x, f))!;
  const line = lineWith(text, 'quoteShipping');
  assert.ok(text.includes(AI_FILE), text);
  hasFigure(line, 'quoteShipping rate', [fmtRate(f.ratePerMin), fmtRate(later.ratePerMin)]);
  hasFigure(line, 'quoteShipping p95', [fmtMs(f.p95Ms)]);
  assert.match(text, /missing-timeout/);
  // The finding's line is the one `check` reports for the same file.
  for (const finding of checkFindings()) {
    assert.ok(
      [`${AI_FILE}:${finding.line}`, `${finding.rule}:${finding.line}`].some((ref) => line.includes(ref)),
      `${finding.rule} at line ${finding.line} on: ${line}`,
    );
  }
});

test('shadow run: off without --allow-shadow, one line saying how to turn it on', async () => {
  const { client } = await connect();
  const { text, isError } = textOf(await client.callTool({ name: 'runtimeLens_shadowRun', arguments: {} }));
  assert.equal(isError, true);
  assert.equal(text.split('\n').length, 1, text);
  assert.match(text, /--allow-shadow/);
});

test('shadow run with --allow-shadow: the run goes through the CLI, whose refusal of a target off loopback comes back as one line', async () => {
  const { client } = await connect(['--allow-shadow']);
  // TEST-NET-3 (RFC 5737): never a real host, and not loopback.
  const { text } = textOf(await client.callTool({ name: 'runtimeLens_shadowRun', arguments: { target: 'http://203.0.113.7:8080', budget: 5 } }));
  // The tool answers a refused run as text (ToolAnswer has no error flag); one line either way.
  assert.equal(text.split('\n').length, 1, text);
  assert.match(text, /203\.0\.113\.7/);
  assert.match(text, /loopback|allow-host/i);
  assert.doesNotMatch(text, /\bat .*\.(js|ts):\d+/, 'no stack');
});

test('bad input: an isError result of one line naming the input; an unknown tool is a protocol error', async () => {
  const { client } = await connect();
  {
    const { text, isError } = textOf(await client.callTool({ name: 'runtimeLens_hotspots', arguments: { by: 'loudness' } }));
    assert.equal(isError, true);
    assert.equal(text.split('\n').length, 1, text);
    assert.match(text, /"by"/);
    assert.doesNotMatch(text, /\bat .*\.(js|ts):\d+/, 'no stack');
  }
  {
    const { text, isError } = textOf(await client.callTool({ name: 'runtimeLens_trace', arguments: { traceId: 'not-a-trace' } }));
    assert.equal(isError, true);
    assert.equal(text.split('\n').length, 1, text);
    assert.match(text, /traceId/);
  }
  await assert.rejects(client.callTool({ name: 'runtimeLens_nothing', arguments: {} }), /unknown tool/);
});

test('resources: the findings of the workspace, and of one file, at the lines `check` reports', async () => {
  const { client } = await connect();
  const { resources } = await client.listResources();
  assert.deepEqual(
    resources.map((r) => r.uri),
    [FINDINGS_URI],
  );
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.deepEqual(
    resourceTemplates.map((r) => r.uriTemplate),
    [`${FINDINGS_URI}/{file}`],
  );
  const expected = checkFindings();
  assert.ok(expected.length > 0, '`check` finds the missing timeout in shipping.js');
  for (const uri of [FINDINGS_URI, `${FINDINGS_URI}/${AI_FILE}`, `${FINDINGS_URI}/${encodeURIComponent(`./${AI_FILE}`)}`]) {
    const { contents } = await client.readResource({ uri });
    assert.equal(contents.length, 1);
    const text = (contents[0] as { text: string }).text;
    for (const f of expected) assert.match(lineWith(text, `${AI_FILE}:${f.line}`), new RegExp(`${f.severity} ${f.rule}`));
  }
  await assert.rejects(client.readResource({ uri: `${FINDINGS_URI}/..%2F..%2Fetc%2Fpasswd` }), /inside it/);
  await assert.rejects(client.readResource({ uri: 'runtime-lens://elsewhere' }), /unknown resource/);
});

test('stdout carries JSON-RPC only; closing stdin ends the server with exit code 0', async () => {
  const child = spawn(process.execPath, [cliPath, 'mcp', '--server', url, '--workspace', demo!.workspace], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const send = (m: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
  send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  send({ method: 'notifications/initialized' });
  send({ id: 2, method: 'tools/list' });
  send({ id: 3, method: 'tools/call', params: { name: 'runtimeLens_hotspots', arguments: { window: WINDOW } } });
  send({ id: 4, method: 'resources/read', params: { uri: FINDINGS_URI } });
  send({ id: 5, method: 'tools/call', params: { name: 'runtimeLens_shadowRun', arguments: {} } });
  const deadline = Date.now() + 30_000;
  while (!/"id":5\b/.test(out) || (out.match(/\n/g) ?? []).length < 5) {
    if (Date.now() > deadline) throw new Error(`no answers within 30 s; stdout: ${out}\nstderr: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.stdin.end();
  assert.equal(await exited, 0, `exit code; stderr: ${err}`);
  const lines = out.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 5, out);
  for (const line of lines) {
    const message = JSON.parse(line) as { jsonrpc: string; id: number };
    assert.equal(message.jsonrpc, '2.0');
    assert.ok([1, 2, 3, 4, 5].includes(message.id), line);
  }
  assert.match(err, /MCP server on stdio: 5 tools/);
});

test('--source: the in-process read API over the backends answers the tools (receiver off), with the mapping flags serve takes', async () => {
  // A Jaeger nobody runs: the server still starts, the tools reach its read API and say where figures come from.
  const closed = await freePort();
  // With the mapping flags `serve` takes (an existing folder of the demo as a service root).
  const mapping = ['--path-rule', '/app/=', '--service-root', 'shop=.', '--environment', 'production'];
  const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath, 'mcp', '--source', `jaeger=http://127.0.0.1:${closed}`, '--workspace', demo!.workspace, ...mapping], stderr: 'pipe' });
  const client = new Client({ name: 'runtime-lens-wire-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  const { text, isError } = textOf(await client.callTool({ name: AGENT_TOOLS[2].name, arguments: {} }));
  assert.equal(isError, false, text);
  assert.match(text, /read API at http:\/\/127\.0\.0\.1:\d+ over jaeger/, text);
});

test('usage errors: one line, exit 2', () => {
  assertUsageError(runCli(['mcp', '--server', url, '--source', 'jaeger=http://127.0.0.1:1']), /--server and --source are alternatives/);
  assertUsageError(runCli(['mcp', '--server', 'not a url']), /--server must be a URL/);
  assertUsageError(runCli(['mcp', '--workspace', path.join(root, 'missing')]), /no such folder/);
  assertUsageError(runCli(['mcp', '--source', 'jaeger=http://127.0.0.1:1', '--token', 'x']), /--token and --token-file unlock a receiver/);
  assertUsageError(runCli(['mcp', '--bogus']), /bogus/);
  // How backends map to the workspace: parsed as `serve` parses them, and only where they apply.
  assertUsageError(runCli(['mcp', '--server', url, '--environment', 'prod']), /map --source backends to the workspace/);
  assertUsageError(runCli(['mcp', '--source', 'jaeger=http://127.0.0.1:1', '--workspace', demo!.workspace, '--path-rule', 'no-equals']), /--path-rule takes FROM=TO/);
  assertUsageError(runCli(['mcp', '--source', 'jaeger=http://127.0.0.1:1', '--workspace', demo!.workspace, '--service-root', 'shop=missing']), /no folder missing in the workspace/);
});

/** What `runtime-lens check` reports for shipping.js in the demo repository (the same analysis). */
function checkFindings(): { line: number; rule: string; severity: string }[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [cliPath, 'check', AI_FILE, '--format', 'json'], { cwd: demo!.workspace, encoding: 'utf8' });
  } catch (err) {
    // Exit 1 means findings: the report is on stdout all the same.
    out = (err as { stdout: string }).stdout;
  }
  const report = JSON.parse(out) as { findings: { line: number; rule: string; severity: string; file: string }[] };
  return report.findings.filter((f) => f.file === AI_FILE).map((f) => ({ line: f.line, rule: f.rule, severity: f.severity }));
}
