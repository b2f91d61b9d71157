/** Number formatting shared by the CodeLens, hints, hovers and the panel: short, stable widths. */

/** Milliseconds as `0.4 ms`, `12 ms`, `1.2 s`, `12 s`, `1.5 min`; `–` for missing values. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 10) {
    const tenth = Math.round(ms * 10) / 10;
    if (tenth < 10) return `${trimZero(tenth.toFixed(1))} ms`;
  }
  const whole = Math.round(ms);
  if (whole < 1000) return `${whole} ms`;
  const seconds = ms / 1000;
  if (Math.round(seconds * 10) / 10 < 10) return `${(Math.round(seconds * 10) / 10).toFixed(1)} s`;
  if (Math.round(seconds) < 60) return `${Math.round(seconds)} s`;
  const minutes = seconds / 60;
  return minutes < 10 ? `${trimZero((Math.round(minutes * 10) / 10).toFixed(1))} min` : `${Math.round(minutes)} min`;
}

/** A 0..1 ratio as a percentage: `0%`, `<0.1%`, `0.8%`, `37%`, `100%`. */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return '0%';
  const percent = ratio * 100;
  if (percent < 0.1) return '<0.1%';
  if (percent >= 100) return '100%';
  // One decimal below 10% (where the difference between 0.8% and 1% matters), whole numbers above.
  if (percent < 10) {
    const tenth = Math.round(percent * 10) / 10;
    if (tenth < 10) return `${trimZero(tenth.toFixed(1))}%`;
  }
  // Never round a partial failure up to 100%: that reads as "everything fails".
  return `${Math.min(99, Math.round(percent))}%`;
}

/** A per-minute rate: `0`, `<0.1`, `0.5`, `120`, `1.2k`, `3.4M`. */
export function formatRate(perMin: number): string {
  if (!Number.isFinite(perMin) || perMin <= 0) return '0';
  if (perMin < 0.1) return '<0.1';
  if (perMin < 10) {
    const tenth = Math.round(perMin * 10) / 10;
    if (tenth < 10) return trimZero(tenth.toFixed(1));
  }
  return formatCount(perMin);
}

/** A count: `37`, `1.2k`, `12k`, `3.4M`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0';
  const whole = Math.round(n);
  if (whole < 1000) return String(whole);
  for (const [size, suffix] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (whole >= size * 0.9995) {
      const scaled = whole / size;
      return scaled < 10 ? `${trimZero((Math.round(scaled * 10) / 10).toFixed(1))}${suffix}` : `${Math.round(scaled)}${suffix}`;
    }
  }
  return String(whole);
}

/** How long ago `time` was, relative to `now` (both Unix ms): `just now`, `12 s ago`, `3 min ago`, `2 h ago`, `4 d ago`. */
export function formatAgo(time: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - time) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}
