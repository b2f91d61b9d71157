import * as vscode from 'vscode';
import type { FunctionSignal } from '../core/api/signals';
import { plainText } from '../core/render/escape';
import { lensStaleSuffix, provenanceLine } from '../core/render/sourcesText';
import type { LiveConfig } from './config';
import { Commands } from './ids';
import type { LiveSignals } from './liveSignals';
import { Throttle } from './throttle';
import { relativeFile } from './workspacePaths';

/** The arguments `runtimeLens.showFunction` takes. */
export interface FunctionFocus {
  service: string;
  environment: string;
  file: string;
  line: number;
  function: string;
}

/**
 * A CodeLens above each function that has production data in the selected window (none
 * elsewhere). Lenses are built from the live cache; a refresh is asked for at most once per
 * second and only when a file shown in an editor changed.
 */
export class SignalsCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly refresh = new Throttle(1000, () => {
    this.refreshCount++;
    this.changed.fire();
  });
  private readonly subscriptions: vscode.Disposable[] = [];
  private lastKind: string;
  /** Refreshes fired so far (integration suites read it to check there is no storm). */
  refreshCount = 0;

  constructor(
    private readonly live: LiveSignals,
    private readonly config: LiveConfig,
  ) {
    this.lastKind = live.state.kind;
    this.subscriptions.push(
      live.onDidChangeSignals(({ files }) => {
        const shown = new Set(vscode.window.visibleTextEditors.map((e) => relativeFile(e.document.uri)));
        if (files.some((f) => shown.has(f))) this.refresh.schedule();
      }),
      live.onDidChangeState((s) => {
        // Status ticks every second while running; only a change of kind matters to lenses.
        if (s.kind !== this.lastKind) this.refresh.schedule();
        this.lastKind = s.kind;
      }),
      config.onDidChange(() => this.refresh.schedule()),
    );
  }

  /** Lenses for the document, from the cache when it is fresh. */
  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const config = this.config.current;
    if (!config.codeLens.enabled || this.live.state.kind !== 'running') return [];
    const file = relativeFile(document.uri);
    if (!file) return [];
    const response = await this.live.signals({ file });
    if (!response) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const fn of busiestPerLine(response.functions.filter((f) => f.file === file && f.count > 0))) {
      if (fn.line < 1 || fn.line > document.lineCount) continue;
      // Figures a source stopped refreshing stay visible, marked with their age: old, not wrong.
      const title =
        config.codeLens.template.expand({ figures: fn, latencyBuckets: fn.figures?.traffic.latencyBuckets, window: response.window, environment: fn.environment, service: fn.service }) + lensStaleSuffix(fn.figures);
      const from = provenanceLine(fn.figures);
      const focus: FunctionFocus = { service: fn.service, environment: fn.environment, file, line: fn.line, function: fn.function };
      const line = document.lineAt(fn.line - 1);
      lenses.push(
        new vscode.CodeLens(new vscode.Range(line.lineNumber, line.firstNonWhitespaceCharacterIndex, line.lineNumber, line.firstNonWhitespaceCharacterIndex), {
          title,
          command: Commands.showFunction,
          arguments: [focus],
          tooltip: `${plainText(fn.function)} in ${plainText(fn.service)}: open in Live Signals${from ? `\n${plainText(from)}` : ''}`,
        }),
      );
    }
    return lenses;
  }

  /** Stops listening. */
  dispose(): void {
    this.refresh.dispose();
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

/** One function per line: when several services report the same line, the busiest one wins. */
export function busiestPerLine(functions: FunctionSignal[]): FunctionSignal[] {
  const byLine = new Map<number, FunctionSignal>();
  for (const fn of functions) {
    const seen = byLine.get(fn.line);
    if (!seen || fn.count > seen.count) byLine.set(fn.line, fn);
  }
  return [...byLine.values()].sort((a, b) => a.line - b.line);
}
