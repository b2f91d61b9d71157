import type { Tree } from 'web-tree-sitter';
import type { Finding, Language, RuleId, Severity } from './findings';
import { RULE_IDS } from './findings';
import { languageForFile } from './languages';
import type { GrammarLanguage } from './languages';
import { ParserPool } from './parser';
import { RuleContext, resolveRuleOptions } from './rules/context';
import { checkSqlMigration } from './rules/nonIdempotentMigration';
import { RULES } from './rules/registry';

/** What the analysis runs and how. */
export interface AnalysisOptions {
  /** Rules to run (default: all). */
  rules?: readonly RuleId[];
  /** Logger callables (`console.*`, `logger.*`, `Sentry.captureException`); replaces the defaults. */
  loggers?: readonly string[];
  /** Timeout the quick fixes write, in milliseconds (default 10 000). */
  fixTimeoutMs?: number;
  severity?: Partial<Record<RuleId, Severity>>;
  /** Parsers to use; default a process-wide pool reading the WASM files from `wasmDir` or the default place. */
  parsers?: ParserPool;
  wasmDir?: string;
  /** Language override (default: from the file extension). */
  language?: Language;
}

let sharedPool: ParserPool | undefined;

/** The process-wide parser pool (grammars load once per process). */
export function defaultParsers(wasmDir?: string): ParserPool {
  sharedPool ??= new ParserPool(wasmDir ? { wasmDir } : {});
  return sharedPool;
}

/** Findings sorted by position, then rule, so output is stable. */
function sorted(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
}

/** Parses and analyses one file; `file` is the workspace-relative posix path findings carry. */
export async function analyzeFile(file: string, text: string, options: AnalysisOptions = {}): Promise<Finding[]> {
  const language = options.language ?? languageForFile(file);
  if (!language) return [];
  if (language === 'sql') {
    const rules = options.rules ?? RULE_IDS;
    if (!rules.includes('non-idempotent-migration')) return [];
    return checkSqlMigration(file, text, resolveRuleOptions(options).severity['non-idempotent-migration']);
  }
  const parsers = options.parsers ?? defaultParsers(options.wasmDir);
  const tree = await parsers.parse(language, text);
  try {
    return analyzeTree(file, tree, text, language, options);
  } finally {
    tree.delete();
  }
}

/** Runs the rules on an already parsed tree (the incremental path: the editor keeps and edits the tree). */
export function analyzeTree(file: string, tree: Tree, text: string, language: GrammarLanguage, options: AnalysisOptions = {}): Finding[] {
  const ctx = new RuleContext(file, language, tree, text, resolveRuleOptions(options));
  for (const id of options.rules ?? RULE_IDS) {
    const rule = RULES[id];
    if (rule.languages.includes(language)) rule.check(ctx);
  }
  return sorted(ctx.findings);
}
