import * as vscode from 'vscode';
import type { Finding } from '../../core/analysis/findings';
import { attributionLabel, productionLabel, riskMessage } from '../../core/analysis/ranking';
import type { ServingRow } from '../../core/analysis/servingTraffic';
import { markdownText, plainText } from '../../core/render/escape';
import { servingText } from '../../core/render/servingText';
import { Commands } from '../ids';
import { Throttle } from '../throttle';
import type { RiskSource } from './riskSource';

/** A top-level section: the functions with findings, or the AI-written code serving traffic. */
export interface RiskSectionItem {
  kind: 'section';
  section: 'findings' | 'serving';
}

/** A function with findings (in the Findings section). */
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

/** An AI-written function with production figures (in the serving-traffic section). */
export interface RiskServingItem {
  kind: 'serving';
  row: ServingRow;
  /** Its findings now (none is the common case). */
  findings: number;
}

/** An element of the Production risk view. */
export type RiskItem = RiskSectionItem | RiskFunctionItem | RiskFindingItem | RiskServingItem;

const SECTION_LABELS = { findings: 'Findings', serving: 'AI-written code serving traffic' } as const;

/**
 * The "Production risk" view, in two sections: Findings, the functions (AI-written unless
 * `runtimeLens.analysis.all`) with findings, ordered by production impact, each with its findings;
 * and "AI-written code serving traffic", every AI-written function with production figures,
 * hottest first. An empty section is left out (nothing at all shows the welcome text); a click
 * on a function opens the code.
 */
export class RiskTree implements vscode.TreeDataProvider<RiskItem>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<RiskItem | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly throttle = new Throttle(500, () => this.changeEmitter.fire(undefined));
  private source: RiskSource | undefined;
  private subscription: vscode.Disposable | undefined;

  /** `start` is called the first time the view asks for its items (it loads the analysis). */
  constructor(private readonly start: () => RiskSource) {}

  /** The functions with findings now shown, in order (integration suites read it). */
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

  /** The AI-written functions with production data now shown, hottest first (integration suites read it). */
  serving(): RiskServingItem[] {
    if (!this.source) return [];
    const rows = this.source.aiServingTraffic();
    if (rows.length === 0) return [];
    const findings = new Map<string, number>();
    for (const f of this.source.allFindings()) {
      const key = `${f.file}\0${f.function}`;
      findings.set(key, (findings.get(key) ?? 0) + 1);
    }
    return rows.map((row) => ({ kind: 'serving', row, findings: findings.get(`${row.file}\0${row.function}`) ?? 0 }));
  }

  /** Top level: the sections that have something; below: functions; below those: their findings. */
  getChildren(element?: RiskItem): RiskItem[] {
    if (!this.source) {
      this.source = this.start();
      this.subscription = this.source.onDidChange(() => this.throttle.schedule());
    }
    if (!element) {
      const sections: RiskSectionItem[] = [];
      if (this.roots().length > 0) sections.push({ kind: 'section', section: 'findings' });
      if (this.source.aiServingTraffic().length > 0) sections.push({ kind: 'section', section: 'serving' });
      return sections;
    }
    if (element.kind === 'section') return element.section === 'findings' ? this.roots() : this.serving();
    if (element.kind === 'function') return element.findings.map((finding) => ({ kind: 'finding', finding }));
    return [];
  }

  /** How an element looks: figures and authorship in the description, a click opens the code. */
  getTreeItem(element: RiskItem): vscode.TreeItem {
    if (element.kind === 'section') {
      const item = new vscode.TreeItem(SECTION_LABELS[element.section], vscode.TreeItemCollapsibleState.Expanded);
      item.id = `runtimeLens.risk.${element.section}`;
      item.description = String(element.section === 'findings' ? this.roots().length : (this.source?.aiServingTraffic().length ?? 0));
      item.tooltip =
        element.section === 'findings'
          ? 'Functions with production risks, the most used in production first'
          : 'AI-written functions with production traffic, the busiest first, findings or not (runtime-lens authorship lists them all)';
      item.contextValue = `runtimeLens.riskSection.${element.section}`;
      return item;
    }
    if (element.kind === 'serving') return servingItem(element);
    if (element.kind === 'function') {
      const first = element.findings[0]!;
      const name = element.function || '(module level)';
      const item = new vscode.TreeItem(plainText(name), vscode.TreeItemCollapsibleState.Collapsed);
      const figures = first.production ? productionLabel(first.production) : 'no production data';
      item.description = plainText(`${element.file.split('/').pop()} · ${figures}`);
      // Names, paths, messages and the production environment are text, never markup.
      item.tooltip = new vscode.MarkdownString(
        [
          `**${markdownText(name)}** in ${markdownText(element.file)}`,
          markdownText(attributionLabel(first.attribution) ?? 'not attributed to an AI'),
          first.attribution ? markdownText(`Source: ${first.attribution.source} (${first.attribution.confidence} confidence)`) : '',
          markdownText(figures),
          ...element.findings.map((f) => `- ${markdownText(`${f.rule}: ${f.message} (line ${f.line})`)}`),
        ]
          .filter(Boolean)
          .join('\n\n'),
      );
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

/** An AI-written function serving traffic: figures in the description, who wrote it in the tooltip. */
function servingItem({ row, findings }: RiskServingItem): vscode.TreeItem {
  const text = servingText(row, findings);
  const item = new vscode.TreeItem(text.label, vscode.TreeItemCollapsibleState.None);
  item.description = text.description;
  item.tooltip = new vscode.MarkdownString(text.tooltip);
  item.iconPath = new vscode.ThemeIcon('sparkle');
  item.command = { command: Commands.openLocation, title: 'Open', arguments: [row.file, row.line] };
  item.contextValue = 'runtimeLens.aiServingFunction';
  return item;
}
