import * as vscode from 'vscode';
import { parseWebviewMessage } from '../../core/api/panelProtocol';
import type { PanelHostMessage, RequestMessage, SelectionView } from '../../core/api/panelProtocol';
import type { ShadowPanelLine } from '../../core/api/shadowView';
import type { Logger } from '../../core/logger';
import { buildPanelModel, errorGroupRow } from '../../core/render/panelModel';
import type { PanelModel } from '../../core/render/panelModel';
import { buildFocusDetail } from '../../core/render/panelModelFocus';
import type { FocusTarget } from '../../core/render/panelModelFocus';
import { receiverStatusView } from '../../core/render/panelModelStatus';
import type { LiveConfig } from '../config';
import { Commands } from '../ids';
import type { LiveSignalsSource } from '../liveSignalsSource';
import { openLocation } from '../openLocation';
import { renderWebview, webviewOptions } from './webviewResources';

/** Windows of the focus card. */
const FOCUS_WINDOWS = ['1m', '5m', '1h'];
/** Signals change up to 4×/s; the panel redraws at most once a second. */
const REFRESH_MS = 1000;

/**
 * The Live Signals webview view: pulls the top figures when signals change (throttled, only
 * while visible), streams new error groups, and answers the webview's typed requests.
 */
export class LiveSignalsView implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'runtimeLens.liveSignals';

  private view: vscode.WebviewView | undefined;
  private ready = false;
  private focus: FocusTarget | undefined;
  private model: PanelModel | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly viewSubscriptions: vscode.Disposable[] = [];
  private lastRefresh = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private again = false;
  private dirty = true;
  private shadow: ShadowPanelLine | null = null;
  /** The last message of each kind the webview accepted (integration suites read it). */
  readonly delivered = new Map<PanelHostMessage['kind'], PanelHostMessage>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly live: LiveSignalsSource,
    private readonly settings: LiveConfig,
    private readonly log: Logger,
  ) {
    this.subscriptions.push(
      live.onDidChangeSignals(() => this.schedule(false)),
      live.onDidChangeSelection(() => this.schedule(true)),
      settings.onDidChange(() => this.schedule(true)),
      live.onDidChangeState((state) => {
        // ticks every second while running: nothing to compute while no panel shows it
        if (this.view && this.ready) this.post({ kind: 'status', status: this.statusView() });
        if (state.kind === 'running' || state.kind === 'stopped') this.schedule(true);
      }),
      live.onNewErrorGroup((error) => {
        // Only groups of the environment on screen; the next full refresh brings the rest in order.
        if (this.model && error.environment !== this.model.environment && this.model.environment !== '') return;
        this.post({ kind: 'newErrorGroup', row: errorGroupRow(error) });
      }),
    );
  }

  /** Called by VS Code when the view becomes visible for the first time (or again after being disposed). */
  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    this.ready = false;
    view.webview.options = webviewOptions(this.extensionUri);
    view.webview.html = renderWebview(view.webview, this.extensionUri, 'panel', 'Live Signals');
    this.viewSubscriptions.push(
      view.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
      view.onDidChangeVisibility(() => {
        if (view.visible && this.dirty) this.schedule(true);
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
        }
        this.disposeView();
      }),
    );
  }

  /** Opens the view; with a focus, shows that function's per-window figures and highlights its row. */
  async reveal(focus?: { service: string; environment: string; file: string; line: number; function: string }): Promise<void> {
    if (focus) this.focus = { service: focus.service, environment: focus.environment, file: focus.file, line: focus.line, function: focus.function };
    await vscode.commands.executeCommand(`${LiveSignalsView.viewId}.focus`);
    if (this.view && !this.view.visible) this.view.show(true);
    if (this.focus && this.ready) await this.postFocus();
  }

  /** Shows the last shadow run's line (null: none yet), now if the view is up, else when it is. */
  setShadowLine(line: ShadowPanelLine | null): void {
    this.shadow = line;
    this.post({ kind: 'shadow', line });
  }

  /** Stops listening and drops the webview's handlers. */
  dispose(): void {
    clearTimeout(this.timer);
    this.disposeView();
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }

  private disposeView(): void {
    for (const d of this.viewSubscriptions.splice(0)) d.dispose();
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.log.warn(`ignored an invalid message from the panel: ${safeJson(raw)}`);
      return;
    }
    if (msg.kind === 'ready') {
      this.ready = true;
      if (this.shadow) this.post({ kind: 'shadow', line: this.shadow });
      await this.refresh();
      if (this.focus) await this.postFocus();
      return;
    }
    try {
      await this.handle(msg);
      this.post({ kind: 'response', id: msg.id, ok: true });
    } catch (err) {
      const message = (err as Error).message;
      this.log.warn(`panel request ${msg.method} failed: ${message}`);
      this.post({ kind: 'response', id: msg.id, ok: false, error: message });
    }
  }

  private async handle(msg: RequestMessage): Promise<void> {
    switch (msg.method) {
      case 'setEnvironment':
        this.live.setEnvironment(msg.params.environment ?? undefined);
        return;
      case 'setWindow':
        this.live.setWindow(msg.params.window);
        return;
      case 'openLocation':
        await openLocation(msg.params.file, msg.params.line);
        return;
      case 'openTrace':
        await vscode.commands.executeCommand(Commands.openTrace, msg.params.traceId);
        return;
      case 'copyOtlpEndpoint':
        await vscode.commands.executeCommand(Commands.copyOtlpEndpoint);
        return;
      case 'startReceiver':
        await vscode.commands.executeCommand(Commands.startReceiver);
        return;
      case 'openDemo':
        await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(this.extensionUri, 'README.md'));
        return;
      case 'clearFocus':
        this.focus = undefined;
        return;
      case 'openShadowReport':
        await vscode.commands.executeCommand(Commands.showShadowReport);
        return;
    }
  }

  /** Throttles refreshes to one per REFRESH_MS; `now` skips the wait (a user changed the selection). */
  private schedule(now: boolean): void {
    this.dirty = true;
    if (!this.view?.visible || !this.ready) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const wait = now ? 0 : this.lastRefresh + REFRESH_MS - Date.now();
    if (wait <= 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.refresh();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.refresh();
      }, wait);
    }
  }

  private async refresh(): Promise<void> {
    if (!this.view || !this.ready) return;
    this.inFlight = true;
    this.dirty = false;
    this.lastRefresh = Date.now();
    try {
      const config = this.settings.current;
      const selection = this.live.selection;
      const response = this.live.state.kind === 'running' ? await this.live.signals({ perMinute: true }) : undefined;
      this.model = buildPanelModel(response, selection.window, { thresholds: config.thresholds });
      const view: SelectionView = { window: selection.window, environment: selection.environment ?? null };
      this.post({ kind: 'update', model: this.model, selection: view, status: this.statusView(config) });
      if (this.focus) await this.postFocus();
    } catch (err) {
      this.log.warn(`panel refresh failed: ${(err as Error).message}`);
    } finally {
      this.inFlight = false;
      if (this.again) {
        this.again = false;
        this.schedule(false);
      }
    }
  }

  /** Per-window figures of the focused function: three `file=` queries, each cheap on the receiver. */
  private async postFocus(): Promise<void> {
    const target = this.focus;
    if (!target) return;
    const perWindow = await Promise.all(FOCUS_WINDOWS.map(async (window) => ({ window, response: await this.live.signals({ window, environment: target.environment, file: target.file }) })));
    if (this.focus !== target) return;
    this.post({ kind: 'focus', detail: buildFocusDetail(target, perWindow, this.settings.current.thresholds) });
  }

  private statusView(config = this.settings.current) {
    return receiverStatusView(this.live.state, `http://${config.receiver.host}:${config.receiver.port}`);
  }

  private post(message: PanelHostMessage): void {
    if (!this.view || !this.ready) return;
    void this.view.webview.postMessage(message).then(
      (accepted) => {
        if (accepted) this.delivered.set(message.kind, message);
      },
      (err: Error) => this.log.debug(`post to panel failed: ${err.message}`),
    );
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 200);
  } catch {
    return String(value);
  }
}
