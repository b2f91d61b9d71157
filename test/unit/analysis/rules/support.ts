// Helpers shared by the rule tests: analyse a snippet, apply a quick fix, check the result parses.
import type { Finding, FixHint, RuleId } from '../../../../src/core/analysis/findings';
import { analyzeFile, defaultParsers } from '../../../../src/core/analysis/analyze';
import type { AnalysisOptions } from '../../../../src/core/analysis/analyze';
import { languageForFile } from '../../../../src/core/analysis/languages';
import type { GrammarLanguage } from '../../../../src/core/analysis/languages';

/** Findings of one rule in a snippet. */
export async function findings(file: string, text: string, rule: RuleId, options: Omit<AnalysisOptions, 'rules'> = {}): Promise<Finding[]> {
  return (await analyzeFile(file, text, { ...options, rules: [rule] })).filter((f) => f.rule === rule);
}

/** Lines (1-based) that carry a finding of the rule. */
export async function lines(file: string, text: string, rule: RuleId): Promise<number[]> {
  return (await findings(file, text, rule)).map((f) => f.line);
}

/** Applies a fix's edits (1-based line/column) to text, last edit first. */
export function applyFix(text: string, fix: FixHint): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const offset = (line: number, column: number) => starts[line - 1] + column - 1;
  const edits = fix.edits.map((e) => ({ start: offset(e.line, e.column), end: offset(e.endLine, e.endColumn), text: e.text })).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Whether text parses without syntax errors in the file's language. */
export async function parsesCleanly(file: string, text: string): Promise<boolean> {
  const language = languageForFile(file) as GrammarLanguage;
  const tree = await defaultParsers().parse(language, text);
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

/** Applies the fix of the finding on `line`, checks the result parses, and returns it. */
export async function fixAt(file: string, text: string, rule: RuleId, line: number): Promise<string> {
  const f = (await findings(file, text, rule)).find((x) => x.line === line);
  if (!f?.fix) throw new Error(`no fix on line ${line}`);
  const fixed = applyFix(text, f.fix);
  if (!(await parsesCleanly(file, fixed))) throw new Error(`fixed code does not parse:\n${fixed}`);
  return fixed;
}

/** 1-based line of the one line holding `marker` in a snippet (throws unless exactly one). */
export function at(src: string, marker: string): number {
  const hits = src.split('\n').flatMap((l, i) => (l.includes(marker) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`marker ${marker} found ${hits.length} times`);
  return hits[0];
}
