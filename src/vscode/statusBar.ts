import * as vscode from 'vscode';
import { statusText } from '../core/render/statusBarText';
import { Commands } from './ids';
import type { LiveSignals } from './liveSignals';

/** Receiver state, spans/s, the team's sources and the environment in the status bar; a click opens the Live Signals panel. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('runtimeLens.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly live: LiveSignals) {
    this.item.name = 'Runtime Lens';
    this.item.command = Commands.openPanel;
    this.subscriptions.push(
      live.onDidChangeState(() => this.render()),
      live.onDidChangeSelection(() => this.render()),
    );
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
    this.item.backgroundColor = view.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }
}
