import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { probeSource, type ProbeResult } from '../core/sources/probeSource';
import { SOURCE_KINDS, type AuthKind, type SourceKind } from '../core/sources/sourceSpec';
import type { LiveConfig } from './config';
import { SECTION, Settings } from './ids';
import type { SourceSecrets } from './sourceSecrets';
import { defaultSourceName, draftHeaders, draftSpec, nameProblem, parseEnvironmentMapping, secretProblem, settingsEntry, urlProblem, type SourceDraft } from './sourcesEntry';

const TITLE = 'Runtime Lens: Add Telemetry Source';

const KIND_ITEMS: Record<SourceKind, { detail: string; example: string }> = {
  jaeger: { detail: 'Jaeger v2 query API (/api/v3): sampled traces, errors and exemplars', example: 'http://localhost:16686' },
  prometheus: { detail: 'Span metrics in Prometheus (collector spanmetrics, Tempo metrics-generator): exact rates and percentiles', example: 'http://localhost:9090' },
  tempo: { detail: 'Grafana Tempo: TraceQL search, traces and TraceQL metrics', example: 'http://localhost:3200' },
  loki: { detail: 'Grafana Loki: exception logs become error groups on their lines', example: 'http://localhost:3100' },
};

const AUTH_ITEMS: { auth: AuthKind; label: string; detail: string }[] = [
  { auth: 'none', label: 'No credentials', detail: 'The backend is open to this machine' },
  { auth: 'bearer', label: 'Bearer token', detail: 'Authorization: Bearer <token>' },
  { auth: 'basic', label: 'Basic (user:password)', detail: 'Authorization: Basic' },
  { auth: 'header', label: 'Custom header', detail: 'A header of your choice carries the secret (e.g. X-Scope-OrgID, X-API-Key)' },
];

/** The sources' settings, their secrets and a logger: what the two commands work on. */
export interface SourcesCommandDeps {
  config: LiveConfig;
  secrets: SourceSecrets;
  log: Logger;
}

/**
 * Runtime Lens: Add Telemetry Source…: kind, URL (checked as typed), name, auth and its secret,
 * CA file, environment mapping, then a connection test before saving. The entry goes to the
 * workspace settings (user settings without a folder); the secret to SecretStorage only.
 */
export async function addTelemetrySource(deps: SourcesCommandDeps): Promise<boolean> {
  let draft: Partial<SourceDraft> = {};
  let secret: string | undefined;
  for (;;) {
    const collected = await collect(deps, draft, secret);
    if (!collected) return false;
    ({ draft, secret } = collected);
    const full = collected.draft;
    const { spec, problem } = draftSpec(full);
    if (!spec) {
      void vscode.window.showErrorMessage(`${TITLE}: ${problem}`);
      continue;
    }
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Testing ${full.name} at ${spec.url}…`, cancellable: true },
      (_progress, token) =>
        new Promise<ProbeResult | undefined>((resolve) => {
          token.onCancellationRequested(() => resolve(undefined));
          void probeSource(spec, draftHeaders(spec, secret)).then(resolve);
        }),
    );
    if (result === undefined) return false;
    if (!result.ok) {
      deps.log.warn(`connection test of ${full.name} failed: ${result.error}`);
      const pick = await vscode.window.showWarningMessage(`Runtime Lens: ${result.error}`, { modal: false }, 'Save anyway', 'Edit', 'Cancel');
      if (pick === 'Edit') continue;
      if (pick !== 'Save anyway') return false;
    } else deps.log.info(`connection test of ${full.name}: ${result.detail}`);
    const where = await save(deps, full, spec, secret);
    void vscode.window.showInformationMessage(`Runtime Lens: added ${full.name} (${full.kind}) to the ${where} settings${result.ok ? `: ${result.detail}` : ''}.`);
    return true;
  }
}

async function collect(deps: SourcesCommandDeps, previous: Partial<SourceDraft>, previousSecret: string | undefined): Promise<{ draft: SourceDraft; secret: string | undefined } | undefined> {
  const kindPick = await vscode.window.showQuickPick(
    SOURCE_KINDS.map((k) => ({ label: k, detail: KIND_ITEMS[k].detail, picked: k === previous.kind })),
    { title: `${TITLE} (1/6): kind`, placeHolder: 'Which backend holds the telemetry?', ignoreFocusOut: true },
  );
  if (!kindPick) return undefined;
  const kind = kindPick.label as SourceKind;
  const url = await vscode.window.showInputBox({
    title: `${TITLE} (2/6): URL`,
    prompt: `The ${kind} query API's base URL (no credentials in it)`,
    placeHolder: KIND_ITEMS[kind].example,
    value: previous.kind === kind ? previous.url : undefined,
    ignoreFocusOut: true,
    validateInput: (text) => urlProblem(kind, text) || undefined,
  });
  if (url === undefined) return undefined;
  const taken = deps.config.current.sources.map((s) => s.name);
  const name = await vscode.window.showInputBox({
    title: `${TITLE} (3/6): name`,
    prompt: 'How the source is named in the status bar, the panel and messages',
    value: previous.name ?? defaultSourceName(kind, taken),
    ignoreFocusOut: true,
    validateInput: (text) => nameProblem(text.trim(), taken) || undefined,
  });
  if (name === undefined) return undefined;
  const authPick = await vscode.window.showQuickPick(
    AUTH_ITEMS.map((a) => ({ ...a, picked: a.auth === previous.auth })),
    { title: `${TITLE} (4/6): credentials`, placeHolder: "How are requests authorized? (the secret is kept in the editor's secret storage)", ignoreFocusOut: true },
  );
  if (!authPick) return undefined;
  const auth = authPick.auth;
  let authHeader: string | undefined;
  let secret: string | undefined;
  if (auth === 'header') {
    authHeader = await vscode.window.showInputBox({
      title: `${TITLE}: header name`,
      value: previous.authHeader,
      placeHolder: 'X-Scope-OrgID',
      ignoreFocusOut: true,
      validateInput: (t) => (/^[A-Za-z0-9-]+$/.test(t) ? undefined : 'A header name: letters, digits and -'),
    });
    if (authHeader === undefined) return undefined;
  }
  if (auth !== 'none') {
    secret = await vscode.window.showInputBox({
      title: `${TITLE}: ${auth === 'bearer' ? 'token' : auth === 'basic' ? 'user:password' : `value of ${authHeader}`}`,
      prompt: "Stored in the editor's secret storage, never in settings or logs",
      password: true,
      ignoreFocusOut: true,
      value: previous.auth === auth ? previousSecret : undefined,
      validateInput: (t) => secretProblem(auth, t) || undefined,
    });
    if (secret === undefined) return undefined;
  }
  const caFile = await pickCaFile(previous.caFile);
  if (caFile === null) return undefined;
  const envText = await vscode.window.showInputBox({
    title: `${TITLE} (6/6): environments (optional)`,
    prompt: "The backend's environment names and the names shown, e.g. prd=production, stg=staging; empty keeps them as they are",
    value: (previous.environments ?? []).map(([t, o]) => `${t}=${o}`).join(', '),
    ignoreFocusOut: true,
    validateInput: (t) => {
      try {
        parseEnvironmentMapping(t);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  if (envText === undefined) return undefined;
  const draft: SourceDraft = { kind, url: url.trim(), name: name.trim(), auth, environments: parseEnvironmentMapping(envText), ...(authHeader ? { authHeader } : {}), ...(caFile ? { caFile } : {}) };
  return { draft, secret };
}

/** The CA file: '' for none, null when the user backed out. */
async function pickCaFile(previous: string | undefined): Promise<string | null> {
  const items = [
    { label: 'System certificates', detail: 'Trust the certificate authorities this machine trusts (and plain http)', id: 'none' },
    { label: 'Choose a CA file…', detail: "A PEM file of the authority that signed the backend's certificate (TLS is always verified)", id: 'pick' },
    ...(previous ? [{ label: previous, detail: 'The CA file chosen before', id: 'keep' }] : []),
  ];
  const pick = await vscode.window.showQuickPick(items, { title: `${TITLE} (5/6): TLS`, placeHolder: 'Which certificate authorities verify the backend?', ignoreFocusOut: true });
  if (!pick) return null;
  if (pick.id === 'none') return '';
  if (pick.id === 'keep') return previous ?? '';
  const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Trust this CA', filters: { 'PEM certificates': ['pem', 'crt', 'cer'], 'All files': ['*'] } });
  return files?.[0]?.fsPath ?? null;
}

/** Writes the secret first (a restart triggered by the settings change must find it), then the entry. */
async function save(deps: SourcesCommandDeps, draft: SourceDraft, spec: { name: string; url: string }, secret: string | undefined): Promise<'workspace' | 'user'> {
  if (secret) await deps.secrets.store(spec, secret);
  const settings = vscode.workspace.getConfiguration(SECTION);
  const inspected = settings.inspect<unknown[]>(Settings.sources);
  // A workspace list replaces the user's (settings do not merge lists): add where the sources in force live.
  const target = inspected?.workspaceValue !== undefined || (inspected?.globalValue === undefined && vscode.workspace.workspaceFolders?.length) ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const own = (target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue) ?? [];
  await settings.update(Settings.sources, [...(Array.isArray(own) ? own : []), { ...settingsEntry(draft), url: spec.url }], target);
  deps.log.info(`added source ${draft.name} (${draft.kind} at ${spec.url}) to the ${target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} settings${secret ? '; its secret is in SecretStorage' : ''}`);
  return target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user';
}

/** Runtime Lens: Remove Telemetry Source…: removes the entry from the settings it is in, and its secret. */
export async function removeTelemetrySource(deps: SourcesCommandDeps): Promise<boolean> {
  const settings = vscode.workspace.getConfiguration(SECTION);
  const inspected = settings.inspect<unknown[]>(Settings.sources);
  const scopes = [
    { target: vscode.ConfigurationTarget.Workspace, label: 'workspace', list: inspected?.workspaceValue },
    { target: vscode.ConfigurationTarget.Global, label: 'user', list: inspected?.globalValue },
  ];
  const specs = deps.config.current.sources;
  const items: (vscode.QuickPickItem & { target: vscode.ConfigurationTarget; index: number; list: unknown[]; name: string; url: string })[] = [];
  for (const scope of scopes) {
    if (!Array.isArray(scope.list)) continue;
    scope.list.forEach((entry, index) => {
      const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
      const kind = typeof e.kind === 'string' ? e.kind : '?';
      const url = typeof e.url === 'string' ? e.url : '';
      const name = typeof e.name === 'string' ? e.name : (specs.find((s) => s.kind === kind && s.url === url.replace(/\/+$/, ''))?.name ?? kind);
      items.push({ label: name, description: `${kind} · ${url}`, detail: `${scope.label} settings`, target: scope.target, index, list: scope.list as unknown[], name, url: url.replace(/\/+$/, '') });
    });
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage('Runtime Lens: no telemetry source is configured. Add one with "Runtime Lens: Add Telemetry Source…".');
    return false;
  }
  const pick = await vscode.window.showQuickPick(items, { title: 'Runtime Lens: Remove Telemetry Source', placeHolder: 'The source to remove (its stored secret is deleted too)' });
  if (!pick) return false;
  await settings.update(
    Settings.sources,
    pick.list.filter((_, i) => i !== pick.index),
    pick.target,
  );
  await deps.secrets.delete({ name: pick.name, url: pick.url });
  deps.log.info(`removed source ${pick.name} from the ${pick.detail}`);
  return true;
}
