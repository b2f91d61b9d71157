/**
 * The trace view (webview side): a waterfall of one trace's spans, indented by parent, bars
 * scaled to the trace, errors marked; a span with a mapping opens its code.
 */
import type { TraceHostMessage } from '../src/core/api/panelProtocol';
import type { TraceWaterfall, WaterfallRow } from '../src/core/render/panelModelTrace';
import { activatable, arrowNavigation, h, icon, sendReady, settleResponse, request } from './lib/dom';

const app = document.getElementById('app')!;
const SERVICE_COLOURS = 6;

window.addEventListener('message', (event: MessageEvent<TraceHostMessage>) => {
  const msg = event.data;
  if (!msg || typeof msg !== 'object' || settleResponse(msg)) return;
  if (msg.kind === 'trace') app.replaceChildren(...waterfall(msg.waterfall));
  else if (msg.kind === 'missing') app.replaceChildren(missing(msg.traceId, msg.reason));
});
sendReady();

function waterfall(w: TraceWaterfall): Node[] {
  const legend = h('div', { class: 'legend' });
  w.services.forEach((svc, i) => legend.append(h('span', { class: 'legend-item' }, h('span', { class: `swatch svc-${i % SERVICE_COLOURS}`, 'aria-hidden': 'true' }), svc)));
  const head = h(
    'header',
    { class: 'head' },
    h('h1', {}, h('span', { class: 'muted' }, 'Trace '), h('code', { title: w.traceId }, w.traceId)),
    h(
      'div',
      { class: 'summary' },
      h('span', {}, w.duration),
      h('span', {}, `${w.spanCount} spans`),
      w.errorCount > 0 ? h('span', { class: 'error-text' }, `${w.errorCount} ${w.errorCount === 1 ? 'error' : 'errors'}`) : h('span', { class: 'muted' }, 'no errors'),
      h('span', { class: 'muted' }, new Date(w.startMs).toLocaleString()),
    ),
    legend,
  );
  const axis = h('div', { class: 'row axis', 'aria-hidden': 'true' }, h('div', { class: 'label' }, h('span', { class: 'muted' }, 'Span')));
  const ticks = h('div', { class: 'track ticks' });
  for (const t of w.ticks) {
    const tick = h('span', { class: `tick${t.at === 1 ? ' last' : t.at === 0 ? ' first' : ''}` }, t.label);
    tick.style.left = `${t.at * 100}%`;
    ticks.append(tick);
  }
  axis.append(ticks);
  const list = h('div', { class: 'rows', role: 'list', 'aria-label': 'Spans' });
  for (const r of w.rows) list.append(spanRow(r));
  arrowNavigation(list, '.row[tabindex]');
  return [head, h('div', { class: 'waterfall' }, axis, list)];
}

function spanRow(r: WaterfallRow): HTMLElement {
  const label = h('div', { class: 'label' });
  label.style.paddingLeft = `${Math.min(r.depth, 24) * 12 + 8}px`;
  label.append(
    h(
      'div',
      { class: 'name-line' },
      h('span', { class: `swatch svc-${r.serviceIndex % SERVICE_COLOURS}`, title: r.service, 'aria-hidden': 'true' }),
      r.error ? h('span', { class: 'err-icon', title: 'error' }, icon('error')) : null,
      h('span', { class: 'span-name', title: `${r.name} (${r.kind}, ${r.service})` }, r.name),
      r.route && r.route !== r.name ? h('span', { class: 'muted route' }, r.route) : null,
      r.kind === 'client' || r.kind === 'producer' || r.kind === 'consumer' ? h('span', { class: 'muted kind' }, r.kind) : null,
      r.orphan ? h('span', { class: 'muted kind', title: 'Its parent span was not received' }, 'orphan') : null,
    ),
  );
  // Unmapped spans stay one line: only code locations and failures earn a second.
  if (r.mapping) {
    label.append(h('div', { class: 'map-line', title: `mapped by ${r.mapping.label}` }, h('span', { class: 'fn-name' }, r.mapping.function), h('span', { class: 'muted' }, `${r.mapping.file}:${r.mapping.line}`)));
  }
  if (r.problems.length > 0) label.append(h('div', { class: 'problem', title: r.problems.join('\n') }, r.problems[r.problems.length - 1]));
  const bar = h('span', { class: `bar svc-${r.serviceIndex % SERVICE_COLOURS}${r.error ? ' bar-error' : ''}` });
  bar.style.left = `${r.offset * 100}%`;
  bar.style.width = `max(2px, ${r.width * 100}%)`;
  const dur = h('span', { class: 'dur' }, r.duration);
  // The track keeps a right margin wide enough for the label after the longest bar.
  dur.style.left = `${(r.offset + r.width) * 100}%`;
  const track = h('div', { class: 'track' }, bar, dur);
  const row = h('div', { class: `row${r.error ? ' error' : ''}`, role: 'listitem', title: `${r.name}\n${r.start} · ${r.duration} · ${r.kind} · ${r.service}` }, label, track);
  if (r.mapping) {
    const { file, line, function: fn } = r.mapping;
    activatable(row, `${r.name}, ${r.duration}${r.error ? ', failed' : ''}: open ${fn} in ${file} line ${line}`, () => void request('openLocation', { file, line }));
    row.classList.add('mapped');
  }
  return row;
}

function missing(traceId: string, reason: string): HTMLElement {
  return h(
    'section',
    { class: 'missing' },
    h('h1', {}, 'This trace is no longer held'),
    h('p', {}, h('code', {}, traceId)),
    h('p', { class: 'muted' }, reason),
    h('p', { class: 'muted' }, 'The receiver keeps the most recent spans and the traces its exemplars and error groups point to. Open a newer exemplar from a hover or the Live Signals panel.'),
  );
}
