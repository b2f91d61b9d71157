import type { Node } from 'web-tree-sitter';
import { argumentsOf, calleeSegments, escapeRegExp } from '../syntax';
import type { RuleContext } from './context';

// expression shapes a call can sit in and still be the promise a wrapper races against a timer
const PASS_THROUGH = new Set(['await_expression', 'parenthesized_expression', 'arguments', 'array', 'as_expression', 'non_null_expression', 'satisfies_expression', 'member_expression', 'call_expression']);
const DEADLINE_CALLEE = /timeout|deadline/i;
// what the other racer of a `Promise.race` must mention to be a timer
const TIMER = /setTimeout|timeout|deadline|sleep|delay|timer/i;

/**
 * A request whose promise is handed to a deadline: `withTimeout(fetch(u), 5000)`,
 * `pTimeout(got(u), { milliseconds })`, `Promise.race([fetch(u), timeout(5000)])`, also through
 * `.then(...)` chains and `await`. The deadline lives in the wrapper, so the call is not a finding.
 */
export function raceAgainstDeadline(call: Node): boolean {
  let child = call;
  for (let p = call.parent; p && PASS_THROUGH.has(p.type); child = p, p = p.parent) {
    if (p.type === 'member_expression' && p.childForFieldName('object')?.id !== child.id) return false;
    if (p.type !== 'call_expression' || child.type !== 'arguments') continue;
    const segs = calleeSegments(p);
    const name = segs[segs.length - 1];
    if (DEADLINE_CALLEE.test(name)) return true;
    if (name === 'race' || name === 'any') {
      const racers = argumentsOf(p)[0];
      if (racers?.type === 'array' && racers.namedChildren.some((r) => r !== null && !contains(r, call) && TIMER.test(r.text))) return true;
    }
  }
  return false;
}

function contains(outer: Node, inner: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/**
 * An axios instance whose request interceptor sets a timeout on every config
 * (`api.interceptors.request.use((c) => ({ ...c, timeout: c.timeout ?? 5000 }))`), inline or
 * through a function of this file whose body mentions `timeout`.
 */
export function interceptorSetsTimeout(ctx: RuleContext, instance: string): boolean {
  const pattern = new RegExp(`${escapeRegExp(instance)}\\.interceptors\\.request\\.use\\(`);
  if (!pattern.test(ctx.text)) return false;
  for (const call of ctx.calls()) {
    const s = call.segments;
    if (s.join('.') !== `${instance}.interceptors.request.use`) continue;
    const handler = argumentsOf(call.node)[0];
    if (!handler) continue;
    if (/\btimeout\b/.test(handler.text)) return true;
    if (handler.type === 'identifier' && localDefinitionMentions(ctx, handler.text, /\btimeout\b/)) return true;
  }
  return false;
}

/** Whether a function or const of this file with that name has a body matching the pattern. */
function localDefinitionMentions(ctx: RuleContext, name: string, pattern: RegExp): boolean {
  const decl = ctx.nodes(['variable_declarator']).find((d) => d.childForFieldName('name')?.text === name);
  if (decl && pattern.test(decl.childForFieldName('value')?.text ?? '')) return true;
  const fn = ctx.root.descendantsOfType('function_declaration').find((f) => f?.childForFieldName('name')?.text === name);
  return !!fn && pattern.test(fn.text);
}

/**
 * `const init = { method: 'POST' }; init.signal = AbortSignal.timeout(5000)`: options declared
 * without the key and given it afterwards, so the literal alone does not tell.
 */
export function assignedLater(ctx: RuleContext, name: string, keys: readonly string[]): boolean {
  return new RegExp(`\\b${escapeRegExp(name)}\\.(${keys.map(escapeRegExp).join('|')})\\s*=[^=]`).test(ctx.text);
}

/**
 * `fetch(request)` where `request` is `new Request(url, init)` in this file (or the call's
 * argument is that expression): the init of the Request carries the signal, so return it.
 */
export function requestInit(ctx: RuleContext, arg: Node | undefined): Node | 'unknown' | null {
  if (!arg) return null;
  let value: Node | null | undefined = arg;
  if (arg.type === 'identifier') {
    value = ctx
      .nodes(['variable_declarator'])
      .find((d) => d.childForFieldName('name')?.text === arg.text)
      ?.childForFieldName('value');
  }
  if (value?.type !== 'new_expression' || value.childForFieldName('constructor')?.text !== 'Request') return null;
  const init = argumentsOf(value)[1];
  if (!init) {
    // `new Request(incoming)` copies another request's signal, which we cannot see; `new Request(url)` has none
    const first = argumentsOf(value)[0];
    return first?.type === 'identifier' && /req/i.test(first.text) ? 'unknown' : null;
  }
  return init.type === 'object' ? init : 'unknown';
}
