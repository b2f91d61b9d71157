/**
 * How a remote telemetry source is configured, from the CLI's flags (`--source KIND=URL`,
 * `--source-auth NAME=ENV_VAR`, `--source-ca NAME=FILE`, `--source-env NAME=THEIRS:OURS`) or the
 * editor's `runtimeLens.sources` setting. Secrets are never part of a spec: it names where the
 * secret comes from (an environment variable), and the caller reads it.
 */

/** The kinds of remote source Runtime Lens reads. */
export const SOURCE_KINDS = ['jaeger', 'prometheus', 'tempo', 'loki'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** How a source's requests are authorized. */
export type AuthKind = 'none' | 'bearer' | 'basic' | 'header';

/** One remote source, checked. */
export interface SourceSpec {
  kind: SourceKind;
  /** Unique among the sources: the kind, or `kind-2` for a second of one kind, or as configured. */
  name: string;
  url: string;
  /** The backend's environment name -> the name shown. */
  environments: Map<string, string>;
  auth: { kind: AuthKind /** For `header`: the header's name. */; header?: string /** The environment variable holding the secret. */; env?: string };
  /** Extra CA certificates (PEM) to trust. */
  caFile?: string;
  /** How often the source refreshes (ms). */
  refreshMs: number;
}

/** Names the environment variable whose text `serve` tells after a 401/403 (the editor sets it to its command). */
export const SOURCE_AUTH_HINT_ENV = 'RUNTIME_LENS_SOURCE_AUTH_HINT';

/** The refresh interval unless configured: the bound is six queries per source per minute. */
export const DEFAULT_REFRESH_MS = 15_000;
const MIN_REFRESH_MS = 5_000;
const MAX_REFRESH_MS = 3_600_000;

/**
 * Parses `KIND=URL`, or `NAME:KIND=URL` to name the source as the editor's settings do (a name
 * holds no `:` or `=`); throws a one-line Error.
 */
export function parseSourceFlag(text: string): { kind: SourceKind; url: string; name?: string } {
  const eq = text.indexOf('=');
  const head = eq < 0 ? text : text.slice(0, eq);
  const colon = head.lastIndexOf(':');
  const kind = colon < 0 ? head : head.slice(colon + 1);
  const name = colon < 0 ? undefined : head.slice(0, colon);
  if (eq < 0 || !isKind(kind)) throw new Error(`--source ${text}: expected KIND=URL with KIND one of ${SOURCE_KINDS.join(', ')} (or NAME:KIND=URL)`);
  if (name !== undefined && !SOURCE_NAME.test(name)) throw new Error(`--source ${text}: a source name is 1 to 40 letters, digits, spaces or ._-()`);
  const url = checkUrl(`--source ${text}`, text.slice(eq + 1));
  return name === undefined ? { kind, url } : { kind, url, name };
}

/** What a source may be named (settings and flags alike): it shows in lines and keys its secret. */
const SOURCE_NAME = /^[\w .()-]{1,40}$/;

/** Parses a refresh interval (`15s`, `1m`, `1h`) into ms, 5 s to 1 h; throws a one-line Error. */
export function parseRefresh(where: string, text: string): number {
  const m = /^(\d{1,5})(s|m|h)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'] : NaN;
  if (!(ms >= MIN_REFRESH_MS && ms <= MAX_REFRESH_MS)) throw new Error(`${where}: expected an interval from 5s to 1h, like 15s or 1m`);
  return ms;
}

/** Names sources: the kind, then `kind-2`, `kind-3` for more of one kind. */
export function nameSources<T extends { kind: SourceKind; name?: string }>(items: T[]): (T & { name: string })[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const n = (seen.get(item.kind) ?? 0) + 1;
    seen.set(item.kind, n);
    return { ...item, name: item.name ?? (n === 1 ? item.kind : `${item.kind}-${n}`) };
  });
}

/**
 * The CLI's source flags as specs. `refresh` entries are `DURATION` (every source) or
 * `NAME=DURATION` (one source). Throws a one-line Error naming the bad flag.
 */
export function specsFromFlags(flags: { source?: string[]; auth?: string[]; ca?: string[]; env?: string[]; refreshMs?: number; refresh?: string[] }): SourceSpec[] {
  const specs: SourceSpec[] = nameSources((flags.source ?? []).map(parseSourceFlag)).map((s) => ({
    ...s,
    environments: new Map(),
    auth: { kind: 'none' },
    refreshMs: flags.refreshMs ?? DEFAULT_REFRESH_MS,
  }));
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new Error(`--source: two sources are named "${s.name}"; name one NAME:KIND=URL`);
    seen.add(s.name);
  }
  const byName = (flag: string, text: string): [SourceSpec, string] => {
    const eq = text.indexOf('=');
    const spec = eq < 0 ? undefined : specs.find((s) => s.name === text.slice(0, eq));
    if (spec === undefined) throw new Error(`--${flag} ${text}: expected NAME=... with NAME one of the sources given (${specs.map((s) => s.name).join(', ') || 'none'})`);
    return [spec, text.slice(eq + 1)];
  };
  for (const text of flags.auth ?? []) {
    const [spec, value] = byName('source-auth', text);
    spec.auth = parseAuth(`--source-auth ${text}`, value);
  }
  for (const text of flags.ca ?? []) {
    const [spec, file] = byName('source-ca', text);
    if (file === '') throw new Error(`--source-ca ${text}: expected NAME=FILE`);
    spec.caFile = file;
  }
  for (const text of flags.refresh ?? []) {
    if (!text.includes('=')) {
      const ms = parseRefresh(`--source-refresh ${text}`, text);
      for (const spec of specs) spec.refreshMs = ms;
      continue;
    }
    const [spec, value] = byName('source-refresh', text);
    spec.refreshMs = parseRefresh(`--source-refresh ${text}`, value);
  }
  for (const text of flags.env ?? []) {
    const [spec, pair] = byName('source-env', text);
    const [theirs, ours, extra] = pair.split(':');
    if (!theirs || !ours || extra !== undefined) throw new Error(`--source-env ${text}: expected NAME=THEIRS:OURS (the backend's environment name, then the one shown)`);
    spec.environments.set(theirs, ours);
  }
  return specs;
}

/** `ENV_VAR` (a bearer token), `bearer:ENV_VAR`, `basic:ENV_VAR` (holding `user:password`) or `header:NAME:ENV_VAR`. */
function parseAuth(where: string, value: string): SourceSpec['auth'] {
  const parts = value.split(':');
  const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
  const ok = (env: string | undefined) => env !== undefined && envName.test(env);
  if (parts.length === 1 && ok(parts[0])) return { kind: 'bearer', env: parts[0] };
  if (parts.length === 2 && (parts[0] === 'bearer' || parts[0] === 'basic') && ok(parts[1])) return { kind: parts[0], env: parts[1] };
  if (parts.length === 3 && parts[0] === 'header' && /^[A-Za-z0-9-]+$/.test(parts[1]) && ok(parts[2])) return { kind: 'header', header: parts[1], env: parts[2] };
  throw new Error(`${where}: expected NAME=ENV_VAR, NAME=basic:ENV_VAR or NAME=header:HEADER:ENV_VAR (credentials come from environment variables, never the command line)`);
}

/** The request headers for a source, its secret read from `env`. Throws a one-line Error when the variable is unset. */
export function authHeaders(spec: SourceSpec, env: Record<string, string | undefined>): Record<string, string> {
  const { kind, header, env: name } = spec.auth;
  if (kind === 'none' || name === undefined) return {};
  const secret = env[name];
  if (secret === undefined || secret === '') throw new Error(`${spec.name}: environment variable ${name} is not set (it holds the source's credentials)`);
  if (kind === 'basic') return { Authorization: `Basic ${Buffer.from(secret).toString('base64')}` };
  if (kind === 'header') return { [header!]: secret };
  return { Authorization: `Bearer ${secret}` };
}

/** The `runtimeLens.sources` setting as specs, and one line per entry that was left out. */
export function specsFromSettings(raw: unknown): { specs: SourceSpec[]; problems: string[] } {
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { specs: [], problems };
  if (!Array.isArray(raw)) return { specs: [], problems: ['runtimeLens.sources: expected a list of sources'] };
  const items: { kind: SourceKind; name?: string; spec: Omit<SourceSpec, 'name' | 'kind'> }[] = [];
  raw.forEach((entry, i) => {
    try {
      items.push(settingEntry(entry, `runtimeLens.sources[${i}]`));
    } catch (err) {
      problems.push((err as Error).message);
    }
  });
  const named = nameSources(items.map((i) => ({ kind: i.kind, name: i.name, spec: i.spec })));
  const names = new Set<string>();
  const specs: SourceSpec[] = [];
  for (const n of named) {
    if (names.has(n.name)) {
      problems.push(`runtimeLens.sources: two sources are named "${n.name}"; the second is left out`);
      continue;
    }
    names.add(n.name);
    specs.push({ ...n.spec, kind: n.kind, name: n.name });
  }
  return { specs, problems };
}

function settingEntry(entry: unknown, at: string): { kind: SourceKind; name?: string; spec: Omit<SourceSpec, 'name' | 'kind'> } {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${at}: expected an object with kind and url`);
  const e = entry as Record<string, unknown>;
  const own = (k: string) => (Object.hasOwn(e, k) ? e[k] : undefined);
  const kind = own('kind');
  if (typeof kind !== 'string' || !isKind(kind)) throw new Error(`${at}.kind: expected one of ${SOURCE_KINDS.join(', ')}`);
  const url = own('url');
  if (typeof url !== 'string') throw new Error(`${at}.url: expected a URL`);
  const name = own('name');
  if (name !== undefined && (typeof name !== 'string' || !SOURCE_NAME.test(name))) throw new Error(`${at}.name: expected up to 40 letters, digits, spaces or ._-()`);
  const environments = new Map<string, string>();
  const envs = own('environments');
  if (envs !== undefined) {
    if (typeof envs !== 'object' || envs === null || Array.isArray(envs)) throw new Error(`${at}.environments: expected an object of backend name -> shown name`);
    for (const [k, v] of Object.entries(envs)) {
      if (typeof v !== 'string' || v === '') throw new Error(`${at}.environments.${k}: expected a name`);
      environments.set(k, v);
    }
  }
  const auth = own('auth') ?? 'none';
  if (auth !== 'none' && auth !== 'bearer' && auth !== 'basic' && auth !== 'header') throw new Error(`${at}.auth: expected none, bearer, basic or header`);
  const header = own('authHeader');
  if (auth === 'header' && (typeof header !== 'string' || !/^[A-Za-z0-9-]+$/.test(header))) throw new Error(`${at}.authHeader: expected a header name for auth "header"`);
  const caFile = own('caFile');
  if (caFile !== undefined && (typeof caFile !== 'string' || caFile === '')) throw new Error(`${at}.caFile: expected a file path`);
  const refresh = own('refreshSeconds') ?? DEFAULT_REFRESH_MS / 1000;
  if (typeof refresh !== 'number' || !Number.isFinite(refresh) || refresh * 1000 < MIN_REFRESH_MS || refresh > 3600) throw new Error(`${at}.refreshSeconds: expected 5 to 3600`);
  return {
    kind,
    ...(typeof name === 'string' ? { name } : {}),
    spec: {
      url: checkUrl(`${at}.url`, url),
      environments,
      refreshMs: refresh * 1000,
      auth: { kind: auth, ...(auth === 'header' ? { header: header as string } : {}) },
      ...(typeof caFile === 'string' ? { caFile } : {}),
    },
  };
}

function isKind(text: string): text is SourceKind {
  return (SOURCE_KINDS as readonly string[]).includes(text);
}

function checkUrl(where: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${where}: not a URL: "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${where}: not an http(s) URL`);
  if (url.username || url.password) throw new Error(`${where}: put credentials in an environment variable or the secret store, not in the URL`);
  return text.replace(/\/+$/, '');
}
