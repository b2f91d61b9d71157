/**
 * Tiny DOM and messaging helpers shared by the webviews (no framework: a webview view should
 * start in milliseconds). Text always goes in through text nodes, never innerHTML.
 */
import type { PanelMethod, PanelRequests, ResponseMessage, WebviewMessage } from '../../src/core/api/panelProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The webview's VS Code API (acquirable once per page). */
export const vscode: VsCodeApi = acquireVsCodeApi();

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | EventListener>;

/** Creates an element: `on*` attributes become listeners, `false`/`undefined` are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Creates an SVG element. */
export function s(tag: string, attrs: Record<string, string | number> = {}, ...children: SVGElement[]): SVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

let nextId = 1;
const pending = new Map<number, (r: ResponseMessage) => void>();

/** Sends a request to the host and resolves with its response. */
export function request<M extends PanelMethod>(method: M, params: PanelRequests[M]): Promise<ResponseMessage> {
  const id = nextId++;
  const message: WebviewMessage = { kind: 'request', id, method, params } as WebviewMessage;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    vscode.postMessage(message);
  });
}

/** Routes a host `response` to its request; returns false for other messages. */
export function settleResponse(message: { kind: string }): boolean {
  if (message.kind !== 'response') return false;
  const r = message as ResponseMessage;
  pending.get(r.id)?.(r);
  pending.delete(r.id);
  return true;
}

/** Tells the host the page listens (the host posts nothing before this). */
export function sendReady(): void {
  vscode.postMessage({ kind: 'ready' } satisfies WebviewMessage);
}

/** Makes a non-button element act like one: focusable, Enter/Space activate it. */
export function activatable<T extends HTMLElement>(el: T, label: string, onActivate: () => void): T {
  el.tabIndex = 0;
  el.setAttribute('role', 'button');
  el.setAttribute('aria-label', label);
  el.addEventListener('click', onActivate);
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onActivate();
    }
  });
  return el;
}

/** Up/Down (and Home/End) move focus between the focusable rows inside `container`. */
export function arrowNavigation(container: HTMLElement, selector: string): void {
  container.addEventListener('keydown', (e) => {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
    const rows = [...container.querySelectorAll<HTMLElement>(selector)];
    const at = rows.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    e.preventDefault();
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? rows.length - 1 : Math.min(rows.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)));
    rows[next].focus();
  });
}

/** Icons drawn in currentColor (the webviews load no icon font). */
export function icon(name: 'copy' | 'check' | 'close' | 'trace' | 'error' | 'play'): SVGElement {
  const paths: Record<typeof name, string> = {
    copy: 'M5 2.5h7.5v9H5zM3.5 4.5v9.5H11',
    check: 'M3 8.5l3 3 7-7',
    close: 'M4 4l8 8M12 4l-8 8',
    trace: 'M2 4h6M4 8h8M6 12h8',
    error: 'M8 2a6 6 0 1 0 0 12A6 6 0 0 0 8 2zM6 6l4 4M10 6l-4 4',
    play: 'M5 3.5v9l7-4.5z',
  };
  return s('svg', { class: 'icon', viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true' }, s('path', { d: paths[name] }));
}
