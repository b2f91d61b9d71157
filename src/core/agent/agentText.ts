/**
 * Text pieces every agent answer uses: production strings made safe to put in a line, figures with
 * their units at a precision a model can compare (`12.3 ms`, `2.5%`, `140/min`), `file:line`
 * references and times (`3m ago (2025-01-02T10:00:00Z)`). Figures are plain numbers in one unit per
 * column (no switching to seconds), so an agent can compare rows without parsing units.
 */
import type { FigureSource } from '../api/signals';

// C0/C1 controls, DEL, and the Unicode format characters that reorder or hide text (bidi overrides,
// isolates, zero-width joiners, BOM): a production string must never change how the answer reads.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
// ANSI escape sequences (CSI ... final byte), removed whole before the lone ESC is.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;

/**
 * Production text (span names, messages, routes, function names) as one safe line: escape
 * sequences and control/format characters removed, runs of whitespace folded to one space, and
 * cut to `max` characters with an ellipsis. Use it on every string that came from telemetry.
 */
export function safeText(text: string, max = 120): string {
  const line = text
    .replace(ANSI, '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(UNSAFE, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return cut(line, max);
}

/** `text` cut to at most `max` characters, the last one an ellipsis when it was cut. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 1 ? '…' : `${text.slice(0, max - 1)}…`;
}

/** `src/orders.js:12`, the reference an agent can open (`file` alone when the line is unknown; `?` without a file). */
export function fileLine(file: string, line: number): string {
  const f = safeText(file, 160);
  if (f === '') return '?';
  return line > 0 ? `${f}:${line}` : f;
}

/** Milliseconds with a precision that fits their size: `0.42 ms`, `12.3 ms`, `1234 ms`; `–` when not a number. */
export function fmtMs(ms: number): string {
  return `${fmtNumber(ms)} ms`;
}

/** A number as `0.42`, `12.3`, `1234` (two significant decimals under 1, one under 100, whole above); `–` when not finite. */
export function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a === 0) return '0';
  if (a < 1) return trimZeros(n.toFixed(2));
  if (a < 100) return trimZeros(n.toFixed(1));
  return String(Math.round(n));
}

/** A 0..1 ratio as a percentage with two decimals under 10% (`0.25%`, `4.17%`) and one above (`37.5%`). */
export function fmtPercent(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return '0%';
  const p = ratio * 100;
  return `${trimZeros(p < 10 ? p.toFixed(2) : p.toFixed(1))}%`;
}

/** A per-minute rate: `0.25/min`, `140/min`. */
export function fmtRate(perMin: number): string {
  return `${fmtNumber(perMin)}/min`;
}

/** `3m ago`, `2h ago`, `4d ago`, `just now` from Unix ms `time` and `now`. */
export function fmtAgo(time: number, now: number): string {
  const s = Math.round((now - time) / 1000);
  if (s < 0) return 'in the future';
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ago`;
  return `${Math.floor(h / 24)}d ago`;
}

/** `3m ago (2025-01-02T10:00:00Z)`: relative for the reader, ISO (to the second) for correlating with logs. */
export function fmtWhen(time: number, now: number): string {
  if (!Number.isFinite(time) || time <= 0) return '?';
  return `${fmtAgo(time, now)} (${new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z')})`;
}

/** The first 7 characters of a revision, as git shows it. */
export function shortRev(revision: string): string {
  return safeText(revision, 40).slice(0, 7);
}

/**
 * How far to trust a figure, for the note beside it: `''` for every span seen live, else
 * `sampled: 120 traces`, `span metrics` (with `percentiles interpolated in buckets` when they are),
 * `logs`, plus `stale 5m` when its source has not refreshed. A sampled figure is never exact.
 */
export function figureNote(source: FigureSource | undefined): string {
  if (source === undefined) return '';
  const parts: string[] = [];
  if (source.basis === 'sampled') parts.push(`sampled${source.traces !== undefined ? `: ${source.traces} traces` : ''}, not exact`);
  else if (source.basis === 'metrics') parts.push(source.latencyBuckets ? 'span metrics, percentiles interpolated in buckets' : 'span metrics');
  else if (source.basis === 'logs') parts.push('from logs');
  if (source.stale) parts.push(`stale${source.ageMs !== undefined ? ` ${fmtAge(source.ageMs)}` : ''}`);
  if (parts.length === 0) return '';
  return `${parts.join(', ')} (${safeText(source.source, 40)})`;
}

/** A prefix for a figure that rests on a sample (`~`), so it never reads as exact. */
export function approx(source: FigureSource | undefined): string {
  return source?.basis === 'sampled' ? '~' : '';
}

function fmtAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h`;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
