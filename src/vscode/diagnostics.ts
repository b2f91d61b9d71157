import * as vscode from 'vscode';
import type { ErrorSignal, SignalsResponse } from '../core/api/signals';
import { plainText } from '../core/render/escape';
import { formatCount } from '../core/format';
import type { LiveConfig } from './config';
import { DIAGNOSTIC_SOURCE } from './ids';
import type { LiveSignals } from './liveSignals';
import { Throttle } from './throttle';
import { mappingRoot, relativeFile } from './workspacePaths';

/** Error groups asked for in a workspace-wide refresh. */
const TOP_ERRORS = 100;

/**
 * Production error groups as diagnostics on the lines that threw (Problems panel, F8). A
 * workspace-wide query (top error groups) runs on connect, on selection changes and when a new
 * group appears; files that already have diagnostics are re-read per file when they change.
 */
export class ErrorDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('runtimeLens');
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changedFiles = new Set<string>();
  private fullPending = true;
  private readonly throttle = new Throttle(1000, () => void this.refresh());
  // A group created before the stream connected is never announced: files without problems that
  // change get a workspace-wide look now and then, not on every change.
  private readonly unknownFiles = new Throttle(5000, () => this.full());

  constructor(
    private readonly live: LiveSignals,
    private readonly config: LiveConfig,
  ) {
    this.subscriptions.push(
      this.collection,
      live.onDidChangeSignals(({ files }) => {
        const root = mappingRoot();
        for (const f of files) this.changedFiles.add(f);
        if (root && files.some((f) => !this.collection.has(vscode.Uri.joinPath(root, f)))) this.unknownFiles.schedule();
        this.throttle.schedule();
      }),
      live.onNewErrorGroup(() => this.full()),
      live.onDidChangeSelection(() => this.full()),
      live.onDidChangeState((s) => {
        if (s.kind === this.lastKind) return;
        this.lastKind = s.kind;
        this.full();
      }),
      config.onDidChange(() => this.full()),
    );
    this.lastKind = live.state.kind;
    this.full();
  }

  private lastKind: string;

  /** Diagnostics now shown for a workspace-relative file (integration suites read it). */
  forFile(file: string): readonly vscode.Diagnostic[] {
    const root = mappingRoot();
    return root ? (this.collection.get(vscode.Uri.joinPath(root, file)) ?? []) : [];
  }

  /** Clears the Problems entries and stops listening. */
  dispose(): void {
    this.throttle.dispose();
    this.unknownFiles.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private full(): void {
    this.fullPending = true;
    this.throttle.schedule();
  }

  private async refresh(): Promise<void> {
    const root = mappingRoot();
    if (!this.config.current.diagnostics.enabled || this.live.state.kind !== 'running' || !root) {
      this.collection.clear();
      this.changedFiles.clear();
      return;
    }
    if (this.fullPending) {
      this.fullPending = false;
      this.changedFiles.clear();
      const response = await this.live.signals({ top: TOP_ERRORS });
      if (!response) return;
      this.collection.clear();
      const open = openDocuments();
      for (const [file, errors] of byFile(response.errors))
        this.collection.set(
          vscode.Uri.joinPath(root, file),
          errors.map((e) => toDiagnostic(e, response, open.get(file))),
        );
      return;
    }
    // Only files that already have problems can change them without a new group being announced.
    const files = [...this.changedFiles].filter((f) => this.collection.has(vscode.Uri.joinPath(root, f)));
    this.changedFiles.clear();
    const open = openDocuments();
    await Promise.all(
      files.map(async (file) => {
        const response = await this.live.signals({ file });
        if (!response) return;
        const errors = response.errors.filter((e) => e.file === file && e.count > 0);
        this.collection.set(
          vscode.Uri.joinPath(root, file),
          errors.map((e) => toDiagnostic(e, response, open.get(file))),
        );
      }),
    );
  }
}

function byFile(errors: ErrorSignal[]): Map<string, ErrorSignal[]> {
  const files = new Map<string, ErrorSignal[]>();
  for (const e of errors) {
    if (!e.file || e.line < 1 || e.count === 0) continue;
    const list = files.get(e.file) ?? [];
    list.push(e);
    files.set(e.file, list);
  }
  return files;
}

/** Open documents by workspace-relative file (their lines give a diagnostic its exact range). */
function openDocuments(): Map<string, vscode.TextDocument> {
  const open = new Map<string, vscode.TextDocument>();
  for (const d of vscode.workspace.textDocuments) {
    const file = relativeFile(d.uri);
    if (file) open.set(file, d);
  }
  return open;
}

function toDiagnostic(e: ErrorSignal, response: SignalsResponse, open: vscode.TextDocument | undefined): vscode.Diagnostic {
  const line = e.line - 1;
  const range = open && line < open.lineCount ? new vscode.Range(line, open.lineAt(line).firstNonWhitespaceCharacterIndex, line, open.lineAt(line).range.end.character) : new vscode.Range(line, 0, line, 1000);
  // Problems shows plain text, but control and bidi characters would still hide or reorder it.
  const where = [e.service, e.environment].filter(Boolean).map(plainText).join(', ');
  const message = `${plainText(e.type)}: ${plainText(e.message).replace(/\s+/g, ' ').trim()} (${formatCount(e.count)}× in ${plainText(response.window)} in production${where ? `: ${where}` : ''})`;
  const diagnostic = new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Error);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = plainText(e.type);
  return diagnostic;
}
