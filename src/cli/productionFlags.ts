import { ProductionLookupError } from '../core/analysis/ranking';
import { HttpProductionLookup } from '../core/client/productionLookup';
import { parseWindow } from '../core/signals/windows';
import { resolveClientToken } from './tokenFlags';
import { UsageError } from './usageError';

/** The flags `check` and `authorship` share for reading production figures from a receiver. */
export interface ProductionFlags {
  signals?: string;
  window?: string;
  token?: string;
  'token-file'?: string;
}

/** Checks the flags without touching the network; returns the window (default 5m). Throws UsageError. */
export function productionWindow(values: ProductionFlags): string {
  if (values.window !== undefined && values.signals === undefined) throw new UsageError('--window needs --signals URL (the receiver to read production figures from)');
  const window = values.window ?? '5m';
  try {
    parseWindow(window);
  } catch (err) {
    throw new UsageError(`--window: ${(err as Error).message}`);
  }
  if ((values.token !== undefined || values['token-file'] !== undefined) && values.signals === undefined) throw new UsageError('--token and --token-file need --signals URL (the receiver they are for)');
  return window;
}

/**
 * The receiver named by --signals, reached once now so a wrong URL or token fails before the scan
 * (and not only when there are findings); null without --signals. Throws UsageError.
 */
export async function connectProduction(values: ProductionFlags, window: string): Promise<HttpProductionLookup | null> {
  if (values.signals === undefined) return null;
  try {
    const lookup = new HttpProductionLookup({ server: values.signals, window, token: resolveClientToken(values, process.env) });
    await lookup.check();
    return lookup;
  } catch (err) {
    if (err instanceof ProductionLookupError) throw new UsageError(`--signals: ${err.message}`);
    throw err;
  }
}
