import type { Node } from 'web-tree-sitter';
import { keywordArgument, positionalArguments } from '../syntax';
import type { CallSite, RuleContext } from './context';

/** A `requests.Session()` bound to a name: where it is bound, and where a default timeout covers it. */
export interface SessionBinding {
  /** Functions (by node id) binding the name; MODULE for module level. */
  scopes: Set<number>;
  /** The scopes whose session has a timeout adapter or a `request` with a timeout. */
  safe: Set<number>;
}

const MODULE = 0;
// `self.session`: an attribute, one session for the whole class
const ATTRIBUTE = -1;
const SESSION_CALLS = new Set(['requests.Session', 'requests.session', 'requests.sessions.Session']);

function dotted(call: CallSite): string | null {
  const q = call.qualified;
  return q ? (q.path ? `${q.module}.${q.path}` : q.module) : null;
}

/** The function a node sits in (null at module level). */
function functionOf(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}

/**
 * `requests.Session()` objects by name (`s`, `self.session`). A session is safe when the module
 * mounts an adapter that sets a timeout on it (`TimeoutHTTPAdapter(timeout=5)`, inline or through a
 * variable, or any adapter class named for a timeout or defined here mentioning one), or replaces
 * its `request` with one that does (`s.request = functools.partial(s.request, timeout=5)`).
 */
export function collectSessions(ctx: RuleContext): Map<string, SessionBinding> {
  const out = new Map<string, SessionBinding>();
  for (const call of ctx.calls()) {
    if (!SESSION_CALLS.has(dotted(call) ?? '')) continue;
    const p = call.node.parent;
    let target: string | undefined;
    if (p?.type === 'assignment') target = p.childForFieldName('left')?.text;
    else if (p?.type === 'as_pattern') target = p.childForFieldName('alias')?.text;
    if (!target) continue;
    const b = out.get(target) ?? { scopes: new Set<number>(), safe: new Set<number>() };
    b.scopes.add(functionOf(call.node)?.id ?? MODULE);
    out.set(target, b);
  }
  if (out.size === 0) return out;
  const timeoutClasses = new Set<string>();
  for (const cls of ctx.nodes(['class_definition'])) {
    const n = cls.childForFieldName('name')?.text;
    if (n && /\btimeout\b/.test(cls.childForFieldName('body')?.text ?? '')) timeoutClasses.add(n);
  }
  for (const call of ctx.calls()) {
    const segs = call.segments;
    const receiver = segs.slice(0, -1).join('.');
    const session = out.get(receiver);
    if (!session || segs[segs.length - 1] !== 'mount') continue;
    const adapter = adapterCall(ctx, positionalArguments(call.node)[1] ?? keywordArgument(call.node, 'adapter'));
    if (!adapter) continue;
    const cls = adapter.childForFieldName('function')?.text.split('.').pop() ?? '';
    if (timeoutClasses.has(cls) || /timeout/i.test(cls) || keywordArgument(adapter, 'timeout')) markSafe(ctx, call.node, receiver, session);
  }
  for (const a of ctx.nodes(['assignment'])) {
    const left = a.childForFieldName('left')?.text ?? '';
    const m = /^(.*)\.(request|get|post)$/.exec(left);
    const session = m ? out.get(m[1]) : undefined;
    if (m && session && /timeout\s*=/.test(a.childForFieldName('right')?.text ?? '')) markSafe(ctx, a, m[1], session);
  }
  return out;
}

function markSafe(ctx: RuleContext, at: Node, name: string, binding: SessionBinding): void {
  const scope = sessionScope(ctx, at, name, binding);
  if (scope !== null) binding.safe.add(scope);
}

/** Whether a call on the name reaches a requests session that no default timeout covers. */
export function unsafeSessionAt(ctx: RuleContext, call: Node, name: string, binding: SessionBinding): boolean {
  const scope = sessionScope(ctx, call, name, binding);
  return scope !== null && !binding.safe.has(scope);
}

/** The adapter passed to `mount`: the call itself, or the call a variable of the same function (or module) was bound to. */
function adapterCall(ctx: RuleContext, arg: Node | undefined): Node | null {
  if (!arg) return null;
  if (arg.type === 'call') return arg;
  if (arg.type !== 'identifier') return null;
  const scope = functionOf(arg);
  const bound = ctx.nodes(['assignment']).filter((a) => a.childForFieldName('left')?.text === arg.text && a.childForFieldName('right')?.type === 'call');
  const here = bound.filter((a) => functionOf(a)?.id === scope?.id);
  const pick = (here.length > 0 ? here : bound.filter((a) => functionOf(a) === null)).at(-1);
  return pick?.childForFieldName('right') ?? null;
}

/**
 * Where the session a node sees under a plain name was bound (null: not a requests session): in
 * the node's function or an enclosing one before anything shadows it, in a function of this file
 * that builds it (`session = sync_session()`), or at module level with no parameter or other
 * assignment of the name on the way. `def fetch(session: httpx.Client)` has its own `session`,
 * whatever another function of the module assigns to the name.
 */
function sessionScope(ctx: RuleContext, at: Node, name: string, binding: SessionBinding): number | null {
  if (name.includes('.')) return ATTRIBUTE;
  for (let fn = functionOf(at); fn; fn = functionOf(fn)) {
    if (binding.scopes.has(fn.id)) return fn.id;
    if (declaresParameter(fn, name)) return null;
    const assigned = assignments(ctx, fn, name, binding);
    if (assigned === 'other') return null;
    if (assigned !== 'none') return assigned.factory;
  }
  return binding.scopes.has(MODULE) ? MODULE : null;
}

function declaresParameter(fn: Node, name: string): boolean {
  const params = fn.childForFieldName('parameters');
  return (
    !!params &&
    params.namedChildren.some((p) => {
      if (!p) return false;
      const id = p.type === 'identifier' ? p : (p.namedChildren.find((c) => c?.type === 'identifier') ?? p.childForFieldName('name'));
      return id?.text === name;
    })
  );
}

/**
 * How this very function (not nested ones) assigns the name: only from a function of this file
 * that builds a session (`session = sync_session()`: still a session), from anything else, or not.
 */
function assignments(ctx: RuleContext, fn: Node, name: string, binding: SessionBinding): { factory: number } | 'other' | 'none' {
  const factories = new Map<string, number>();
  for (const d of ctx.nodes(['function_definition'])) {
    const n = d.childForFieldName('name')?.text;
    if (n && binding.scopes.has(d.id)) factories.set(n, d.id);
  }
  const own = ctx.nodes(['assignment']).filter((a) => a.childForFieldName('left')?.text === name && functionOf(a)?.id === fn.id);
  if (own.length === 0) return 'none';
  const ids = own.map((a) => {
    const right = a.childForFieldName('right');
    return right?.type === 'call' ? factories.get(right.childForFieldName('function')?.text ?? '') : undefined;
  });
  return ids.every((id) => id !== undefined && id === ids[0]) ? { factory: ids[0]! } : 'other';
}
