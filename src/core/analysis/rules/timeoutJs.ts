import type { Node } from 'web-tree-sitter';
import { argumentsOf, escapeRegExp, objectKeys } from '../syntax';
import type { CallSite, RuleContext } from './context';
import { addToObject, appendArgument, fix } from './fixes';
import { assignedLater, interceptorSetsTimeout, raceAgainstDeadline, requestInit } from './jsDeadlines';
import type { FixHint } from '../findings';

type Lib = 'axios' | 'got' | 'mysql2';

/** A client instance bound to a name, and whether it carries a timeout by default. */
interface Instance {
  lib: Lib;
  hasTimeout: boolean;
}

/** An options argument: a literal we can read, none, or something we cannot see into. */
type Options = { kind: 'object'; node: Node } | { kind: 'absent' } | { kind: 'unknown' };

const AXIOS_CONFIG_INDEX: Record<string, number> = { '': 0, request: 0, get: 1, delete: 1, head: 1, options: 1, post: 2, put: 2, patch: 2, postForm: 2, putForm: 2, patchForm: 2 };
const GOT_METHODS = ['', 'get', 'post', 'put', 'patch', 'delete', 'head', 'stream', 'paginate'];
const FETCH_MODULES = ['node-fetch', 'cross-fetch', 'isomorphic-fetch', 'undici'];

/** Checks JS/TS calls for missing timeouts. */
export function checkJsTimeouts(ctx: RuleContext): void {
  const ms = ctx.options.fixTimeoutMs;
  const instances = collectInstances(ctx);
  const axiosDefault = [...ctx.text.matchAll(/([\w$.]+)\.defaults\.timeout\s*=/g)].map((m) => m[1]);
  const axiosHasDefault = axiosDefault.some((name) => ctx.imports.bindings.get(name)?.module === 'axios');
  for (const [name, inst] of instances) {
    if (axiosDefault.includes(name) || (inst.lib === 'axios' && !inst.hasTimeout && interceptorSetsTimeout(ctx, name))) inst.hasTimeout = true;
  }

  for (const call of ctx.calls()) {
    const q = call.qualified;
    const segs = call.segments;
    if (raceAgainstDeadline(call.node)) continue;
    if (isFetch(ctx, call)) {
      const opts = fetchOptions(ctx, call.node);
      const keys = q?.module === 'node-fetch' ? ['signal', 'timeout'] : ['signal'];
      if (lacks(ctx, opts, keys)) {
        ctx.report('missing-timeout', call.node, 'no timeout on fetch (no AbortSignal)', jsFix(call.node, opts, 1, `signal: AbortSignal.timeout(${ms})`, 'Add signal: AbortSignal.timeout'));
      }
      continue;
    }
    if (call.node.type === 'new_expression') {
      checkDbClient(ctx, call);
      continue;
    }
    if (q?.module === 'axios' && q.path in AXIOS_CONFIG_INDEX) {
      if (!axiosHasDefault) checkAxios(ctx, call, q.path, ms, 'axios');
      continue;
    }
    const receiver = segs.slice(0, -1).join('.');
    const inst = instances.get(receiver) ?? (segs.length === 1 ? instances.get(segs[0]) : undefined);
    if (inst) {
      const method = segs.length === 1 ? '' : segs[segs.length - 1];
      if (inst.lib === 'axios' && method in AXIOS_CONFIG_INDEX && !inst.hasTimeout) checkAxios(ctx, call, method, ms, receiver || segs[0]);
      if (inst.lib === 'got' && GOT_METHODS.includes(method) && !inst.hasTimeout) checkGot(ctx, call, ms);
      if (inst.lib === 'mysql2' && (method === 'query' || method === 'execute')) checkMysqlQuery(ctx, call, ms);
      continue;
    }
    if (q?.module === 'got' && GOT_METHODS.includes(q.path)) checkGot(ctx, call, ms);
    else if ((q?.module === 'http' || q?.module === 'https') && (q.path === 'request' || q.path === 'get')) checkNodeHttp(ctx, call, q.module, ms);
    else if (q?.module === 'undici' && (q.path === 'request' || q.path === 'stream')) {
      const opts = optionsAt(ctx, call.node, 1);
      if (lacks(ctx, opts, ['signal', 'headersTimeout', 'bodyTimeout'])) {
        ctx.report('missing-timeout', call.node, `no timeout on undici.${q.path} (only undici's 300 s defaults apply)`, jsFix(call.node, opts, 1, `signal: AbortSignal.timeout(${ms})`, 'Add signal: AbortSignal.timeout'));
      }
    } else if ((q?.module === 'redis' && q.path === 'createClient') || (q?.module === 'ioredis' && (q.path === '' || q.path === 'Redis'))) {
      checkDbClient(ctx, call);
    }
  }
}

function isFetch(ctx: RuleContext, call: CallSite): boolean {
  const q = call.qualified;
  if (q) return FETCH_MODULES.includes(q.module) && (q.path === '' || q.path === 'fetch' || q.path === 'default');
  const s = call.segments;
  const global = s.length === 1 ? s[0] === 'fetch' : s.length === 2 && ['globalThis', 'window', 'self'].includes(s[0]) && s[1] === 'fetch';
  return global && call.node.type === 'call_expression' && !ctx.imports.declared.has('fetch');
}

/** fetch's init: the second argument, or the init of a `new Request(url, init)` passed alone. */
function fetchOptions(ctx: RuleContext, call: Node): Options {
  const args = argumentsOf(call);
  if (args.length === 1) {
    const init = requestInit(ctx, args[0]);
    if (init === 'unknown') return { kind: 'unknown' };
    if (init) return { kind: 'object', node: init };
  }
  return optionsAt(ctx, call, 1);
}

function checkAxios(ctx: RuleContext, call: CallSite, method: string, ms: number, label: string): void {
  const args = argumentsOf(call.node);
  let index = AXIOS_CONFIG_INDEX[method];
  // axios(url, config) / instance(url, config)
  if (method === '' && args[0] && args[0].type !== 'object' && args[0].type !== 'identifier') index = 1;
  const opts = optionsAt(ctx, call.node, index);
  if (!lacks(ctx, opts, ['timeout', 'signal'])) return;
  const name = method ? `${label}.${method}` : label;
  ctx.report('missing-timeout', call.node, `no timeout on ${name}`, jsFix(call.node, opts, index, `timeout: ${ms}`, 'Add timeout'));
}

function checkGot(ctx: RuleContext, call: CallSite, ms: number): void {
  const args = argumentsOf(call.node);
  const index = args[0]?.type === 'object' ? 0 : 1;
  const opts = optionsAt(ctx, call.node, index);
  if (lacks(ctx, opts, ['timeout', 'signal'])) ctx.report('missing-timeout', call.node, 'no timeout on got', jsFix(call.node, opts, index, `timeout: { request: ${ms} }`, 'Add timeout'));
}

function checkNodeHttp(ctx: RuleContext, call: CallSite, module: string, ms: number): void {
  const args = argumentsOf(call.node);
  const objIndex = args.findIndex((a) => a.type === 'object');
  let opts: Options = objIndex >= 0 ? { kind: 'object', node: args[objIndex] } : { kind: 'absent' };
  for (let i = 0; opts.kind === 'absent' && i < Math.min(2, args.length); i++) {
    if (args[i].type !== 'identifier') continue;
    const resolved = optionsAt(ctx, call.node, i);
    // an unresolved name like `options` may carry a timeout; one like `url` cannot
    if (resolved.kind === 'object' || /opt|conf|param|setting|req/i.test(args[i].text)) opts = resolved;
  }
  if (!lacks(ctx, opts, ['timeout', 'signal'])) return;
  // `req.setTimeout(...)` / `.on('timeout', ...)` on the returned request counts
  const parent = call.node.parent;
  if (parent?.type === 'member_expression' && /^(setTimeout|on)$/.test(parent.childForFieldName('property')?.text ?? '')) return;
  const decl = parent?.type === 'variable_declarator' ? parent.childForFieldName('name')?.text : undefined;
  if (decl && new RegExp(`\\b${escapeRegExp(decl)}\\.(setTimeout\\(|on\\(\\s*['"]timeout)`).test(ctx.text)) return;
  const f = opts.kind === 'object' ? fix('Add signal: AbortSignal.timeout', addToObject(opts.node, `signal: AbortSignal.timeout(${ms})`)) : undefined;
  ctx.report('missing-timeout', call.node, `no timeout on ${module}.${call.qualified?.path}`, f);
}

function checkMysqlQuery(ctx: RuleContext, call: CallSite, ms: number): void {
  const first = argumentsOf(call.node)[0];
  if (!first) return;
  if (first.type === 'object') {
    if (lacks(ctx, { kind: 'object', node: first }, ['timeout'])) ctx.report('missing-timeout', call.node, 'no timeout on mysql2 query', fix('Add timeout', addToObject(first, `timeout: ${ms}`)));
    return;
  }
  ctx.report('missing-timeout', call.node, 'no timeout on mysql2 query', fix('Add timeout', { ...rangeEdit(first), text: `{ sql: ${first.text}, timeout: ${ms} }` }));
}

const DB_CLIENTS: { module: string; paths: string[]; keys: RegExp; label: string; entry?: (ms: number) => string }[] = [
  { module: 'pg', paths: ['Pool', 'Client'], keys: /statement_timeout|query_timeout/, label: 'pg', entry: (ms) => `statement_timeout: ${ms}` },
  { module: 'ioredis', paths: ['', 'Redis', 'Cluster'], keys: /timeout/i, label: 'ioredis', entry: (ms) => `commandTimeout: ${ms}` },
  { module: 'redis', paths: ['createClient', 'createCluster'], keys: /timeout/i, label: 'redis' },
];

function checkDbClient(ctx: RuleContext, call: CallSite): void {
  const q = call.qualified;
  if (!q) return;
  const spec = DB_CLIENTS.find((c) => c.module === q.module && c.paths.includes(q.path));
  if (!spec) return;
  const opts = optionsAt(ctx, call.node, 0);
  if (opts.kind === 'unknown') return;
  if (opts.kind === 'object') {
    if (objectKeys(opts.node).spread || spec.keys.test(keysDeep(opts.node))) return;
  }
  const entry = spec.entry?.(ctx.options.fixTimeoutMs);
  const f = entry ? fix('Add timeout', opts.kind === 'object' ? addToObject(opts.node, entry) : appendArgument(call.node, `{ ${entry} }`)) : undefined;
  ctx.report('missing-timeout', call.node, `no timeout on ${spec.label} client`, f);
}

function keysDeep(obj: Node): string {
  return (
    obj
      .descendantsOfType(['property_identifier', 'shorthand_property_identifier'])
      .map((n) => n?.text ?? '')
      .join(' ') +
    ' ' +
    obj.text.match(/statement_timeout|query_timeout/g)?.join(' ')
  );
}

function rangeEdit(node: Node) {
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1, endLine: node.endPosition.row + 1, endColumn: node.endPosition.column + 1 };
}

/** The options argument at an index: the literal, resolved through a local `const opts = {...}`. */
function optionsAt(ctx: RuleContext, call: Node, index: number): Options {
  const args = argumentsOf(call);
  const arg = args[index];
  if (!arg) return args.some((a) => a.type === 'spread_element') ? { kind: 'unknown' } : { kind: 'absent' };
  if (arg.type === 'object') return { kind: 'object', node: arg };
  if (arg.type === 'identifier') {
    const decl = ctx.nodes(['variable_declarator']).find((d) => d.childForFieldName('name')?.text === arg.text && d.childForFieldName('value')?.type === 'object');
    const value = decl?.childForFieldName('value');
    if (value) return assignedLater(ctx, arg.text, ['signal', 'timeout']) ? { kind: 'unknown' } : { kind: 'object', node: value };
  }
  return { kind: 'unknown' };
}

/** Whether the options lack every one of the keys (unknown options never lack). */
function lacks(ctx: RuleContext, opts: Options, keys: readonly string[]): boolean {
  if (opts.kind === 'unknown') return false;
  if (opts.kind === 'absent') return true;
  const { keys: have, spread } = objectKeys(opts.node);
  if (spread) return false;
  void ctx;
  return !keys.some((k) => have.has(k));
}

function jsFix(call: Node, opts: Options, index: number, entry: string, title: string): FixHint | undefined {
  if (opts.kind === 'object') {
    // only edit the literal when it is the argument itself (not a shared `const opts`)
    if (opts.node.parent?.type === 'arguments') return fix(title, addToObject(opts.node, entry));
    return undefined;
  }
  const count = argumentsOf(call).length;
  if (count > index || count === 0) return undefined;
  const padding = Array.from({ length: index - count }, () => 'undefined');
  return fix(title, appendArgument(call, [...padding, `{ ${entry} }`].join(', ')));
}

/** Names bound to client instances: `const api = axios.create({...})`, `this.http = got.extend(...)`. */
function collectInstances(ctx: RuleContext): Map<string, Instance> {
  const out = new Map<string, Instance>();
  for (const call of ctx.calls()) {
    const q = call.qualified;
    let lib: Lib | null = null;
    if (q?.module === 'axios' && q.path === 'create') lib = 'axios';
    else if (q?.module === 'got' && q.path === 'extend') lib = 'got';
    else if ((q?.module === 'mysql2' || q?.module === 'mysql2/promise') && /^create(Pool|Connection)$/.test(q.path)) lib = 'mysql2';
    if (!lib) continue;
    let target = call.node.parent;
    if (target?.type === 'await_expression') target = target.parent;
    let name: string | undefined;
    if (target?.type === 'variable_declarator') name = target.childForFieldName('name')?.text;
    else if (target?.type === 'assignment_expression') name = target.childForFieldName('left')?.text;
    else if (target?.type === 'public_field_definition') name = `this.${target.childForFieldName('name')?.text}`;
    if (!name) continue;
    const opts = optionsAt(ctx, call.node, 0);
    const hasTimeout = opts.kind === 'unknown' || (opts.kind === 'object' && !lacks(ctx, opts, ['timeout', 'signal']));
    const prev = out.get(name);
    out.set(name, { lib, hasTimeout: hasTimeout || (prev?.hasTimeout ?? false) });
  }
  return out;
}
