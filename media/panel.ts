/**
 * The Live Signals panel (webview side): lays out the host's view model. Every figure arrives
 * formatted; this file only builds DOM, keeps keyboard focus across refreshes and talks back.
 */
import type { PanelHostMessage, SelectionView } from '../src/core/api/panelProtocol';
import { PANEL_WINDOWS } from '../src/core/api/panelProtocol';
import type { ErrorGroupRow, FunctionRow, PanelModel, ReceiverStatusView, ServiceRow, SourceRowView } from '../src/core/render/panelModel';
import type { FocusDetail } from '../src/core/render/panelModelFocus';
import { formatAgo, formatCount } from '../src/core/format';
import type { ShadowPanelLine } from '../src/core/api/shadowView';
import { activatable, arrowNavigation, h, icon, request, sendReady, settleResponse, vscode } from './lib/dom';
import { focusCard } from './lib/focusCard';
import { lvl, sep, shortPath, sparkline } from './lib/figures';
import { shadowSection } from './lib/shadowLine';

type Tab = 'impact' | 'errors' | 'p95';

interface ViewState {
  model?: PanelModel;
  selection: SelectionView;
  status?: ReceiverStatusView;
  focus?: FocusDetail;
  /** Error groups streamed since the last full update, newest first. */
  streamed: ErrorGroupRow[];
  /** When each streamed group arrived (for the `new` badge). */
  arrivedAt: Map<string, number>;
  tab: Tab;
  /** The last shadow run's line. */
  shadow?: ShadowPanelLine | null;
}

const saved = (vscode.getState() as { tab?: Tab } | undefined) ?? {};
const state: ViewState = { selection: { window: '5m', environment: null }, streamed: [], arrivedAt: new Map(), tab: saved.tab ?? 'impact' };
const app = document.getElementById('app')!;
const NEW_FOR_MS = 60_000;

window.addEventListener('message', (event: MessageEvent<PanelHostMessage>) => {
  const msg = event.data;
  if (!msg || typeof msg !== 'object' || settleResponse(msg)) return;
  switch (msg.kind) {
    case 'update':
      state.model = msg.model;
      state.selection = msg.selection;
      state.status = msg.status;
      // A full answer already holds the streamed groups it knows about.
      state.streamed = state.streamed.filter((g) => !msg.model.errors.some((e) => e.key === g.key));
      break;
    case 'status':
      state.status = msg.status;
      break;
    case 'newErrorGroup':
      state.streamed = [msg.row, ...state.streamed.filter((g) => g.key !== msg.row.key)].slice(0, 20);
      state.arrivedAt.set(msg.row.key, Date.now());
      break;
    case 'focus':
      state.focus = msg.detail;
      break;
    case 'shadow':
      state.shadow = msg.line;
      break;
  }
  render();
  if (msg.kind === 'focus') revealFocus();
});

sendReady();
render();
// Relative times ("3 min ago") age in place; nothing else needs a timer.
setInterval(() => {
  for (const el of document.querySelectorAll<HTMLElement>('[data-time]')) el.textContent = formatAgo(Number(el.dataset.time), Date.now());
}, 10_000);

function render(): void {
  const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.key;
  const children: Node[] = [header()];
  const sources = state.status?.sources ?? [];
  if (sources.length > 0) children.push(sourcesSection(sources));
  if (state.shadow) children.push(shadowSection(state.shadow, () => void request('openShadowReport', {})));
  if (state.focus)
    children.push(
      focusCard(state.focus, () => {
        state.focus = undefined;
        void request('clearFocus', {});
        render();
      }),
    );
  if (!state.model) children.push(h('p', { class: 'muted loading' }, 'Loading…'));
  else if (state.model.empty && state.streamed.length === 0) children.push(emptyState());
  else children.push(...sections(state.model));
  app.replaceChildren(...children);
  if (focusedKey) document.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusedKey)}"]`)?.focus({ preventScroll: true });
}

function header(): HTMLElement {
  const st = state.status;
  const status = h(
    'div',
    { class: `status status-${st?.kind ?? 'starting'}`, role: 'status', 'aria-live': 'polite', title: st?.text ?? '' },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', { class: 'status-text' }, st?.text ?? 'Connecting…'),
  );
  const envs = state.model?.environments ?? [];
  const current = state.selection.environment;
  const envSelect = h('select', { id: 'env', 'aria-label': 'Environment' }, h('option', { value: '' }, state.model?.environment ? `${state.model.environment} (default)` : 'default'));
  for (const env of envs) envSelect.append(h('option', { value: env }, env));
  if (current !== null && !envs.includes(current)) envSelect.append(h('option', { value: current }, current));
  envSelect.value = current ?? '';
  envSelect.addEventListener('change', () => void request('setEnvironment', { environment: envSelect.value === '' ? null : envSelect.value }));
  const winSelect = h('select', { id: 'window', 'aria-label': 'Window' });
  for (const w of PANEL_WINDOWS) winSelect.append(h('option', { value: w }, w));
  if (!(PANEL_WINDOWS as readonly string[]).includes(state.selection.window)) winSelect.append(h('option', { value: state.selection.window }, state.selection.window));
  winSelect.value = state.selection.window;
  winSelect.addEventListener('change', () => void request('setWindow', { window: winSelect.value }));
  return h(
    'header',
    { class: 'toolbar' },
    status,
    h('div', { class: 'selectors' }, h('label', { class: 'field env' }, h('span', {}, 'Env'), envSelect), h('label', { class: 'field win' }, h('span', {}, 'Window'), winSelect)),
  );
}

/** The team's backends and the embedded receiver: state, last success, lag, and the one-line error. */
function sourcesSection(sources: SourceRowView[]): HTMLElement {
  const list = h('div', { class: 'list sources', role: 'list' });
  for (const src of sources) {
    list.append(
      h(
        'div',
        { class: `src src-${src.state}`, role: 'listitem', title: src.error ? `${src.name}: ${src.error}` : src.name },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        h('span', { class: 'src-name' }, src.name, h('span', { class: 'muted small' }, ` ${src.kind}`)),
        h('span', { class: 'src-text muted' }, src.text),
        src.error ? h('span', { class: 'src-why' }, src.error) : null,
      ),
    );
  }
  const unwell = sources.filter((x) => x.state === 'error' || x.state === 'stale').length;
  return section('Sources', unwell > 0 ? `${unwell} not ok` : `${sources.length}`, list);
}

function emptyState(): HTMLElement {
  const st = state.status;
  if (st?.receiving === false) {
    return h(
      'section',
      { class: 'empty', 'aria-label': 'No data yet' },
      h('p', { class: 'empty-title' }, "No figures from the team's sources in this window yet."),
      h('p', {}, 'The embedded receiver is off; the sources above are read every refresh. A source in error says why.'),
    );
  }
  const line = st?.otlpLine ?? 'OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318';
  const copy = h('button', { class: 'icon-button', title: 'Copy', 'aria-label': 'Copy the environment variable line' }, icon('copy'));
  copy.addEventListener('click', async () => {
    const r = await request('copyOtlpEndpoint', {});
    if (r.ok) {
      copy.replaceChildren(icon('check'));
      copy.classList.add('done');
      setTimeout(() => copy.replaceChildren(icon('copy')), 1500);
    }
  });
  const demo = h('a', { href: '#', class: 'link' }, 'the demo in the README');
  demo.addEventListener('click', (e) => {
    e.preventDefault();
    void request('openDemo', {});
  });
  const stopped = st?.kind === 'stopped' || st?.kind === 'error';
  return h(
    'section',
    { class: 'empty', 'aria-label': 'No data yet' },
    h('p', { class: 'empty-title' }, stopped ? 'The receiver is not running.' : 'No telemetry received yet.'),
    h('p', {}, 'Run your service with OpenTelemetry pointed at the receiver:'),
    h('div', { class: 'codeline' }, h('code', {}, ...breakAfterEquals(line)), copy),
    h('p', {}, 'Or run ', demo, ' to see it with live traffic.'),
    stopped ? startButton() : null,
  );
}

/** `NAME=value` wraps after the `=` when narrow, not inside the URL. */
function breakAfterEquals(line: string): Node[] {
  const at = line.indexOf('=');
  return at < 0 ? [document.createTextNode(line)] : [document.createTextNode(line.slice(0, at + 1)), h('wbr'), document.createTextNode(line.slice(at + 1))];
}

function startButton(): HTMLElement {
  const b = h('button', { class: 'button' }, icon('play'), 'Start Receiver');
  b.addEventListener('click', () => void request('startReceiver', {}));
  return b;
}

function sections(model: PanelModel): HTMLElement[] {
  const out: HTMLElement[] = [];
  out.push(section('Services', `${model.services.length}`, servicesList(model.services)));
  out.push(topSection(model));
  const errors = mergedErrors(model);
  out.push(section('Error groups', errors.length > 0 ? 'live' : '', errorsList(errors)));
  if (model.unmappedSpans > 0) out.push(h('p', { class: 'footnote muted' }, `${formatCount(model.unmappedSpans)} ${model.unmappedSpans === 1 ? 'span' : 'spans'} in this window could not be tied to code.`));
  return out;
}

function section(title: string, meta: string, body: HTMLElement, extra?: HTMLElement): HTMLElement {
  const id = `h-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return h(
    'section',
    { class: 'section', 'aria-labelledby': id },
    h('div', { class: 'section-head' }, h('h2', { id }, title), meta ? h('span', { class: `meta ${meta === 'live' ? 'live' : ''}` }, meta) : null, extra ?? null),
    body,
  );
}

function servicesList(services: ServiceRow[]): HTMLElement {
  if (services.length === 0) return h('p', { class: 'none muted' }, 'No requests in this window.');
  const list = h('div', { class: 'list services', role: 'list' });
  for (const svc of services) {
    const spark = sparkline(svc.sparkCounts, svc.sparkErrors);
    const row = h(
      'div',
      { class: 'svc', role: 'listitem', 'aria-label': `${svc.service}: ${svc.rate}, ${svc.errorRateText} errors, p95 ${svc.p95}` },
      h(
        'div',
        { class: 'svc-name', title: svc.sampled ? `${svc.service}: rates of the traces sampled from the trace backend, not all requests (add a metrics source for those)` : svc.service },
        svc.service,
        svc.sampled ? h('span', { class: 'muted small' }, ' sampled') : null,
      ),
      h('div', { class: 'svc-figs' }, h('span', {}, svc.rate), sep(), h('span', { class: lvl(svc.errorLevel) }, `${svc.errorRateText} err`), sep(), h('span', { class: lvl(svc.latencyLevel) }, `p95 ${svc.p95}`)),
      spark,
      // The wide layout shows the same figures as table cells, aligned with the endpoints below.
      h('span', { class: 'c-rate num wide' }, svc.rate),
      h('span', { class: `c-err num wide ${lvl(svc.errorLevel)}` }, svc.errorRateText),
      h('span', { class: `c-p95 num wide ${lvl(svc.latencyLevel)}` }, svc.p95),
    );
    list.append(row);
    for (const ep of svc.endpoints) {
      list.append(
        h(
          'div',
          { class: 'endpoint', role: 'listitem', title: ep.hint ?? ep.name },
          h('span', { class: 'ep-name' }, ep.name),
          h('span', { class: 'c-rate num' }, ep.rate),
          h('span', { class: `c-err num ${lvl(ep.errorLevel)}` }, ep.errorRateText),
          h('span', { class: `c-p95 num ${lvl(ep.latencyLevel)}` }, ep.p95),
        ),
      );
    }
  }
  return list;
}

function topSection(model: PanelModel): HTMLElement {
  const tabs: Array<[Tab, string]> = [
    ['impact', 'Impact'],
    ['errors', 'Errors'],
    ['p95', 'p95'],
  ];
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Rank functions by' });
  for (const [tab, label] of tabs) {
    const b = h('button', { class: 'tab', role: 'tab', id: `tab-${tab}`, 'aria-selected': String(state.tab === tab), 'aria-controls': 'top-list', tabindex: state.tab === tab ? 0 : -1, 'data-key': `tab-${tab}` }, label);
    b.addEventListener('click', () => selectTab(tab));
    tablist.append(b);
  }
  tablist.addEventListener('keydown', (e) => {
    const at = tabs.findIndex(([t]) => t === state.tab);
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      selectTab(tabs[(at + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length][0]);
      document.getElementById(`tab-${state.tab}`)?.focus();
    }
  });
  const rows = model.top[state.tab];
  const list = h('div', { class: `list fns sort-${state.tab}`, id: 'top-list', role: 'tabpanel', 'aria-labelledby': `tab-${state.tab}` });
  if (rows.length === 0) {
    list.append(h('p', { class: 'none muted' }, state.tab === 'errors' ? 'No function failed in this window.' : 'No function calls in this window.'));
  } else {
    list.append(
      h(
        'div',
        { class: 'fn fn-head', 'aria-hidden': 'true' },
        ...['Function', 'Location', 'Rate', 'Err', 'p95', 'Impact'].map((c, i) => h('span', { class: `c-${['name', 'loc', 'rate', 'err', 'p95', 'impact'][i]}` }, c)),
      ),
    );
    for (const r of rows) list.append(functionRow(r));
    arrowNavigation(list, '.fn[data-key]');
  }
  return section('Top functions', '', list, tablist);
}

function selectTab(tab: Tab): void {
  state.tab = tab;
  vscode.setState({ tab });
  render();
}

function functionRow(r: FunctionRow): HTMLElement {
  const focused = state.focus?.key === r.key;
  const title = [`${r.function} — ${r.file}:${r.line} (${r.service})`, r.stale ? `${r.stale}: its source has not refreshed in time; these are its last figures` : '', r.provenance ?? '']
    .filter((t) => t !== '')
    .join('\n');
  const row = h(
    'div',
    { class: `fn${focused ? ' focused' : ''}${r.stale ? ' stale' : ''}`, 'data-key': r.key, title },
    h('span', { class: 'c-name' }, r.function, r.stale ? h('span', { class: 'stale-mark' }, r.stale) : null),
    h('span', { class: 'c-loc' }, `${shortPath(r.file)}:${r.line}`),
    h('span', { class: 'c-rate num' }, r.rate),
    h('span', { class: `c-err num ${lvl(r.errorLevel)}` }, r.errorRateText),
    h('span', { class: `c-p95 num ${lvl(r.latencyLevel)}` }, r.p95),
    h('span', { class: 'c-impact num' }, r.impact),
  );
  // One figure drives both bars: under the row when narrow, behind the ranked column when wide.
  row.style.setProperty('--bar', String(Math.round(r.bar * 1000) / 1000));
  row.append(h('span', { class: `bar${state.tab === 'errors' ? ' bar-err' : ''}`, 'aria-hidden': 'true' }));
  return activatable(
    row,
    `${r.function}, ${r.file} line ${r.line}: ${r.rate}, ${r.errorRateText} errors, p95 ${r.p95}, impact ${r.impact}${r.stale ? `, ${r.stale}` : ''}`,
    () => void request('openLocation', { file: r.file, line: r.line }),
  );
}

function mergedErrors(model: PanelModel): ErrorGroupRow[] {
  const known = new Set(state.streamed.map((g) => g.key));
  return [...state.streamed, ...model.errors.filter((e) => !known.has(e.key))];
}

function errorsList(groups: ErrorGroupRow[]): HTMLElement {
  if (groups.length === 0) return h('p', { class: 'none muted' }, 'No errors in this window.');
  const list = h('div', { class: 'list errs' });
  const now = Date.now();
  for (const g of groups) {
    const isNew = now - (state.arrivedAt.get(g.key) ?? 0) < NEW_FOR_MS;
    const where = g.file ? `${g.function ? `${g.function} · ` : ''}${shortPath(g.file)}:${g.line}` : g.service;
    const row = h(
      'div',
      { class: `err${isNew ? ' new' : ''}`, 'data-key': g.key, title: `${g.type}: ${g.message}\n${where}\nfirst seen ${new Date(g.firstSeen).toLocaleString()}` },
      h('span', { class: 'err-icon', 'aria-hidden': 'true' }, icon('error')),
      h('span', { class: 'err-msg' }, h('span', { class: 'err-type' }, g.type), g.message ? `: ${g.message}` : ''),
      h('span', { class: 'err-count num' }, isNew ? h('span', { class: 'badge' }, 'new') : null, `${formatCount(g.count)}×`),
      h('span', { class: 'err-where' }, where),
      h('span', { class: 'err-when muted', 'data-time': g.lastSeen }, formatAgo(g.lastSeen, now)),
    );
    if (g.traceId) {
      const traceId = g.traceId;
      const b = h('button', { class: 'icon-button err-trace', title: 'Open an exemplar trace', 'aria-label': `Open a trace of ${g.type}` }, icon('trace'));
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        void request('openTrace', { traceId });
      });
      b.addEventListener('keydown', (e) => e.stopPropagation());
      row.append(b);
    }
    if (g.file) activatable(row, `${g.type}: ${g.message}, ${g.count} times, at ${where}`, () => void request('openLocation', { file: g.file, line: g.line }));
    list.append(row);
  }
  arrowNavigation(list, '.err[data-key]');
  return list;
}

function revealFocus(): void {
  const key = state.focus?.key;
  const row = key ? document.querySelector<HTMLElement>(`.fn[data-key="${CSS.escape(key)}"]`) : null;
  (document.querySelector<HTMLElement>('.focus-card') ?? row)?.scrollIntoView({ block: 'nearest' });
}
