/**
 * Cheap function scanners (TS/JS, Python, Go, Java) over a source skeleton (see sourceLexer).
 * The TS/JS scanner, the largest, lives in functionScanJs.
 */
import { bodyAfterParams, braceDepths, classRanges, directClass } from './braceScopes';
import { scanJsFunctions } from './functionScanJs';
import { LineMap, languageOf, matchBracket, sourceSkeleton } from './sourceLexer';

/** A function or method found in a source file. */
export interface FunctionDef {
  name: string;
  /** `Class.method` when directly inside a class (or Go receiver type), else `name`. */
  qualifiedName: string;
  /** 1-based line of the name. */
  line: number;
  /** 1-based last line of the body (approximate for odd code). */
  endLine: number;
  /**
   * Set when the language treats the definition as a closure of the function around it, whose
   * lines belong to that function's row: an undecorated Python `def` inside a `def` (a decorated
   * one is usually a handler registered by an app factory), a method of a Java anonymous class.
   * Go func literals, JS anonymous functions and Java lambdas are never indexed at all.
   */
  closure?: true;
}

const JAVA_NOT_METHODS = new Set(['if', 'for', 'while', 'switch', 'catch', 'synchronized', 'try', 'do', 'else', 'return', 'new', 'throw', 'super', 'this', 'assert', 'case', 'record', 'class']);

function scanPython(sk: string): FunctionDef[] {
  const out: FunctionDef[] = [];
  const scopes: { kind: string; name: string; indent: number; def?: FunctionDef }[] = [];
  let depth = 0;
  let lastCode = 0;
  let continued = false;
  const close = (indent: number): void => {
    while (scopes.length && scopes[scopes.length - 1]!.indent >= indent) {
      const s = scopes.pop()!;
      if (s.def) s.def.endLine = Math.max(s.def.line, lastCode);
    }
  };
  const rows = sk.split('\n');
  let decorated = false;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const startDepth = depth;
    for (const c of row) {
      if (c === '(' || c === '[' || c === '{') depth++;
      else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    }
    const blankRow = row.trim() === '';
    const continuation = startDepth > 0 || continued;
    continued = /\\\s*$/.test(row);
    if (blankRow) continue;
    if (!continuation) {
      const indent = /^[ \t]*/.exec(row)![0].replace(/\t/g, '        ').length;
      close(indent);
      const m = /^\s*(?:(?:async\s+)?def|(class))\s+([A-Za-z_]\w*)/.exec(row);
      const wasDecorated = decorated;
      decorated = /^\s*@/.test(row);
      if (m) {
        const name = m[2]!;
        const chain: string[] = [];
        for (let k = scopes.length - 1; k >= 0 && scopes[k]!.kind === 'class'; k--) chain.unshift(scopes[k]!.name);
        const line = r + 1;
        if (m[1]) scopes.push({ kind: 'class', name, indent });
        else {
          const def: FunctionDef = { name, qualifiedName: [...chain, name].join('.'), line, endLine: line };
          if (!wasDecorated && scopes.some((s) => s.kind === 'def')) def.closure = true;
          out.push(def);
          scopes.push({ kind: 'def', name, indent, def });
        }
      }
    }
    lastCode = r + 1;
  }
  close(-1);
  return out;
}

function scanGo(sk: string, lines: LineMap): FunctionDef[] {
  const out: FunctionDef[] = [];
  for (const m of sk.matchAll(/^func\s*(?:\(([^)]*)\)\s*)?([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*\(/gm)) {
    const close = matchBracket(sk, m.index + m[0].length - 1);
    if (close === -1) continue;
    let body = -1;
    for (let i = close + 1, depth = 0; i < sk.length; i++) {
      const c = sk[i];
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === '\n' && depth === 0) break;
      else if (c === '{') {
        if (/\b(?:interface|struct)\s*$/.test(sk.slice(Math.max(0, i - 12), i))) i = matchBracket(sk, i);
        else {
          body = i;
          break;
        }
        if (i === -1) break;
      }
    }
    if (body === -1) continue;
    const recv = m[1] ? /([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*$/.exec(m[1])?.[1] : undefined;
    const name = m[2]!;
    const end = matchBracket(sk, body);
    out.push({ name, qualifiedName: recv ? `${recv}.${name}` : name, line: lines.lineAt(m.index), endLine: lines.lineAt(end === -1 ? sk.length : end) });
  }
  return out;
}

function scanJava(sk: string, lines: LineMap): FunctionDef[] {
  const depth = braceDepths(sk);
  const classes = classRanges(sk, /\b(?:class|interface|enum|record)\s+([A-Za-z_$][\w$]*)/g);
  const out: FunctionDef[] = [];
  for (const m of sk.matchAll(/(?<![\w$.@])([A-Za-z_$][\w$]*)\s*\(/g)) {
    const name = m[1]!;
    if (JAVA_NOT_METHODS.has(name) || /\b(?:new|record|class)\s+$/.test(sk.slice(Math.max(0, m.index - 8), m.index))) continue;
    const close = matchBracket(sk, m.index + m[0].length - 1);
    const body = close === -1 ? -1 : bodyAfterParams(sk, close, 'java');
    if (body === -1) continue;
    const end = matchBracket(sk, body);
    const cls = directClass(classes, depth, m.index);
    out.push({ name, qualifiedName: cls ? `${cls}.${name}` : name, line: lines.lineAt(m.index), endLine: lines.lineAt(end === -1 ? sk.length : end) });
  }
  // A method outside any named class body is one of an anonymous class (`new Runnable() {...}`),
  // which lives inside another method.
  for (const def of out) {
    if (def.qualifiedName === def.name && out.some((o) => o !== def && o.line <= def.line && def.endLine <= o.endLine && (o.line < def.line || o.endLine > def.endLine))) def.closure = true;
  }
  return out;
}

/** Finds the functions and methods in a source file (language chosen by extension). */
export function scanFunctions(file: string, text: string): FunctionDef[] {
  const lang = languageOf(file);
  if (!lang) return [];
  const sk = sourceSkeleton(text, lang);
  const lines = new LineMap(text);
  const defs = lang === 'js' ? scanJsFunctions(sk, lines) : lang === 'python' ? scanPython(sk) : lang === 'go' ? scanGo(sk, lines) : scanJava(sk, lines);
  return defs.sort((a, b) => a.line - b.line || a.endLine - b.endLine);
}
