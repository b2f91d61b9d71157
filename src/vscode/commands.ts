import * as vscode from 'vscode';
import { iconSafe, plainText } from '../core/render/escape';
import { parseWindow } from '../core/signals/windows';
import type { FunctionFocus } from './codeLens';
import type { LiveConfig } from './config';
import { Commands, Views } from './ids';
import type { LiveSignals } from './liveSignals';
import type { ReceiverController } from './receiverController';
import { endpointOf } from './receiverProcess';
import { addTelemetrySource, removeTelemetrySource, type SourcesCommandDeps } from './sourcesCommand';

/** The windows the window picker offers (the configured one is added when it is another). */
export const WINDOW_CHOICES = ['1m', '5m', '15m', '1h'];

/** What the commands drive. */
export interface CommandDeps {
  live: LiveSignals;
  config: LiveConfig;
  controller: ReceiverController;
  showLogs(): void;
  showFunction(focus: FunctionFocus | undefined): Promise<void>;
  openTrace(traceId: string): Promise<void>;
  openLocation(file: string, line: number): Promise<void>;
  /** The team's backends: settings, secrets, log. */
  sources: SourcesCommandDeps;
}

/** The `OTEL_EXPORTER_OTLP_ENDPOINT=…` line for a local run against the configured receiver. */
export function otlpEndpointLine(host: string, port: number): string {
  // A service cannot send to 0.0.0.0 / :: ; it reaches a wildcard bind through loopback.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `OTEL_EXPORTER_OTLP_ENDPOINT=${endpointOf(reachable, port)}`;
}

/** Registers every command of package.json. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { live, config, controller } = deps;
  return [
    vscode.commands.registerCommand(Commands.startReceiver, () => controller.start()),
    vscode.commands.registerCommand(Commands.stopReceiver, () => controller.stop()),
    vscode.commands.registerCommand(Commands.chooseWindow, async () => {
      const current = live.selection.window;
      const choices = WINDOW_CHOICES.includes(current) ? WINDOW_CHOICES : [...WINDOW_CHOICES, current].sort((a, b) => parseWindow(a) - parseWindow(b));
      const picked = await vscode.window.showQuickPick(
        choices.map((w) => ({ label: w, description: w === current ? 'current' : undefined, picked: w === current })),
        { title: 'Runtime Lens: window', placeHolder: 'How far back the figures reach' },
      );
      if (picked) live.setWindow(picked.label);
    }),
    vscode.commands.registerCommand(Commands.chooseEnvironment, async () => {
      const response = live.state.kind === 'running' ? await live.signals({ top: 1 }) : undefined;
      const current = live.selection.environment;
      const defaultLabel = 'Default';
      // Labels draw `$(icon)` syntax: they show environment names escaped, `environment` keeps the name.
      const items: (vscode.QuickPickItem & { environment?: string })[] = [
        { label: defaultLabel, description: response?.environment ? `the busiest: ${plainText(response.environment)}` : 'the busiest environment', picked: current === undefined },
        ...(response?.environments ?? []).filter((e) => e !== '').map((e) => ({ label: iconSafe(e), environment: e, description: e === current ? 'current' : undefined, picked: e === current })),
      ];
      if (current !== undefined && !items.some((i) => i.environment === current)) items.push({ label: iconSafe(current), environment: current, description: 'current (no data now)' });
      const picked = await vscode.window.showQuickPick(items, { title: 'Runtime Lens: environment', placeHolder: response ? 'Environment whose figures are shown' : 'No receiver running: start it to list environments' });
      if (picked) live.setEnvironment(picked === items[0] ? undefined : picked.environment);
    }),
    vscode.commands.registerCommand(Commands.openPanel, () => vscode.commands.executeCommand(`${Views.liveSignals}.focus`)),
    vscode.commands.registerCommand(Commands.copyOtlpEndpoint, async () => {
      const { host, port } = config.current.receiver;
      const line = otlpEndpointLine(host, port);
      await vscode.env.clipboard.writeText(line);
      void vscode.window.showInformationMessage(`Copied ${line}: set it in the environment of the service to trace.`);
      return line;
    }),
    vscode.commands.registerCommand(Commands.showLogs, () => deps.showLogs()),
    vscode.commands.registerCommand(Commands.addTelemetrySource, () => addTelemetrySource(deps.sources)),
    vscode.commands.registerCommand(Commands.removeTelemetrySource, () => removeTelemetrySource(deps.sources)),
    vscode.commands.registerCommand(Commands.showFunction, (focus?: FunctionFocus) => deps.showFunction(focus)),
    vscode.commands.registerCommand(Commands.openTrace, (traceId?: string) => {
      if (typeof traceId !== 'string' || !/^[0-9a-fA-F]{1,64}$/.test(traceId)) {
        void vscode.window.showWarningMessage('Runtime Lens: openTrace takes a trace id (hex).');
        return;
      }
      return deps.openTrace(traceId);
    }),
    vscode.commands.registerCommand(Commands.openLocation, (file?: string, line?: number) => {
      if (typeof file !== 'string' || file === '') return;
      return deps.openLocation(file, typeof line === 'number' && line >= 1 ? line : 1);
    }),
  ];
}
