import type { Node, Tree } from 'web-tree-sitter';
import type { Finding, FixHint, Language, RuleId, Severity } from '../findings';
import { anonymousName, functionName, functionTypes } from '../functions';
import type { ImportTable, QualifiedName } from '../imports';
import { readImports, resolveName } from '../imports';
import { callTypes, calleeSegments, rangeOf } from '../syntax';
import type { Range1 } from '../syntax';
import { compileLoggers, DEFAULT_LOGGERS } from './loggers';
import type { LogMatcher } from './loggers';

const JS_TYPES = ['call_expression', 'new_expression', 'variable_declarator', 'catch_clause', 'for_statement', 'while_statement', 'do_statement', 'for_in_statement', 'import_statement'];
/** Node types collected in one walk per file (what the rules look for). */
const INDEXED_TYPES: Partial<Record<Language, string[]>> = {
  typescript: JS_TYPES,
  tsx: JS_TYPES,
  javascript: JS_TYPES,
  python: ['call', 'assignment', 'class_definition', 'except_clause', 'while_statement', 'for_statement', 'decorator', 'import_statement', 'import_from_statement'],
  go: ['call_expression', 'composite_literal', 'parameter_declaration', 'field_declaration', 'var_spec', 'if_statement', 'for_statement', 'import_spec', 'import_spec_list', 'import_declaration', 'package_clause'],
  java: [
    'method_invocation',
    'object_creation_expression',
    'catch_clause',
    'for_statement',
    'while_statement',
    'do_statement',
    'enhanced_for_statement',
    'method_declaration',
    'variable_declarator',
    'import_declaration',
    'package_declaration',
  ],
};

/** Options every rule reads, with defaults applied. */
export interface RuleOptions {
  loggers: readonly string[];
  /** Timeout the quick fixes write, in milliseconds. */
  fixTimeoutMs: number;
  severity: Record<RuleId, Severity>;
}

/** Default severity per rule. */
export const DEFAULT_SEVERITY: Record<RuleId, Severity> = {
  'missing-timeout': 'warning',
  'swallowed-error': 'warning',
  'retry-without-backoff': 'warning',
  'hollow-health-check': 'warning',
  'non-idempotent-migration': 'warning',
  'secret-in-log': 'error',
};

/** A call with its callee resolved once for all rules. */
export interface CallSite {
  node: Node;
  segments: string[];
  /** Through the imports; null when the head is not an imported name. */
  qualified: QualifiedName | null;
}

/** What a rule sees of one parsed file, with shared lazily computed indexes. */
export class RuleContext {
  readonly root: Node;
  readonly imports: ImportTable;
  readonly findings: Finding[] = [];
  readonly isLogCallee: LogMatcher;
  private readonly nodeCache = new Map<string, Node[]>();
  private callCache: CallSite[] | undefined;
  private indexed: { node: Node; type: string }[] | undefined;
  private readonly fnTypes: string[];

  constructor(
    readonly file: string,
    readonly language: Language,
    readonly tree: Tree,
    readonly text: string,
    readonly options: RuleOptions,
  ) {
    this.root = tree.rootNode;
    this.imports = readImports(tree, language, (types) => this.nodes(types));
    this.isLogCallee = compileLoggers(options.loggers);
    this.fnTypes = functionTypes(language);
  }

  /** Descendants of the given types, in document order, cached per type list. */
  nodes(types: string[]): Node[] {
    const key = types.join(',');
    let hit = this.nodeCache.get(key);
    if (!hit) {
      // one walk of the tree for every type the rules ask for: each walk costs as much as the
      // whole file, so several separate walks would dominate the incremental path
      const indexed = INDEXED_TYPES[this.language] ?? [];
      if (types.every((t) => indexed.includes(t))) {
        this.indexed ??= this.root
          .descendantsOfType(indexed)
          .filter((n): n is Node => n !== null)
          .map((n) => ({ node: n, type: n.type }));
        const wanted = new Set(types);
        hit = this.indexed.filter((e) => wanted.has(e.type)).map((e) => e.node);
      } else {
        hit = this.root.descendantsOfType(types).filter((n): n is Node => n !== null);
      }
      this.nodeCache.set(key, hit);
    }
    return hit;
  }

  /** Every call of the file, callee resolved. */
  calls(): CallSite[] {
    if (!this.callCache) {
      this.callCache = this.nodes(callTypes(this.language)).map((node) => {
        const segments = calleeSegments(node);
        return { node, segments, qualified: resolveName(segments, this.imports) };
      });
    }
    return this.callCache;
  }

  /** Calls lying inside a node. */
  callsIn(node: Node): CallSite[] {
    return this.calls().filter((c) => c.node.startIndex >= node.startIndex && c.node.endIndex <= node.endIndex);
  }

  /** Whether a call is a logging call (configured logger callables). */
  isLogCall(call: Node): boolean {
    return this.isLogCallee(calleeSegments(call));
  }

  /** The name of the function enclosing a node ('' at module level). */
  functionOf(node: Node): string {
    let outermostAnonymous: Node | null = null;
    for (let p = node.parent; p; p = p.parent) {
      if (!this.fnTypes.includes(p.type)) continue;
      const name = functionName(p, this.language);
      if (name !== null) return name;
      outermostAnonymous = p;
    }
    return outermostAnonymous ? anonymousName(outermostAnonymous) : '';
  }

  /**
   * Records a finding at a node (or an explicit range). `unsure` says why the rule doubts it: the
   * finding is then low confidence, one severity level down, with the reason in its message.
   */
  report(rule: RuleId, at: Node, message: string, fix?: FixHint, range?: Range1, unsure?: string): void {
    const r = range ?? rangeOf(at);
    const severity = this.options.severity[rule];
    this.findings.push({
      rule,
      file: this.file,
      line: r.line,
      endLine: r.endLine,
      column: r.column,
      endColumn: r.endColumn,
      function: this.functionOf(at),
      attribution: null,
      production: null,
      ...(unsure ? { message: `${message} (low confidence: ${unsure})`, severity: LOWER[severity], confidence: 'low' as const } : { message, severity }),
      ...(fix ? { fix } : {}),
    });
  }
}

const LOWER: Record<Severity, Severity> = { error: 'warning', warning: 'note', note: 'note' };

/** One rule: checks a parsed file and reports into the context. */
export interface Rule {
  id: RuleId;
  /** Languages the rule reads (a rule is skipped for others). */
  languages: readonly Language[];
  check(ctx: RuleContext): void;
}

/** Options with defaults filled in. */
export function resolveRuleOptions(partial: { loggers?: readonly string[]; fixTimeoutMs?: number; severity?: Partial<Record<RuleId, Severity>> }): RuleOptions {
  return {
    loggers: partial.loggers ?? DEFAULT_LOGGERS,
    fixTimeoutMs: partial.fixTimeoutMs ?? 10_000,
    severity: { ...DEFAULT_SEVERITY, ...partial.severity },
  };
}
