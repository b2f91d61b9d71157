/**
 * Unix-nanosecond timestamps as (whole milliseconds, leftover nanoseconds) pairs. Both
 * decoders split timestamps this way so they round identically and durations stay exact
 * (subtracting two ~1.7e12 ms doubles would lose a few hundred nanoseconds).
 */

const TWO_POW_32_MS = 4294; // floor(2^32 / 1e6)
const TWO_POW_32_REM = 967296; // 2^32 mod 1e6

/** Scratch output of the split functions; single-threaded decoders read it right after a call. */
export const split = { ms: 0, ns: 0 };

/** Splits a fixed64 given as two uint32 halves; exact for every 64-bit value, no BigInt. */
export function splitFixed64(hi: number, lo: number): void {
  // hi * 967296 + lo < 2^53, so every step here is exact integer arithmetic.
  const r = hi * TWO_POW_32_REM + lo;
  const q = Math.floor(r / 1e6);
  split.ms = hi * TWO_POW_32_MS + q;
  split.ns = r - q * 1e6;
}

/**
 * Splits a decimal string of nanoseconds. Returns false unless it is 1..20 ASCII digits
 * (OTLP/JSON timestamps are unsigned).
 */
export function splitDecimalNanos(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  // Digit by digit, without slicing: the millisecond part has at most 14 digits, exact in a double.
  const cut = n - 6;
  let ms = 0;
  let ns = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (i < cut) ms = ms * 10 + d;
    else ns = ns * 10 + d;
  }
  split.ms = ms;
  split.ns = ns;
  return true;
}

/** Splits a JSON number of nanoseconds; false for negative, fractional or non-finite values. */
export function splitNumberNanos(v: number): boolean {
  if (!(v >= 0) || !Number.isFinite(v) || Math.floor(v) !== v) return false;
  const ms = Math.floor(v / 1e6);
  split.ms = ms;
  split.ns = Math.max(0, Math.min(999999, v - ms * 1e6));
  return true;
}

/** Milliseconds (fractional) from a split timestamp. */
export function toMs(ms: number, ns: number): number {
  return ms + ns / 1e6;
}

/** Duration in ms between two split timestamps; 0 when the end is missing or before the start. */
export function durationMs(startMs: number, startNs: number, endMs: number, endNs: number): number {
  const d = endMs - startMs + (endNs - startNs) / 1e6;
  return d > 0 ? d : 0;
}
