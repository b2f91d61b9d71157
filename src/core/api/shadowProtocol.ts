/**
 * The typed messages between the extension host and the shadow report webview. The webview sends
 * `ready` first and requests with ids (answered by a `response`); the host posts nothing before
 * `ready`. Everything the webview sends is validated here: a compromised page gets nothing else.
 */
import type { ShadowReportView } from './shadowView';

/** What the report webview may ask of the host, by method, with its params. */
export interface ShadowRequests {
  openLocation: { file: string; line: number };
  /** Runs the shadow run again with the choices of the last one. */
  rerun: Record<string, never>;
  showLogs: Record<string, never>;
}

/** A method name of {@link ShadowRequests}. */
export type ShadowMethod = keyof ShadowRequests;

/** A request from the report webview. */
export type ShadowRequestMessage = {
  [M in ShadowMethod]: { kind: 'request'; id: number; method: M; params: ShadowRequests[M] };
}[ShadowMethod];

/** Report webview -> host. */
export type ShadowWebviewMessage = { kind: 'ready' } | ShadowRequestMessage;

/** Host -> report webview. */
export type ShadowHostMessage =
  | { kind: 'response'; id: number; ok: boolean; error?: string }
  /** The report to draw; `focus` is the key of a function row to bring into view (a CodeLens was clicked). */
  | { kind: 'report'; view: ShadowReportView; focus?: string };

const METHODS: { [M in ShadowMethod]: (p: Record<string, unknown>) => boolean } = {
  openLocation: (p) => typeof p.file === 'string' && p.file.length > 0 && p.file.length <= 4096 && Number.isInteger(p.line) && (p.line as number) >= 1,
  rerun: () => true,
  showLogs: () => true,
};

/** Validates a message from the report webview (untrusted input); undefined when it is not one. */
export function parseShadowWebviewMessage(raw: unknown): ShadowWebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  if (m.kind === 'ready') return { kind: 'ready' };
  if (m.kind !== 'request' || !Number.isSafeInteger(m.id) || typeof m.method !== 'string') return undefined;
  if (!Object.hasOwn(METHODS, m.method)) return undefined;
  const params = typeof m.params === 'object' && m.params !== null ? (m.params as Record<string, unknown>) : {};
  if (!METHODS[m.method as ShadowMethod](params)) return undefined;
  const method = m.method as ShadowMethod;
  if (method === 'openLocation') return { kind: 'request', id: m.id as number, method, params: { file: params.file as string, line: params.line as number } };
  return { kind: 'request', id: m.id as number, method, params: {} } as ShadowRequestMessage;
}
