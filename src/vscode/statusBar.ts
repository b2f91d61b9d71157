import * as vscode from 'vscode';
import { iconSafe } from '../core/render/escape';
import { formatCount } from '../core/format';
import { Commands } from './ids';
import type { LiveSignals } from './liveSignals';
import type { ReceiverState } from './liveSignalsSource';

/** Receiver state, spans/s and environment in the status bar; a click opens the Live Signals panel. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('runtimeLens.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly live: LiveSignals) {
    this.item.name = 'Runtime Lens';
    this.item.command = Commands.openPanel;
    this.subscriptions.push(live.onDidChangeState(() => this.render()), live.onDidChangeSelection(() => this.render()));
    this.render();
    this.item.show();
  }

  /** The text shown now (integration suites read it). */
  get text(): string {
    return this.item.text;
  }

  /** Removes the item. */
  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }

  private render(): void {
    const view = statusText(this.live.state, this.live.selection.environment ?? this.live.resolvedEnvironment);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }
}

/** What the status bar says for a state. */
export function statusText(state: ReceiverState, environment: string | undefined): { text: string; tooltip: string; error: boolean } {
  switch (state.kind) {
    case 'stopped':
      return { text: '$(circle-outline) Runtime Lens', tooltip: 'Runtime Lens: receiver stopped. Click to open Live Signals; start it with "Runtime Lens: Start Receiver".', error: false };
    case 'starting':
      return { text: '$(sync~spin) Runtime Lens', tooltip: `Runtime Lens: starting the receiver on ${state.endpoint}`, error: false };
    case 'error':
      return { text: '$(error) Runtime Lens', tooltip: `Runtime Lens: ${state.message}`, error: true };
    case 'running': {
      const s = state.status;
      const env = environment ? ` · ${iconSafe(environment)}` : '';
      const tooltip = [
        `Runtime Lens: ${state.attached ? 'attached to' : 'receiver on'} ${state.endpoint}`,
        `${formatCount(s.spansAccepted)} spans received, ${s.mappedPercent}% mapped to code, ${s.services} service${s.services === 1 ? '' : 's'}`,
        'Click to open Live Signals',
      ].join('\n');
      return { text: `$(pulse) ${formatCount(s.spansPerSecond)} spans/s${env}`, tooltip, error: false };
    }
  }
}
