import * as vscode from 'vscode';
import { lineHints, type LineHint } from '../core/render/lineHints';
import type { Severity } from '../core/render/severity';
import type { LiveConfig } from './config';
import { Colors } from './ids';
import type { LiveSignals } from './liveSignals';
import { relativeFile } from './workspacePaths';

const COLOR: Record<Severity, string> = { error: Colors.hintError, warning: Colors.hintWarning, ok: Colors.hintOk };

/** Draws LineHints as end-of-line decorations in visible editors, coloured by severity. */
export class InlineHints implements vscode.Disposable {
  private readonly types: Record<Severity, vscode.TextEditorDecorationType>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly dirty = new Set<vscode.TextEditor>();
  /** What each editor shows now, by file (integration suites read it). */
  readonly shown = new Map<string, LineHint[]>();

  constructor(
    private readonly live: LiveSignals,
    private readonly config: LiveConfig,
  ) {
    const type = (s: Severity): vscode.TextEditorDecorationType =>
      vscode.window.createTextEditorDecorationType({
        after: { color: new vscode.ThemeColor(COLOR[s]), margin: '0 0 0 2.5em', fontStyle: 'normal' },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
    this.types = { error: type('error'), warning: type('warning'), ok: type('ok') };
    this.subscriptions.push(
      live.onDidChangeSignals(({ files }) => {
        const changed = new Set(files);
        for (const e of vscode.window.visibleTextEditors) if (changed.has(relativeFile(e.document.uri) ?? '')) this.mark(e);
      }),
      live.onDidChangeSelection(() => this.markAll()),
      config.onDidChange(() => this.markAll()),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.mark(e))),
    );
    this.markAll();
  }

  /** Stops drawing and removes every hint. */
  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    for (const t of Object.values(this.types)) t.dispose();
  }

  private markAll(): void {
    for (const e of vscode.window.visibleTextEditors) this.mark(e);
  }

  /** Coalesces bursts (several events in one tick) into one pass per editor. */
  private mark(editor: vscode.TextEditor): void {
    this.dirty.add(editor);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const editors = [...this.dirty];
      this.dirty.clear();
      for (const e of editors) void this.draw(e);
    }, 50);
  }

  private async draw(editor: vscode.TextEditor): Promise<void> {
    const file = relativeFile(editor.document.uri);
    if (!file) return;
    const config = this.config.current;
    const response = config.inlineHints.enabled && this.live.state.kind === 'running' ? await this.live.signals({ file }) : undefined;
    const hints = response ? lineHints(response, file, config.thresholds) : [];
    const options: Record<Severity, vscode.DecorationOptions[]> = { error: [], warning: [], ok: [] };
    for (const h of hints) {
      if (h.line < 1 || h.line > editor.document.lineCount) continue;
      const end = editor.document.lineAt(h.line - 1).range.end;
      options[h.severity].push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: h.text } } });
    }
    for (const s of ['error', 'warning', 'ok'] as const) editor.setDecorations(this.types[s], options[s]);
    if (hints.length > 0) this.shown.set(file, hints);
    else this.shown.delete(file);
  }
}
