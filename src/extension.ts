import * as vscode from 'vscode';
import { languageForFile } from './core/analysis/languages';
import { ActivationTimer } from './vscode/activationTiming';
import { type AgentSurfaces, registerAgent } from './vscode/agent/agentFeature';
import type { AnalysisService } from './vscode/analysis/analysisService';
import { RiskCodeActions } from './vscode/analysis/riskCodeActions';
import { RiskDiagnostics } from './vscode/analysis/riskDiagnostics';
import { RiskTree } from './vscode/analysis/riskTree';
import { SignalsCodeLensProvider, type FunctionFocus } from './vscode/codeLens';
import { registerCommands } from './vscode/commands';
import { ConfigWarnings, LiveConfig, readConfig } from './vscode/config';
import { ErrorDiagnostics } from './vscode/diagnostics';
import { SignalsHoverProvider } from './vscode/hover';
import { Commands, FARO_API_KEY_SECRET, SECTION, Settings, Views } from './vscode/ids';
import { InlineHints } from './vscode/inlineHints';
import { LiveSignals } from './vscode/liveSignals';
import type { LiveSignalsSource } from './vscode/liveSignalsSource';
import { componentLogger, createLogChannel } from './vscode/log';
import { openLocation } from './vscode/openLocation';
import { LiveSignalsView } from './vscode/panel/liveSignalsView';
import { ReceiverController } from './vscode/receiverController';
import { endpointOf } from './vscode/receiverProcess';
import { registerShadow, type ShadowSurfaces } from './vscode/shadow/shadowFeature';
import { receiverTokenFile } from './vscode/receiverToken';
import { SourceSecrets } from './vscode/sourceSecrets';
import { sourceLaunch } from './vscode/sourcesArgs';
import { StatusBar } from './vscode/statusBar';
import { TraceView } from './vscode/traceView/traceView';
import { mappingRoot, relativeFile } from './vscode/workspacePaths';

/** What activate() returns; integration suites read it through `extension.exports`. */
export interface RuntimeLensApi {
  /** Extension-host time spent on activation: evaluating the bundle plus activate(), wall ms. */
  activationMs: number;
  /** The same as CPU time of the host's thread, in ms (undefined where Node cannot measure it). */
  activationCpuMs?: number;
  /** The part of the wall time spent inside activate(). */
  activateCallMs: number;
  /** activate() by step, in ms (what a slow activation spent its time on). */
  activationSteps?: Record<string, number>;
  live: LiveSignalsSource;
  /** The surfaces, so suites can check what they show without scraping the UI. */
  surfaces?: {
    codeLens: SignalsCodeLensProvider;
    hints: InlineHints;
    diagnostics: ErrorDiagnostics;
    statusBar: StatusBar;
    controller: ReceiverController;
    panel: LiveSignalsView;
    traces: () => TraceView;
  };
  /** The AI-code risk analysis: the view at once, the rest once a supported file or the view loaded it. */
  risk?: {
    tree: RiskTree;
    service: () => AnalysisService | undefined;
    diagnostics: () => RiskDiagnostics | undefined;
  };
  /** The shadow run: the last report, its tab and its CodeLens. */
  shadow?: ShadowSurfaces;
  /** The language-model tools and the MCP server definition offered to agents. */
  agent?: AgentSurfaces;
}

let controller: ReceiverController | undefined;

/**
 * Composition root: reads settings, builds the data side and the surfaces, registers commands.
 * Cheap by design (no sockets, no child process) unless `runtimeLens.autoStart` asks for the receiver.
 */
export function activate(context: vscode.ExtensionContext): RuntimeLensApi {
  const timer = new ActivationTimer();
  const step = (name: string) => timer.step(name);
  const channel = createLogChannel();
  context.subscriptions.push(channel);
  const log = componentLogger(channel, 'extension');
  const warnings = new ConfigWarnings((message) => {
    channel.warn(`[config] ${message}`);
    void vscode.window.showWarningMessage(message);
  });
  const readSettings = () => readConfig(vscode.workspace.getConfiguration(SECTION), warnings);
  const config = new LiveConfig(readSettings());
  const live = new LiveSignals({ window: config.current.window, environment: config.current.environment }, componentLogger(channel, 'live'));
  context.subscriptions.push(live);
  step('settings');
  try {
    const surfaces = compose(context, channel, config, live, step);
    context.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SECTION)) return;
        const previous = config.current;
        const next = readSettings();
        config.update(next);
        if (e.affectsConfiguration(`${SECTION}.${Settings.window}`)) live.setWindow(next.window);
        if (e.affectsConfiguration(`${SECTION}.${Settings.environment}`)) live.setEnvironment(next.environment);
        if ((previous.receiver.host !== next.receiver.host || previous.receiver.port !== next.receiver.port) && surfaces.controller.active) {
          void vscode.window.showInformationMessage('Runtime Lens: the receiver address changed; stop and start the receiver to use it.');
        } else if ((e.affectsConfiguration(`${SECTION}.${Settings.sources}`) || e.affectsConfiguration(`${SECTION}.${Settings.receiverEnabled}`)) && surfaces.controller.active) {
          // The sources are serve's flags: a new set needs a new child.
          log.info('the telemetry sources or the receiver switch changed; restarting the receiver');
          void surfaces.controller.restart();
        }
      }),
    );
    step('settingsWatch');
    const cost = timer.finish();
    log.info(cost.summary);
    // Spawning a process is not free: do it after activation has returned.
    if (config.current.autoStart) setImmediate(() => void surfaces.controller.start());
    return {
      activationMs: cost.wallMs,
      ...(cost.cpuMs !== undefined ? { activationCpuMs: cost.cpuMs } : {}),
      activateCallMs: cost.activateWallMs,
      activationSteps: cost.steps,
      live,
      surfaces,
      risk: surfaces.risk,
      shadow: surfaces.shadow,
      agent: surfaces.agent,
    };
  } catch (err) {
    const e = err as Error;
    channel.error(`activation failed: ${e.stack ?? e.message}`);
    void vscode.window.showErrorMessage(`Runtime Lens could not start: ${e.message}. See "Runtime Lens: Show Logs" for details.`);
    const cost = timer.finish();
    return { activationMs: cost.wallMs, activateCallMs: cost.activateWallMs, live };
  }
}

/**
 * The risk analysis, composed lazily: tree-sitter and its grammars load only when a supported
 * file is open or the Production risk view is shown (the service module is required then, so
 * the bundle does not evaluate it during activation).
 */
function composeRisk(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel, config: LiveConfig, live: LiveSignals): NonNullable<RuntimeLensApi['risk']> {
  let service: AnalysisService | undefined;
  let diagnostics: RiskDiagnostics | undefined;
  const start = (): AnalysisService => {
    if (!service) {
      const { AnalysisService: Service } = require('./vscode/analysis/analysisService') as typeof import('./vscode/analysis/analysisService');
      const created = new Service(live, config.current.analysis, componentLogger(channel, 'analysis'), context.asAbsolutePath('dist/wasm'));
      service = created;
      diagnostics = new RiskDiagnostics(created, config, context.extensionUri);
      let settings = JSON.stringify(config.current.analysis);
      context.subscriptions.push(
        created,
        diagnostics,
        vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new RiskCodeActions(created), RiskCodeActions.metadata),
        config.onDidChange((next) => {
          const now = JSON.stringify(next.analysis);
          if (now === settings) return;
          settings = now;
          created.updateSettings(next.analysis);
        }),
      );
    }
    service.start();
    return service;
  };
  const supported = (d: vscode.TextDocument) => {
    const file = relativeFile(d.uri);
    return file !== undefined && languageForFile(file) !== null;
  };
  const tree = new RiskTree(start);
  context.subscriptions.push(
    tree,
    vscode.window.registerTreeDataProvider(Views.productionRisk, tree),
    vscode.commands.registerCommand(Commands.scanWorkspace, () => start().scan(true)),
    vscode.workspace.onDidOpenTextDocument((d) => {
      if (!service && supported(d)) start();
    }),
  );
  // Files already open when the window starts: after activation has returned.
  if (vscode.workspace.textDocuments.some(supported)) setImmediate(() => start());
  return { tree, service: () => service, diagnostics: () => diagnostics };
}

function compose(
  context: vscode.ExtensionContext,
  channel: vscode.LogOutputChannel,
  config: LiveConfig,
  live: LiveSignals,
  step: (name: string) => void,
): NonNullable<RuntimeLensApi['surfaces']> & { risk: NonNullable<RuntimeLensApi['risk']>; shadow: ShadowSurfaces; agent: AgentSurfaces } {
  const receiverLog = componentLogger(channel, 'receiver');
  const secrets = new SourceSecrets(context.secrets);
  controller = new ReceiverController(
    live,
    async () => {
      const { host, port, enabled } = config.current.receiver;
      const workspace = mappingRoot()?.fsPath ?? '';
      const sources = config.current.sources;
      return {
        host,
        port,
        workspace,
        sources: sourceLaunch(sources, await secrets.forSources(sources), enabled, workspace),
        addSourceCommand: 'Runtime Lens: Add Telemetry Source…',
        serviceRoots: config.current.serviceRoots,
        snapshotFile: context.storageUri ? vscode.Uri.joinPath(context.storageUri, 'signals.json').fsPath : '',
        // Global, not per workspace: any window that finds this receiver on the port must be able to read it.
        tokenFile: receiverTokenFile(context.globalStorageUri.fsPath, port),
        cliPath: context.asAbsolutePath('dist/cli.js'),
        portSetting: `${SECTION}.${Settings.receiverPort}`,
        faroOrigins: config.current.faro.allowedOrigins,
        // Set in SecretStorage (never in settings); passed to the child through its environment.
        faroApiKey: () => context.secrets.get(FARO_API_KEY_SECRET),
      };
    },
    receiverLog,
    (message) => void vscode.window.showErrorMessage(message, 'Show Logs').then((pick) => pick && channel.show()),
  );
  const current = controller;
  context.subscriptions.push({ dispose: () => void current.dispose() });
  step('receiver');

  const view = new LiveSignalsView(context.extensionUri, live, config, componentLogger(channel, 'panel'));
  let traceView: TraceView | undefined;
  const traces = () => (traceView ??= new TraceView(context.extensionUri, live, componentLogger(channel, 'trace')));
  context.subscriptions.push(view, { dispose: () => traceView?.dispose() });
  const codeLens = new SignalsCodeLensProvider(live, config);
  const hints = new InlineHints(live, config);
  const diagnostics = new ErrorDiagnostics(live, config);
  const statusBar = new StatusBar(live);
  step('surfaces');
  const files: vscode.DocumentSelector = { scheme: 'file' };
  context.subscriptions.push(
    vscode.window.registerWebviewViewProvider(Views.liveSignals, view),
    vscode.languages.registerCodeLensProvider(files, codeLens),
    vscode.languages.registerHoverProvider(files, new SignalsHoverProvider(live, config)),
    codeLens,
    hints,
    diagnostics,
    statusBar,
    ...registerCommands({
      live,
      config,
      controller,
      showLogs: () => channel.show(),
      showFunction: (focus?: FunctionFocus) => view.reveal(focus),
      openTrace: (traceId) => traces().show(traceId),
      openLocation,
      sources: { config, secrets, log: componentLogger(channel, 'sources') },
    }),
  );
  step('registrations');
  const risk = composeRisk(context, channel, config, live);
  step('risk');
  const shadow = registerShadow(context, {
    log: componentLogger(channel, 'shadow'),
    showLogs: () => channel.show(),
    onPanelLine: (line) => view.setShadowLine(line ?? null),
    traces: () => live.traceServer(),
  });
  step('shadow');
  const agent = registerAgent(context, {
    live,
    receiver: () => {
      const { host, port } = config.current.receiver;
      return { server: endpointOf(host, port), tokenFile: receiverTokenFile(context.globalStorageUri.fsPath, port) };
    },
    cliPath: context.asAbsolutePath('dist/cli.js'),
    log: componentLogger(channel, 'agent'),
  });
  step('agent');
  return { codeLens, hints, diagnostics, statusBar, controller, panel: view, traces, risk, shadow, agent };
}

/** Stops the receiver this window started (it writes its snapshot on the way out). */
export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
