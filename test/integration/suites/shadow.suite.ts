import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ShadowHostMessage } from '../../../src/core/api/shadowProtocol';
import type { ShadowReportView } from '../../../src/core/api/shadowView';
import { PRODUCTION_TRACES, type ShadowChoice } from '../../../src/core/shadow/shadowChoice';
import type { ShadowSurfaces } from '../../../src/vscode/shadow/shadowFeature';
import type { ShadowCliOutcome } from '../../../src/core/client/shadowCliRunner';
import { extensionApi, waitFor, workspaceFile } from './context';

/**
 * The shadow run from the editor (test/integration/shadow.test.ts): the workspace is the shop service
 * in a git repository with every regression planted in its working tree; the command runs the CLI
 * engine as a child against it and the `base` tag, and the report reaches the webview, the CodeLens
 * and the Live Signals panel.
 */

/** The HAR the outer test recorded with Chromium (outside the workspace). */
export const SHADOW_TRAFFIC_ENV = 'RUNTIME_LENS_SHADOW_TRAFFIC';

async function shadow(): Promise<ShadowSurfaces> {
  const api = await extensionApi();
  assert.ok(api.shadow, 'activation composed no shadow run (see the Runtime Lens log)');
  return api.shadow;
}

async function lensTitles(relative: string): Promise<Map<number, string>> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(relative));
  await vscode.window.showTextDocument(doc, { preview: false });
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
  const out = new Map<number, string>();
  for (const l of lenses) if (l.command?.title.startsWith('shadow: ')) out.set(l.range.start.line + 1, l.command.title);
  return out;
}

/** Every file name under a folder, but node_modules and .git. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !/(^|[\\/])(node_modules|\.git)([\\/]|$)/.test(path.relative(dir, e.parentPath)))
    .map((e) => e.name);
}

export function shadowSuite(): void {
  describe('Shadow run from the editor', () => {
    let view: ShadowReportView;

    it('runs the command against the shop service and its base revision, and shows the report', async function () {
      this.timeout(240_000);
      const traffic = process.env[SHADOW_TRAFFIC_ENV];
      assert.ok(traffic && existsSync(traffic), `${SHADOW_TRAFFIC_ENV} names no HAR: run this set through test/integration/shadow.test.ts`);
      const s = await shadow();
      const choice: ShadowChoice = { traffic, target: { kind: 'start', command: 'node server.js', health: '/health' }, baseline: { kind: 'ref', ref: 'base' }, budget: 140 };
      const outcome = await vscode.commands.executeCommand<ShadowCliOutcome | undefined>('runtimeLens.shadowRun', choice);
      assert.ok(outcome, 'the command returned no outcome');
      assert.equal(outcome.kind, 'report', outcome.kind === 'failed' ? `${outcome.message}\n${outcome.stderr}` : '');
      const delivered = await waitFor(
        'the report in the webview',
        () => {
          const m = s.panel.delivered.get('report') as Extract<ShadowHostMessage, { kind: 'report' }> | undefined;
          return m?.view;
        },
        30_000,
      );
      view = delivered;
      const tile = (key: string) => view.tiles.find((t) => t.key === key)!;
      assert.ok(Number(tile('replayed').value) >= 130, JSON.stringify(view.tiles));
      assert.equal(tile('status').level, 'error');
      assert.ok(Number(tile('status').value) > 0);
      assert.ok(Number(tile('shape').value) >= 2);
      assert.equal(view.hasBaseline, true);
      assert.match(view.facts.find((f) => f.label === 'Baseline')!.value, /^base \([0-9a-f]{12}\)/);
    });

    it('names each planted regression on its route or function', () => {
      const route = (key: string) => view.routes.find((r) => r.key === key);
      const fn = (name: string) => view.functions.find((f) => f.function === name);
      assert.equal(route('GET /api/stock/:sku')?.status.level, 'error');
      assert.ok(route('GET /api/profile/:user')?.details.some((d) => d.text.startsWith('$.loyaltyTier removed')));
      assert.ok(route('GET /api/orders/:id/receipt')?.details.some((d) => d.kind === 'error' && d.text.startsWith('TypeError')));
      assert.deepEqual([fn('loadOrder')?.file, fn('loadOrder')?.line], ['orders.js', 13]);
      assert.ok(fn('loadOrder')?.badges.some((b) => /^1 call repeated ×/.test(b.text)));
      assert.ok(fn('quoteShipping')?.badges.some((b) => b.text === '+1 call'));
      assert.ok(fn('quoteShipping')?.details.some((d) => d.kind === 'call' && /\/internal\/carrier/.test(d.text)));
      // Untouched routes answer the same (their latency may move with a cold start: not asserted).
      const items = route('GET /api/items')!;
      assert.deepEqual([items.status.level, items.shape.level, items.errors.level], ['ok', 'ok', 'ok']);
    });

    it('puts a CodeLens on the functions that changed behaviour, and none on the others', async () => {
      const orders = await waitFor('a shadow lens in orders.js', async () => ((await lensTitles('orders.js')).size > 0 ? lensTitles('orders.js') : undefined), 30_000);
      assert.match(orders.get(13) ?? '', /^shadow: .*1 call repeated ×[\d.]+$/);
      const shipping = await lensTitles('shipping.js');
      assert.match(shipping.get(7) ?? '', /^shadow: .*\+1 call$/);
      const server = await lensTitles('server.js');
      assert.ok(
        [...server.values()].some((t) => /new error/.test(t)),
        JSON.stringify([...server]),
      );
      // catalog.js was not touched: no call or error difference (a cold start may still move a p95).
      assert.deepEqual(
        [...(await lensTitles('catalog.js')).values()].filter((t) => /call|error/.test(t)),
        [],
      );
    });

    it('opens the report at a function when its CodeLens command runs', async () => {
      const s = await shadow();
      const doc = await vscode.workspace.openTextDocument(workspaceFile('orders.js'));
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
      const lens = lenses.find((l) => l.command?.title.startsWith('shadow: '));
      assert.ok(lens?.command);
      await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
      const focused = await waitFor('a report message with a focus', () => {
        const m = s.panel.delivered.get('report') as Extract<ShadowHostMessage, { kind: 'report' }> | undefined;
        return m?.focus;
      });
      assert.equal(focused, 'orders.js:13:loadOrder');
    });

    it('shows the last run in the Live Signals panel', async () => {
      const api = await extensionApi();
      await vscode.commands.executeCommand('runtimeLens.openPanel');
      const line = await waitFor('the shadow line in the panel', () => {
        const m = api.surfaces?.panel.delivered.get('shadow');
        return m?.kind === 'shadow' && m.line ? m.line : undefined;
      });
      assert.equal(line.level, 'error');
      assert.match(line.text, /^\d+ status mismatch(es)? · /);
      assert.match(line.detail, /^\d+ of \d+ requests · shop\.har$/);
    });

    it('keeps the report in the extension’s storage, never in the workspace', () => {
      const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
      assert.deepEqual(
        filesUnder(root).filter((f) => /shadow|report/i.test(f)),
        [],
      );
    });

    it('runs from the production traces its own receiver holds, with the read token kept off the command line', async function () {
      this.timeout(240_000);
      const api = await extensionApi();
      await vscode.commands.executeCommand('runtimeLens.startReceiver');
      const endpoint = await waitFor('the receiver running', () => (api.live.state.kind === 'running' ? api.live.state.endpoint : undefined), 60_000);
      // "Production": the service (as the working tree has it) exporting to the editor's receiver, under traffic.
      const port = await new Promise<number>((resolve) => {
        const srv = createServer().listen(0, '127.0.0.1', () => {
          const p = (srv.address() as AddressInfo).port;
          srv.close(() => resolve(p));
        });
      });
      const prod = spawn(process.execPath, ['server.js'], {
        cwd: workspaceFile('.').fsPath,
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100', DEPLOYMENT_ENVIRONMENT: 'production' },
        stdio: 'ignore',
      });
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitFor('the production service up', async () => ((await fetch(`${base}/health`).catch(() => undefined))?.ok ? true : undefined), 30_000);
        for (const p of ['/api/items', '/api/items/1', '/api/stock/pear', '/api/stock/apple', '/api/profile/ada', '/api/quote?sku=apple&qty=3'].flatMap((x) => [x, x, x])) await (await fetch(`${base}${p}`)).text();
        // The receiver has filed them once the stock route has figures.
        await waitFor('production figures for stock.js', async () => ((await api.live.signals({ file: 'stock.js' }))?.functions.length ? true : undefined), 60_000);
      } finally {
        prod.kill('SIGTERM');
      }
      const choice: ShadowChoice = { traffic: PRODUCTION_TRACES, target: { kind: 'start', command: 'node server.js', health: '/health' }, baseline: { kind: 'ref', ref: 'base' }, budget: 40 };
      const outcome = await vscode.commands.executeCommand<ShadowCliOutcome | undefined>('runtimeLens.shadowRun', choice);
      await vscode.commands.executeCommand('runtimeLens.stopReceiver');
      assert.ok(outcome && outcome.kind === 'report', outcome?.kind === 'failed' ? `${outcome.message}\n${outcome.stderr}` : 'no outcome');
      const report = outcome.report;
      assert.ok(report.replayed >= 6, `replayed ${report.replayed}`);
      assert.match(report.run.traffic, /^traces of http:\/\/127\.0\.0\.1:\d+/);
      const stock = report.routes.find((r) => r.route === '/api/stock/:sku');
      assert.ok(stock && stock.statusMismatches > 0, JSON.stringify(report.routes.map((r) => [r.route, r.statusMismatches])));
    });
  });
}
