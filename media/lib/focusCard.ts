/** The Live Signals panel's card for one function (webview side): every figure arrives formatted. */
import { formatCount } from '../../src/core/format';
import type { FocusDetail } from '../../src/core/render/panelModelFocus';
import { activatable, h, icon, request } from './dom';
import { lvl, shortPath } from './figures';

/** The details of the function in focus: figures per window, its traces and errors; `onClose` closes it. */
export function focusCard(d: FocusDetail, onClose: () => void): HTMLElement {
  const close = h('button', { class: 'icon-button', title: 'Close', 'aria-label': 'Close the function details', 'data-key': 'focus-close' }, icon('close'));
  close.addEventListener('click', onClose);
  const title = activatable(
    h('div', { class: 'focus-title', 'data-key': 'focus-title' }, h('span', { class: 'c-name' }, d.function), h('span', { class: 'muted' }, `${shortPath(d.file)}:${d.line}`)),
    `Open ${d.function} in ${d.file}`,
    () => void request('openLocation', { file: d.file, line: d.line }),
  );
  const body: Node[] = [];
  if (!d.found) {
    body.push(h('p', { class: 'muted' }, `No calls of ${d.function} in ${d.service} (${d.environment}) in the last hour.`));
  } else {
    const grid = h('div', { class: 'wgrid', role: 'table', 'aria-label': 'Figures per window' });
    grid.append(h('div', { class: 'wrow whead', role: 'row' }, ...['', 'p50', 'p95', 'err', 'rate'].map((c) => h('span', { role: 'columnheader' }, c))));
    for (const w of d.windows) {
      const f = w.figures;
      grid.append(
        h(
          'div',
          { class: 'wrow', role: 'row' },
          h('span', { class: 'wname', role: 'rowheader' }, w.window),
          ...(f
            ? [
                h('span', { role: 'cell' }, f.p50),
                h('span', { role: 'cell', class: lvl(f.latencyLevel) }, f.p95),
                h('span', { role: 'cell', class: lvl(f.errorLevel) }, f.errorRateText),
                h('span', { role: 'cell' }, f.rate),
              ]
            : [h('span', { role: 'cell', class: 'muted wnone' }, 'no calls')]),
        ),
      );
    }
    body.push(grid);
    const actions = h('div', { class: 'focus-actions' });
    for (const x of d.exemplars) {
      const b = h('button', { class: 'chip' }, icon('trace'), x.label);
      b.addEventListener('click', () => void request('openTrace', { traceId: x.traceId }));
      actions.append(b);
    }
    if (d.exemplars.length > 0) body.push(actions);
    actions.prepend(h('span', { class: 'muted small actions-label' }, 'Traces'));
    for (const e of d.errors)
      body.push(
        h(
          'div',
          { class: 'focus-err' },
          h('span', { class: 'err-icon', 'aria-hidden': 'true' }, icon('error')),
          h('span', { class: 'err-msg' }, `${e.type}: ${e.message}`),
          h('span', { class: 'num muted' }, `${formatCount(e.count)}×`),
        ),
      );
    body.push(h('p', { class: 'muted small' }, `${d.service} · ${d.environment} · mapped by ${d.mapping}`));
  }
  return h('section', { class: 'focus-card', 'aria-label': `Details of ${d.function}` }, h('div', { class: 'focus-head' }, title, close), ...body);
}
