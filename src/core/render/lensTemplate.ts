import type { LatencyBuckets, WindowFigures } from '../api/signals';
import { iconSafe } from './escape';
import { formatCount, formatMs, formatPercent, formatRate } from '../format';

/** The placeholders `runtimeLens.codeLens.template` understands. */
export const LENS_PLACEHOLDERS = ['p50', 'p95', 'p99', 'errorRate', 'rate', 'count', 'window', 'environment', 'service'] as const;

/** One of LENS_PLACEHOLDERS. */
export type LensPlaceholder = (typeof LENS_PLACEHOLDERS)[number];

/** The settings' default template. */
export const DEFAULT_LENS_TEMPLATE = 'p50 {p50} · p95 {p95} · {errorRate} errors · {rate}/min · {window} · {environment}';

/** What a lens shows: one function's figures in the selected window. */
export interface LensValues {
  figures: WindowFigures;
  /** Percentiles from histogram buckets are interpolated: shown as `≈`. */
  latencyBuckets?: LatencyBuckets;
  window: string;
  environment: string;
  service: string;
}

/** A template parsed once per settings change; `unknown` lists placeholders kept as typed. */
export interface LensTemplate {
  readonly source: string;
  /** Unknown placeholder names, each once, in order of appearance (without braces). */
  readonly unknown: string[];
  expand(values: LensValues): string;
}

const KNOWN = new Set<string>(LENS_PLACEHOLDERS);

/** Parses a lens template; unknown `{names}` stay in the output literally and are listed in `unknown`. */
export function compileLensTemplate(source: string): LensTemplate {
  // Literal text at even indexes, placeholder names at odd ones, so expansion is one pass with no regex.
  const parts: string[] = [];
  const unknown: string[] = [];
  const pattern = /\{([A-Za-z0-9_]+)\}/g;
  let literal = '';
  let last = 0;
  for (let m = pattern.exec(source); m; m = pattern.exec(source)) {
    const name = m[1];
    if (!KNOWN.has(name)) {
      if (!unknown.includes(name)) unknown.push(name);
      continue;
    }
    literal += source.slice(last, m.index);
    parts.push(literal, name);
    literal = '';
    last = m.index + m[0].length;
  }
  parts.push(literal + source.slice(last));
  return {
    source,
    unknown,
    expand(values: LensValues): string {
      let out = parts[0];
      for (let i = 1; i < parts.length; i += 2) out += valueFor(parts[i] as LensPlaceholder, values) + parts[i + 1];
      return out.trim();
    },
  };
}

const approx = (v: LensValues): string => (v.latencyBuckets ? '≈' : '');

function valueFor(name: LensPlaceholder, v: LensValues): string {
  switch (name) {
    case 'p50':
      return approx(v) + formatMs(v.figures.p50Ms);
    case 'p95':
      return approx(v) + formatMs(v.figures.p95Ms);
    case 'p99':
      return approx(v) + formatMs(v.figures.p99Ms);
    case 'errorRate':
      return formatPercent(v.figures.errorRate);
    case 'rate':
      return formatRate(v.figures.ratePerMin);
    case 'count':
      return formatCount(v.figures.count);
    // Values from telemetry: the title renders `$(icon)` syntax, the template's own icons stay.
    case 'window':
      return iconSafe(v.window);
    case 'environment':
      return iconSafe(v.environment) || 'default';
    case 'service':
      return iconSafe(v.service);
  }
}
