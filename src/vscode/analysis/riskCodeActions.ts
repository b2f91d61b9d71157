import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from '../ids';
import { relativeFile } from '../workspacePaths';
import { findingRange } from './riskDiagnostics';
import type { RiskSource } from './riskSource';

/**
 * Quick fixes for risk findings: each finding's `fix` (edits computed by its rule, with the
 * timeout from `runtimeLens.analysis.timeoutMs`) as a WorkspaceEdit.
 */
export class RiskCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly source: RiskSource) {}

  /** Fixes of the findings the range touches, each tied to its diagnostic. */
  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const file = relativeFile(document.uri);
    if (!file) return [];
    const actions: vscode.CodeAction[] = [];
    for (const f of this.source.findings(file)) {
      if (!f.fix) continue;
      const at = findingRange(f);
      if (!at.intersection(range) && !range.contains(at)) continue;
      const action = new vscode.CodeAction(f.fix.title, vscode.CodeActionKind.QuickFix);
      const edit = new vscode.WorkspaceEdit();
      for (const e of f.fix.edits) {
        edit.replace(document.uri, new vscode.Range(e.line - 1, e.column - 1, e.endLine - 1, e.endColumn - 1), e.text);
      }
      action.edit = edit;
      action.isPreferred = true;
      action.diagnostics = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'object' && d.code.value === f.rule && d.range.isEqual(at));
      actions.push(action);
    }
    return actions;
  }
}
