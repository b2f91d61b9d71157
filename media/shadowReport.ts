/**
 * The shadow run report (webview side): the verdict and the run, the headline figures, the per-route
 * table and the per-function deltas, warnings. Everything arrives formatted in the view model; every
 * text goes in through text nodes (h), never markup. A function row opens its code through the host.
 */
import type { ShadowHostMessage, ShadowMethod, ShadowRequests, ShadowWebviewMessage } from '../src/core/api/shadowProtocol';
import type { ShadowCell, ShadowDetail, ShadowFunctionRow, ShadowReportView, ShadowRouteRow } from '../src/core/api/shadowView';
import type { Severity } from '../src/core/api/panelView';
import { formatAgo } from '../src/core/format';
import { activatable, arrowNavigation, h, icon, s, vscode } from './lib/dom';
import { lvl } from './lib/figures';

const app = document.getElementById('app')!;
let nextId = 1;
const pending = new Map<number, (ok: boolean) => void>();

function request<M extends ShadowMethod>(method: M, params: ShadowRequests[M]): Promise<boolean> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    vscode.postMessage({ kind: 'request', id, method, params } as ShadowWebviewMessage);
  });
}

window.addEventListener('message', (event: MessageEvent<ShadowHostMessage>) => {
  const msg = event.data;
  if (!msg || typeof msg !== 'object') return;
  if (msg.kind === 'response') {
    pending.get(msg.id)?.(msg.ok);
    pending.delete(msg.id);
    return;
  }
  if (msg.kind === 'report') {
    app.replaceChildren(...report(msg.view));
    if (msg.focus) reveal(msg.focus);
  }
});
vscode.postMessage({ kind: 'ready' } satisfies ShadowWebviewMessage);

function report(v: ShadowReportView): Node[] {
  return [header(v), tiles(v), routesSection(v), functionsSection(v), ...(v.warnings.length > 0 ? [warningsSection(v.warnings)] : [])];
}

function header(v: ShadowReportView): HTMLElement {
  const rerun = h('button', { class: 'button secondary', title: 'Run the shadow run again with the same choices' }, icon('play'), 'Run again');
  rerun.addEventListener('click', () => void request('rerun', {}));
  const logs = h('button', { class: 'button secondary', title: 'Show the Runtime Lens log' }, 'Logs');
  logs.addEventListener('click', () => void request('showLogs', {}));
  const facts = h('dl', { class: 'facts' });
  for (const f of v.facts) facts.append(h('div', { class: 'fact' }, h('dt', {}, f.label), h('dd', { title: f.value }, f.value)));
  facts.append(h('div', { class: 'fact' }, h('dt', {}, 'Ran'), h('dd', { title: new Date(v.startedAt).toLocaleString() }, formatAgo(v.startedAt, Date.now()))));
  return h(
    'header',
    { class: 'head' },
    h(
      'div',
      { class: 'title-row' },
      h('h1', {}, h('span', { class: `verdict-dot ${v.verdict.level}`, 'aria-hidden': 'true' }), h('span', { class: 'kicker' }, 'Shadow run'), h('span', { class: 'verdict' }, v.verdict.text)),
      h('div', { class: 'actions' }, rerun, logs),
    ),
    v.cancelled ? h('p', { class: 'cancelled' }, 'Cancelled: the report covers the requests replayed before the run was stopped.') : null,
    facts,
  );
}

function tiles(v: ShadowReportView): HTMLElement {
  const strip = h('section', { class: 'tiles', 'aria-label': 'Summary' });
  for (const t of v.tiles) {
    strip.append(
      h('div', { class: `tile ${t.level}`, 'data-tile': t.key, title: t.detail }, h('div', { class: 'tile-value num' }, t.value), h('div', { class: 'tile-label' }, t.label), h('div', { class: 'tile-detail' }, t.detail)),
    );
  }
  const wrap = h('div', { class: 'summary' }, strip);
  if (v.skipped.length > 0) {
    const skipped = h('p', { class: 'skipped muted' }, 'Skipped: ');
    v.skipped.forEach((x, i) => skipped.append(i > 0 ? ', ' : '', h('span', { class: 'num', title: x.reason }, `${x.label} ${x.count}`)));
    wrap.append(skipped);
  }
  return wrap;
}

function section(title: string, meta: string, ...body: Node[]): HTMLElement {
  const id = `h-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return h('section', { class: 'section', 'aria-labelledby': id }, h('div', { class: 'section-head' }, h('h2', { id }, title), meta ? h('span', { class: 'meta' }, meta) : null), ...body);
}

function routesSection(v: ShadowReportView): HTMLElement {
  const changed = v.routes.filter((r) => r.changed);
  const table = h('table', { class: 'routes' });
  table.append(
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { class: 'c-route' }, 'Route'),
        h('th', { class: 'num' }, 'Requests'),
        h('th', { class: 'num', title: 'Requests answered with another status than the baseline' }, 'Status ≠'),
        h('th', { class: 'num', title: 'JSON fields added, removed or retyped' }, 'Shape'),
        h('th', { class: 'num', title: 'Candidate p95 over baseline p95' }, 'p95 vs base'),
        h('th', { class: 'num' }, 'New errors'),
      ),
    ),
  );
  const body = h('tbody', {});
  for (const r of v.routes) body.append(...routeRows(r));
  table.append(body);
  if (v.routes.length === 0) return section('Routes', '', h('p', { class: 'none muted' }, 'No route was replayed.'));
  return section('Routes', `${changed.length} of ${v.routes.length} changed`, h('div', { class: 'table-wrap' }, table));
}

function routeRows(r: ShadowRouteRow): HTMLElement[] {
  const row = h(
    'tr',
    { class: `route ${r.changed ? `changed ${r.level}` : 'quiet'}`, 'data-key': r.key },
    h('td', { class: 'c-route' }, h('span', { class: 'method' }, r.method), h('span', { class: 'route-name', title: r.route }, r.route)),
    h('td', { class: 'num' }, r.requests),
    cell(r.status),
    cell(r.shape),
    cell(r.p95),
    cell(r.errors),
  );
  if (r.details.length === 0) return [row];
  const list = h('ul', { class: 'details' });
  for (const d of r.details) list.append(detail(d));
  return [row, h('tr', { class: `route-details ${r.level}` }, h('td', { colspan: 6 }, list))];
}

function cell(c: ShadowCell): HTMLElement {
  return h('td', { class: `num ${lvl(c.level)}`, title: c.title }, c.text);
}

function functionsSection(v: ShadowReportView): HTMLElement {
  const changed = v.functions.filter((f) => f.changed);
  const quiet = v.functions.filter((f) => !f.changed);
  const body: Node[] = [];
  if (v.functions.length === 0) body.push(h('p', { class: 'none muted' }, 'No span of the local build was mapped to code: is it exporting OTLP to the run’s receiver?'));
  if (changed.length > 0) {
    const list = h('div', { class: 'fns', role: 'list' });
    for (const f of changed) list.append(functionCard(f));
    arrowNavigation(list, '.fn[tabindex]');
    body.push(list);
  } else if (v.functions.length > 0) body.push(h('p', { class: 'none muted' }, 'No function behaved differently.'));
  if (quiet.length > 0) {
    const table = h('table', { class: 'quiet-fns' });
    table.append(h('thead', {}, h('tr', {}, h('th', {}, 'Function'), h('th', {}, 'Location'), h('th', { class: 'num' }, 'Requests'), h('th', { class: 'num' }, 'p95 vs base'))));
    const tbody = h('tbody', {});
    for (const f of quiet) {
      const tr = h('tr', { class: 'fn-quiet', 'data-key': f.key }, h('td', { class: 'fn-name' }, f.function), h('td', { class: 'loc' }, f.location), h('td', { class: 'num' }, f.requests), cell(f.p95));
      tbody.append(activatable(tr, `Open ${f.function} in ${f.location}`, () => void request('openLocation', { file: f.file, line: f.line })));
    }
    table.append(tbody);
    body.push(h('details', { class: 'unchanged' }, h('summary', {}, `${quiet.length} ${quiet.length === 1 ? 'function' : 'functions'} without a difference`), table));
  }
  return section('Functions', changed.length > 0 ? `${changed.length} changed` : '', ...body);
}

function functionCard(f: ShadowFunctionRow): HTMLElement {
  const open = () => void request('openLocation', { file: f.file, line: f.line });
  const head = h(
    'div',
    { class: 'fn-head' },
    h('span', { class: 'fn-name' }, f.function),
    h('span', { class: 'loc link' }, f.location),
    h('span', { class: 'badges' }, ...f.badges.map((b) => h('span', { class: `chip ${b.level}` }, b.text))),
    h('span', { class: 'fn-meta muted' }, [f.service, `${f.requests} requests`, f.confidence].filter((x) => x !== '').join(' · ')),
  );
  const list = h('ul', { class: 'details' });
  for (const d of f.details) {
    const item = detail(d);
    if (d.line !== undefined) {
      const line = d.line;
      const jump = h('button', { class: 'line-link', title: `Open ${f.location.replace(/:\d+$/, '')} at line ${line}` }, `line ${line}`);
      jump.addEventListener('click', (e) => {
        e.stopPropagation();
        void request('openLocation', { file: f.file, line });
      });
      jump.addEventListener('keydown', (e) => e.stopPropagation());
      item.append(jump);
    }
    list.append(item);
  }
  const card = h('div', { class: `fn ${f.level}`, role: 'listitem', 'data-key': f.key }, head, list);
  return activatable(card, `${f.function} in ${f.location}: ${f.badges.map((b) => b.text).join(', ')}. Open the code`, open);
}

function detail(d: ShadowDetail): HTMLElement {
  return h('li', { class: `detail ${d.level} d-${d.kind}` }, marker(d.level), h('span', { class: 'detail-text' }, d.text));
}

function warningsSection(warnings: string[]): HTMLElement {
  const list = h('ul', { class: 'warnings' });
  for (const w of warnings) list.append(h('li', { class: 'detail warning' }, marker('warning'), h('span', { class: 'detail-text' }, w)));
  return section('Warnings', String(warnings.length), list);
}

/** A small shape per level, so the level does not rest on colour alone. */
function marker(level: Severity): SVGElement {
  const d = level === 'error' ? 'M8 2.5l5.5 10h-11z' : level === 'warning' ? 'M8 3v6.5M8 12v.5' : 'M3.5 8.5l3 3 6-7';
  return s('svg', { class: `marker ${level}`, viewBox: '0 0 16 16', width: 12, height: 12, 'aria-hidden': 'true' }, s('path', { d }));
}

function reveal(key: string): void {
  const row = document.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
  if (!row) return;
  const unchanged = row.closest('details');
  if (unchanged) unchanged.open = true;
  for (const el of document.querySelectorAll('.focused')) el.classList.remove('focused');
  row.classList.add('focused');
  row.scrollIntoView({ block: 'center' });
  row.focus({ preventScroll: true });
}
