import type { SparkPoint } from '../api/signals';

/** Size and colours of a sparkline; the defaults read on light, dark and high-contrast themes. */
export interface SparklineOptions {
  width: number;
  height: number;
  line: string;
  error: string;
}

/** Mid-tone colours: a hover image cannot follow the theme, so pick ones that work on both. */
export const DEFAULT_SPARKLINE: SparklineOptions = { width: 240, height: 36, line: '#4e94ce', error: '#e5534b' };

/**
 * A latency sparkline: the per-minute average as a line (broken where a minute had no calls)
 * with the area under it lightly filled, and a red tick under each minute that had errors.
 * Returns '' when there is nothing to draw.
 */
export function sparklineSvg(points: SparkPoint[], options: Partial<SparklineOptions> = {}): string {
  const o = { ...DEFAULT_SPARKLINE, ...options };
  if (points.length === 0 || !points.some((p) => p.count > 0)) return '';
  const tick = 3;
  const top = 2;
  const bottom = o.height - tick - 2;
  const max = Math.max(...points.map((p) => (p.count > 0 ? p.avgMs : 0)), 1e-9);
  const step = points.length > 1 ? o.width / (points.length - 1) : 0;
  const x = (i: number): number => (points.length > 1 ? i * step : o.width / 2);
  const y = (ms: number): number => bottom - (ms / max) * (bottom - top);

  // Runs of consecutive minutes with calls; a single-minute run is drawn as a dot.
  const runs: number[][] = [];
  let run: number[] = [];
  points.forEach((p, i) => {
    if (p.count > 0) run.push(i);
    else if (run.length > 0) runs.push(run), (run = []);
  });
  if (run.length > 0) runs.push(run);

  const shapes: string[] = [];
  for (const r of runs) {
    if (r.length === 1) {
      shapes.push(`<circle cx="${n(x(r[0]))}" cy="${n(y(points[r[0]].avgMs))}" r="1.5" fill="${o.line}"/>`);
      continue;
    }
    const line = r.map((i) => `${n(x(i))},${n(y(points[i].avgMs))}`).join(' ');
    const area = `${n(x(r[0]))},${n(bottom)} ${line} ${n(x(r[r.length - 1]))},${n(bottom)}`;
    shapes.push(`<polygon points="${area}" fill="${o.line}" fill-opacity="0.18"/>`);
    shapes.push(`<polyline points="${line}" fill="none" stroke="${o.line}" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>`);
  }
  const tickWidth = Math.max(1.5, Math.min(step * 0.8, 4));
  points.forEach((p, i) => {
    if (p.errors > 0) shapes.push(`<rect x="${n(Math.min(Math.max(x(i) - tickWidth / 2, 0), o.width - tickWidth))}" y="${o.height - tick}" width="${n(tickWidth)}" height="${tick}" fill="${o.error}"/>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" viewBox="0 0 ${o.width} ${o.height}">${shapes.join('')}</svg>`;
}

/** The SVG as a `data:` URI for a markdown image (base64, so no character needs markdown escaping). */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${base64Ascii(svg)}`;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of an ASCII string; written out because this module also runs in webviews (no Buffer). */
export function base64Ascii(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 3) {
    const a = text.charCodeAt(i) & 0xff;
    const b = i + 1 < text.length ? text.charCodeAt(i + 1) & 0xff : -1;
    const c = i + 2 < text.length ? text.charCodeAt(i + 2) & 0xff : -1;
    out += ALPHABET[a >> 2];
    out += ALPHABET[((a & 3) << 4) | (b < 0 ? 0 : b >> 4)];
    out += b < 0 ? '=' : ALPHABET[((b & 15) << 2) | (c < 0 ? 0 : c >> 6)];
    out += c < 0 ? '=' : ALPHABET[c & 63];
  }
  return out;
}

function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}
