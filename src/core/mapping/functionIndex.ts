import type { FunctionDef } from './functionScan';

interface Located {
  def: FunctionDef;
  file: string;
}

const byPlace = (a: Located, b: Located): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.def.line - b.def.line);

/** Workspace-wide index of scanned functions, looked up by span or frame function names. */
export class FunctionIndex {
  private readonly files = new Map<string, FunctionDef[]>();
  /** Keyed by both `name` and `qualifiedName`. */
  private readonly byKey = new Map<string, Located[]>();

  /** Replaces everything known about `file`. */
  setFile(file: string, defs: FunctionDef[]): void {
    this.removeFile(file);
    const sorted = [...defs].sort((a, b) => a.line - b.line || b.endLine - a.endLine);
    this.files.set(file, sorted);
    for (const def of sorted) {
      for (const key of new Set([def.name, def.qualifiedName])) {
        const list = this.byKey.get(key);
        if (list) list.push({ def, file });
        else this.byKey.set(key, [{ def, file }]);
      }
    }
  }

  /** Forgets `file`. */
  removeFile(file: string): void {
    const old = this.files.get(file);
    if (!old) return;
    this.files.delete(file);
    for (const def of old) {
      for (const key of new Set([def.name, def.qualifiedName])) {
        const rest = (this.byKey.get(key) ?? []).filter((l) => l.file !== file);
        if (rest.length) this.byKey.set(key, rest);
        else this.byKey.delete(key);
      }
    }
  }

  /**
   * Functions called `name`: exact name or qualified name first, then the longest dotted suffix
   * that is a qualified name (`com.example.OrderService.create`), then the last segment against
   * functions outside classes (`orders.create_order`). Results are ordered by file, then line.
   */
  findByName(name: string): Located[] {
    // Go frames say `pkg.(*T).Name`; C++/Ruby-style separators become dots.
    const q = name
      .trim()
      .replace(/\(\*?([\w$]+)\)/g, '$1')
      .replace(/::|#/g, '.')
      .replace(/\(\)$/, '');
    if (!q) return [];
    const exact = this.byKey.get(q);
    if (exact) return [...exact].sort(byPlace);
    const segs = q.split('.').filter((s) => s !== '');
    for (let k = 1; k < segs.length - 1; k++) {
      const suffix = segs.slice(k).join('.');
      const hits = (this.byKey.get(suffix) ?? []).filter((l) => l.def.qualifiedName === suffix);
      if (hits.length) return hits.sort(byPlace);
    }
    // A class-qualified def only matches when its class is in the query (tiers above).
    const last = segs[segs.length - 1] ?? '';
    return (this.byKey.get(last) ?? []).filter((l) => l.def.name === last && l.def.qualifiedName === last).sort(byPlace);
  }

  /** The innermost function in `file` whose lines contain `line`. */
  enclosing(file: string, line: number): FunctionDef | undefined {
    return this.innermost(file, line, false);
  }

  /**
   * The innermost function containing `line` that is not a closure (see FunctionDef.closure):
   * the function whose row a closure's lines count towards. Go func literals, JS anonymous
   * functions and Java lambdas are not indexed, so inside them this is `enclosing` already.
   */
  enclosingNamed(file: string, line: number): FunctionDef | undefined {
    return this.innermost(file, line, true);
  }

  private innermost(file: string, line: number, skipClosures: boolean): FunctionDef | undefined {
    let best: FunctionDef | undefined;
    for (const def of this.files.get(file) ?? []) {
      if (def.line > line) break;
      if (skipClosures && def.closure) continue;
      if (line <= def.endLine && (!best || def.endLine - def.line <= best.endLine - best.line)) best = def;
    }
    return best;
  }
}
