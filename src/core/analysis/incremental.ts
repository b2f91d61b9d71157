/**
 * One open document's findings, kept up to date edit by edit. An edit is applied to the kept
 * tree (tree.edit + an incremental reparse); only the units it touched (see units.ts) are
 * checked again, against a view of the tree holding just those units and the file's context;
 * every other unit keeps its findings, moved by the lines the edit added or removed.
 *
 * A full run happens instead when the result could differ from a full analysis: the edit touched
 * context (imports, module-level variables, class headers), the import table changed, the edit
 * added or removed a mention of a context name (`client.Timeout = …` in some function changes
 * the finding on `var client`), or most units changed. Known gap: rules that match a local
 * variable name against the whole file's text (e.g. `req.setTimeout(` in another function) are
 * only re-evaluated for the edited units until the next full run.
 */
import type { Node, Parser, Tree } from 'web-tree-sitter';
import type { AnalysisOptions } from './analyze';
import { analyzeTree, defaultParsers } from './analyze';
import type { Finding, FunctionSpan, Language } from './findings';
import { functionName, functionTypes, anonymousName } from './functions';
import { readImports } from './imports';
import type { ImportTable } from './imports';
import type { GrammarLanguage } from './languages';
import { languageForFile } from './languages';
import { escapeRegExp } from './syntax';
import type { TextChange } from './parser';
import { editTree, parseWith } from './parser';
import { resolveRuleOptions } from './rules/context';
import { checkSqlMigration } from './rules/nonIdempotentMigration';
import type { Unit } from './units';
import { contextNames, headerNodes, unitsOf } from './units';
import type { RowChange, TrackedUnit } from './unitTracking';
import { matchUnits, rowChangeOf, trackUnits } from './unitTracking';

/** What one update did, for logs and benchmarks. */
export interface UpdateStats {
  mode: 'full' | 'incremental';
  /** Why a full run was needed (empty for incremental runs). */
  reason: string;
  /** Units checked again (all of them for a full run). */
  units: number;
  ms: number;
}

/** Keeps the findings of one document current across edits. */
export class IncrementalAnalysis {
  private tree: Tree | null;
  private current: string;
  private units: Unit[] = [];
  private names = new Set<string>();
  /** Names on the lines of module-level findings: such a finding can depend on any use of them. */
  private hotNames: RegExp | null = null;
  private imports = '';
  private result: Finding[] = [];
  private stats: UpdateStats = { mode: 'full', reason: 'first run', units: 0, ms: 0 };

  private constructor(
    readonly file: string,
    readonly language: Language,
    text: string,
    private readonly parser: Parser | null,
    private options: AnalysisOptions,
  ) {
    this.current = text;
    this.tree = parser ? parseWith(parser, text) : null;
    this.fullRun('first run');
  }

  /** Parses and analyses `text` (loading the grammar first); null when the file's language is not analysed. */
  static async create(file: string, text: string, options: AnalysisOptions = {}): Promise<IncrementalAnalysis | null> {
    const language = options.language ?? languageForFile(file);
    if (!language) return null;
    const parser = language === 'sql' ? null : await (options.parsers ?? defaultParsers(options.wasmDir)).parser(language);
    return new IncrementalAnalysis(file, language, text, parser, options);
  }

  /** Findings now, sorted by position. */
  get findings(): readonly Finding[] {
    return this.result;
  }

  /** The text the findings are about. */
  get text(): string {
    return this.current;
  }

  /** What the last update did. */
  get lastUpdate(): UpdateStats {
    return this.stats;
  }

  /** New options (severity, loggers, fix timeout): everything is checked again. */
  setOptions(options: AnalysisOptions): void {
    this.options = options;
    this.fullRun('options changed');
  }

  /** Checks everything again (e.g. after the document was reloaded). */
  reanalyze(text: string = this.current): UpdateStats {
    if (text !== this.current) {
      this.current = text;
      if (this.parser) {
        this.tree?.delete();
        this.tree = parseWith(this.parser, text);
      }
    }
    return this.fullRun('reanalysed');
  }

  /**
   * Applies changes in order (each relative to the text the previous one produced, as editors
   * report them) and brings the findings up to date.
   */
  update(changes: readonly TextChange[]): UpdateStats {
    if (changes.length === 0) return this.stats;
    const started = performance.now();
    if (!this.tree || !this.parser) {
      for (const c of changes) this.current = this.current.slice(0, c.start) + c.text + this.current.slice(c.end);
      return this.fullRun('text file', started);
    }
    const tracked: TrackedUnit[] = this.units.map((u) => ({ ...u, node: null, dirty: false, newStart: u.start, newEnd: u.end, rowDelta: 0 }));
    const original = this.current;
    const rowChanges: RowChange[] = [];
    let touchesNames = false;
    for (const change of changes) {
      const before = this.current;
      touchesNames ||=
        mentionsName(before, change.start, change.end, this.names) || mentionsName(before.slice(0, change.start) + change.text + before.slice(change.end), change.start, change.start + change.text.length, this.names);
      const rows = rowChangeOf(before, change);
      rowChanges.push(rows);
      this.current = editTree(this.tree, before, change);
      trackUnits(tracked, change, rows);
    }
    const next = parseWith(this.parser, this.current, this.tree);
    this.tree.delete();
    this.tree = next;
    if (touchesNames) return this.fullRun('an edit mentions an imported or module-level name', started);

    const language = this.language as GrammarLanguage;
    const newUnits = unitsOf(next, language);
    const plan = matchUnits(tracked, newUnits, language);
    if (plan.contextTouched) return this.fullRun('an edit touched imports or module-level code', started);
    if (plan.dirtyNew.length * 2 > newUnits.length && newUnits.length > 4) return this.fullRun('most of the file changed', started);
    const hot = this.hotNames;
    if (hot && (plan.dirtyNew.some((u) => hot.test(this.current.slice(u.start, u.end))) || plan.dirtyOld.some((u) => hot.test(original.slice(u.start, u.end))))) {
      return this.fullRun('an edited function uses a name a module-level finding is about', started);
    }

    const scope = newUnits.filter((u, i) => u.top || (u.node && (u.kind === 'context' || u.imports || plan.dirtyNewIndex.has(i))));
    const view = scopedTree(next, scope, this.current);
    const table = importKey(readImports(view, this.language));
    if (table !== this.imports) return this.fullRun('the imports changed', started);

    const fresh = analyzeTree(this.file, view, this.current, language, this.options).filter((f) => plan.dirtyNew.some((u) => f.line - 1 >= u.startRow && f.endLine - 1 <= u.endRow));
    const kept: Finding[] = [];
    for (const f of this.result) {
      const moved = moveFinding(f, plan.dirtyOldRows, rowChanges);
      if (moved === undefined) return this.fullRun('a quick fix reaches into the edit', started);
      if (moved) kept.push(moved);
    }
    this.result = [...kept, ...fresh].sort(byPosition);
    this.units = newUnits;
    this.stats = { mode: 'incremental', reason: '', units: plan.dirtyNew.length, ms: performance.now() - started };
    return this.stats;
  }

  /** The function a finding sits in (as `extractFunctions` lists it), or null at module level. */
  functionSpanOf(finding: Finding): FunctionSpan | null {
    if (!this.tree) return null;
    const at = this.tree.rootNode.descendantForPosition({ row: finding.line - 1, column: Math.max(0, finding.column - 1) });
    return at ? enclosingSpan(at, this.language) : null;
  }

  /** Frees the kept tree. */
  dispose(): void {
    this.tree?.delete();
    this.tree = null;
  }

  private fullRun(reason: string, started = performance.now()): UpdateStats {
    if (this.language === 'sql') {
      this.result = checkSqlMigration(this.file, this.current, resolveRuleOptions(this.options).severity['non-idempotent-migration']);
      const rules = this.options.rules;
      if (rules && !rules.includes('non-idempotent-migration')) this.result = [];
      this.stats = { mode: 'full', reason, units: 1, ms: performance.now() - started };
      return this.stats;
    }
    // Error recovery after an incremental reparse can differ from a fresh parse of the same broken
    // text: a full run on code with syntax errors starts from scratch, so it equals analyzeFile.
    if (this.tree!.rootNode.hasError) {
      const fresh = parseWith(this.parser!, this.current);
      this.tree!.delete();
      this.tree = fresh;
    }
    const tree = this.tree!;
    const language = this.language as GrammarLanguage;
    this.result = analyzeTree(this.file, tree, this.current, language, this.options);
    this.units = unitsOf(tree, language, true);
    this.names = contextNames(this.units);
    this.imports = importKey(readImports(tree, language));
    this.hotNames = hotNamesOf(this.result, this.current);
    this.stats = { mode: 'full', reason, units: this.units.length, ms: performance.now() - started };
    return this.stats;
  }
}

function byPosition(a: Finding, b: Finding): number {
  return a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);
}

/** The import table as a comparable string. */
function importKey(t: ImportTable): string {
  const bindings = [...t.bindings].map(([k, b]) => `${k}=${b.module}:${b.member ?? ''}`).sort();
  return `${bindings.join(',')}|${[...t.wildcards].sort().join(',')}|${[...t.declared].sort().join(',')}`;
}

/**
 * A view of the tree whose root only yields the nodes of `scope` units when searched by type
 * (what the rules do), while its top-level statements and text stay the whole file's.
 */
function scopedTree(tree: Tree, scope: readonly Unit[], text: string): Tree {
  const root = tree.rootNode;
  const view = {
    get namedChildren() {
      return root.namedChildren;
    },
    get children() {
      return root.children;
    },
    text,
    type: root.type,
    descendantsOfType(types: string | string[]): (Node | null)[] {
      const out: (Node | null)[] = [];
      const wanted = new Set(typeof types === 'string' ? [types] : types);
      for (const u of scope) {
        if (u.top) out.push(...headerNodes(u.top, wanted));
        else if (u.node) for (const d of u.node.descendantsOfType([...wanted])) out.push(d);
      }
      return out;
    },
  };
  return { rootNode: view } as unknown as Tree;
}

/** A word-matcher for the identifiers on the lines of module-level findings, or null when there are none. */
function hotNamesOf(findings: readonly Finding[], text: string): RegExp | null {
  const names = new Set<string>();
  const lines = findings.some((f) => f.function === '') ? text.split('\n') : [];
  for (const f of findings) {
    if (f.function !== '') continue;
    for (let l = f.line; l <= f.endLine; l++) {
      // `var client = &http.Client{}`: the finding is about what the left side names
      const line = lines[l - 1] ?? '';
      const bound = /^[^=(]*[^=!<>:]:?=(?!=)/.exec(line)?.[0] ?? line;
      for (const m of bound.matchAll(/[A-Za-z_$][\w$]*/g)) names.add(m[0]);
    }
  }
  for (const keyword of ['var', 'const', 'let', 'new', 'func', 'def', 'import', 'from', 'return', 'await', 'async', 'private', 'final', 'static', 'public']) names.delete(keyword);
  if (names.size === 0) return null;
  return new RegExp(`(?<![\\w$])(${[...names].map(escapeRegExp).join('|')})(?![\\w$])`);
}

/** A mention of a context name in [from, to) of `text`, widened to whole identifiers. */
function mentionsName(text: string, from: number, to: number, names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  let a = from;
  let b = to;
  while (a > 0 && /[\w$]/.test(text[a - 1]!)) a--;
  while (b < text.length && /[\w$]/.test(text[b]!)) b++;
  for (const m of text.slice(a, b).matchAll(/[A-Za-z_$][\w$]*/g)) if (names.has(m[0])) return true;
  return false;
}

/**
 * A kept finding moved through the changes: null when it lies in a re-checked unit (dropped),
 * undefined when its quick fix edits rows the edits touched (the caller then runs everything).
 */
function moveFinding(f: Finding, dirtyRows: readonly [number, number][], changes: readonly RowChange[]): Finding | null | undefined {
  const first = f.line - 1;
  const last = f.endLine - 1;
  if (dirtyRows.some(([s, e]) => first <= e && last >= s)) return null;
  const line = moveRow(first, changes);
  const endLine = moveRow(last, changes);
  if (line === null || endLine === null) return null;
  let fix = f.fix;
  if (fix) {
    const edits = [];
    for (const e of fix.edits) {
      const l = moveRow(e.line - 1, changes);
      const el = moveRow(e.endLine - 1, changes);
      if (l === null || el === null || dirtyRows.some(([s, t]) => e.line - 1 <= t && e.endLine - 1 >= s)) return undefined;
      edits.push({ ...e, line: l + 1, endLine: el + 1 });
    }
    fix = { ...fix, edits };
  }
  return { ...f, line: line + 1, endLine: endLine + 1, ...(fix ? { fix } : {}) };
}

/** A row moved through the changes in order; null when a change covers it. */
function moveRow(row: number, changes: readonly RowChange[]): number | null {
  let r = row;
  for (const c of changes) {
    if (r < c.startRow) continue;
    if (r <= c.oldEndRow) return null;
    r += c.newEndRow - c.oldEndRow;
  }
  return r;
}

/** The innermost named function around a node, else the outermost anonymous one (as extractFunctions lists them). */
function enclosingSpan(node: Node, language: Language): FunctionSpan | null {
  const types = functionTypes(language);
  let anonymous: Node | null = null;
  for (let p: Node | null = node; p; p = p.parent) {
    if (!types.includes(p.type)) continue;
    const name = functionName(p, language);
    if (name !== null) return spanOf(p, name);
    anonymous = p;
  }
  return anonymous ? spanOf(anonymous, anonymousName(anonymous)) : null;
}

function spanOf(node: Node, name: string): FunctionSpan {
  const start = node.parent?.type === 'decorated_definition' ? node.parent : node;
  return { name, startLine: start.startPosition.row + 1, endLine: node.endPosition.row + 1 };
}
