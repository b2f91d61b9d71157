import type { Node } from 'web-tree-sitter';
import type { Language } from './findings';

/** `text` as a literal inside a RegExp: names come from half-typed code, which may hold any character. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** 1-based range of a node (columns in UTF-16 code units, as editors count them). */
export interface Range1 {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** The 1-based range a node covers. */
export function rangeOf(node: Node): Range1 {
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1, endLine: node.endPosition.row + 1, endColumn: node.endPosition.column + 1 };
}

/** A zero-width range just before (or after) a node, where a fix inserts text. */
export function pointBefore(node: Node): Range1 {
  const r = rangeOf(node);
  return { line: r.line, column: r.column, endLine: r.line, endColumn: r.column };
}

/** A zero-width range just after a node. */
export function pointAfter(node: Node): Range1 {
  const r = rangeOf(node);
  return { line: r.endLine, column: r.endColumn, endLine: r.endLine, endColumn: r.endColumn };
}

/** Call node types per language (constructor calls included). */
export function callTypes(language: Language): string[] {
  switch (language) {
    case 'python':
      return ['call'];
    case 'go':
      return ['call_expression'];
    case 'java':
      return ['method_invocation', 'object_creation_expression'];
    default:
      return ['call_expression', 'new_expression'];
  }
}

/** The expression being called (for Java, the receiver is in `object`, the method in `name`). */
export function calleeNode(call: Node): Node | null {
  return call.childForFieldName('function') ?? call.childForFieldName('constructor') ?? call.childForFieldName('type') ?? call.childForFieldName('name');
}

/**
 * The callee as segments: `this.logger.error` -> ['this','logger','error'], `zap.L().Error` ->
 * ['zap','L()','Error']; an unknown receiver becomes '?'.
 */
export function calleeSegments(call: Node): string[] {
  if (call.type === 'method_invocation') {
    const obj = call.childForFieldName('object');
    const name = call.childForFieldName('name')?.text ?? '?';
    return obj ? [...segments(obj), name] : [name];
  }
  const fn = calleeNode(call);
  return fn ? segments(fn) : ['?'];
}

/** Dotted segments of a name-like expression. */
export function segments(node: Node): string[] {
  switch (node.type) {
    case 'identifier':
    case 'property_identifier':
    case 'field_identifier':
    case 'type_identifier':
    case 'package_identifier':
    case 'this':
    case 'super':
    case 'shorthand_property_identifier':
      return [node.text];
    case 'member_expression':
    case 'attribute':
    case 'selector_expression':
    case 'field_access': {
      const obj = node.childForFieldName('object') ?? node.childForFieldName('operand');
      const prop = node.childForFieldName('property') ?? node.childForFieldName('attribute') ?? node.childForFieldName('field');
      return [...(obj ? segments(obj) : ['?']), prop?.text ?? '?'];
    }
    case 'qualified_type':
    case 'scoped_identifier':
    case 'scoped_type_identifier':
      return node.text.split('.');
    case 'generic_type':
    case 'non_null_expression':
    case 'parenthesized_expression':
    case 'await_expression': {
      const inner = node.namedChildren.find((c) => c && c.type !== 'comment' && c.type !== 'type_arguments');
      return inner ? segments(inner) : ['?'];
    }
    case 'call_expression':
    case 'call':
    case 'method_invocation': {
      const s = calleeSegments(node);
      s[s.length - 1] += '()';
      return s;
    }
    default:
      return ['?'];
  }
}

/** The positional and keyword arguments of a call, comments dropped. */
export function argumentsOf(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  if (!args) return [];
  return args.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
}

/** The argument list node of a call, if any. */
export function argumentListOf(call: Node): Node | null {
  return call.childForFieldName('arguments');
}

/** Python: the value of keyword argument `name`, or undefined. */
export function keywordArgument(call: Node, name: string): Node | undefined {
  for (const a of argumentsOf(call)) {
    if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) return a.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

/** Python: whether a call passes `**kwargs` (its options are then unknown). */
export function hasKwargsSplat(call: Node): boolean {
  return argumentsOf(call).some((a) => a.type === 'dictionary_splat');
}

/** Positional arguments only (Python keyword arguments and splats excluded). */
export function positionalArguments(call: Node): Node[] {
  return argumentsOf(call).filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat' && a.type !== 'list_splat');
}

/** Keys of an object/dict literal, and whether it spreads something in (then keys are unknown). */
export function objectKeys(obj: Node): { keys: Set<string>; spread: boolean } {
  const keys = new Set<string>();
  let spread = false;
  for (const c of obj.namedChildren) {
    if (!c) continue;
    if (c.type === 'shorthand_property_identifier' || c.type === 'method_definition') keys.add(c.type === 'method_definition' ? (c.childForFieldName('name')?.text ?? '') : c.text);
    else if (c.type === 'pair') keys.add(stringValue(c.childForFieldName('key')) ?? c.childForFieldName('key')?.text ?? '');
    else if (c.type === 'spread_element' || c.type === 'dictionary_splat') spread = true;
  }
  return { keys, spread };
}

/** The value of a string literal node without quotes, or null when not a plain string. */
export function stringValue(node: Node | null | undefined): string | null {
  if (!node) return null;
  switch (node.type) {
    case 'string':
    case 'string_literal':
    case 'interpreted_string_literal':
    case 'raw_string_literal':
    case 'template_string': {
      if (node.namedChildren.some((c) => c?.type === 'interpolation' || c?.type === 'template_substitution')) return null;
      const t = node.text;
      const m = /^[a-zA-Z]*("""|'''|["'`])([\s\S]*)\1$/.exec(t);
      return m ? m[2] : t.replace(/^["'`]|["'`]$/g, '');
    }
    case 'property_identifier':
    case 'identifier':
      return node.text;
    default:
      return null;
  }
}

/** Nearest ancestor (not the node itself) whose type is one of `types`, stopping at `stop` types. */
export function ancestor(node: Node, types: readonly string[], stop: readonly string[] = []): Node | null {
  for (let p = node.parent; p; p = p.parent) {
    if (types.includes(p.type)) return p;
    if (stop.includes(p.type)) return null;
  }
  return null;
}

/** Whether `inner` lies within `outer` (by offsets). */
export function contains(outer: Node, inner: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** Every identifier-like leaf under a node, as text. */
export function identifiersIn(node: Node): Set<string> {
  const out = new Set<string>();
  for (const n of node.descendantsOfType(['identifier', 'shorthand_property_identifier'])) if (n) out.add(n.text);
  return out;
}

/** Comment node type: every grammar here calls it `comment` except Java's two kinds. */
export function isComment(node: Node): boolean {
  return node.type === 'comment' || node.type === 'line_comment' || node.type === 'block_comment';
}

/** Statements of a block (Go wraps them in a statement_list), comments dropped. */
export function statementsOf(block: Node | null): Node[] {
  if (!block) return [];
  const out: Node[] = [];
  for (const c of block.namedChildren) {
    if (!c || isComment(c)) continue;
    if (c.type === 'statement_list') out.push(...statementsOf(c));
    else out.push(c);
  }
  return out;
}

/** The leading whitespace of the line a node starts on. */
export function indentOf(text: string, node: Node): string {
  const lineStart = text.lastIndexOf('\n', node.startIndex - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, node.startIndex))?.[0] ?? '';
}
