/**
 * The last shadow run's report: held in memory, and kept in the extension's own storage
 * (context.storageUri, or globalStorageUri without a workspace) so the CodeLens and the panel line
 * survive a reload. Never written into the workspace. Read back through the same validation as the
 * CLI's output: the file is outside input too.
 */
import * as vscode from 'vscode';
import type { ShadowReport } from '../../core/api/shadowReport';
import type { Logger } from '../../core/logger';
import { parseShadowReport } from '../../core/shadow/parseShadowReport';

const FILE = 'shadow-last-report.json';

/** The last report and its change event. */
export class ShadowStore implements vscode.Disposable {
  private report: ShadowReport | undefined;
  private loading: Promise<void> | undefined;
  private readonly changed = new vscode.EventEmitter<ShadowReport | undefined>();
  /** Fires when a run finished (or the stored report was read). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly storageDir: vscode.Uri,
    private readonly log: Logger,
  ) {}

  /** The last report, if one is loaded (call load() first after activation). */
  get last(): ShadowReport | undefined {
    return this.report;
  }

  /** Reads the stored report once; later calls wait for the same read. */
  load(): Promise<void> {
    this.loading ??= this.read();
    return this.loading;
  }

  /** Keeps a finished run's report and tells the surfaces. */
  async set(report: ShadowReport): Promise<void> {
    this.report = report;
    this.changed.fire(report);
    try {
      await vscode.workspace.fs.createDirectory(this.storageDir);
      await vscode.workspace.fs.writeFile(this.file(), new TextEncoder().encode(JSON.stringify(report)));
    } catch (err) {
      this.log.warn(`could not keep the shadow report in ${this.storageDir.fsPath}: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }

  private file(): vscode.Uri {
    return vscode.Uri.joinPath(this.storageDir, FILE);
  }

  private async read(): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(this.file());
    } catch {
      return; // No run yet.
    }
    // A run finished while the file was read: it is newer.
    if (this.report) return;
    const parsed = parseShadowReport(new TextDecoder().decode(bytes));
    if (!parsed.ok) {
      this.log.warn(`the stored shadow report is unreadable (${parsed.error}); it is ignored`);
      return;
    }
    this.report = parsed.report;
    this.changed.fire(parsed.report);
  }
}
