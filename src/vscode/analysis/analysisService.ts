import * as vscode from 'vscode';
import type { Finding, FunctionSpan, Severity } from '../../core/analysis/findings';
import { spanKey } from '../../core/analysis/findings';
import { isTestPath } from '../../core/analysis/testPaths';
import { compareFindings, MemoryProductionLookup, rankFindings } from '../../core/analysis/ranking';
import type { ServingRow } from '../../core/analysis/servingTraffic';
import { AnalysisClient } from '../../core/analysis/worker/analysisClient';
import type { WorkerAnalysisOptions } from '../../core/analysis/worker/protocol';
import type { Logger } from '../../core/logger';
import type { AnalysisConfig } from '../config';
import { Emitter } from '../emitter';
import { ContextKeys, type RiskScanState } from '../ids';
import type { LiveSignalsSource } from '../liveSignalsSource';
import { mappingRoot, relativeFile } from '../workspacePaths';
import { OpenDocuments } from './openDocuments';
import type { RiskSource } from './riskSource';
import { ServingTrafficRows } from './servingTrafficRows';

/**
 * Keeps AI-code risk findings per file: open documents are analysed incrementally on edit
 * (debounced), attributed through git (trusted workspaces only) and joined with production
 * figures from the live signals; files not open come from a background workspace scan. After each
 * scan, the AI-written functions are listed too, for the view's "serving traffic" section. Parsing,
 * the rules and git run on a worker thread (AnalysisClient), never on the extension host's.
 */
export class AnalysisService implements RiskSource, vscode.Disposable {
  private readonly open: OpenDocuments;
  /** Ranked findings per workspace-relative file (open documents and the scan). */
  private readonly byFile = new Map<string, Finding[]>();
  private readonly emitter = new Emitter<{ files: string[] }>();
  /** Fires when findings of these workspace-relative files changed. */
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private scanning: Promise<void> | undefined;
  private scanStateNow: RiskScanState | undefined;
  private disposed = false;
  private readonly worker: AnalysisClient;
  private readonly serving: ServingTrafficRows;

  constructor(
    private readonly live: LiveSignalsSource,
    private settings: AnalysisConfig,
    private readonly log: Logger,
    wasmDir: string,
  ) {
    this.worker = new AnalysisClient({ wasmDir, options: this.analysisOptions(), logger: log });
    this.open = new OpenDocuments({
      worker: this.worker,
      log,
      mayRunGit: () => this.mayRunGit(),
      analysed: (file, attribute) => this.publish(file, attribute),
      disposed: () => this.disposed,
    });
    this.serving = new ServingTrafficRows(this.worker, live, log);
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.open.track(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.open.changed(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.open.untrack(d)),
      vscode.workspace.onDidSaveTextDocument((d) => this.saved(d)),
      live.onDidChangeSignals(({ files }) => void this.rejoin(files)),
      live.onDidChangeSelection(() => void this.rejoin([...new Set([...this.byFile.keys(), ...this.serving.files()])])),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        void this.rejoin([...this.byFile.keys()], true);
        if (this.scanStateNow === 'untrusted') void this.scan(true);
        // a scan of all code ran without git: authorship can be read now
        else if (this.scanStateNow === 'done' && mappingRoot()?.scheme === 'file') void this.listAuthorship(mappingRoot()!.fsPath);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.open.track(d);
  }

  /** Milliseconds of the last incremental updates (newest last), for the integration suite and logs. */
  get updateTimes(): readonly number[] {
    return this.open.updateTimes;
  }

  /** Where the workspace scan is (the Production risk view's welcome text follows it). */
  get scanState(): RiskScanState | undefined {
    return this.scanStateNow;
  }

  private setScanState(state: RiskScanState): void {
    this.scanStateNow = state;
    void vscode.commands.executeCommand('setContext', ContextKeys.riskScan, state);
  }

  /** Ranked findings of a workspace-relative file. */
  findings(file: string): readonly Finding[] {
    return this.byFile.get(file) ?? [];
  }

  /** Every finding, in ranking order. */
  allFindings(): Finding[] {
    return rankOrder([...this.byFile.values()].flat());
  }

  /** AI-written functions with production data, hottest first, findings or not. */
  aiServingTraffic(): ServingRow[] {
    return this.serving.rows();
  }

  /** Findings of an open document (what diagnostics and quick fixes use). */
  findingsFor(uri: vscode.Uri): readonly Finding[] {
    const file = relativeFile(uri);
    return file ? this.findings(file) : [];
  }

  /** Applies new settings: severities and the fix timeout re-run the rules, `all` and `includeTests` re-filter. */
  updateSettings(next: AnalysisConfig): void {
    this.settings = next;
    void this.reconfigure();
    if (this.scanning === undefined) return;
    void this.scan(false);
  }

  private async reconfigure(): Promise<void> {
    try {
      this.open.configured(await this.worker.configure(this.analysisOptions()));
    } catch (err) {
      this.log.warn(`analysis settings not applied: ${(err as Error).message}`);
    }
    void this.rejoin([...new Set([...this.byFile.keys(), ...this.open.files()])], true);
  }

  /** Starts analysing documents already open and, once, the background workspace scan. */
  start(): void {
    for (const d of vscode.workspace.textDocuments) this.open.track(d);
    if (!this.scanning) void this.scan(false);
  }

  /**
   * Scans the workspace folder in the background with a cancellable progress notification.
   * `force` rescans even when a scan already ran.
   */
  scan(force: boolean): Promise<void> {
    if (this.scanning && !force) return this.scanning;
    const root = mappingRoot();
    if (!root || root.scheme !== 'file') return Promise.resolve();
    if (!vscode.workspace.isTrusted && !this.settings.all) {
      this.log.info('workspace scan skipped: attribution runs git, which needs a trusted workspace (or set runtimeLens.analysis.all)');
      this.setScanState('untrusted');
      return (this.scanning = Promise.resolve());
    }
    this.scanning = Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Runtime Lens: scanning for production risks', cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        const started = performance.now();
        let reported = 0;
        this.setScanState('scanning');
        try {
          const result = await this.worker.scan({
            root: root.fsPath,
            all: this.settings.all,
            includeTests: this.settings.includeTests,
            attribute: this.mayRunGit(),
            signal: controller.signal,
            concurrency: 4,
            onProgress: (done, total) => {
              const percent = total === 0 ? 100 : (done / total) * 100;
              progress.report({ message: `${done}/${total} files`, increment: percent - reported });
              reported = percent;
            },
          });
          const files = new Set<string>([...this.byFile.keys()]);
          const scanned = new Map<string, Finding[]>();
          for (const f of result.findings) {
            const list = scanned.get(f.file) ?? [];
            list.push(f);
            scanned.set(f.file, list);
          }
          const openFiles = new Set(this.open.files());
          for (const file of files) if (!openFiles.has(file)) this.byFile.delete(file);
          for (const [file, list] of scanned) {
            files.add(file);
            if (!openFiles.has(file)) this.byFile.set(file, list);
          }
          this.log.info(`workspace scan: ${result.files} files, ${result.lines} lines, ${result.findings.length} findings in ${(performance.now() - started).toFixed(0)} ms`);
          await this.rejoin(
            [...scanned.keys()].filter((f) => !openFiles.has(f)),
            false,
          );
          this.emitter.fire({ files: [...files] });
          this.setScanState('done');
          void this.listAuthorship(root.fsPath);
        } catch (err) {
          this.setScanState('stopped');
          if (controller.signal.aborted) this.log.info('workspace scan cancelled');
          else if (!this.disposed) this.log.error(`workspace scan failed: ${(err as Error).message}`);
        } finally {
          cancel.dispose();
        }
      }),
    );
    return this.scanning;
  }

  /** Lists the AI-written functions again (after a scan); without git, the section empties. */
  private async listAuthorship(root: string): Promise<void> {
    const files = this.mayRunGit() ? await this.serving.list(root) : this.serving.clear();
    if (files.length > 0 && !this.disposed) this.emitter.fire({ files });
  }

  /** Stops listening and frees the parse trees. */
  dispose(): void {
    this.disposed = true;
    this.serving.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.open.dispose();
    void this.worker.dispose();
    this.emitter.dispose();
  }

  private analysisOptions(): WorkerAnalysisOptions {
    const severity: Partial<Record<Finding['rule'], Severity>> = {};
    for (const [rule, level] of Object.entries(this.settings.severity)) {
      if (level === 'error' || level === 'warning') severity[rule as Finding['rule']] = level;
      else if (level === 'information' || level === 'hint') severity[rule as Finding['rule']] = 'note';
    }
    return { fixTimeoutMs: this.settings.timeoutMs, severity };
  }

  private saved(document: vscode.TextDocument): void {
    const file = relativeFile(document.uri);
    if (file && this.open.get(file)?.result) void this.publish(file, true);
  }

  /** Attributes (when asked), joins production figures, filters by authorship and announces one open document. */
  private async publish(file: string, attribute: boolean): Promise<void> {
    const doc = this.open.get(file);
    if (!doc?.result) return;
    if (attribute) await this.open.attribute(doc);
    const result = doc.result;
    const spans = new Map<Finding, FunctionSpan>();
    const kept: Finding[] = [];
    for (const [i, f] of result.findings.entries()) {
      const span = result.spans[i]!;
      const attribution = doc.attributions.get(spanKey(span)) ?? null;
      // unknown authorship (git failed) is shown, not taken for human
      if (!this.settings.all && attribution?.ai !== true && attribution?.unknown === undefined) continue;
      if (!this.settings.includeTests && isTestPath(file)) continue;
      const finding = { ...f, attribution };
      spans.set(finding, span);
      kept.push(finding);
    }
    if (this.open.get(file) !== doc || doc.result !== result) return; // superseded while attributing
    this.byFile.set(file, await this.join(file, kept, spans));
    this.emitter.fire({ files: [file] });
  }

  /** Attribution runs git, which must not run in an untrusted workspace. */
  private mayRunGit(): boolean {
    return vscode.workspace.isTrusted && mappingRoot()?.scheme === 'file';
  }

  /** Joins production figures from the live signals and ranks. */
  private async join(file: string, findings: Finding[], spans?: ReadonlyMap<Finding, FunctionSpan>): Promise<Finding[]> {
    if (findings.length === 0) return findings;
    const response = this.live.state.kind === 'running' ? await this.live.signals({ file }).catch(() => undefined) : undefined;
    return rankFindings(findings, response ? new MemoryProductionLookup(response) : null, spans ? { spans } : {});
  }

  /** Re-joins production figures (and, when asked, authorship) for files whose signals changed. */
  private async rejoin(files: readonly string[], reattribute = false): Promise<void> {
    const changed = await this.serving.rejoin(files);
    for (const file of files) {
      if (this.open.has(file)) {
        await this.publish(file, reattribute);
        continue;
      }
      const list = this.byFile.get(file);
      if (!list || list.length === 0) continue;
      const next = await this.join(file, list);
      if (this.open.has(file)) continue;
      this.byFile.set(file, next);
      changed.push(file);
    }
    if (changed.length > 0) this.emitter.fire({ files: [...new Set(changed)] });
  }
}

/** Ranking order across files: hot first (see ranking.ts). */
function rankOrder(findings: Finding[]): Finding[] {
  return findings.sort(compareFindings);
}
