/** Rolling-window names such as `1m`, `5m`, `1h`, parsed and validated in one place. */

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `30s`, `5m`, `1h`, `1d` into milliseconds; throws a one-line Error otherwise. */
export function parseWindow(text: string): number {
  const match = /^(\d{1,5})([smhd])$/.exec(text.trim());
  if (!match) throw new Error(`invalid window "${text}": use a number and a unit, like 1m, 5m or 1h`);
  const ms = Number(match[1]) * UNIT_MS[match[2]];
  if (ms < 60_000) throw new Error(`invalid window "${text}": the shortest window is 1m`);
  if (ms > 7 * 86_400_000) throw new Error(`invalid window "${text}": the longest window is 7d`);
  return ms;
}

/** Formats milliseconds back into the shortest window name (`300000` -> `5m`). */
export function formatWindow(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}
