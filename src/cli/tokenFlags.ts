import * as fs from 'node:fs';
import { UsageError } from './usageError';

/** The receiver's two tokens as `serve` resolved them ('' = not required). */
export interface ServeTokens {
  /** Required on every route (ingest and read). */
  token: string;
  /** Required on the read API only. */
  readToken: string;
}

/** The token flags of `serve`, as parseArgs returns them. */
export interface TokenFlagValues {
  token?: string;
  'token-file'?: string;
  'read-token'?: string;
  'read-token-file'?: string;
}

/**
 * Resolves `--token`/`--token-file` (else RUNTIME_LENS_TOKEN) and `--read-token`/`--read-token-file`.
 * Files keep tokens out of process lists; they must exist, be non-empty and (on POSIX) readable by their owner only.
 */
export function resolveServeTokens(values: TokenFlagValues, env: NodeJS.ProcessEnv): ServeTokens {
  return {
    token: oneOf('token', values.token, values['token-file']) ?? env.RUNTIME_LENS_TOKEN ?? '',
    readToken: oneOf('read-token', values['read-token'], values['read-token-file']) ?? '',
  };
}

/** The token a client command (`signals`, `check`) reads with: `--token`/`--token-file`, else RUNTIME_LENS_TOKEN, else ''. */
export function resolveClientToken(values: Pick<TokenFlagValues, 'token' | 'token-file'>, env: NodeJS.ProcessEnv): string {
  return oneOf('token', values.token, values['token-file']) ?? env.RUNTIME_LENS_TOKEN ?? '';
}

function oneOf(name: string, inline: string | undefined, file: string | undefined): string | undefined {
  if (inline !== undefined && file !== undefined) throw new UsageError(`--${name} and --${name}-file are alternatives; give one`);
  if (inline !== undefined) {
    if (inline.trim() === '') throw new UsageError(`--${name} is empty`);
    return inline;
  }
  return file === undefined ? undefined : readTokenFile(`--${name}-file`, file);
}

/** The trimmed content of a token file, or a UsageError naming the flag. */
export function readTokenFile(flag: string, file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (!stat.isFile()) throw new UsageError(`${flag} ${file}: not a file`);
  // Windows has no POSIX mode bits to check; its ACLs are left to the user.
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new UsageError(`${flag} ${file}: other users can access it (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  const token = fs.readFileSync(file, 'utf8').trim();
  if (token === '') throw new UsageError(`${flag} ${file}: the file is empty`);
  if (/[\r\n]/.test(token)) throw new UsageError(`${flag} ${file}: the token must be one line`);
  return token;
}
