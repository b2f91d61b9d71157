import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RuntimeLensApi } from '../../../src/extension';
import { recordFigure } from './index';
import { extensionApi, lineOf, waitFor, workspaceFile } from './context';

// The demo service (examples/orders-service) under steady load: computeQuote is slow,
// formatOrder throws a TypeError for every 7th order, checkStock calls a flaky downstream.
const LENS = /^p50 [\d.]+ (ms|s) · p95 [\d.]+ (ms|s) · [\d.]+% errors · [\d.,]+\/min · 5m · production$/;

async function open(relative: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(relative));
  return vscode.window.showTextDocument(doc, { preview: false });
}

async function lensesOf(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

function surfaces(api: RuntimeLensApi): NonNullable<RuntimeLensApi['surfaces']> {
  assert.ok(api.surfaces, 'activation composed no surfaces (see the Runtime Lens log)');
  return api.surfaces;
}

/** CodeLens, hover, inline hints and diagnostics on the demo service after real OTLP traffic. */
export function surfacesSuite(): void {
  describe('editor surfaces on the demo service', () => {
    it('puts a live CodeLens above computeQuote and none above functions without data', async () => {
      const editor = await open('pricing.js');
      const doc = editor.document;
      const quoteLine = lineOf(doc, /async function computeQuote\(/);
      let seen: string[] = [];
      const lens = await waitFor(
        'a CodeLens with figures above computeQuote',
        async () => {
          const lenses = await lensesOf(doc.uri);
          seen = lenses.map((l) => `${l.range.start.line}: ${l.command?.title}`);
          return lenses.find((l) => l.range.start.line === quoteLine && LENS.test(l.command?.title ?? ''));
        },
        90_000,
        () => JSON.stringify(seen),
      );
      assert.equal(lens.command?.command, 'runtimeLens.showFunction');
      // sleep() never gets a span of its own: no lens may sit on it.
      const sleepLine = lineOf(doc, /^function sleep\(/);
      assert.ok(!(await lensesOf(doc.uri)).some((l) => l.range.start.line === sleepLine), `a lens sits on sleep(): ${JSON.stringify(seen)}`);
      // The figures are the receiver's: p95 of the slow function is at least its 150 ms floor.
      const p95 = /p95 ([\d.]+) (ms|s)/.exec(lens.command!.title)!;
      const p95Ms = Number(p95[1]) * (p95[2] === 's' ? 1000 : 1);
      assert.ok(p95Ms >= 140, `p95 ${p95Ms} ms is below computeQuote's 150 ms floor`);
    });

    it('refreshes the lens data shortly after new spans arrive, without a refresh storm', async () => {
      const api = await extensionApi();
      const { codeLens } = surfaces(api);
      const doc = (await open('pricing.js')).document;
      const before = codeLens.refreshCount;
      const changedAt: number[] = [];
      const sub = api.live.onDidChangeSignals(({ files }) => {
        if (files.includes('pricing.js')) changedAt.push(Date.now());
      });
      const started = Date.now();
      try {
        await waitFor('five change events for pricing.js', () => (changedAt.length >= 5 ? true : undefined), 60_000);
        await lensesOf(doc.uri);
      } finally {
        sub.dispose();
      }
      const elapsedS = (Date.now() - started) / 1000;
      const refreshes = codeLens.refreshCount - before;
      // At most one refresh per second (plus one for the second the window started in).
      assert.ok(refreshes <= Math.ceil(elapsedS) + 1, `${refreshes} CodeLens refreshes in ${elapsedS.toFixed(1)} s`);
      assert.ok(refreshes >= 1, 'no CodeLens refresh while pricing.js kept changing');
      recordFigure('changeEventsPerSecond', changedAt.length / elapsedS);
    });

    it('hovers computeQuote with per-window figures, a sparkline, the mapping and the revision', async () => {
      const doc = (await open('pricing.js')).document;
      const line = lineOf(doc, /async function computeQuote\(/);
      const position = new vscode.Position(line, doc.lineAt(line).text.indexOf('computeQuote') + 3);
      let text = '';
      await waitFor(
        'a Runtime Lens hover on computeQuote',
        async () => {
          text = hoverText((await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position)) ?? []);
          return /p95/.test(text) ? true : undefined;
        },
        30_000,
        () => text,
      );
      for (const window of ['1m', '5m', '1h']) assert.match(text, new RegExp(`\\b${window}\\b`), `no ${window} row in:\n${text}`);
      assert.match(text, /data:image\/svg\+xml/, 'no sparkline image');
      assert.match(text, /Mapped by the span name, confidence \d+%/, `the hover does not say how the span was mapped:\n${text}`);
      assert.match(text, /HEAD|revision|deployed/i, `the hover does not compare the deployed revision with HEAD:\n${text}`);
    });

    it('hints the TypeError on the line that threw and lists it in Problems', async () => {
      const api = await extensionApi();
      const editor = await open('orders.js');
      const throwing = lineOf(editor.document, /order\.customer\.name/) + 1;
      const hint = await waitFor(
        'an inline hint on the line that throws',
        () =>
          surfaces(api)
            .hints.shown.get('orders.js')
            ?.find((h) => h.line === throwing),
        60_000,
        () => JSON.stringify(surfaces(api).hints.shown.get('orders.js')),
      );
      assert.match(hint.text, /^✖ [\d,.]+k?× TypeError: Cannot read properties of undefined \(reading 'name'\) \(5m\)/);
      assert.equal(hint.severity, 'error');
      const diagnostic = await waitFor(
        'a Runtime Lens diagnostic in orders.js',
        () => vscode.languages.getDiagnostics(editor.document.uri).find((d) => d.source === 'Runtime Lens' && /TypeError/.test(d.message)),
        30_000,
      );
      assert.equal(diagnostic.range.start.line, throwing - 1);
      assert.match(diagnostic.message, /Cannot read properties of undefined/);
    });

    it('hints the p95 of the outgoing call on the line that makes it', async () => {
      const api = await extensionApi();
      const editor = await open('stock.js');
      const calling = lineOf(editor.document, /await fetch\(/) + 1;
      const hint = await waitFor(
        'a latency hint on the fetch line',
        () =>
          surfaces(api)
            .hints.shown.get('stock.js')
            ?.find((h) => h.line === calling),
        60_000,
        () => JSON.stringify(surfaces(api).hints.shown.get('stock.js')),
      );
      assert.match(hint.text, /^~[\d.]+ (ms|s)$/);
    });

    it('shows the receiver, its rate and the environment in the status bar', async () => {
      const { statusBar } = surfaces(await extensionApi());
      const text = await waitFor(
        'a status bar with a span rate',
        () => (/spans\/s/.test(statusBar.text) ? statusBar.text : undefined),
        30_000,
        () => statusBar.text,
      );
      assert.match(text, /production/);
    });
  });
}
