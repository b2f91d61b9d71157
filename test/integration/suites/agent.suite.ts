import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as vscode from 'vscode';
import type { ErrorSignal, FunctionSignal } from '../../../src/core/api/signals';
import { AGENT_TOOLS } from '../../../src/core/agent/agentTools';
import { extensionApi, lineOf, type RuntimeLensApi, waitFor, workspaceFile } from './context';

// The demo service (examples/orders-service) under steady load, as surfaces.suite.ts describes it:
// computeQuote in pricing.js is slow (150 ms floor), formatOrder in orders.js throws a TypeError.
const NAMES = AGENT_TOOLS.map((t) => t.name);

/** The text of a tool result: every text part, joined. */
function textOf(result: vscode.LanguageModelToolResult): string {
  const parts = result.content.filter((p): p is vscode.LanguageModelTextPart => p instanceof vscode.LanguageModelTextPart);
  assert.equal(parts.length, result.content.length, 'a tool answered with a part that is not text');
  return parts.map((p) => p.value).join('');
}

async function invoke(name: string, input: object): Promise<string> {
  const source = new vscode.CancellationTokenSource();
  try {
    return textOf(await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, source.token));
  } finally {
    source.dispose();
  }
}

function agent(api: RuntimeLensApi): NonNullable<RuntimeLensApi['agent']> {
  assert.ok(api.agent, 'activation composed no agent tools (see the Runtime Lens log)');
  return api.agent;
}

/** A function's figures as the extension itself reads them (its Live Signals data side). */
async function extensionFunction(api: RuntimeLensApi, file: string, name: string, window = '1h'): Promise<FunctionSignal> {
  return waitFor(`${name} in the extension's own signals of ${file}`, async () => (await api.live.signals({ window, file }))?.functions.find((f) => f.function === name), 60_000);
}

async function extensionError(api: RuntimeLensApi, file: string, type: string): Promise<ErrorSignal> {
  return waitFor(`a ${type} group in the extension's own signals of ${file}`, async () => (await api.live.signals({ window: '1h', file }))?.errors.find((e) => e.type === type), 60_000);
}

/** One JSON-RPC exchange after another with a stdio MCP server (newline-delimited JSON, as the transport sends it). */
function stdioClient(command: string, args: string[], env: Record<string, string | number | null>, cwd: string) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === null) delete childEnv[k];
    else childEnv[k] = String(v);
  }
  const child = spawn(command, args, { cwd, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let buffered = '';
  let stderr = '';
  const waiting = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (!line) continue;
      const message = JSON.parse(line) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id !== undefined) waiting.get(message.id)?.(message);
    }
  });
  let next = 1;
  return {
    stderr: () => stderr,
    request<T>(method: string, params: object): Promise<T> {
      const id = next++;
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${method}: no answer in 30 s; stderr: ${stderr}`)), 30_000);
        waiting.set(id, (m) => {
          clearTimeout(timer);
          if (m.error) reject(new Error(`${method}: ${m.error.message}`));
          else resolve(m.result as T);
        });
      });
    },
    notify(method: string): void {
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method })}\n`);
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill(), 5_000).unref();
      });
    },
  };
}

/** The language-model tools and the MCP server definition, inside VS Code, over the demo's real OTLP. */
export function agentSuite(): void {
  describe('agent tools', () => {
    it('lists the six Runtime Lens tools in vscode.lm.tools with the code’s descriptions and schemas', async () => {
      await extensionApi();
      const listed = await waitFor('the six tools in vscode.lm.tools', () => {
        const ours = vscode.lm.tools.filter((t) => NAMES.includes(t.name));
        return ours.length === NAMES.length ? ours : undefined;
      });
      for (const tool of AGENT_TOOLS) {
        const info = listed.find((t) => t.name === tool.name)!;
        assert.equal(info.description, tool.description, tool.name);
        assert.deepEqual(info.inputSchema, tool.inputSchema, tool.name);
      }
      assert.deepEqual(
        agent(await extensionApi())
          .tools()
          .map((t) => t.tool.name),
        NAMES,
      );
    });

    it('answers function runtime for computeQuote with the figures the extension shows', async () => {
      const api = await extensionApi();
      const doc = await vscode.workspace.openTextDocument(workspaceFile('pricing.js'));
      const line = lineOf(doc, /async function computeQuote\(/) + 1;
      const own = await extensionFunction(api, 'pricing.js', 'computeQuote');
      assert.equal(own.line, line);
      const text = await invoke('runtimeLens_functionRuntime', { file: 'pricing.js', line, window: '1h' });
      assert.match(text, /computeQuote/);
      assert.ok(text.includes(`pricing.js:${line}`), `no pricing.js:${line} in:\n${text}`);
      assert.match(text, new RegExp(`\\b${own.service}\\b`), `the service ${own.service} is not named:\n${text}`);
      // The slow function's p95 is at or above its 150 ms floor in both.
      const ms = [...text.matchAll(/([\d.,]+) ?(ms|s)\b/g)].map((m) => Number(m[1].replace(/,/g, '')) * (m[2] === 's' ? 1000 : 1));
      assert.ok(own.p95Ms >= 140 && ms.some((v) => v >= 140), `no latency at computeQuote's floor in:\n${text}`);
      assert.ok(!/no source connected/i.test(text), text);
    });

    it('answers errors with the TypeError group the extension holds, its place and counts', async () => {
      const api = await extensionApi();
      const before = await extensionError(api, 'orders.js', 'TypeError');
      const text = await invoke('runtimeLens_errors', { file: 'orders.js', window: '1h' });
      const answered = Date.now();
      assert.match(text, /TypeError: Cannot read properties of undefined \(reading 'name'\)/);
      assert.ok(text.includes(`orders.js:${before.line}`), `no orders.js:${before.line} in:\n${text}`);
      const total = Number(/(\d+) total/.exec(text)?.[1]);
      // The demo keeps failing, and the extension answers from its cache until the receiver's change
      // stream (debounced 250 ms) has it refetch: its count after the tool's is the first one that
      // agrees, or one fetched a second after the tool answered (counts only grow).
      const after = await waitFor(
        `the extension's TypeError group in orders.js, refreshed after the tool answered ${total}`,
        async () => {
          const held = await extensionError(api, 'orders.js', 'TypeError');
          const fetchedAt = api.live.cachedAnswer({ window: '1h', file: 'orders.js' })?.fetchedAt ?? 0;
          return held.totalCount === total || fetchedAt >= answered + 1000 ? held : undefined;
        },
        30_000,
      );
      assert.ok(total >= before.totalCount && total <= after.totalCount, `the tool counts ${total}; the extension ${before.totalCount} before and ${after.totalCount} after:\n${text}`);
    });

    it('answers hotspots with the demo’s functions at the lines the extension maps them to', async () => {
      const api = await extensionApi();
      const quote = await extensionFunction(api, 'pricing.js', 'computeQuote');
      const text = await invoke('runtimeLens_hotspots', { window: '1h', limit: 20 });
      assert.ok(text.includes(`pricing.js:${quote.line}`), `computeQuote (pricing.js:${quote.line}) is not among the hotspots:\n${text}`);
      assert.match(text, /computeQuote/);
    });

    it('answers trace with the spans of an exemplar trace of computeQuote, mapped to code', async () => {
      const api = await extensionApi();
      const quote = await extensionFunction(api, 'pricing.js', 'computeQuote');
      const traceId = quote.exemplars[0]?.traceId;
      assert.ok(traceId, 'computeQuote has no exemplar trace');
      const held = await api.live.trace(traceId);
      assert.ok(held, `the receiver no longer holds ${traceId}`);
      const text = await invoke('runtimeLens_trace', { traceId });
      assert.match(text, /computeQuote/);
      assert.ok(text.includes(`pricing.js:${quote.line}`), `no pricing.js:${quote.line} in:\n${text}`);
      assert.ok(text.includes(traceId.slice(0, 8)), `the trace id is not named:\n${text}`);
    });

    it('answers diff risk against the commit before the AI-written one, with its finding and authorship', async () => {
      // The demo repository's last commit adds the AI-written shipping quote (scripts/lib/demoRepo.ts).
      const base = execFileSync('git', ['rev-parse', 'HEAD~1'], { cwd: workspaceFile('.').fsPath, encoding: 'utf8' }).trim();
      const text = await invoke('runtimeLens_diffRisk', { base, window: '1h' });
      assert.match(text, /quoteShipping/, text);
      assert.match(text, /shipping\.js:\d+/, text);
      assert.match(text, /missing-timeout/, text);
      assert.match(text, /\bAI\b/, text);
      assert.ok(!/not connected/i.test(text), text);
    });

    it('answers bad input with one line the model can act on', async () => {
      const text = await invoke('runtimeLens_trace', { traceId: 'not a trace id' });
      assert.match(text, /^Invalid input: .*traceId/);
      assert.equal(text.split('\n').length, 1, text);
      const shadow = await invoke('runtimeLens_shadowRun', { target: 42 });
      assert.match(shadow, /^Invalid input: /);
    });

    it('asks before a shadow run, naming the target and the budget', async () => {
      const api = await extensionApi();
      const shadow = agent(api)
        .tools()
        .find((t) => t.tool.name === 'runtimeLens_shadowRun');
      assert.ok(shadow?.lmTool.prepareInvocation, 'the shadow-run tool has no prepareInvocation');
      const source = new vscode.CancellationTokenSource();
      const prepared = await shadow.lmTool.prepareInvocation({ input: { target: 'http://127.0.0.1:3999', budget: 25 } }, source.token);
      source.dispose();
      const confirm = prepared?.confirmationMessages;
      assert.ok(confirm, 'no confirmation asked for a shadow run');
      const message = typeof confirm.message === 'string' ? confirm.message : confirm.message.value;
      assert.ok(`${confirm.title}\n${message}`.includes('http://127.0.0.1:3999'), `the target is not named: ${message}`);
      assert.match(message, /\b25\b/, `the budget is not named: ${message}`);
      // The read-only tools ask nothing.
      const hotspots = agent(api)
        .tools()
        .find((t) => t.tool.name === 'runtimeLens_hotspots');
      const plain = await hotspots?.lmTool.prepareInvocation?.({ input: {} }, new vscode.CancellationTokenSource().token);
      assert.equal(plain?.confirmationMessages, undefined);
    });

    it('offers the bundled CLI as an MCP server that reads the same receiver, its token never on the command line', async () => {
      const api = await extensionApi();
      const provider = agent(api).mcp();
      assert.ok(provider, 'no MCP server definition provider registered');
      const definitions = provider.provideMcpServerDefinitions();
      assert.equal(definitions.length, 1);
      const def = definitions[0];
      assert.equal(def.label, 'Runtime Lens');
      const state = api.live.state;
      assert.equal(state.kind, 'running');
      const serverAt = def.args.indexOf('--server');
      assert.equal(def.args[serverAt + 1], state.kind === 'running' ? state.endpoint : '');
      assert.ok(def.args[0].endsWith('dist/cli.js'), def.args.join(' '));
      assert.equal(def.args[1], 'mcp');
      assert.ok(!def.args.includes('--token') && !def.args.includes('--allow-shadow'), def.args.join(' '));
      // It runs: the SDK server answers over stdio with the read-only tools and reads the receiver.
      const client = stdioClient(def.command, def.args, def.env, def.cwd?.fsPath ?? process.cwd());
      try {
        await client.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'runtime-lens-suite', version: '0' } });
        client.notify('notifications/initialized');
        const listed = await client.request<{ tools: { name: string }[] }>('tools/list', {});
        assert.deepEqual(
          listed.tools.map((t) => t.name),
          AGENT_TOOLS.filter((t) => t.readOnly).map((t) => t.name),
        );
        const called = await client.request<{ content: { type: string; text: string }[] }>('tools/call', { name: 'runtimeLens_hotspots', arguments: { window: '1h', limit: 20 } });
        const text = called.content.map((c) => c.text).join('');
        assert.match(text, /computeQuote/, `the MCP server did not read the receiver:\n${text}\n${client.stderr()}`);
      } finally {
        await client.close();
      }
    });

    it('withdraws the tools when runtimeLens.agent.tools is off, and offers them again when it is on', async () => {
      const api = await extensionApi();
      const config = vscode.workspace.getConfiguration('runtimeLens');
      await config.update('agent.tools', false, vscode.ConfigurationTarget.Workspace);
      try {
        await waitFor('the tools to be unregistered', () => (agent(api).tools().length === 0 ? true : undefined), 30_000);
        assert.equal(agent(api).mcp(), undefined);
        // vscode.lm.tools lists contributed tools whatever their `when` says (the model's list honours it); no implementation answers.
        await assert.rejects(invoke('runtimeLens_hotspots', {}), /implementation/);
      } finally {
        await config.update('agent.tools', undefined, vscode.ConfigurationTarget.Workspace);
      }
      await waitFor('the tools to come back', () => (agent(api).tools().length === NAMES.length ? true : undefined), 30_000);
      assert.ok(agent(api).mcp());
      assert.match(await invoke('runtimeLens_hotspots', { window: '1h' }), /computeQuote/);
    });
  });
}
