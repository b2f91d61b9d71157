import type { Node } from 'web-tree-sitter';
import { hasKwargsSplat, keywordArgument, positionalArguments } from '../syntax';
import type { CallSite, RuleContext } from './context';
import { appendArgument, fix, replaceNode } from './fixes';

const VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request'];

function dotted(call: CallSite): string | null {
  const q = call.qualified;
  return q ? (q.path ? `${q.module}.${q.path}` : q.module) : null;
}

/** Checks Python calls for missing timeouts (requests, httpx, urllib, aiohttp). */
export function checkPythonTimeouts(ctx: RuleContext): void {
  const seconds = formatSeconds(ctx.options.fixTimeoutMs);
  const sessions = collectSessions(ctx);
  const aiohttpAlias = [...ctx.imports.bindings].find(([, b]) => b.module === 'aiohttp' && b.member === null)?.[0];
  for (const call of ctx.calls()) {
    const name = dotted(call);
    const node = call.node;
    if (name && /^requests(\.api)?\.(get|post|put|patch|delete|head|options|request)$/.test(name)) {
      requireTimeout(ctx, node, `no timeout on ${name.replace('.api', '')}`, seconds);
    } else if (name && /^httpx\.(get|post|put|patch|delete|head|options|request|stream|Client|AsyncClient|Timeout)$/.test(name)) {
      const t = name === 'httpx.Timeout' ? positionalArguments(node)[0] ?? keywordArgument(node, 'timeout') : keywordArgument(node, 'timeout');
      if (t?.type === 'none') ctx.report('missing-timeout', node, `timeout disabled on ${name} (timeout=None)`, fix('Set a timeout', replaceNode(t, seconds)));
    } else if (name === 'urllib.request.urlopen') {
      if (!keywordArgument(node, 'timeout') && positionalArguments(node).length < 3 && !hasKwargsSplat(node)) {
        ctx.report('missing-timeout', node, 'no timeout on urllib.request.urlopen', fix('Add timeout=', appendArgument(node, `timeout=${seconds}`)));
      }
    } else if (name === 'aiohttp.ClientSession' || name === 'aiohttp.request') {
      const t = keywordArgument(node, 'timeout');
      if ((!t && !hasKwargsSplat(node)) || t?.type === 'none') {
        const text = aiohttpAlias ? `${aiohttpAlias}.ClientTimeout(total=${seconds})` : null;
        const edit = text ? (t ? replaceNode(t, text) : appendArgument(node, `timeout=${text}`)) : null;
        ctx.report('missing-timeout', node, `no ClientTimeout on ${name}`, edit ? fix('Add timeout=ClientTimeout', edit) : undefined);
      }
    } else {
      const receiver = call.segments.slice(0, -1).join('.');
      const method = call.segments[call.segments.length - 1];
      const session = sessions.get(receiver);
      if (session && !session.safe && VERBS.includes(method)) requireTimeout(ctx, node, `no timeout on requests.Session.${method}`, seconds);
    }
  }
}

function requireTimeout(ctx: RuleContext, node: Node, message: string, seconds: string): void {
  if (hasKwargsSplat(node)) return; // the caller's **kwargs may carry it
  const t = keywordArgument(node, 'timeout');
  if (t && t.type !== 'none') return;
  const edit = t ? replaceNode(t, seconds) : appendArgument(node, `timeout=${seconds}`);
  ctx.report('missing-timeout', node, t ? message.replace('no timeout', 'timeout=None') : message, fix('Add timeout=', edit));
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(3).replace(/0+$/, '');
}

/**
 * `requests.Session()` objects by name (`s`, `self.session`). A session is safe when the module
 * mounts an adapter that sets a timeout on it, or replaces its `request` with one that does.
 */
function collectSessions(ctx: RuleContext): Map<string, { safe: boolean }> {
  const out = new Map<string, { safe: boolean }>();
  for (const call of ctx.calls()) {
    const name = dotted(call);
    if (name !== 'requests.Session' && name !== 'requests.session' && name !== 'requests.sessions.Session') continue;
    const p = call.node.parent;
    let target: string | undefined;
    if (p?.type === 'assignment') target = p.childForFieldName('left')?.text;
    else if (p?.type === 'as_pattern') target = p.childForFieldName('alias')?.text;
    if (target) out.set(target, { safe: false });
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
    const adapter = positionalArguments(call.node)[1];
    if (adapter?.type !== 'call') continue;
    const cls = adapter.childForFieldName('function')?.text.split('.').pop() ?? '';
    if (timeoutClasses.has(cls) || keywordArgument(adapter, 'timeout')) session.safe = true;
  }
  for (const a of ctx.nodes(['assignment'])) {
    const left = a.childForFieldName('left')?.text ?? '';
    const m = /^(.*)\.(request|get|post)$/.exec(left);
    if (m && out.has(m[1]) && /timeout\s*=/.test(a.childForFieldName('right')?.text ?? '')) out.get(m[1])!.safe = true;
  }
  return out;
}
