/**
 * The shadow run in the editor: the "Shadow Run…" command (questions, trust check, the CLI engine
 * as a child process under a cancellable progress notification), the report tab, the CodeLens,
 * and the last run's line for the Live Signals panel. Composed by extension.ts.
 */
import * as vscode from 'vscode';
import type { ShadowReport } from '../../core/api/shadowReport';
import type { ShadowPanelLine } from '../../core/api/shadowView';
import type { Logger } from '../../core/logger';
import { nodeGit } from '../../core/mapping/git';
import { shadowPanelLine } from '../../core/render/shadowView';
import { describeChoice, PRODUCTION_TRACES, parseShadowChoice, type ShadowChoice, shadowCliArgs, startsProcess, type TraceServer } from '../../core/shadow/shadowChoice';
import { progressText, type ShadowProgress } from '../../core/shadow/shadowProgress';
import { Commands } from '../ids';
import { SECRET_ENV_PREFIX } from '../sourcesArgs';
import { mappingRoot } from '../workspacePaths';
import { ShadowCodeLensProvider } from './shadowCodeLens';
import { pickShadowChoice } from './shadowPicks';
import { ShadowReportPanel } from './shadowReportPanel';
import { type ShadowCliOutcome, runShadowCli } from '../../core/client/shadowCliRunner';
import { ShadowStore } from './shadowStore';

/** The workspaceState key of the last run's answers. */
export const LAST_CHOICE_KEY = 'runtimeLens.shadow.lastChoice';

/** What integration suites read. */
export interface ShadowSurfaces {
  store: ShadowStore;
  panel: ShadowReportPanel;
  codeLens: ShadowCodeLensProvider;
  /** The outcome of the last run started from this window. */
  lastOutcome(): ShadowCliOutcome | undefined;
}

/** Where the feature logs and what it tells the Live Signals panel. */
export interface ShadowFeatureDeps {
  log: Logger;
  showLogs(): void;
  /** Called with the last run's line whenever it changes (and once the stored report is read). */
  onPanelLine(line: ShadowPanelLine | undefined): void;
  /** The Runtime Lens server Live Signals reads now, whose production traces can be the traffic. */
  traces(): TraceServer | undefined;
}

/** Registers the commands and the CodeLens; everything else waits for the first use. */
export function registerShadow(context: vscode.ExtensionContext, deps: ShadowFeatureDeps): ShadowSurfaces {
  const store = new ShadowStore(context.storageUri ?? context.globalStorageUri, deps.log);
  let running = false;
  let lastOutcome: ShadowCliOutcome | undefined;
  const panel = new ShadowReportPanel(context.extensionUri, deps.log, { rerun: () => vscode.commands.executeCommand(Commands.shadowRun, lastChoice()), showLogs: deps.showLogs });
  const codeLens = new ShadowCodeLensProvider(store);
  const lastChoice = (): ShadowChoice | undefined => parseShadowChoice(context.workspaceState.get(LAST_CHOICE_KEY));

  const run = async (arg?: unknown): Promise<ShadowCliOutcome | undefined> => {
    if (running) {
      void vscode.window.showInformationMessage('Runtime Lens: a shadow run is already under way.');
      return undefined;
    }
    const root = mappingRoot();
    if (!root) {
      void vscode.window.showWarningMessage('Runtime Lens: open the service’s folder to run a shadow run against it.');
      return undefined;
    }
    let choice: ShadowChoice | undefined;
    if (arg !== undefined) {
      choice = parseShadowChoice(arg);
      if (!choice) {
        void vscode.window.showErrorMessage('Runtime Lens: the shadow run was given choices it cannot use.');
        return undefined;
      }
    } else {
      choice = await pickShadowChoice({
        last: lastChoice(),
        tracesAvailable: deps.traces() !== undefined,
        workspace: root,
        git: root.scheme === 'file' ? nodeGit(root.fsPath) : undefined,
        trusted: vscode.workspace.isTrusted,
      });
    }
    if (!choice) return undefined;
    if (startsProcess(choice) && !vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Runtime Lens: a shadow run that starts a process needs a trusted workspace (Manage Workspace Trust).');
      return undefined;
    }
    const traces = choice.traffic === PRODUCTION_TRACES ? deps.traces() : undefined;
    if (choice.traffic === PRODUCTION_TRACES && !traces) {
      void vscode.window.showWarningMessage('Runtime Lens: production traces need Live Signals running (start the receiver or connect a source), or choose a traffic file.');
      return undefined;
    }
    await context.workspaceState.update(LAST_CHOICE_KEY, choice);
    running = true;
    try {
      lastOutcome = await runWithProgress(context, choice, root.fsPath, deps, traces);
    } finally {
      running = false;
    }
    await settle(lastOutcome, store, panel, deps);
    return lastOutcome;
  };

  context.subscriptions.push(
    store,
    panel,
    vscode.commands.registerCommand(Commands.shadowRun, run),
    vscode.commands.registerCommand(Commands.showShadowReport, async (key?: unknown) => {
      await store.load();
      if (!store.last) {
        void vscode.window.showInformationMessage('Runtime Lens: no shadow run yet. Run "Runtime Lens: Shadow Run…" first.');
        return;
      }
      panel.show(store.last, typeof key === 'string' ? key : undefined);
    }),
    vscode.languages.registerCodeLensProvider({ scheme: 'file' }, codeLens),
    store.onDidChange((report) => deps.onPanelLine(report ? shadowPanelLine(report) : undefined)),
  );
  // The stored report feeds the panel line and the lenses; reading it must not hold up activation.
  setImmediate(() => void store.load());
  return { store, panel, codeLens, lastOutcome: () => lastOutcome };
}

function runWithProgress(context: vscode.ExtensionContext, choice: ShadowChoice, workspace: string, deps: ShadowFeatureDeps, traces: TraceServer | undefined): Thenable<ShadowCliOutcome> {
  deps.log.info(`shadow run: ${describeChoice(choice)}`);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Runtime Lens: shadow run', cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const cancelled = token.onCancellationRequested(() => {
      deps.log.info('shadow run: cancelled; asking the run to stop and report what it replayed');
      progress.report({ message: 'Cancelling: keeping what was replayed…' });
      abort.abort();
    });
    progress.report({ message: 'Reading the traffic…' });
    let shown = 0;
    const onProgress = (p: ShadowProgress): void => {
      if (abort.signal.aborted) return;
      // Replaying is most of a run: 0-90 %; waiting for spans and comparing, the rest.
      const at = p.phase === 'replay' && p.total > 0 ? Math.floor((p.done / p.total) * 90) : p.phase === 'spans' ? 92 : p.phase === 'compare' ? 96 : 0;
      progress.report({ message: progressText(p), increment: at > shown ? at - shown : undefined });
      shown = Math.max(shown, at);
    };
    try {
      return await runShadowCli({
        cliPath: context.asAbsolutePath('dist/cli.js'),
        args: shadowCliArgs(choice, workspace, traces),
        ...(traces?.token ? { token: traces.token } : {}),
        // The run needs no backend secrets; the receiver's children get them, this one does not.
        dropEnvPrefix: SECRET_ENV_PREFIX,
        cwd: workspace,
        onProgress,
        onStderrLine: (line) => deps.log.info(`shadow: ${line.replace(/^runtime-lens: /, '')}`),
        signal: abort.signal,
      });
    } finally {
      cancelled.dispose();
    }
  });
}

async function settle(outcome: ShadowCliOutcome, store: ShadowStore, panel: ShadowReportPanel, deps: ShadowFeatureDeps): Promise<void> {
  if (outcome.kind === 'failed') {
    if (outcome.stderr) deps.log.error(`shadow run failed (exit ${outcome.exitCode ?? 'none'}):\n${outcome.stderr.trimEnd()}`);
    if (outcome.cancelled) {
      void vscode.window.showInformationMessage('Runtime Lens: shadow run cancelled before any request was compared.');
      return;
    }
    void vscode.window.showErrorMessage(`Runtime Lens: shadow run failed: ${outcome.message}`, 'Show Logs').then((pick) => pick && deps.showLogs());
    return;
  }
  const report: ShadowReport = outcome.report;
  if (outcome.dropped > 0) deps.log.warn(`shadow run: ${outcome.dropped} malformed rows of the report were left out`);
  deps.log.info(`shadow run: ${report.replayed} of ${report.requests} requests replayed; ${JSON.stringify(report.summary)}`);
  await store.set(report);
  panel.show(report);
  if (outcome.cancelled) void vscode.window.showInformationMessage(`Runtime Lens: shadow run cancelled; the report covers the ${report.replayed} requests replayed.`);
}
