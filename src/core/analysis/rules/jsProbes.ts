import type { Node } from 'web-tree-sitter';
import { calleeSegments, callTypes, isComment } from '../syntax';
import { tryBody, tryOf } from './swallowIdioms';

// JavaScript/TypeScript catches cannot name a type, so what the try does decides whether its failure
// is the expected answer (issue 11 §1): a parse, tokenize or validation of a value (bad input is the
// case), a stat/access/resolve of a path or module (absent is the case), or a predicate answering
// `false`. A try that reaches the network (DNS, HTTP, a client, a socket) is never a probe: a failure
// there is an outage.

const JS_CALLS = callTypes('javascript');
const PARSE = /^(parse\w*|tokenize|validate\w*|\w*Validator|decode\w*|encode\w*|unescape|escape|atob|btoa|URL|RegExp|BigInt|fromJSON|fromString|structuredClone)$/;
const LOCATE = /^(stat|statSync|lstat|lstatSync|access|accessSync|existsSync|realpath|realpathSync|readlink|readlinkSync|resolve|isDirectory|isFile|isSymbolicLink)$/;
const PATH_HELPER = /^(join|resolve|dirname|basename|relative|normalize\w*|toNamespacedPath|\w*Path)$/;
const REMOTE = /^(dns|net|tls|http|https|http2|fetch|axios|got|request|superagent|undici|\w*[cC]lient|session|socket|connection|conn|pool|db|redis|mongo\w*)$/;

function lastSegment(call: Node): string {
  const segs = calleeSegments(call);
  return (segs[segs.length - 1] ?? '').replace(/\(\)$/, '');
}

function callsIn(node: Node): Node[] {
  return node.descendantsOfType(JS_CALLS).filter((c): c is Node => c !== null);
}

/** Whether any call in a node reaches outside the process (DNS, HTTP, a client, a socket). */
export function reachesNetwork(node: Node): boolean {
  return callsIn(node).some((c) => calleeSegments(c).some((s) => REMOTE.test(s.replace(/\(\)$/, ''))));
}

/**
 * A JS/TS catch whose try is a probe: every call in it parses, tokenizes or validates a value
 * (`espree.tokenize(key)`, `validator.validatePattern(p)`, `new URL(u)`), or stats, accesses or
 * resolves a path or module (`fs.lstatSync(cache)`, `ModuleResolver.resolve(name, base)`, with path
 * helpers beside it); or the handler answers `false` (`isPair`, `canBeDecoded`, `fileIsAccessible`).
 * None of these when the try reaches the network.
 */
export function jsProbe(handler: Node, stmts: readonly Node[]): boolean {
  const tryStmt = tryOf(handler);
  const body = tryStmt ? tryBody(tryStmt) : null;
  if (!body || reachesNetwork(body)) return false;
  if (answersFalse(stmts) && answersTrueElsewhere(handler)) return true;
  const calls = callsIn(body);
  if (calls.length === 0) return false;
  const handlerCalls = callsIn(handler);
  if (handlerCalls.length === 0 && calls.every((c) => PARSE.test(lastSegment(c)))) return true;
  // the fallback may build another path (`path.resolve(__dirname, "formatters", name)`)
  return handlerCalls.every((c) => PATH_HELPER.test(lastSegment(c))) && calls.some(locates) && calls.every((c) => locates(c) || PATH_HELPER.test(lastSegment(c)));
}

/** `fs.statSync(p)`, `fsp.access(p)`, `require.resolve(m)`, `ModuleResolver.resolve(m, base)`; not `path.resolve` or `Promise.resolve`. */
function locates(call: Node): boolean {
  const segs = calleeSegments(call);
  const last = lastSegment(call);
  return LOCATE.test(last) && !(last === 'resolve' && /^(path|Promise)$/.test(segs[segs.length - 2] ?? ''));
}

/** Whether the function around a node answers `true` somewhere (`return true`, `return !!x`): it is a predicate. */
function answersTrueElsewhere(node: Node): boolean {
  let fn: Node | null = node.parent;
  while (fn && !/^(function_declaration|function_expression|arrow_function|method_definition|function|generator_function_declaration)$/.test(fn.type)) fn = fn.parent;
  if (!fn) return false;
  return fn.descendantsOfType('return_statement').some((r) => /^return\s+(true|!!.+|!0)\s*;?$/s.test(r?.text ?? ''));
}

function answersFalse(stmts: readonly Node[]): boolean {
  if (stmts.length !== 1 || stmts[0].type !== 'return_statement') return false;
  const v = stmts[0].namedChildren.find((c) => c !== null && !isComment(c));
  return v !== undefined && v !== null && /^(false|!1)$/.test(v.text);
}

/**
 * `promise.catch(() => x)` that is a probe or a queue: on a stat/access of a path
 * (`fsp.stat(p).catch(() => {})`: absent is the case), or a promise chain serialising work through
 * one variable (`lock = lock.catch(() => null).then(next)`), where the earlier failure was already
 * delivered to the caller that awaited it and the catch only keeps the queue moving.
 */
export function promiseProbe(catchCall: Node, receiverRoot: string): boolean {
  const fn = catchCall.childForFieldName('function');
  const target = fn?.childForFieldName('object');
  if (target && JS_CALLS.includes(target.type) && locates(target) && !reachesNetwork(target)) return true;
  let up: Node | null = catchCall.parent;
  while (up && (up.type === 'member_expression' || up.type === 'call_expression' || up.type === 'await_expression')) up = up.parent;
  return up?.type === 'assignment_expression' && up.childForFieldName('left')?.text === receiverRoot;
}
