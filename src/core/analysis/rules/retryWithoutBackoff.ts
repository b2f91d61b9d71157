import type { Node } from 'web-tree-sitter';
import type { Language } from '../findings';
import { callTypes, calleeSegments } from '../syntax';
import type { Rule, RuleContext } from './context';

const LOOPS: Record<string, string[]> = {
  js: ['for_statement', 'while_statement', 'do_statement', 'for_in_statement'],
  python: ['while_statement', 'for_statement'],
  go: ['for_statement'],
  java: ['for_statement', 'while_statement', 'do_statement', 'enhanced_for_statement'],
};
// word starts only: `attempts`, `maxRetries`, `max_retries`, but not `Object.entries`
const RETRY_NAME = /(^|[^a-z])(retr(y|ies)|attempts?|tries)|Retr(y|ies)|Attempts?|Tries|RETR(Y|IES)|ATTEMPTS?/;
const SLEEP =
  /^(setTimeout|sleep|delay|wait|time\.sleep|asyncio\.sleep|time\.Sleep|Thread\.sleep|TimeUnit\.\w+\.sleep|\w+\.sleep|setTimeoutPromise|timers\.setTimeout|promisify\(setTimeout\)|\w*[sS]leep\w*|\w*[dD]elay\w*|\w*[bB]ackoff\w*)$/;

function family(language: Language): string {
  return language === 'python' || language === 'go' || language === 'java' ? language : 'js';
}

/** `retry-without-backoff`: a retry loop with no growing delay, or with no bound on attempts. */
export const retryWithoutBackoff: Rule = {
  id: 'retry-without-backoff',
  languages: ['typescript', 'tsx', 'javascript', 'python', 'go', 'java'],
  check(ctx) {
    for (const loop of ctx.nodes(LOOPS[family(ctx.language)])) {
      if (!isRetryLoop(ctx, loop)) continue;
      const bounded = hasBound(ctx, loop);
      const backoff = hasGrowingDelay(ctx, loop);
      if (bounded && backoff) continue;
      const what = !bounded && !backoff ? 'no backoff and no attempt limit' : !bounded ? 'no attempt limit' : hasAnyDelay(ctx, loop) ? 'a fixed delay (no backoff)' : 'no delay between attempts';
      ctx.report('retry-without-backoff', loop, `retry loop with ${what}`, undefined, headerRange(loop));
    }
  },
};

function headerRange(loop: Node) {
  const line = loop.startPosition.row + 1;
  const lineEnd = loop.text.indexOf('\n');
  return { line, column: loop.startPosition.column + 1, endLine: line, endColumn: loop.startPosition.column + 1 + (lineEnd < 0 ? loop.text.length : lineEnd) };
}

function bodyOf(loop: Node): Node | null {
  return loop.childForFieldName('body') ?? loop.namedChildren.find((c) => c?.type === 'block') ?? null;
}

/**
 * A loop is a retry when it leaves on success from inside a try (or, in Go, on `err == nil`),
 * or when its own header or counters are named like retries/attempts.
 */
function isRetryLoop(ctx: RuleContext, loop: Node): boolean {
  const body = bodyOf(loop);
  if (!body) return false;
  if (body.descendantsOfType(callTypes(ctx.language)).length === 0) return false;
  const header = loop.text.slice(0, body.startIndex - loop.startIndex);
  if (RETRY_NAME.test(header)) return true;
  // iterating over items (`for (const path of paths)`) tries alternatives, not the same call again
  const overItems =
    loop.type === 'for_in_statement' || loop.type === 'enhanced_for_statement' || (ctx.language === 'python' && loop.type === 'for_statement') || loop.namedChildren.some((c) => c?.type === 'range_clause');
  if (overItems) return false;
  if (ctx.language === 'go') {
    return body.descendantsOfType('if_statement').some((s) => /^err\s*==\s*nil$/.test(s?.childForFieldName('condition')?.text ?? '') && /\b(break|return)\b/.test(s?.childForFieldName('consequence')?.text ?? ''));
  }
  for (const t of body.descendantsOfType('try_statement')) {
    if (!t || innerLoop(t, loop)) continue;
    const tryBody = t.childForFieldName('body') ?? t.namedChildren[0];
    if (tryBody && tryBody.descendantsOfType(['return_statement', 'break_statement']).some((s) => s !== null && !innerLoop(s, loop))) return true;
  }
  return false;
}

/** Whether a node sits in a loop nested inside `loop` (its break/return then belongs to the inner loop). */
function innerLoop(node: Node, loop: Node): boolean {
  const types = LOOPS.js.concat(LOOPS.python, LOOPS.java);
  for (let p = node.parent; p && p.id !== loop.id; p = p.parent) if (types.includes(p.type) || p.type === 'function_definition' || p.type === 'arrow_function') return true;
  return false;
}

/** An attempt bound: a loop condition that is not constant-true, or a comparison on a retry counter. */
function hasBound(ctx: RuleContext, loop: Node): boolean {
  if (loop.type === 'for_in_statement' || loop.type === 'enhanced_for_statement' || (ctx.language === 'python' && loop.type === 'for_statement')) return true;
  const cond = loop.childForFieldName('condition') ?? loop.namedChildren.find((c) => c?.type === 'for_clause')?.childForFieldName('condition') ?? null;
  if (cond && !/^\(?\s*(true|True|1)\s*\)?$/.test(cond.text)) return true;
  const body = bodyOf(loop);
  const comparisons = body?.descendantsOfType(['binary_expression', 'comparison_operator']) ?? [];
  return comparisons.some((c) => c !== null && /[<>]=?|==/.test(c.text) && RETRY_NAME.test(c.text));
}

function sleepCalls(ctx: RuleContext, loop: Node): Node[] {
  const body = bodyOf(loop);
  if (!body) return [];
  return body.descendantsOfType(callTypes(ctx.language)).filter((c): c is Node => c !== null && SLEEP.test(calleeSegments(c).join('.')));
}

function hasAnyDelay(ctx: RuleContext, loop: Node): boolean {
  return sleepCalls(ctx, loop).length > 0;
}

/** A delay that grows: computed with *, **, << or pow, from the attempt counter, or from a variable the loop grows. */
function hasGrowingDelay(ctx: RuleContext, loop: Node): boolean {
  const body = bodyOf(loop);
  if (!body) return false;
  const grown = new Set<string>();
  for (const m of body.text.matchAll(/([A-Za-z_$][\w$]*)\s*(\*=|<<=|=\s*[^;\n]*?\1\s*(\*|<<|\*\*))/g)) grown.add(m[1]);
  for (const m of body.text.matchAll(/([A-Za-z_$][\w$]*)\s*:?=\s*(min|max|Math\.min|Math\.max)\([^)]*\1\s*\*/g)) grown.add(m[1]);
  // the delay may be handed to a helper (`await this.retry(data, nextBackoff)`): a growing
  // variable named like a delay is the backoff
  if ([...grown].some((n) => /backoff|delay|wait|interval|sleep/i.test(n))) return true;
  for (const call of sleepCalls(ctx, loop)) {
    const name = calleeSegments(call).join('.');
    if (/backoff/i.test(name)) return true;
    const args = call.childForFieldName('arguments')?.text ?? '';
    if (/\*|<<|pow\(|Math\.pow|backoff|exponential|jitter/i.test(args) || RETRY_NAME.test(args)) return true;
    for (const id of args.match(/[A-Za-z_$][\w$]*/g) ?? []) if (grown.has(id)) return true;
    // `await new Promise(r => setTimeout(r, delay))` wraps the real delay one level down
    if (/setTimeout/.test(name) && args.match(/[A-Za-z_$][\w$]*/g)?.some((id) => grown.has(id))) return true;
  }
  // a helper named like backoff anywhere in the loop body
  return /\b\w*[bB]ackoff\w*\s*\(/.test(body.text);
}
