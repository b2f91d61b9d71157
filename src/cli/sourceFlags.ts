import type { RemoteSourceFactory } from '../core/server/embeddedReceiver';
import { remoteSourceFactory } from '../core/server/remoteSources';
import { SOURCE_AUTH_HINT_ENV, specsFromFlags, type SourceSpec } from '../core/sources/sourceSpec';
import type { Logger } from '../core/logger';
import { UsageError } from './usageError';

/** The `--source*` flags, as parseArgs declares them (`serve` and `mcp` read backends alike). */
export const SOURCE_FLAG_OPTIONS = {
  source: { type: 'string', multiple: true },
  'source-auth': { type: 'string', multiple: true },
  'source-ca': { type: 'string', multiple: true },
  'source-env': { type: 'string', multiple: true },
  'source-refresh': { type: 'string', multiple: true },
} as const;

/** The `--source*` flags, as parseArgs returns them. */
export type SourceFlags = { source?: string[]; 'source-auth'?: string[]; 'source-ca'?: string[]; 'source-env'?: string[]; 'source-refresh'?: string[] };

/** The sources the flags name, or a UsageError with the flag's problem. */
export function sourceSpecs(values: SourceFlags): SourceSpec[] {
  try {
    return specsFromFlags({ source: values.source, auth: values['source-auth'], ca: values['source-ca'], env: values['source-env'], refresh: values['source-refresh'] });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Builds the remote members of the read API from the specs (credentials from the environment), or a UsageError. */
export function cliSourceFactory(specs: SourceSpec[], logger: Logger): RemoteSourceFactory {
  try {
    // The editor starts serve with its own fix (its command), the CLI user gets the flag.
    const hint = process.env[SOURCE_AUTH_HINT_ENV];
    return remoteSourceFactory(specs, process.env, logger, (spec) => hint || `set the credentials with --source-auth ${spec.name}=ENV_VAR`);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
