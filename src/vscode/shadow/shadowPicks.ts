/**
 * The "Shadow Run…" questions, one quick pick or input box each: traffic, target, baseline, budget.
 * The last run's answers come first, so Enter through every step runs it again.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GitPort } from '../../core/mapping/git';
import { isSafeRevision } from '../../core/mapping/git';
import { iconSafe } from '../../core/render/escape';
import { DEFAULT_SHADOW_BUDGET, healthProblem, PRODUCTION_TRACES, parseBudget, type ShadowBaseline, type ShadowChoice, type ShadowTarget, urlProblem } from '../../core/shadow/shadowChoice';

/** What the questions need to know. */
export interface PickContext {
  last: ShadowChoice | undefined;
  /** Whether Live Signals reads a Runtime Lens server now (its production traces can be the traffic). */
  tracesAvailable: boolean;
  workspace: vscode.Uri | undefined;
  git: GitPort | undefined;
  trusted: boolean;
}

type Item<T> = vscode.QuickPickItem & { value?: T };

const STEPS = 4;
const title = (step: number, what: string) => `Runtime Lens: Shadow Run (${step}/${STEPS}): ${what}`;
const BROWSE = Symbol('browse');
const TYPE = Symbol('type');
/** Traffic files listed from the workspace at most. */
const MAX_FILES = 30;

/** Asks every question; undefined when the user backs out (or a run that starts a process is refused). */
export async function pickShadowChoice(ctx: PickContext): Promise<ShadowChoice | undefined> {
  const traffic = await pickTraffic(ctx);
  if (!traffic) return undefined;
  const target = await pickTarget(ctx);
  if (!target) return undefined;
  const baseline = await pickBaseline(ctx, target);
  if (!baseline) return undefined;
  const budget = await vscode.window.showInputBox({
    title: title(4, 'budget'),
    prompt: 'How many requests to replay at most (the sample covers every route first)',
    value: String(ctx.last?.budget ?? DEFAULT_SHADOW_BUDGET),
    ignoreFocusOut: true,
    validateInput: (v) => {
      const parsed = parseBudget(v);
      return typeof parsed === 'string' ? `Give ${parsed}` : undefined;
    },
  });
  if (budget === undefined) return undefined;
  return { traffic, target, baseline, budget: parseBudget(budget) as number };
}

async function pickTraffic(ctx: PickContext): Promise<string | undefined> {
  const items: Item<string | typeof BROWSE>[] = [];
  const traces: Item<string> = {
    label: '$(pulse) Production traces',
    description: 'the requests Live Signals holds from production',
    detail: 'Server spans that recorded their path and query; those through code changed since the baseline go first',
    value: PRODUCTION_TRACES,
  };
  if (ctx.tracesAvailable && ctx.last?.traffic === PRODUCTION_TRACES) items.push({ ...traces, description: 'last used' });
  else if (ctx.last && ctx.last.traffic !== PRODUCTION_TRACES)
    items.push({ label: `$(history) ${iconSafe(path.basename(ctx.last.traffic))}`, description: 'last used', detail: iconSafe(ctx.last.traffic), value: ctx.last.traffic });
  if (ctx.tracesAvailable && ctx.last?.traffic !== PRODUCTION_TRACES) items.push(traces);
  if (ctx.workspace) {
    const found = await vscode.workspace.findFiles('**/*.{har,gor}', '**/node_modules/**', MAX_FILES);
    for (const uri of found.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
      if (uri.fsPath === ctx.last?.traffic) continue;
      items.push({ label: `$(file) ${iconSafe(path.basename(uri.fsPath))}`, description: iconSafe(vscode.workspace.asRelativePath(uri, false)), value: uri.fsPath });
    }
  }
  items.push({ label: '$(folder-opened) Choose a file…', description: '.har, .gor or .json', value: BROWSE });
  const picked = await vscode.window.showQuickPick(items, {
    title: title(1, 'traffic'),
    placeHolder: 'The recorded requests to replay (HAR from a browser or proxy, GoReplay .gor, or JSON)',
    ignoreFocusOut: true,
    matchOnDescription: true,
  });
  if (!picked || picked.value === undefined) return undefined;
  if (picked.value !== BROWSE) return picked.value;
  const chosen = await vscode.window.showOpenDialog({
    title: title(1, 'traffic'),
    canSelectMany: false,
    openLabel: 'Replay',
    defaultUri: ctx.workspace,
    filters: { 'Traffic (HAR, GoReplay, JSON)': ['har', 'gor', 'json'] },
  });
  return chosen?.[0]?.fsPath;
}

async function pickTarget(ctx: PickContext): Promise<ShadowTarget | undefined> {
  const last = ctx.last?.target;
  const items: Item<ShadowTarget | 'url' | 'start'>[] = [];
  if (last) {
    const label = last.kind === 'url' ? last.url : `${last.command} (health ${last.health})`;
    items.push({ label: `$(history) ${iconSafe(label)}`, description: last.kind === 'start' && !ctx.trusted ? 'last used · needs a trusted workspace' : 'last used', value: last });
  }
  items.push(
    { label: '$(play) Start it with a command…', description: ctx.trusted ? 'runs the command here, and at the baseline revision' : 'needs a trusted workspace', value: 'start' },
    { label: '$(globe) A build that is running…', description: 'its URL on this machine', value: 'url' },
  );
  const picked = await vscode.window.showQuickPick(items, { title: title(2, 'local build'), placeHolder: 'The build to replay the traffic against (the candidate)', ignoreFocusOut: true });
  if (!picked || picked.value === undefined) return undefined;
  if (typeof picked.value === 'object') return refuseUntrusted(picked.value, ctx);
  if (picked.value === 'url') {
    const url = await vscode.window.showInputBox({
      title: title(2, 'local build'),
      prompt: 'The URL of the running build (loopback only, unless the CLI allow-lists a host)',
      value: last?.kind === 'url' ? last.url : 'http://127.0.0.1:3000',
      ignoreFocusOut: true,
      validateInput: (v) => (urlProblem(v) ? `Give ${urlProblem(v)}` : undefined),
    });
    return url === undefined ? undefined : { kind: 'url', url: url.trim() };
  }
  if (!refuseUntrusted({ kind: 'start', command: '', health: '' }, ctx)) return undefined;
  const command = await vscode.window.showInputBox({
    title: title(2, 'start command'),
    prompt: 'The command that starts the build (it gets PORT and OTEL_EXPORTER_OTLP_ENDPOINT)',
    value: last?.kind === 'start' ? last.command : 'npm start',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Give a command' : undefined),
  });
  if (command === undefined) return undefined;
  const health = await vscode.window.showInputBox({
    title: title(2, 'health check'),
    prompt: 'The path that answers 2xx once the build is ready',
    value: last?.kind === 'start' ? last.health : '/health',
    ignoreFocusOut: true,
    validateInput: (v) => (healthProblem(v) ? `Give ${healthProblem(v)}` : undefined),
  });
  return health === undefined ? undefined : { kind: 'start', command: command.trim(), health: health.trim() };
}

function refuseUntrusted(target: ShadowTarget, ctx: PickContext): ShadowTarget | undefined {
  if (target.kind !== 'start' || ctx.trusted) return target;
  void vscode.window.showWarningMessage('Runtime Lens: a shadow run that starts a process needs a trusted workspace (Manage Workspace Trust).');
  return undefined;
}

async function pickBaseline(ctx: PickContext, target: ShadowTarget): Promise<ShadowBaseline | undefined> {
  const items: Item<ShadowBaseline | typeof TYPE>[] = [];
  const last = ctx.last?.baseline;
  const canRef = target.kind === 'start';
  if (last && (last.kind !== 'ref' || canRef)) {
    const label = last.kind === 'none' ? 'None' : last.kind === 'url' ? last.url : (last.label ?? last.ref);
    items.push({ label: `$(history) ${iconSafe(label)}`, description: 'last used', value: last });
  }
  items.push({ label: '$(circle-slash) None', description: 'compare with what production answered only', value: { kind: 'none' } });
  items.push({ label: '$(globe) A baseline that is running…', description: 'its URL on this machine', value: { kind: 'url', url: '' } });
  if (canRef) items.push(...(await refItems(ctx.git)));
  const picked = await vscode.window.showQuickPick(items, {
    title: title(3, 'baseline'),
    placeHolder: canRef ? 'What to compare with: a git revision runs in a temporary worktree with the same command' : 'What to compare with',
    ignoreFocusOut: true,
    matchOnDescription: true,
  });
  if (!picked || picked.value === undefined) return undefined;
  if (picked.value === TYPE) {
    const ref = await vscode.window.showInputBox({
      title: title(3, 'baseline revision'),
      prompt: 'A branch, tag or commit',
      ignoreFocusOut: true,
      validateInput: (v) => (isSafeRevision(v.trim()) ? undefined : 'Give a branch, tag or commit name (letters, digits, . _ / -)'),
    });
    return ref === undefined ? undefined : { kind: 'ref', ref: ref.trim() };
  }
  if (picked.value.kind === 'url' && picked.value.url === '') {
    const url = await vscode.window.showInputBox({
      title: title(3, 'baseline'),
      prompt: 'The URL of the running baseline build',
      value: last?.kind === 'url' ? last.url : 'http://127.0.0.1:3001',
      ignoreFocusOut: true,
      validateInput: (v) => (urlProblem(v) ? `Give ${urlProblem(v)}` : undefined),
    });
    return url === undefined ? undefined : { kind: 'url', url: url.trim() };
  }
  return picked.value;
}

/** HEAD~1 (as its commit: `~` is not a plain name the CLI takes), then branches and tags, newest first. */
async function refItems(git: GitPort | undefined): Promise<Item<ShadowBaseline | typeof TYPE>[]> {
  const items: Item<ShadowBaseline | typeof TYPE>[] = [];
  if (git) {
    const parent = (await git.run(['log', '-1', '--format=%H%x00%s', 'HEAD~1']).catch(() => '')).trim();
    const [sha, subject] = parent.split('\0');
    if (sha && /^[0-9a-f]{40}$/.test(sha))
      items.push({ label: '$(git-commit) HEAD~1', description: `${sha.slice(0, 8)} ${iconSafe(subject ?? '')}`, value: { kind: 'ref', ref: sha, label: `HEAD~1 (${sha.slice(0, 8)})` } });
    const refs = await git.run(['for-each-ref', '--sort=-creatordate', '--count=40', '--format=%(refname)', 'refs/heads', 'refs/tags']).catch(() => '');
    for (const full of refs.split('\n').filter((r) => r !== '')) {
      const tag = full.startsWith('refs/tags/');
      const name = full.replace(/^refs\/(heads|tags)\//, '');
      if (!isSafeRevision(name)) continue;
      items.push({ label: `${tag ? '$(tag)' : '$(git-branch)'} ${name}`, description: tag ? 'tag' : 'branch', value: { kind: 'ref', ref: name } });
    }
  }
  items.push({ label: '$(edit) Another revision…', description: 'a branch, tag or commit', value: TYPE });
  return items;
}
