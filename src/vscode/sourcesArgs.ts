import * as path from 'node:path';
import { SOURCE_AUTH_HINT_ENV, type SourceSpec } from '../core/sources/sourceSpec';

/** The environment variable of the n-th source's secret on the receiver child (never an argument: those show in process lists). */
export const SECRET_ENV_PREFIX = 'RUNTIME_LENS_SOURCE_SECRET_';

/** What `serve` tells after a 401/403 from a source the editor configured. */
export const EDITOR_AUTH_HINT = 'run "Runtime Lens: Add Telemetry Source…" to set its credentials';

/** The `serve` arguments and child environment for the configured sources. */
export interface SourceLaunch {
  args: string[];
  env: Record<string, string>;
  /** One line per thing left out (shown in the log, never holding a secret). */
  warnings: string[];
  /** Sources passed. */
  count: number;
  /** Whether the embedded receiver accepts OTLP. */
  receiving: boolean;
}

/**
 * The flags that hand `sources` to `serve` (`--flag=value` each: a value starting with `-` must
 * not read as a flag), their secrets as environment variables, and `--no-receiver` when the
 * embedded receiver is off. A source whose secret is missing goes without credentials, so the
 * backend's 401 names the command that fixes it; a relative CA file is read from `workspace`.
 */
export function sourceLaunch(sources: readonly SourceSpec[], secrets: ReadonlyMap<string, string>, receiverEnabled: boolean, workspace: string): SourceLaunch {
  const args: string[] = [];
  const env: Record<string, string> = {};
  const warnings: string[] = [];
  sources.forEach((s, i) => {
    args.push(`--source=${s.name}:${s.kind}=${s.url}`);
    if (s.auth.kind !== 'none') {
      const secret = secrets.get(s.name);
      if (secret === undefined || secret === '') {
        warnings.push(`${s.name}: no ${s.auth.kind} credentials are stored in this editor; it is asked without them (${EDITOR_AUTH_HINT})`);
      } else {
        const name = `${SECRET_ENV_PREFIX}${i}`;
        env[name] = secret;
        args.push(`--source-auth=${s.name}=${s.auth.kind === 'bearer' ? name : s.auth.kind === 'basic' ? `basic:${name}` : `header:${s.auth.header}:${name}`}`);
      }
    }
    if (s.caFile) args.push(`--source-ca=${s.name}=${workspace && !path.isAbsolute(s.caFile) ? path.join(workspace, s.caFile) : s.caFile}`);
    for (const [theirs, ours] of s.environments) {
      // serve splits THEIRS:OURS at the colon.
      if (theirs.includes(':') || ours.includes(':') || theirs === '') warnings.push(`${s.name}: environment "${theirs}" -> "${ours}" holds a colon; left out`);
      else args.push(`--source-env=${s.name}=${theirs}:${ours}`);
    }
    args.push(`--source-refresh=${s.name}=${Math.max(5, Math.round(s.refreshMs / 1000))}s`);
  });
  if (sources.length > 0) env[SOURCE_AUTH_HINT_ENV] = EDITOR_AUTH_HINT;
  if (!receiverEnabled) args.push('--no-receiver');
  return { args, env, warnings, count: sources.length, receiving: receiverEnabled };
}
