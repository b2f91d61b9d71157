/** A problem with how the CLI was called or what it reached: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** Parses a whole number flag within bounds, or throws a UsageError naming the flag. */
export function intFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return Number(value);
}
