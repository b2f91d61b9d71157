/**
 * The Live Signals panel's line about the last shadow run: what changed, when, and a link that
 * reopens the report. Its own file so the panel script only places it.
 */
import type { ShadowPanelLine } from '../../src/core/api/shadowView';
import { formatAgo } from '../../src/core/format';
import { h } from './dom';

/** The section: a level dot, the headline figures, when and on what, and "Open report". */
export function shadowSection(line: ShadowPanelLine, open: () => void): HTMLElement {
  const link = h('a', { href: '#', class: 'link shadow-open', 'data-key': 'shadow-open' }, 'Open report');
  link.addEventListener('click', (e) => {
    e.preventDefault();
    open();
  });
  return h(
    'section',
    { class: `shadow-line shadow-${line.level}`, 'aria-label': 'Last shadow run', title: `${line.text}\n${line.detail}` },
    h('div', { class: 'shadow-main' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'shadow-text' }, line.text), link),
    h('div', { class: 'muted small shadow-detail' }, 'Shadow run ', h('span', { 'data-time': line.startedAt }, formatAgo(line.startedAt, Date.now())), ` · ${line.detail}`),
  );
}
