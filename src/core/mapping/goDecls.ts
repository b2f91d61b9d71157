import { matchBracket } from './sourceLexer';

/** A Go function or method declaration found in a source skeleton. */
export interface GoFuncDecl {
  name: string;
  /** Receiver variable and type name (`h`, `Handler` for `func (h *Handler) price(...)`), '' for a function. */
  recvVar: string;
  recvType: string;
  /** Parameter list and result text, as in the skeleton. */
  params: string;
  results: string;
  /** Offsets of the body's braces. */
  open: number;
  close: number;
}

/** Top-level `func` declarations with bodies (generic type parameters skipped). */
export function goFuncDecls(sk: string): GoFuncDecl[] {
  const out: GoFuncDecl[] = [];
  for (const m of sk.matchAll(/^func\s*(?:\(([^)]*)\)\s*)?([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*\(/gm)) {
    const paramsOpen = m.index + m[0].length - 1;
    const paramsClose = matchBracket(sk, paramsOpen);
    if (paramsClose === -1) continue;
    let open = -1;
    for (let i = paramsClose + 1, depth = 0; i < sk.length; i++) {
      const c = sk[i];
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === '\n' && depth === 0) break;
      else if (c === '{') {
        // `interface{}` and `struct{...}` in a result type are not the body.
        if (/\b(?:interface|struct)\s*$/.test(sk.slice(Math.max(0, i - 12), i))) {
          i = matchBracket(sk, i);
          if (i === -1) break;
        } else {
          open = i;
          break;
        }
      }
    }
    if (open === -1) continue;
    const close = matchBracket(sk, open);
    const recv = /^\s*(?:([A-Za-z_]\w*)\s+)?\*?\s*([A-Za-z_]\w*)/.exec(m[1] ?? '');
    out.push({
      name: m[2]!,
      recvVar: recv?.[1] ?? '',
      recvType: recv?.[2] ?? '',
      params: sk.slice(paramsOpen + 1, paramsClose),
      results: sk.slice(paramsClose + 1, open).trim(),
      open,
      close: close === -1 ? sk.length : close,
    });
  }
  return out;
}

/** The declaration whose body holds offset `at`. */
export function enclosingDecl(decls: GoFuncDecl[], at: number): GoFuncDecl | undefined {
  return decls.find((d) => d.open < at && at < d.close);
}

/** Type name of parameter `name` in a Go parameter list (`w http.ResponseWriter, s *Server` -> Server for s), if local. */
export function paramType(params: string, name: string): string | undefined {
  // Go groups names before one type (`a, b *T`): the type follows the last name of the group.
  for (const group of params.split(',').reduce<string[][]>((acc, p) => {
    const piece = p.trim();
    const last = acc[acc.length - 1];
    if (last && !/\s/.test(last[last.length - 1]!)) last.push(piece);
    else acc.push([piece]);
    return acc;
  }, [])) {
    const typed = group[group.length - 1]!;
    const m = /^([A-Za-z_]\w*)\s+\*?\s*([A-Za-z_][\w.]*)\s*$/.exec(typed);
    if (!m) continue;
    const names = [...group.slice(0, -1), m[1]!];
    if (names.includes(name)) return m[2]!.includes('.') ? undefined : m[2]!;
  }
  return undefined;
}
