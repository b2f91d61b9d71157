import * as vscode from 'vscode';
import { shadowLenses } from '../../core/render/shadowLens';
import { shadowFunctionKey } from '../../core/render/shadowView';
import { Commands } from '../ids';
import { relativeFile } from '../workspacePaths';
import type { ShadowStore } from './shadowStore';

/**
 * A CodeLens above each function that changed behaviour in the last shadow run
 * (`shadow: p95 ×1.4 vs base · 2 new errors · +1 call`); it opens the report at that function.
 */
export class ShadowCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly store: ShadowStore) {
    this.onDidChangeCodeLenses = (listener, thisArg, disposables) => store.onDidChange(() => listener.call(thisArg), undefined, disposables);
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    await this.store.load();
    const report = this.store.last;
    const file = relativeFile(document.uri);
    if (!report || !file) return [];
    return shadowLenses(report, file)
      .filter((l) => l.line <= document.lineCount)
      .map((l) => {
        const line = document.lineAt(l.line - 1);
        const at = new vscode.Range(line.lineNumber, line.firstNonWhitespaceCharacterIndex, line.lineNumber, line.firstNonWhitespaceCharacterIndex);
        return new vscode.CodeLens(at, { title: l.title, tooltip: l.tooltip, command: Commands.showShadowReport, arguments: [shadowFunctionKey(l)] });
      });
  }
}
