import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { productionLabel } from '../../../src/core/analysis/ranking';
import { markdownText } from '../../../src/core/render/escape';
import type { RuntimeLensApi } from '../../../src/extension';
import { recordFigure } from './index';
import { extensionApi, lineOf, waitFor, workspaceFile } from './context';

// test/support/demoWorkspace.ts commits shipping.js with a `Co-Authored-By: Claude` trailer:
// quoteShipping's fetch has no timeout. The rest of the demo is a human commit.
const AI_FILE = 'shipping.js';

function risk(api: RuntimeLensApi): NonNullable<RuntimeLensApi['risk']> {
  assert.ok(api.risk, 'activation composed no risk analysis (see the Runtime Lens log)');
  return api.risk;
}

function riskDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Runtime Lens' && typeof d.code === 'object' && d.code.value === 'missing-timeout');
}

/** The AI-code risk analysis in the editor: diagnostics, the quick fix, the Production risk view. */
export function analysisSuite(): void {
  describe('production risk analysis', () => {
    let doc: vscode.TextDocument;

    before(async () => {
      doc = await vscode.workspace.openTextDocument(workspaceFile(AI_FILE));
      await vscode.window.showTextDocument(doc, { preview: false });
    });

    after(async () => {
      // leave the file as committed for other suites
      if (doc.isDirty) {
        await vscode.window.showTextDocument(doc);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
    });

    it('flags the AI-written fetch without a timeout, with the rule code, its doc and the attribution', async () => {
      const line = lineOf(doc, /await fetch\(/);
      const diagnostic = await waitFor(
        'a missing-timeout diagnostic on shipping.js',
        () => riskDiagnostics(doc.uri)[0],
        60_000,
        () => JSON.stringify(vscode.languages.getDiagnostics(doc.uri).map((d) => `${d.source} ${d.message}`)),
      );
      assert.equal(diagnostic.range.start.line, line);
      assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
      const code = diagnostic.code as { value: string; target: vscode.Uri };
      assert.ok(code.target.path.endsWith('/docs/rules/missing-timeout.md'), code.target.toString());
      assert.match(diagnostic.message, /^AI-written \(Claude Code, trailer\) · no timeout on fetch/);
    });

    it('lists quoteShipping first in the Production risk view', async () => {
      const { tree } = risk(await extensionApi());
      tree.getChildren();
      const first = await waitFor('a function in the Production risk view', () => tree.roots()[0], 60_000);
      assert.equal(first.file, AI_FILE);
      assert.equal(first.function, 'quoteShipping');
      const item = tree.getTreeItem(first);
      assert.equal(item.label, 'quoteShipping');
      assert.equal(item.command?.command, 'runtimeLens.openLocation');
      assert.deepEqual(item.command?.arguments, [AI_FILE, lineOf(doc, /await fetch\(/) + 1]);
      const children = tree.getChildren(first);
      assert.equal(children.length, 1);
      // the view's welcome text (shown when it is empty) follows the scan's state
      const service = risk(await extensionApi()).service();
      await waitFor(
        'the workspace scan to finish',
        () => (service?.scanState === 'done' ? true : undefined),
        60_000,
        () => String(service?.scanState),
      );
    });

    it('lists quoteShipping under "AI-written code serving traffic" with its production figures and who wrote it', async () => {
      const { tree } = risk(await extensionApi());
      const serving = await waitFor(
        'quoteShipping with figures in the serving-traffic section',
        () => tree.serving().find((s) => s.row.function === 'quoteShipping'),
        60_000,
        () => JSON.stringify(tree.serving().map((s) => `${s.row.file}:${s.row.function}`)),
      );
      assert.equal(serving.row.file, AI_FILE);
      assert.equal(serving.row.attribution.agent, 'Claude Code');
      assert.ok(serving.row.production.ratePerMin > 0, JSON.stringify(serving.row.production));
      // only AI-written code: the demo's other files are a human commit
      assert.deepEqual([...new Set(tree.serving().map((s) => s.row.file))], [AI_FILE]);
      const sections = tree.getChildren().map((s) => tree.getTreeItem(s).label);
      assert.deepEqual(sections, ['Findings', 'AI-written code serving traffic']);
      const section = tree.getChildren()[1]!;
      assert.ok(tree.getChildren(section).some((c) => c.kind === 'serving' && c.row.function === 'quoteShipping'));
      const item = tree.getTreeItem(serving);
      assert.equal(item.label, 'quoteShipping');
      assert.match(String(item.description), /^shipping\.js · p95 [\d.]+ (ms|s), [\d.]+\/min/);
      assert.equal(item.command?.command, 'runtimeLens.openLocation');
      assert.deepEqual(item.command?.arguments, [AI_FILE, lineOf(doc, /^async function quoteShipping/) + 1]);
      const tooltip = (item.tooltip as vscode.MarkdownString).value;
      assert.ok(tooltip.includes(markdownText('AI-written (Claude Code, trailer)')), tooltip);
      assert.ok(tooltip.includes(markdownText(`Source: ${serving.row.attribution.source}`)), tooltip);
      assert.ok(tooltip.includes(markdownText(productionLabel(serving.row.production))), tooltip);
      assert.ok(tooltip.includes(markdownText('1 finding (see Findings)')), tooltip);
    });

    it('fixes it with AbortSignal.timeout(10000) through the quick fix, and the diagnostic goes away', async () => {
      const diagnostic = riskDiagnostics(doc.uri)[0];
      assert.ok(diagnostic, 'the diagnostic is gone before the fix');
      const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value)) ?? [];
      const fix = actions.find((a) => a.title === 'Add signal: AbortSignal.timeout');
      assert.ok(fix?.edit, `no quick fix among ${JSON.stringify(actions.map((a) => a.title))}`);
      assert.ok(fix.kind?.contains(vscode.CodeActionKind.QuickFix));
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      const line = doc.lineAt(lineOf(doc, /await fetch\(/)).text;
      assert.match(line, /fetch\(`\$\{CARRIER_URL\}\/v1\/quotes\?weight=\$\{order\.weight\}`, \{ signal: AbortSignal\.timeout\(10000\) \}\);$/);
      await waitFor('the diagnostic to go away after the fix', () => (riskDiagnostics(doc.uri).length === 0 ? true : undefined), 30_000);
      const service = risk(await extensionApi()).service();
      const times = service?.updateTimes ?? [];
      if (times.length > 0) recordFigure('analysisIncrementalMs', times[times.length - 1]!);
    });
  });
}
