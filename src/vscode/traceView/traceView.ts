import * as vscode from 'vscode';
import { parseWebviewMessage } from '../../core/api/panelProtocol';
import type { TraceHostMessage } from '../../core/api/panelProtocol';
import type { TraceResponse } from '../../core/api/signals';
import type { Logger } from '../../core/logger';
import { buildTraceWaterfall } from '../../core/render/panelModelTrace';
import type { LiveSignalsSource } from '../liveSignalsSource';
import { openLocation } from '../openLocation';
import { renderWebview, webviewOptions } from '../panel/webviewResources';

/** One open trace editor. */
interface OpenTrace {
  panel: vscode.WebviewPanel;
  ready: boolean;
  message: TraceHostMessage | undefined;
}

/**
 * Exemplar traces as waterfalls in editor webviews, one tab per trace (opening the same trace
 * again reveals its tab). The trace is fetched once, when the tab opens.
 */
export class TraceView implements vscode.Disposable {
  private readonly open = new Map<string, OpenTrace>();
  /** The last trace message each tab's webview accepted, by trace id (integration suites read it). */
  readonly delivered = new Map<string, TraceHostMessage>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly live: LiveSignalsSource,
    private readonly log: Logger,
  ) {}

  /** Opens (or reveals) the trace's tab and draws it, or says it is no longer held. */
  async show(traceId: string): Promise<void> {
    const existing = this.open.get(traceId);
    if (existing) {
      existing.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel('runtimeLens.trace', `Trace ${traceId.slice(0, 8)}`, vscode.ViewColumn.Active, {
      ...webviewOptions(this.extensionUri),
      retainContextWhenHidden: false,
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'activity.svg');
    const entry: OpenTrace = { panel, ready: false, message: undefined };
    this.open.set(traceId, entry);
    panel.webview.html = renderWebview(panel.webview, this.extensionUri, 'traceView', `Trace ${traceId}`);
    panel.onDidDispose(() => this.open.delete(traceId));
    panel.webview.onDidReceiveMessage(async (raw) => {
      const msg = parseWebviewMessage(raw);
      if (!msg) return this.log.warn('ignored an invalid message from the trace view');
      if (msg.kind === 'ready') {
        // A hidden tab's webview is rebuilt when shown again: send it what it showed.
        entry.ready = true;
        if (entry.message) this.deliver(traceId, panel, entry.message);
        return;
      }
      let ok = true;
      let error: string | undefined;
      try {
        if (msg.method === 'openLocation') await openLocation(msg.params.file, msg.params.line);
        else if (msg.method === 'openTrace') await this.show(msg.params.traceId);
        else throw new Error(`${msg.method} is not available in the trace view`);
      } catch (err) {
        ok = false;
        error = (err as Error).message;
      }
      void panel.webview.postMessage({ kind: 'response', id: msg.id, ok, ...(error ? { error } : {}) } satisfies TraceHostMessage);
    });
    entry.message = await this.load(traceId);
    if (entry.ready) this.deliver(traceId, panel, entry.message);
  }

  private deliver(traceId: string, panel: vscode.WebviewPanel, message: TraceHostMessage): void {
    void panel.webview.postMessage(message).then((accepted) => {
      if (accepted) this.delivered.set(traceId, message);
    });
  }

  /** Closes every trace tab. */
  dispose(): void {
    for (const { panel } of [...this.open.values()]) panel.dispose();
  }

  private async load(traceId: string): Promise<TraceHostMessage> {
    let trace: TraceResponse | undefined;
    try {
      trace = this.live.state.kind === 'running' ? await this.live.trace(traceId) : undefined;
    } catch (err) {
      this.log.warn(`trace ${traceId}: ${(err as Error).message}`);
      return { kind: 'missing', traceId, reason: `Reading it failed: ${(err as Error).message}` };
    }
    if (this.live.state.kind !== 'running' && !trace) return { kind: 'missing', traceId, reason: 'The receiver is not running.' };
    if (!trace || trace.spans.length === 0) return { kind: 'missing', traceId, reason: 'The receiver has dropped it to stay within its memory bound.' };
    this.log.debug(`trace ${traceId}: ${trace.spans.length} spans`);
    return { kind: 'trace', waterfall: buildTraceWaterfall(trace) };
  }
}
