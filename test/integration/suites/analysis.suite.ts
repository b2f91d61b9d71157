import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
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
      const diagnostic = await waitFor('a missing-timeout diagnostic on shipping.js', () => riskDiagnostics(doc.uri)[0], 60_000,
        () => JSON.stringify(vscode.languages.getDiagnostics(doc.uri).map((d) => `${d.source} ${d.message}`)));
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
      await waitFor('the workspace scan to finish', () => (service?.scanState === 'done' ? true : undefined), 60_000, () => String(service?.scanState));
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
