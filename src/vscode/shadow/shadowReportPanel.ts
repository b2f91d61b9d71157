import * as vscode from 'vscode';
import type { ShadowReport } from '../../core/api/shadowReport';
import { parseShadowWebviewMessage, type ShadowHostMessage, type ShadowRequestMessage } from '../../core/api/shadowProtocol';
import type { Logger } from '../../core/logger';
import { buildShadowView } from '../../core/render/shadowView';
import { openLocation } from '../openLocation';
import { newNonce, webviewHtml } from '../panel/panelHtml';
import { mediaRoot, webviewOptions } from '../panel/webviewResources';

/** What the report's buttons do. */
export interface ShadowReportActions {
  rerun(): Thenable<unknown> | Promise<unknown>;
  showLogs(): void;
}

/**
 * The shadow report in an editor webview (one tab, reused by every run): the panel's rules apply
 * (dist/media as the only source root, CSP `default-src 'none'` with a nonce script, the ready
 * handshake, typed and validated messages). Rows open code only through openLocation, which never
 * opens a file outside the workspace.
 */
export class ShadowReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private message: Extract<ShadowHostMessage, { kind: 'report' }> | undefined;
  /** The last message of each kind the webview accepted (integration suites read it). */
  readonly delivered = new Map<ShadowHostMessage['kind'], ShadowHostMessage>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: Logger,
    private readonly actions: ShadowReportActions,
  ) {}

  /** Opens (or reveals) the report tab with this report; `focus` is a function row's key. */
  show(report: ShadowReport, focus?: string): void {
    this.message = { kind: 'report', view: buildShadowView(report), ...(focus ? { focus } : {}) };
    const panel = this.panel ?? this.create();
    panel.reveal(undefined, false);
    if (this.ready) this.post(this.message);
  }

  /** True while the tab is open. */
  get open(): boolean {
    return this.panel !== undefined;
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private create(): vscode.WebviewPanel {
    const panel = vscode.window.createWebviewPanel('runtimeLens.shadowReport', 'Shadow Run', vscode.ViewColumn.Active, { ...webviewOptions(this.extensionUri), retainContextWhenHidden: false });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'activity.svg');
    const root = mediaRoot(this.extensionUri);
    const webview = panel.webview;
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'shadowReport.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'shadowReport.css')).toString(),
      nonce: newNonce(),
      title: 'Shadow Run',
      placeholder: 'Loading the report…',
    });
    this.ready = false;
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
    });
    webview.onDidReceiveMessage((raw) => void this.onMessage(raw));
    this.panel = panel;
    return panel;
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parseShadowWebviewMessage(raw);
    if (!msg) return this.log.warn('ignored an invalid message from the shadow report');
    if (msg.kind === 'ready') {
      // A hidden tab's webview is rebuilt when shown again: send it what it showed.
      this.ready = true;
      if (this.message) this.post(this.message);
      return;
    }
    let error: string | undefined;
    try {
      await this.handle(msg);
    } catch (err) {
      error = (err as Error).message;
      this.log.warn(`shadow report request ${msg.method} failed: ${error}`);
    }
    this.post({ kind: 'response', id: msg.id, ok: error === undefined, ...(error ? { error } : {}) });
  }

  private async handle(msg: ShadowRequestMessage): Promise<void> {
    switch (msg.method) {
      case 'openLocation':
        await openLocation(msg.params.file, msg.params.line);
        return;
      case 'rerun':
        // Not awaited: the run reports through its own progress notification.
        void this.actions.rerun();
        return;
      case 'showLogs':
        this.actions.showLogs();
        return;
    }
  }

  private post(message: ShadowHostMessage): void {
    const panel = this.panel;
    if (!panel || !this.ready) return;
    void panel.webview.postMessage(message).then(
      (accepted) => {
        if (accepted) this.delivered.set(message.kind, message);
      },
      (err: Error) => this.log.debug(`post to the shadow report failed: ${err.message}`),
    );
  }
}
