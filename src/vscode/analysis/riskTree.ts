import * as vscode from 'vscode';
import type { Finding } from '../../core/analysis/findings';
import { attributionLabel, productionLabel, riskMessage } from '../../core/analysis/ranking';
import { markdownText, plainText } from '../../core/render/escape';
import { Commands } from '../ids';
import { Throttle } from '../throttle';
import type { RiskSource } from './riskSource';

/** A function with findings (the top level of the view). */
export interface RiskFunctionItem {
  kind: 'function';
  file: string;
  function: string;
  findings: Finding[];
}

/** One finding under its function. */
export interface RiskFindingItem {
  kind: 'finding';
  finding: Finding;
}

/** An element of the Production risk view. */
export type RiskItem = RiskFunctionItem | RiskFindingItem;

/**
 * The "Production risk" view: functions (AI-written unless `runtimeLens.analysis.all`) with
 * findings, ordered by production impact, each with its findings; a click opens the code.
 */
export class RiskTree implements vscode.TreeDataProvider<RiskItem>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<RiskItem | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly throttle = new Throttle(500, () => this.changeEmitter.fire(undefined));
  private source: RiskSource | undefined;
  private subscription: vscode.Disposable | undefined;

  /** `start` is called the first time the view asks for its items (it loads the analysis). */
  constructor(private readonly start: () => RiskSource) {}

  /** The functions now shown, in order (integration suites read it). */
  roots(): RiskFunctionItem[] {
    if (!this.source) return [];
    const groups = new Map<string, RiskFunctionItem>();
    // findings arrive ranked: a function's place is that of its highest-ranked finding
    for (const f of this.source.allFindings()) {
      const key = `${f.file}\0${f.function}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { kind: 'function', file: f.file, function: f.function, findings: [] }));
      g.findings.push(f);
    }
    return [...groups.values()];
  }

  /** Top level: functions; below: their findings. */
  getChildren(element?: RiskItem): RiskItem[] {
    if (!this.source) {
      this.source = this.start();
      this.subscription = this.source.onDidChange(() => this.throttle.schedule());
    }
    if (!element) return this.roots();
    if (element.kind === 'function') return element.findings.map((finding) => ({ kind: 'finding', finding }));
    return [];
  }

  /** How an element looks: figures and authorship in the description, a click opens the code. */
  getTreeItem(element: RiskItem): vscode.TreeItem {
    if (element.kind === 'function') {
      const first = element.findings[0]!;
      const name = element.function || '(module level)';
      const item = new vscode.TreeItem(plainText(name), vscode.TreeItemCollapsibleState.Collapsed);
      const figures = first.production ? productionLabel(first.production) : 'no production data';
      item.description = plainText(`${element.file.split('/').pop()} · ${figures}`);
      // Names, paths, messages and the production environment are text, never markup.
      item.tooltip = new vscode.MarkdownString([
        `**${markdownText(name)}** in ${markdownText(element.file)}`,
        markdownText(attributionLabel(first.attribution) ?? 'not attributed to an AI'),
        first.attribution ? markdownText(`Source: ${first.attribution.source} (${first.attribution.confidence} confidence)`) : '',
        markdownText(figures),
        ...element.findings.map((f) => `- ${markdownText(`${f.rule}: ${f.message} (line ${f.line})`)}`),
      ].filter(Boolean).join('\n\n'));
      item.iconPath = new vscode.ThemeIcon(element.findings.some((f) => f.severity === 'error') ? 'error' : 'warning');
      item.command = { command: Commands.openLocation, title: 'Open', arguments: [element.file, first.line] };
      item.contextValue = 'runtimeLens.riskFunction';
      return item;
    }
    const f = element.finding;
    const item = new vscode.TreeItem(plainText(f.message), vscode.TreeItemCollapsibleState.None);
    item.description = `${f.rule} · line ${f.line}`;
    item.tooltip = plainText(riskMessage(f));
    item.iconPath = new vscode.ThemeIcon(f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info');
    item.command = { command: Commands.openLocation, title: 'Open', arguments: [f.file, f.line] };
    item.contextValue = 'runtimeLens.riskFinding';
    return item;
  }

  /** Stops refreshing. */
  dispose(): void {
    this.throttle.dispose();
    this.subscription?.dispose();
    this.changeEmitter.dispose();
  }
}
