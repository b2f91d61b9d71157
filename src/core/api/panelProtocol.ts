/**
 * The typed messages between the extension host and its webviews (the Live Signals panel and the
 * trace view). Webviews send requests (with ids, answered by a `response`) and notifications;
 * the host only sends notifications, and none before the webview's `ready` notification.
 */
import type { ErrorGroupRow, FocusDetail, PanelModel, ReceiverStatusView, TraceWaterfall } from './panelView';
import type { ShadowPanelLine } from './shadowView';

/** Rolling windows the selectors offer (the receiver keeps 1 h by default). */
export const PANEL_WINDOWS = ['1m', '5m', '15m', '1h'] as const;

/** What the webview may ask of the host, by method, with its params. */
export interface PanelRequests {
  /** `null` = the receiver's default (busiest) environment. */
  setEnvironment: { environment: string | null };
  setWindow: { window: string };
  openLocation: { file: string; line: number };
  openTrace: { traceId: string };
  copyOtlpEndpoint: Record<string, never>;
  startReceiver: Record<string, never>;
  openDemo: Record<string, never>;
  /** The user closed the focus card. */
  clearFocus: Record<string, never>;
  /** Reopen the last shadow run's report. */
  openShadowReport: Record<string, never>;
}

/** A method name of {@link PanelRequests}. */
export type PanelMethod = keyof PanelRequests;

/** A request from a webview; the host answers with a {@link ResponseMessage} carrying the same id. */
export type RequestMessage = {
  [M in PanelMethod]: { kind: 'request'; id: number; method: M; params: PanelRequests[M] };
}[PanelMethod];

/** Webview -> host. */
export type WebviewMessage = { kind: 'ready' } | RequestMessage;

/** Host -> webview: the answer to a request. */
export interface ResponseMessage {
  kind: 'response';
  id: number;
  ok: boolean;
  /** One line, when `ok` is false. */
  error?: string;
}

/** The selection the selectors show. */
export interface SelectionView {
  window: string;
  /** `null` = the receiver's default. */
  environment: string | null;
}

/** Host -> Live Signals panel. */
export type PanelHostMessage =
  | ResponseMessage
  /** A full refresh: the model, the selection and the receiver line. */
  | { kind: 'update'; model: PanelModel; selection: SelectionView; status: ReceiverStatusView }
  /** The receiver's state changed (cheap; no new figures). */
  | { kind: 'status'; status: ReceiverStatusView }
  /** An error group was created just now. */
  | { kind: 'newErrorGroup'; row: ErrorGroupRow }
  /** Focus a function: its per-window figures, and its row highlighted. */
  | { kind: 'focus'; detail: FocusDetail }
  /** The last shadow run's one line (null: no run yet). */
  | { kind: 'shadow'; line: ShadowPanelLine | null };

/** Host -> trace view. */
export type TraceHostMessage =
  | ResponseMessage
  | { kind: 'trace'; waterfall: TraceWaterfall }
  /** The receiver no longer holds the trace (or no receiver is reachable). */
  | { kind: 'missing'; traceId: string; reason: string };

const METHODS: { [M in PanelMethod]: (p: Record<string, unknown>) => boolean } = {
  setEnvironment: (p) => p.environment === null || typeof p.environment === 'string',
  setWindow: (p) => typeof p.window === 'string' && (PANEL_WINDOWS as readonly string[]).includes(p.window),
  openLocation: (p) => typeof p.file === 'string' && p.file.length > 0 && Number.isInteger(p.line) && (p.line as number) >= 1,
  openTrace: (p) => typeof p.traceId === 'string' && /^[0-9a-f]{32}$/i.test(p.traceId),
  copyOtlpEndpoint: () => true,
  startReceiver: () => true,
  openDemo: () => true,
  clearFocus: () => true,
  openShadowReport: () => true,
};

/** Validates a message from a webview (untrusted input: a webview could be compromised). */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  if (m.kind === 'ready') return { kind: 'ready' };
  if (m.kind !== 'request' || !Number.isSafeInteger(m.id) || typeof m.method !== 'string') return undefined;
  if (!Object.hasOwn(METHODS, m.method)) return undefined;
  const params = typeof m.params === 'object' && m.params !== null ? (m.params as Record<string, unknown>) : {};
  if (!METHODS[m.method as PanelMethod](params)) return undefined;
  return { kind: 'request', id: m.id as number, method: m.method, params } as RequestMessage;
}
