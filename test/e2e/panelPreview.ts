/**
 * Renders the built Live Signals panel and trace view (dist/media, the real HTML shell and CSP)
 * in Debian's chromium with a stub `acquireVsCodeApi`, VS Code's Dark/Light Modern theme
 * variables and realistic data from a real SignalStore, and saves screenshots under
 * test-results/ at 300 and 800 px. Run: `npx tsx test/e2e/panelPreview.ts` (builds first).
 * Fails on a CSP violation, a page error, or a webview message the protocol rejects.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { parseWebviewMessage } from '../../src/core/api/panelProtocol';
import type { PanelHostMessage, TraceHostMessage } from '../../src/core/api/panelProtocol';
import type { TraceResponse, TraceSpan } from '../../src/core/api/signals';
import type { ExceptionInfo } from '../../src/core/ingest/records';
import { buildPanelModel, errorGroupRow } from '../../src/core/render/panelModel';
import { buildFocusDetail } from '../../src/core/render/panelModelFocus';
import { receiverStatusView } from '../../src/core/render/panelModelStatus';
import { buildTraceWaterfall } from '../../src/core/render/panelModelTrace';
import { SignalStore } from '../../src/core/signals/signalStore';
import type { CodeLocation } from '../../src/core/signals/storeTypes';
import { webviewHtml } from '../../src/vscode/panel/panelHtml';
import { launchChromium } from '../support/browser';
import { resource, span, TestClock } from '../support/records';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'test-results');

const FONT = '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif';
/** The variables VS Code sets on a webview's <html> under Dark Modern / Light Modern (the ones these webviews read). */
const THEMES: Record<'dark' | 'light', Record<string, string>> = {
  dark: {
    'font-family': FONT,
    'font-size': '13px',
    'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
    foreground: '#cccccc',
    descriptionForeground: '#9d9d9d',
    errorForeground: '#f85149',
    focusBorder: '#0078d4',
    'widget-border': '#313131',
    'sideBar-background': '#181818',
    'sideBarSectionHeader-foreground': '#cccccc',
    'sideBarSectionHeader-border': '#2b2b2b',
    'editor-background': '#1f1f1f',
    'editorWidget-background': '#202020',
    'editorWidget-border': '#454545',
    'dropdown-background': '#313131',
    'dropdown-foreground': '#cccccc',
    'dropdown-border': '#3c3c3c',
    'list-hoverBackground': '#2a2d2e',
    'list-inactiveSelectionBackground': '#37373d',
    'list-focusOutline': '#0078d4',
    'button-background': '#0078d4',
    'button-foreground': '#ffffff',
    'button-hoverBackground': '#026ec1',
    'button-border': '#ffffff1a',
    'badge-background': '#616161',
    'badge-foreground': '#f8f8f8',
    'textLink-foreground': '#4daafc',
    'textLink-activeForeground': '#4daafc',
    'textCodeBlock-background': '#2b2b2b',
    'toolbar-hoverBackground': '#5a5d5e50',
    'icon-foreground': '#cccccc',
    'panelTitle-activeForeground': '#cccccc',
    'panelTitle-activeBorder': '#0078d4',
    'charts-foreground': '#cccccc',
    'charts-red': '#f14c4c',
    'charts-blue': '#3794ff',
    'charts-yellow': '#cca700',
    'charts-orange': '#d18616',
    'charts-green': '#89d185',
    'charts-purple': '#b180d7',
    'runtimeLens-hint-errorForeground': '#f14c4cc0',
    'runtimeLens-hint-warningForeground': '#cca700c0',
    'runtimeLens-hint-okForeground': '#8b949e99',
  },
  light: {
    'font-family': FONT,
    'font-size': '13px',
    'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
    foreground: '#3b3b3b',
    descriptionForeground: '#3b3b3b',
    errorForeground: '#f85149',
    focusBorder: '#005fb8',
    'widget-border': '#e5e5e5',
    'sideBar-background': '#f8f8f8',
    'sideBarSectionHeader-foreground': '#3b3b3b',
    'sideBarSectionHeader-border': '#e5e5e5',
    'editor-background': '#ffffff',
    'editorWidget-background': '#f8f8f8',
    'editorWidget-border': '#c8c8c8',
    'dropdown-background': '#ffffff',
    'dropdown-foreground': '#3b3b3b',
    'dropdown-border': '#cecece',
    'list-hoverBackground': '#f2f2f2',
    'list-inactiveSelectionBackground': '#e4e6f1',
    'list-focusOutline': '#005fb8',
    'button-background': '#005fb8',
    'button-foreground': '#ffffff',
    'button-hoverBackground': '#0258a8',
    'button-border': '#0000001a',
    'badge-background': '#cccccc',
    'badge-foreground': '#3b3b3b',
    'textLink-foreground': '#005fb8',
    'textLink-activeForeground': '#005fb8',
    'textCodeBlock-background': '#f8f8f8',
    'toolbar-hoverBackground': '#b8b8b850',
    'icon-foreground': '#3b3b3b',
    'panelTitle-activeForeground': '#3b3b3b',
    'panelTitle-activeBorder': '#005fb8',
    'charts-foreground': '#3b3b3b',
    'charts-red': '#e51400',
    'charts-blue': '#1a85ff',
    'charts-yellow': '#bf8803',
    'charts-orange': '#d18616',
    'charts-green': '#388a34',
    'charts-purple': '#652d90',
    'runtimeLens-hint-errorForeground': '#c72e2ec0',
    'runtimeLens-hint-warningForeground': '#996f00c0',
    'runtimeLens-hint-okForeground': '#6e768199',
  },
};

/** [service, file, line, function, p50 ms, error ratio, calls per minute] */
const FUNCTIONS: Array<[string, string, number, string, number, number, number]> = [
  ['api-gateway', 'src/gateway/routes.ts', 18, 'handleCheckout', 180, 0.02, 60],
  ['api-gateway', 'src/gateway/routes.ts', 44, 'proxyCatalog', 35, 0, 240],
  ['api-gateway', 'src/gateway/auth.ts', 12, 'verifySession', 4, 0.001, 420],
  ['api-gateway', 'src/gateway/rateLimit.ts', 9, 'takeToken', 0.6, 0, 420],
  ['orders', 'src/orders/createOrder.ts', 23, 'createOrder', 420, 0.012, 60],
  ['orders', 'src/orders/createOrder.ts', 71, 'validateCart', 12, 0.04, 60],
  ['orders', 'src/orders/listOrders.ts', 8, 'listOrders', 28, 0, 130],
  ['orders', 'src/orders/getOrder.ts', 15, 'getOrder', 9, 0.07, 90],
  ['orders', 'src/orders/pricing.ts', 30, 'applyDiscounts', 3, 0, 60],
  ['orders', 'src/orders/repository.ts', 52, 'OrderRepository.save', 16, 0, 60],
  ['billing', 'src/billing/charge.ts', 7, 'charge', 260, 0.11, 55],
  ['billing', 'src/billing/charge.ts', 64, 'refund', 190, 0, 3],
  ['billing', 'src/billing/fraud.ts', 21, 'scoreTransaction', 85, 0, 55],
  ['billing', 'src/billing/ledger.ts', 40, 'Ledger.append', 11, 0, 55],
  ['inventory', 'src/inventory/stock.py', 33, 'reserve_stock', 1400, 0.03, 58],
  ['inventory', 'src/inventory/stock.py', 88, 'release_stock', 22, 0, 4],
  ['inventory', 'src/inventory/catalog.py', 12, 'get_product', 6, 0, 240],
  ['notifications', 'src/notify/email.ts', 19, 'sendReceipt', 640, 0.005, 50],
  ['notifications', 'src/notify/templates.ts', 5, 'renderTemplate', 2, 0, 50],
  ['notifications', 'src/notify/queue.ts', 27, 'drainQueue', 45, 0.2, 12],
];

const EXCEPTIONS: Record<string, [string, string]> = {
  validateCart: ['ValidationError', 'quantity must be a positive integer'],
  getOrder: ['TypeError', "Cannot read properties of undefined (reading 'items')"],
  charge: ['PaymentDeclined', 'card_declined: insufficient_funds'],
  reserve_stock: ['TimeoutError', 'inventory lock not acquired within 2000 ms'],
  drainQueue: ['Error', 'connect ECONNREFUSED 127.0.0.1:5672'],
  handleCheckout: ['UpstreamError', 'orders responded 502'],
};

function traceId(n: number): string {
  return randomBytes(16).toString('hex').slice(0, 28) + n.toString(16).padStart(4, '0');
}

/** Fifteen minutes of traffic into a real store: entry spans per service, function spans, exceptions. */
function buildStore(now: number, options: ConstructorParameters<typeof SignalStore>[0] = {}, eachMinute?: (store: SignalStore, minute: number) => void): SignalStore {
  const store = new SignalStore(options, new TestClock(now));
  let seq = 0;
  for (let minute = 14; minute >= 0; minute--) {
    // A morning ramp with a burst of billing failures four minutes ago.
    const load = 0.6 + 0.4 * Math.sin((14 - minute) / 3) ** 2;
    for (const [service, file, line, fn, p50, errRatio, perMin] of FUNCTIONS) {
      const res = resource(service, 'production', { revision: 'a41c9e2', serviceVersion: '1.8.0' });
      const loc: CodeLocation = { file, line, function: fn, mappedBy: file.endsWith('.py') ? 'stacktrace' : 'code-attributes', confidence: file.endsWith('.py') ? 0.9 : 1 };
      const calls = Math.max(1, Math.round((perMin * load) / 6));
      const burst = service === 'billing' && minute === 4 ? 4 : 1;
      for (let i = 0; i < calls; i++) {
        const tail = i % 20 === 0 ? 3.2 : i % 7 === 0 ? 1.8 : 0.7 + (i % 5) * 0.15;
        const error = (i * 7919 + minute * 31) % 1000 < errRatio * burst * 1000;
        const tid = traceId(++seq);
        const startMs = now - minute * 60_000 - 55_000 + Math.round((i / calls) * 50_000);
        const kind = fn === 'handleCheckout' || fn === 'proxyCatalog' || fn === 'createOrder' || fn === 'listOrders' || fn === 'getOrder' || fn === 'charge' || fn === 'reserve_stock' || fn === 'get_product' ? 2 : 1;
        const name =
          kind === 2 ? `${fn === 'listOrders' || fn === 'getOrder' || fn === 'proxyCatalog' || fn === 'get_product' ? 'GET' : 'POST'} /${fn.replace(/[A-Z_]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '')}` : fn;
        store.recordSpan(span({ traceId: tid, name, kind, resource: res, startMs, durationMs: p50 * tail, error }), loc, '');
        if (error && EXCEPTIONS[fn]) {
          const [type, message] = EXCEPTIONS[fn];
          const ex: ExceptionInfo = { type, message, stacktrace: `${type}: ${message}\n    at ${fn} (${file}:${line + 4}:11)`, timeMs: startMs };
          store.recordException(res, ex, tid, { ...loc, line: line + 4 }, `${file}:${fn}`);
        }
      }
    }
    eachMinute?.(store, minute);
  }
  store.recordUnmapped(resource('api-gateway', 'production'), 'GET /healthz', 'no code attributes', now - 20_000);
  return store;
}

/**
 * The same traffic past small caps (issue 15): a gateway that names each request by its path, so
 * operations and unmapped names outgrow the store and fold into the "(other ...)" rows.
 */
function buildPastCaps(now: number): SignalStore {
  const res = resource('api-gateway', 'production');
  let n = 0;
  // In the last four minutes, 100 requests a minute, in among the other traffic, over 80 paths.
  return buildStore(now, { maxOperations: 12, maxUnmapped: 6 }, (store, minute) => {
    if (minute > 3) return;
    for (let i = 0; i < 100; i++, n++) {
      const startMs = now - minute * 60_000 - 55_000 + i * 500;
      store.recordSpan(span({ traceId: traceId(100_000 + n), name: `GET /items/${1000 + (n % 80)}`, kind: 2, resource: res, startMs, durationMs: 8 + (n % 13), error: n % 25 === 0 }), null, 'no code attributes');
    }
  });
}

/** A 30-span checkout trace across four services, with a failed charge and a retried stock call. */
function buildTrace(now: number): TraceResponse {
  const t0 = now - 90_000;
  let n = 0;
  const spans: TraceSpan[] = [];
  const add = (parent: string, name: string, service: string, start: number, dur: number, extra: Partial<TraceSpan> = {}, map?: [string, number, string]): string => {
    const spanId = (++n).toString(16).padStart(16, '0');
    spans.push({
      spanId,
      parentSpanId: parent,
      name,
      kind: 1,
      service,
      environment: 'production',
      startMs: t0 + start,
      durationMs: dur,
      error: false,
      statusMessage: '',
      httpRoute: '',
      httpMethod: '',
      exceptions: [],
      ...extra,
      ...(map ? { mapping: { file: map[0], line: map[1], function: map[2], mappedBy: map[0].endsWith('.py') ? 'stacktrace' : 'code-attributes', confidence: map[0].endsWith('.py') ? 0.9 : 1 } } : {}),
    });
    return spanId;
  };
  const server = (method: string, route: string) => ({ kind: 2, httpMethod: method, httpRoute: route });
  const root = add('', 'POST /checkout', 'api-gateway', 0, 1840, { ...server('POST', '/checkout'), error: true, statusMessage: 'orders responded 502' }, ['src/gateway/routes.ts', 18, 'handleCheckout']);
  add(root, 'verifySession', 'api-gateway', 2, 4.1, {}, ['src/gateway/auth.ts', 12, 'verifySession']);
  add(root, 'takeToken', 'api-gateway', 6.5, 0.6, {}, ['src/gateway/rateLimit.ts', 9, 'takeToken']);
  const toOrders = add(root, 'POST', 'api-gateway', 8, 1825, { kind: 3 });
  const orders = add(toOrders, 'POST /orders', 'orders', 10, 1820, { ...server('POST', '/orders'), error: true, statusMessage: 'charge failed' }, ['src/orders/createOrder.ts', 23, 'createOrder']);
  const validate = add(orders, 'validateCart', 'orders', 12, 14, {}, ['src/orders/createOrder.ts', 71, 'validateCart']);
  for (let i = 0; i < 3; i++) {
    const c = add(validate, 'GET', 'orders', 13 + i * 4, 3.6, { kind: 3 });
    add(c, 'GET /products/:id', 'inventory', 13.6 + i * 4, 2.4, server('GET', '/products/:id'), ['src/inventory/catalog.py', 12, 'get_product']);
  }
  add(orders, 'applyDiscounts', 'orders', 27, 3.1, {}, ['src/orders/pricing.ts', 30, 'applyDiscounts']);
  // The first stock call timed out; the retry succeeded.
  const r1 = add(orders, 'POST', 'orders', 31, 402, { kind: 3, error: true, statusMessage: 'socket hang up' });
  add(r1, 'POST /stock/reserve', 'inventory', 33, 398, { ...server('POST', '/stock/reserve'), error: true, exceptions: [{ type: 'TimeoutError', message: 'inventory lock not acquired within 400 ms' }] }, [
    'src/inventory/stock.py',
    33,
    'reserve_stock',
  ]);
  const r2 = add(orders, 'POST', 'orders', 440, 610, { kind: 3 });
  const reserve = add(r2, 'POST /stock/reserve', 'inventory', 442, 606, server('POST', '/stock/reserve'), ['src/inventory/stock.py', 33, 'reserve_stock']);
  add(reserve, 'SELECT stock FOR UPDATE', 'inventory', 446, 540, { kind: 3 });
  add(reserve, 'UPDATE stock', 'inventory', 988, 52, { kind: 3 });
  const toBilling = add(orders, 'POST', 'orders', 1056, 760, { kind: 3, error: true, statusMessage: '402 Payment Required' });
  const charge = add(toBilling, 'POST /charge', 'billing', 1058, 755, { ...server('POST', '/charge'), error: true, exceptions: [{ type: 'PaymentDeclined', message: 'card_declined: insufficient_funds' }] }, [
    'src/billing/charge.ts',
    7,
    'charge',
  ]);
  add(charge, 'scoreTransaction', 'billing', 1062, 88, {}, ['src/billing/fraud.ts', 21, 'scoreTransaction']);
  const psp = add(charge, 'POST', 'billing', 1152, 640, { kind: 3, error: true, statusMessage: '402' });
  add(psp, 'tls.connect', 'billing', 1153, 48);
  add(charge, 'Ledger.append', 'billing', 1795, 12, {}, ['src/billing/ledger.ts', 40, 'Ledger.append']);
  add(charge, 'INSERT ledger_entries', 'billing', 1797, 8, { kind: 3 });
  const release = add(orders, 'POST', 'orders', 1818, 9, { kind: 3 });
  add(release, 'POST /stock/release', 'inventory', 1819, 7, server('POST', '/stock/release'), ['src/inventory/stock.py', 88, 'release_stock']);
  add(orders, 'OrderRepository.save', 'orders', 1020, 30, {}, ['src/orders/repository.ts', 52, 'OrderRepository.save']);
  // A span whose parent never arrived (sampled away upstream).
  add('00000000000000ff', 'drainQueue', 'notifications', 1500, 45, {}, ['src/notify/queue.ts', 27, 'drainQueue']);
  return { traceId: 'f3a9c27b1e5d4a08b6c3d2e1f0a9b8c7', spans };
}

const NOW = Date.now();

/** The page's globals the stub adds (evaluated in the browser). */
interface Stubbed {
  __sent: Array<{ kind: string; method?: string; params?: unknown }>;
  postMessage(message: unknown, origin: string): void;
  dispatchEvent(event: unknown): boolean;
  MessageEvent: new (type: string, init: { data: unknown }) => unknown;
}

interface Shot {
  name: string;
  page: 'panel' | 'traceView';
  messages: Array<PanelHostMessage | TraceHostMessage>;
  keyboard?: number;
}

function shots(): Shot[] {
  const store = buildStore(NOW);
  const q = (windowMs: number, file?: string) => store.query({ windowMs, perMinute: !file, ...(file ? { file } : {}) });
  const model = buildPanelModel(q(15 * 60_000), '15m');
  const running = receiverStatusView(
    {
      kind: 'running',
      endpoint: 'http://127.0.0.1:4318',
      attached: false,
      status: {
        version: '0.1.0',
        listening: '127.0.0.1:4318',
        workspace: '/work/shop',
        startedAt: NOW - 3_600_000,
        spansAccepted: 48_211,
        spansProcessed: 48_211,
        spansRejected: 0,
        logsAccepted: 0,
        logsProcessed: 0,
        queueDepth: 0,
        spansPerSecond: 38.6,
        services: 5,
        mappedPercent: 97.4,
      },
    },
    'http://127.0.0.1:4318',
  );
  const selection = { window: '15m', environment: null };
  const update: PanelHostMessage = { kind: 'update', model, selection, status: running };
  const target = { service: 'orders', environment: 'production', file: 'src/orders/createOrder.ts', line: 23, function: 'createOrder' };
  const focus: PanelHostMessage = {
    kind: 'focus',
    detail: buildFocusDetail(
      target,
      [
        ['1m', 60_000],
        ['5m', 300_000],
        ['1h', 3_600_000],
      ].map(([w, ms]) => ({ window: w as string, response: q(ms as number, target.file) })),
    ),
  };
  const fresh = errorGroupRow({
    service: 'billing',
    environment: 'production',
    type: 'RangeError',
    message: 'amount exceeds the card limit',
    count: 1,
    totalCount: 1,
    function: 'charge',
    file: 'src/billing/charge.ts',
    line: 19,
    firstSeen: NOW - 2000,
    lastSeen: NOW - 2000,
    mappedBy: 'code-attributes',
    stacktrace: '',
    traceIds: ['a'.repeat(32)],
  });
  const stopped = receiverStatusView({ kind: 'stopped' }, 'http://127.0.0.1:4318');
  const empty: PanelHostMessage = { kind: 'update', model: buildPanelModel(undefined, '5m'), selection: { window: '5m', environment: null }, status: stopped };
  const listening = receiverStatusView(
    {
      kind: 'running',
      endpoint: 'http://127.0.0.1:4318',
      attached: false,
      status: {
        version: '0.1.0',
        listening: '127.0.0.1:4318',
        workspace: '/w',
        startedAt: NOW,
        spansAccepted: 0,
        spansProcessed: 0,
        spansRejected: 0,
        logsAccepted: 0,
        logsProcessed: 0,
        queueDepth: 0,
        spansPerSecond: 0,
        services: 0,
        mappedPercent: 0,
      },
    },
    '',
  );
  const waiting: PanelHostMessage = {
    kind: 'update',
    model: buildPanelModel(new SignalStore({}, new TestClock(NOW)).query({ windowMs: 300_000, perMinute: true }), '5m'),
    selection: { window: '5m', environment: null },
    status: listening,
  };
  const pastCaps: PanelHostMessage = { kind: 'update', model: buildPanelModel(buildPastCaps(NOW).query({ windowMs: 15 * 60_000, perMinute: true }), '15m'), selection, status: running };
  const trace: TraceHostMessage = { kind: 'trace', waterfall: buildTraceWaterfall(buildTrace(NOW)) };
  const missing: TraceHostMessage = { kind: 'missing', traceId: '0af7651916cd43dd8448eb211c80319c', reason: 'The receiver has dropped it to stay within its memory bound.' };
  return [
    { name: 'panel', page: 'panel', messages: [update, { kind: 'newErrorGroup', row: fresh }] },
    { name: 'panel-focus', page: 'panel', messages: [update, focus] },
    { name: 'panel-keyboard', page: 'panel', messages: [update], keyboard: 6 },
    { name: 'panel-empty-stopped', page: 'panel', messages: [empty] },
    { name: 'panel-empty-listening', page: 'panel', messages: [waiting] },
    { name: 'panel-past-caps', page: 'panel', messages: [pastCaps] },
    { name: 'trace', page: 'traceView', messages: [trace] },
    { name: 'trace-missing', page: 'traceView', messages: [missing] },
  ];
}

function stubScript(theme: Record<string, string>, kind: 'dark' | 'light'): string {
  return `(() => {
  const vars = ${JSON.stringify(theme)};
  const apply = () => {
    const s = document.documentElement.style;
    for (const [k, v] of Object.entries(vars)) s.setProperty('--vscode-' + k, v);
    s.setProperty('background', 'var(--vscode-sideBar-background)');
    document.body && document.body.classList.add('vscode-${kind}');
  };
  document.addEventListener('DOMContentLoaded', apply);
  window.__sent = [];
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => {
      window.__sent.push(m);
      if (m && m.kind === 'request') setTimeout(() => window.postMessage({ kind: 'response', id: m.id, ok: true }, '*'), 0);
    },
    getState: () => state,
    setState: (s) => { state = s; },
  });
})();`;
}

async function main(): Promise<void> {
  execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'inherit' });
  mkdirSync(OUT, { recursive: true });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = `http://${req.headers.host}`;
    const page = /^\/(panel|traceView)\.html$/.exec(url.pathname)?.[1];
    if (page) {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(webviewHtml({ cspSource: origin, scriptUri: `${origin}/media/${page}.js`, styleUri: `${origin}/media/${page}.css`, nonce: randomBytes(16).toString('base64'), title: page, placeholder: 'Loading…' }));
      return;
    }
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    const m = /^\/media\/([\w.]+\.(js|css|map))$/.exec(url.pathname);
    if (!m) return void res.writeHead(404).end();
    try {
      res.setHeader('content-type', m[2] === 'css' ? 'text/css' : 'text/javascript');
      res.end(readFileSync(path.join(ROOT, 'dist', 'media', m[1])));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const problems: string[] = [];
  try {
    for (const shot of shots()) {
      for (const theme of ['dark', 'light'] as const) {
        for (const width of [300, 800]) {
          const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 2, colorScheme: theme });
          const page = await context.newPage();
          page.on('console', (m) => m.type() === 'error' && problems.push(`${shot.name}: console: ${m.text()}`));
          page.on('pageerror', (e) => problems.push(`${shot.name}: page error: ${e.message}`));
          await page.addInitScript(stubScript(THEMES[theme], theme));
          await page.goto(`${base}/${shot.page}.html`);
          await page.waitForFunction(() => (globalThis as unknown as Stubbed).__sent.some((m) => m.kind === 'ready'));
          await page.evaluate((msgs) => msgs.forEach((m) => (globalThis as unknown as Stubbed).postMessage(m, '*')), shot.messages);
          await page.waitForTimeout(100);
          if (shot.keyboard) for (let i = 0; i < shot.keyboard; i++) await page.keyboard.press('Tab');
          await checkSent(page, shot.name, problems);
          const file = path.join(OUT, `${shot.name}-${theme}-${width}.png`);
          await page.screenshot({ path: file, fullPage: true });
          await context.close();
        }
      }
    }
    await clickThrough(browser, base, problems);
  } finally {
    await browser.close();
    server.close();
  }
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`screenshots in ${path.relative(process.cwd(), OUT)}/ (panel*, trace*; dark and light; 300 and 800 px)`);
}

/** Every message the webview sent must pass the host's validation. */
async function checkSent(page: Page, name: string, problems: string[]): Promise<void> {
  const sent = await page.evaluate(() => (globalThis as unknown as Stubbed).__sent);
  for (const m of sent) if (!parseWebviewMessage(m)) problems.push(`${name}: the host would reject ${JSON.stringify(m)}`);
}

/** Clicking a row, pressing Enter on one and switching tabs send the requests the host expects. */
async function clickThrough(browser: import('playwright-core').Browser, base: string, problems: string[]): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 300, height: 900 } });
  await page.addInitScript(stubScript(THEMES.dark, 'dark'));
  await page.goto(`${base}/panel.html`);
  await page.waitForFunction(() => (globalThis as unknown as Stubbed).__sent.some((m) => m.kind === 'ready'));
  await page.evaluate((m) => (globalThis as unknown as Stubbed).postMessage(m, '*'), shots()[0].messages[0]);
  // How long one full update takes to lay out (synchronous dispatch: the handler renders in place).
  const renderMs = await page.evaluate((m) => {
    const t0 = performance.now();
    const g = globalThis as unknown as Stubbed;
    for (let i = 0; i < 20; i++) g.dispatchEvent(new g.MessageEvent('message', { data: m }));
    return (performance.now() - t0) / 20;
  }, shots()[0].messages[0]);
  console.log(`panel: one full update renders in ${renderMs.toFixed(2)} ms (mean of 20, 300 px, dark)`);
  await page.click('.fn[data-key] >> nth=0');
  await page.focus('.fn[data-key] >> nth=1');
  await page.keyboard.press('Enter');
  await page.click('#tab-errors');
  await page.selectOption('#window', '1h');
  const sent = (await page.evaluate(() => (globalThis as unknown as Stubbed).__sent)).filter((m) => m.kind === 'request');
  const methods = sent.map((m) => m.method);
  if (methods.filter((m) => m === 'openLocation').length !== 2) problems.push(`click-through: expected two openLocation requests, got ${JSON.stringify(sent)}`);
  if (!sent.some((m) => m.method === 'setWindow' && (m.params as { window: string }).window === '1h')) problems.push('click-through: no setWindow 1h request');
  if ((await page.getAttribute('#tab-errors', 'aria-selected')) !== 'true') problems.push('click-through: the Errors tab did not select');
  await page.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
