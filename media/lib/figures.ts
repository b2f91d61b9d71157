/** Small pieces of the webviews' figures: severity classes, separators, short paths, sparklines. */
import { sparkPoints } from '../../src/core/render/panelModel';
import type { Severity } from '../../src/core/render/severity';
import { h, s } from './dom';

/** A service's calls per minute as an area, its errors as red ticks. */
export function sparkline(counts: number[], errors: number[]): SVGElement {
  const W = 72;
  const H = 22;
  const max = Math.max(1, ...counts);
  const pts = sparkPoints(counts, W, H - 2, max).map(([x, y]) => [x, y + 1] as const);
  const svg = s('svg', { class: 'spark', viewBox: `0 0 ${W} ${H}`, width: W, height: H, preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  if (pts.length === 0) return svg;
  const line = pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x} ${y}`).join('');
  svg.append(s('path', { class: 'spark-area', d: `${line}L${W} ${H}L0 ${H}Z` }), s('path', { class: 'spark-line', d: line }));
  const step = counts.length > 1 ? W / (counts.length - 1) : W;
  errors.forEach((e, i) => {
    if (e <= 0) return;
    const hgt = Math.max(2, (e / max) * (H - 2));
    svg.append(s('rect', { class: 'spark-err', x: Math.max(0, Math.min(W - 2, i * step - 1)), y: H - hgt, width: 2, height: hgt }));
  });
  return svg;
}

export function sep(): HTMLElement {
  return h('span', { class: 'sep', 'aria-hidden': 'true' }, '·');
}

/** The CSS class of a severity level (none when ok). */
export function lvl(level: Severity): string {
  return level === 'ok' ? '' : `lvl-${level}`;
}

/** `src/services/orders/createOrder.ts` -> `…/orders/createOrder.ts`: the end of a path says most. */
export function shortPath(file: string): string {
  const parts = file.split('/');
  return parts.length > 3 ? `…/${parts.slice(-2).join('/')}` : file;
}
