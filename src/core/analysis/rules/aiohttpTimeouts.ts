import type { Node } from 'web-tree-sitter';
import { argumentsOf, keywordArgument, positionalArguments } from '../syntax';
import type { CallSite, RuleContext } from './context';
import { appendArgument, fix, replaceNode } from './fixes';

/*
 * aiohttp has a finite default: `ClientSession()` and `aiohttp.request()` without `timeout=`, or
 * with `timeout=None`, use `DEFAULT_TIMEOUT = ClientTimeout(total=5 * 60, sock_connect=30)`
 * (aiohttp/client.py; "By default aiohttp uses a total 300 seconds (5min) timeout",
 * docs/client_quickstart.rst). That is a deadline, so it is not reported. What has none:
 * a `ClientTimeout` with every limit unset, None or 0, and a request on a session with
 * `timeout=None`/`0`, which aiohttp turns into `ClientTimeout(total=None)` (no limit at all).
 */

// ClientTimeout(total, connect, sock_read, sock_connect): the limits, in positional order
const LIMITS = ['total', 'connect', 'sock_read', 'sock_connect'];
const TIMEOUT_CALLS = new Set(['aiohttp.ClientTimeout', 'aiohttp.client.ClientTimeout']);
const SESSION_CALLS = new Set(['aiohttp.ClientSession', 'aiohttp.client.ClientSession']);
const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']);

function dotted(call: CallSite): string | null {
  const q = call.qualified;
  return q ? (q.path ? `${q.module}.${q.path}` : q.module) : null;
}

/** `None` or a literal zero: aiohttp reads both as "no limit". */
function disables(value: Node | undefined): boolean {
  if (!value) return false;
  if (value.type === 'none') return true;
  return (value.type === 'integer' || value.type === 'float') && Number(value.text.replace(/_/g, '')) === 0;
}

/** Names bound to an `aiohttp.ClientSession(...)` anywhere in the module (`s`, `self._session`). */
export function collectAiohttpSessions(ctx: RuleContext): Set<string> {
  const out = new Set<string>();
  for (const call of ctx.calls()) {
    if (!SESSION_CALLS.has(dotted(call) ?? '')) continue;
    const p = call.node.parent;
    const target = p?.type === 'assignment' ? p.childForFieldName('left') : p?.type === 'as_pattern' ? p.childForFieldName('alias') : null;
    if (target) out.add(target.text);
  }
  return out;
}

/**
 * Checks a call of aiohttp's own API (`ClientSession`, `request`, `ClientTimeout`); true when the
 * call is one of them, reported or not, so the caller looks no further.
 */
export function checkAiohttpCall(ctx: RuleContext, call: CallSite, seconds: string): boolean {
  const name = dotted(call);
  if (!name) return false;
  // no `timeout=`, or `timeout=None`: aiohttp's finite DEFAULT_TIMEOUT applies
  if (SESSION_CALLS.has(name) || name === 'aiohttp.request' || name === 'aiohttp.client.request') return true;
  if (!TIMEOUT_CALLS.has(name)) return false;
  checkClientTimeout(ctx, call.node, name, seconds);
  return true;
}

/** `session.get(url, timeout=None)` on an aiohttp session: no limit at all, not the session's default. */
export function checkAiohttpSessionCall(ctx: RuleContext, call: CallSite, sessions: ReadonlySet<string>, seconds: string): void {
  const receiver = call.segments.slice(0, -1).join('.');
  const method = call.segments[call.segments.length - 1];
  if (!sessions.has(receiver) || !VERBS.has(method)) return;
  const t = keywordArgument(call.node, 'timeout');
  if (t && disables(t)) {
    ctx.report('missing-timeout', call.node, `timeout disabled on aiohttp ClientSession.${method} (timeout=${t.text} means no limit, not the session's default)`, fix('Set a timeout', replaceNode(t, seconds)));
  }
}

function checkClientTimeout(ctx: RuleContext, node: Node, name: string, seconds: string): void {
  const args = argumentsOf(node);
  if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return;
  const positional = positionalArguments(node);
  const values = LIMITS.map((limit, i) => positional[i] ?? keywordArgument(node, limit));
  if (!values.every((v) => v === undefined || disables(v))) return;
  const total = values[0];
  const edit = total ? replaceNode(total, seconds) : appendArgument(node, `total=${seconds}`);
  const short = name.replace('.client.', '.');
  ctx.report('missing-timeout', node, `${short} sets no limit (total, connect, sock_read and sock_connect all unset, None or 0)`, fix('Set total=', edit));
}
