import type { Node, Tree } from 'web-tree-sitter';
import type { FunctionSpan, Language } from './findings';
import { isJsFamily } from './languages';

/** A function with its node, for rules that look inside it. */
export interface FunctionNode extends FunctionSpan {
  node: Node;
}

const JS_NAMED = ['function_declaration', 'generator_function_declaration', 'method_definition'];
const JS_EXPR = ['arrow_function', 'function_expression', 'function', 'generator_function'];
const TYPES: Record<'js' | 'python' | 'go' | 'java', string[]> = {
  js: [...JS_NAMED, ...JS_EXPR],
  python: ['function_definition'],
  go: ['function_declaration', 'method_declaration', 'func_literal'],
  java: ['method_declaration', 'constructor_declaration'],
};

function family(language: Language): keyof typeof TYPES | null {
  if (isJsFamily(language)) return 'js';
  return language === 'python' || language === 'go' || language === 'java' ? language : null;
}

/** Node types that start a function in a language. */
export function functionTypes(language: Language): string[] {
  const f = family(language);
  return f ? TYPES[f] : [];
}

/**
 * Functions and methods of a file, 1-based inclusive lines. Class members are named
 * `Class.method`; anonymous functions are listed only when they are not inside another
 * listed function (a route handler passed at module level), named after the call they are passed to.
 */
export function extractFunctions(tree: Tree, language: Language): FunctionNode[] {
  const f = family(language);
  if (!f) return [];
  const out: FunctionNode[] = [];
  const listed: Node[] = [];
  for (const node of tree.rootNode.descendantsOfType(TYPES[f])) {
    if (!node) continue;
    let name = functionName(node, language);
    if (name === null) {
      // anonymous: only when no listed function encloses it
      if (listed.some((l) => l.startIndex <= node.startIndex && l.endIndex >= node.endIndex)) continue;
      name = anonymousName(node);
    }
    const start = node.parent?.type === 'decorated_definition' ? node.parent : node;
    out.push({ name, startLine: start.startPosition.row + 1, endLine: node.endPosition.row + 1, node });
    listed.push(node);
  }
  return out;
}

/** The name of a function node, or null when it is anonymous. */
export function functionName(node: Node, language: Language): string | null {
  const own = node.childForFieldName('name');
  let base: string | null = own ? own.text : null;
  if (base === null && isJsFamily(language)) base = bindingName(node);
  if (base === null && language === 'go' && node.type === 'func_literal') base = bindingName(node);
  if (base === null) return null;
  const owner = ownerName(node, language);
  return owner ? `${owner}.${base}` : base;
}

function bindingName(node: Node): string | null {
  const p = node.parent;
  if (!p) return null;
  switch (p.type) {
    case 'variable_declarator':
      return p.childForFieldName('name')?.text ?? null;
    case 'pair':
      return p.childForFieldName('key')?.text ?? null;
    case 'public_field_definition':
    case 'field_definition':
      return p.childForFieldName('name')?.text ?? p.childForFieldName('property')?.text ?? null;
    case 'assignment_expression':
      return p.childForFieldName('left')?.text ?? null;
    case 'expression_list': {
      // Go `var handler = func() {}`
      const spec = p.parent;
      if (spec?.type === 'var_spec' || spec?.type === 'short_var_declaration') return spec.childForFieldName('name')?.text ?? spec.childForFieldName('left')?.text ?? null;
      return null;
    }
    default:
      return null;
  }
}

function ownerName(node: Node, language: Language): string | null {
  if (language === 'go' && node.type === 'method_declaration') {
    const recv = node.childForFieldName('receiver');
    const type = recv?.descendantsOfType('type_identifier')[0];
    return type ? type.text : null;
  }
  const classTypes =
    language === 'python'
      ? ['class_definition']
      : language === 'java'
        ? ['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration']
        : ['class_declaration', 'class', 'abstract_class_declaration'];
  const stopTypes = functionTypes(language);
  for (let p = node.parent; p; p = p.parent) {
    if (classTypes.includes(p.type)) return p.childForFieldName('name')?.text ?? null;
    if (stopTypes.includes(p.type)) return null;
  }
  return null;
}

/** The label of an anonymous function: the call it is passed to (`app.get('/x') callback`). */
export function anonymousName(node: Node): string {
  const args = node.parent;
  const call = args?.parent;
  if (args?.type === 'arguments' || args?.type === 'argument_list') {
    const fn = call?.childForFieldName('function');
    const route = args.namedChildren[0];
    const label = route && route !== node && /string/.test(route.type) ? ` ${route.text}` : '';
    if (fn) return `${fn.text}(${label.trim()}) callback`;
  }
  return '<anonymous>';
}

/** The innermost function (from a list sorted by start) enclosing a line, or null. */
export function enclosingFunction(functions: readonly FunctionSpan[], line: number): FunctionSpan | null {
  let best: FunctionSpan | null = null;
  for (const f of functions) {
    if (f.startLine <= line && f.endLine >= line && (!best || f.startLine >= best.startLine)) best = f;
  }
  return best;
}
