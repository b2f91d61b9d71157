import { authHeaders, specsFromSettings, type AuthKind, type SourceKind, type SourceSpec } from '../core/sources/sourceSpec';

/** What the Add Telemetry Source flow collects (the secret stays beside it, never in the entry). */
export interface SourceDraft {
  kind: SourceKind;
  url: string;
  name: string;
  auth: AuthKind;
  /** For auth `header`. */
  authHeader?: string;
  caFile?: string;
  /** Backend name -> shown name. */
  environments: [string, string][];
}

/** The `runtimeLens.sources` entry for a draft, as it is written to settings. */
export function settingsEntry(d: SourceDraft): Record<string, unknown> {
  return {
    kind: d.kind,
    url: d.url,
    name: d.name,
    ...(d.auth !== 'none' ? { auth: d.auth } : {}),
    ...(d.auth === 'header' && d.authHeader ? { authHeader: d.authHeader } : {}),
    ...(d.caFile ? { caFile: d.caFile } : {}),
    ...(d.environments.length > 0 ? { environments: Object.fromEntries(d.environments) } : {}),
  };
}

/** The draft checked as settings would read it: the spec, or the one-line problem. */
export function draftSpec(d: SourceDraft): { spec?: SourceSpec; problem?: string } {
  const { specs, problems } = specsFromSettings([settingsEntry(d)]);
  return specs.length === 1 ? { spec: specs[0] } : { problem: (problems[0] ?? 'not a valid source').replace(/^runtimeLens\.sources\[0\]\.?/, '') };
}

/** '' when `text` is a URL a source of `kind` can have, else why not (shown under the input box as it is typed). */
export function urlProblem(kind: SourceKind, text: string): string {
  if (text.trim() === '') return "The backend's base URL, e.g. https://jaeger.example.com:16686";
  const { problem } = draftSpec({ kind, url: text.trim(), name: kind, auth: 'none', environments: [] });
  return problem ? problem.replace(/^url: /, '') : '';
}

/** '' when `name` may name a new source (not taken by another), else why not. */
export function nameProblem(name: string, taken: readonly string[]): string {
  if (!/^[\w .()-]{1,40}$/.test(name)) return 'Up to 40 letters, digits, spaces or ._-()';
  if (taken.includes(name)) return `A source is already named "${name}"`;
  return '';
}

/** The first free name for a new source of `kind`: the kind, then kind-2, kind-3, ... */
export function defaultSourceName(kind: SourceKind, taken: readonly string[]): string {
  if (!taken.includes(kind)) return kind;
  for (let n = 2; ; n++) if (!taken.includes(`${kind}-${n}`)) return `${kind}-${n}`;
}

/** Parses `prd=production, stg=staging` (empty = none); throws a one-line Error. */
export function parseEnvironmentMapping(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const theirs = eq < 0 ? '' : part.slice(0, eq).trim();
    const ours = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!theirs || !ours) throw new Error(`"${part}": write BACKEND=SHOWN, e.g. prd=production`);
    if (theirs.includes(':') || ours.includes(':')) throw new Error(`"${part}": environment names cannot hold ":"`);
    if (pairs.some(([t]) => t === theirs)) throw new Error(`"${theirs}" is mapped twice`);
    pairs.push([theirs, ours]);
  }
  return pairs;
}

/** '' when the secret fits the auth kind, else why not. */
export function secretProblem(auth: AuthKind, secret: string): string {
  if (secret === '') return 'Required';
  if (/[\r\n]/.test(secret)) return 'One line';
  if (auth === 'basic' && !secret.includes(':')) return 'Write user:password';
  return '';
}

/** The request headers a draft's secret gives (for the connection test; the receiver builds its own from the environment). */
export function draftHeaders(spec: SourceSpec, secret: string | undefined): Record<string, string> {
  if (spec.auth.kind === 'none' || !secret) return {};
  return authHeaders({ ...spec, auth: { ...spec.auth, env: 'SECRET' } }, { SECRET: secret });
}
