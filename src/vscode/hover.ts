import * as vscode from 'vscode';
import type { CallSignal, ErrorSignal, FunctionSignal, SignalsResponse, WindowFigures } from '../core/api/signals';
import { hoverMarkdown, type HoverInput, type HoverWindow } from '../core/render/hoverMarkdown';
import { parseWindow } from '../core/signals/windows';
import type { LiveConfig } from './config';
import { Commands } from './ids';
import type { LiveSignals } from './liveSignals';
import { relativeFile } from './workspacePaths';

/** The windows every hover table shows, besides the selected one. */
export const HOVER_WINDOWS = ['1m', '5m', '1h'];
/** The window the sparkline covers (queried with per-minute points). */
const SPARK_WINDOW = '1h';

/**
 * Hover on a function line (its figures per window, sparkline, errors, exemplars, mapping, drift),
 * on a line that threw (its error groups within the function's figures) or on a line that calls out.
 */
export class SignalsHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly live: LiveSignals,
    private readonly config: LiveConfig,
  ) {}

  /** Builds the hover from the live cache plus one query per extra window. */
  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (this.live.state.kind !== 'running') return undefined;
    const file = relativeFile(document.uri);
    if (!file) return undefined;
    const current = await this.live.signals({ file });
    if (!current) return undefined;
    const line = position.line + 1;
    const fn = pick(current.functions.filter((f) => f.file === file && f.line === line && f.count > 0));
    const lineErrors = current.errors.filter((e) => e.file === file && e.line === line && e.count > 0);
    const lineCalls = (current.calls ?? []).filter((c) => c.file === file && c.line === line && c.lineMatch !== 'function' && c.count > 0);
    if (!fn && lineErrors.length === 0 && lineCalls.length === 0) return undefined;

    const windows = hoverWindows(current.window);
    const answers = await Promise.all(windows.map((w) => this.live.signals({ file, window: w, perMinute: w === SPARK_WINDOW })));
    const input = fn
      ? this.functionInput(fn, current, windows, answers)
      : lineErrors.length > 0
        ? this.errorLineInput(lineErrors, line, current, windows, answers)
        : this.callLineInput(lineCalls, current, windows, answers);
    const markdown = new vscode.MarkdownString(hoverMarkdown(input), true);
    markdown.isTrusted = { enabledCommands: [Commands.openTrace] };
    return new vscode.Hover(markdown, document.lineAt(position.line).range);
  }

  private base(current: SignalsResponse): Pick<HoverInput, 'selectedWindow' | 'sparkWindow' | 'traceUrlTemplate' | 'thresholds' | 'now'> {
    const config = this.config.current;
    return { selectedWindow: current.window, sparkWindow: SPARK_WINDOW, traceUrlTemplate: config.traceUrlTemplate, thresholds: config.thresholds, now: Date.now() };
  }

  private functionInput(fn: FunctionSignal, current: SignalsResponse, windows: string[], answers: (SignalsResponse | undefined)[]): HoverInput {
    const same = (f: FunctionSignal): boolean => f.service === fn.service && f.function === fn.function && f.line === fn.line && f.file === fn.file;
    const found = answers.map((a) => a?.functions.find(same));
    return {
      ...this.base(current),
      title: fn.function || `line ${fn.line}`,
      service: fn.service,
      environment: fn.environment,
      line: fn.line,
      windows: rows(windows, found),
      perMinute: found[windows.indexOf(SPARK_WINDOW)]?.perMinute,
      errors: current.errors.filter((e) => e.service === fn.service && e.file === fn.file && e.function === fn.function && e.count > 0),
      calls: (current.calls ?? []).filter((c) => c.service === fn.service && c.file === fn.file && c.function === fn.function && c.count > 0),
      exemplars: fn.exemplars,
      mapping: { mappedBy: fn.mappedBy, confidence: fn.confidence },
      deployed: fn.deployed,
      deployedLine: fn.deployedLine,
      drift: fn.drift,
      ...(fn.figures ? { provenance: fn.figures } : {}),
    };
  }

  private errorLineInput(errors: ErrorSignal[], line: number, current: SignalsResponse, windows: string[], answers: (SignalsResponse | undefined)[]): HoverInput {
    const top = [...errors].sort((a, b) => b.count - a.count)[0];
    // The table shows the enclosing function's figures: how often the code around the throw runs and fails.
    const owner = (f: FunctionSignal): boolean => f.service === top.service && f.file === top.file && f.function === top.function;
    const found = answers.map((a) => pick(a?.functions.filter(owner) ?? []));
    const fn = pick(current.functions.filter(owner));
    return {
      ...this.base(current),
      title: `${top.function || 'code'}, line ${line}`,
      service: top.service,
      environment: top.environment,
      line,
      windows: rows(windows, found),
      perMinute: found[windows.indexOf(SPARK_WINDOW)]?.perMinute,
      errors,
      calls: [],
      exemplars: fn?.exemplars.filter((e) => e.kind === 'error') ?? [],
      mapping: top.mappedBy ? { mappedBy: top.mappedBy, confidence: fn?.confidence ?? 1 } : undefined,
      deployed: top.deployed,
      deployedLine: top.deployedLine,
      drift: top.drift,
      ...(fn?.figures ? { provenance: fn.figures } : top.figures ? { errorSource: top.figures } : {}),
    };
  }

  private callLineInput(calls: CallSignal[], current: SignalsResponse, windows: string[], answers: (SignalsResponse | undefined)[]): HoverInput {
    const call = [...calls].sort((a, b) => b.p95Ms - a.p95Ms)[0];
    const same = (c: CallSignal): boolean => c.service === call.service && c.file === call.file && c.line === call.line && c.target === call.target;
    return {
      ...this.base(current),
      title: `call to ${call.target}`,
      service: call.service,
      environment: call.environment,
      line: call.line,
      windows: rows(
        windows,
        answers.map((a) => (a?.calls ?? []).find(same)),
      ),
      errors: [],
      calls: calls.length > 1 ? calls : [],
      exemplars: [],
    };
  }
}

/** 1m, 5m, 1h plus the selected window when it is another one, shortest first. */
export function hoverWindows(selected: string): string[] {
  const all = HOVER_WINDOWS.includes(selected) ? [...HOVER_WINDOWS] : [...HOVER_WINDOWS, selected];
  return all.sort((a, b) => parseWindow(a) - parseWindow(b));
}

function rows(windows: string[], figures: (WindowFigures | undefined)[]): HoverWindow[] {
  return windows.map((window, i) => ({ window, figures: figures[i] }));
}

function pick(functions: FunctionSignal[]): FunctionSignal | undefined {
  return functions.reduce<FunctionSignal | undefined>((best, f) => (!best || f.count > best.count ? f : best), undefined);
}
