import { normalizeOrigin } from '../core/server/faroOrigins';
import type { FaroOptions } from '../core/server/faroRoute';
import { UsageError } from './usageError';

/**
 * `--faro-origin ORIGIN` (repeatable) and `--faro-api-key-env ENV_VAR` as the Faro endpoint's
 * options. The key is read from the named environment variable: a key on the command line would
 * show in process lists.
 */
export function faroOptionsFromFlags(origins: readonly string[], keyEnv: string | undefined, env: NodeJS.ProcessEnv): Partial<FaroOptions> {
  const allowedOrigins = origins.map((o) => {
    const origin = normalizeOrigin(o);
    if (origin instanceof Error) throw new UsageError(`--faro-origin: ${origin.message}`);
    return origin;
  });
  let apiKey = '';
  if (keyEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyEnv)) throw new UsageError(`--faro-api-key-env takes the name of an environment variable (e.g. FARO_API_KEY), got "${keyEnv}"`);
    apiKey = env[keyEnv] ?? '';
    if (apiKey === '') throw new UsageError(`--faro-api-key-env ${keyEnv}: the environment variable ${keyEnv} is not set or empty`);
  }
  return { allowedOrigins, apiKey };
}
