import * as vscode from 'vscode';
import type { Finding } from '../../core/analysis/findings';
import { riskMessage } from '../../core/analysis/ranking';
import { plainText } from '../../core/render/escape';
import type { LiveConfig, RiskLevel } from '../config';
import { DIAGNOSTIC_SOURCE, RISK_COLLECTION } from '../ids';
import { mappingRoot } from '../workspacePaths';
import type { RiskSource } from './riskSource';

const LEVEL: Record<Exclude<RiskLevel, 'off'>, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** The editor range of a finding (1-based lines and columns to 0-based positions). */
export function findingRange(f: Finding): vscode.Range {
  return new vscode.Range(f.line - 1, Math.max(0, f.column - 1), f.endLine - 1, Math.max(0, f.endColumn - 1));
}

/**
 * Risk findings in the Problems panel: source `Runtime Lens`, the rule id as code linking to its
 * doc, the attribution and production figures in the message, the level from the settings.
 */
export class RiskDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(RISK_COLLECTION);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly source: RiskSource,
    private readonly config: LiveConfig,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.subscriptions.push(
      this.collection,
      source.onDidChange(({ files }) => this.refresh(files)),
      config.onDidChange(() => this.refreshAll()),
    );
    this.refreshAll();
  }

  /** Diagnostics now shown for a document (integration suites read it). */
  forUri(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  /** Clears the Problems entries and stops listening. */
  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  private refreshAll(): void {
    const files = new Set(this.source.allFindings().map((f) => f.file));
    this.collection.forEach((uri) => {
      const root = mappingRoot();
      if (root) files.add(uri.path.slice(root.path.length + 1));
    });
    this.refresh([...files]);
  }

  private refresh(files: readonly string[]): void {
    const root = mappingRoot();
    if (!root) return;
    for (const file of files) {
      const uri = vscode.Uri.joinPath(root, ...file.split('/'));
      const diagnostics = this.source
        .findings(file)
        .map((f) => this.toDiagnostic(f))
        .filter((d): d is vscode.Diagnostic => d !== null);
      if (diagnostics.length === 0) this.collection.delete(uri);
      else this.collection.set(uri, diagnostics);
    }
  }

  private toDiagnostic(f: Finding): vscode.Diagnostic | null {
    const configured = this.config.current.analysis.severity[f.rule];
    if (configured === 'off') return null;
    const level = configured ? LEVEL[configured] : f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
    // The message quotes the production environment, which telemetry names.
    const d = new vscode.Diagnostic(findingRange(f), plainText(riskMessage(f)), level);
    d.source = DIAGNOSTIC_SOURCE;
    d.code = { value: f.rule, target: vscode.Uri.joinPath(this.extensionUri, 'docs', 'rules', `${f.rule}.md`) };
    return d;
  }
}
