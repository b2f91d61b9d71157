/**
 * Joins findings (ours and the peers') with the labels and computes, per tool, rule and language:
 * findings, labelled, true positives, precision (TP / labelled) and recall on the labelled true
 * positives (how many of every labelled TP of that rule and language the tool reports).
 */
import type { Label } from './labels';

/** A finding of any tool, reduced to what the join needs. */
export interface ToolFinding {
  tool: string;
  rule: string;
  language: string;
  file: string;
  line: number;
  endLine: number;
}

/** One row of the precision table. */
export interface PrecisionRow {
  tool: string;
  rule: string;
  language: string;
  findings: number;
  labelled: number;
  tp: number;
  /** TP / labelled, or null when nothing is labelled. */
  precision: number | null;
  /** Labelled TPs of this rule and language that the tool reports. */
  tpFound: number;
  tpTotal: number;
}

/** Labels indexed for `labelFor`, by corpus file and rule. */
export function labelsByFile(labels: readonly Label[]): Map<string, Label[]> {
  const byFile = new Map<string, Label[]>();
  for (const l of labels) {
    const k = `${l.corpusFile}\u0000${l.rule}`;
    byFile.set(k, [...(byFile.get(k) ?? []), l]);
  }
  return byFile;
}

/** The label a finding falls on: same file and rule, label line within the finding's lines. */
export function labelFor(f: ToolFinding, byFile: ReadonlyMap<string, readonly Label[]>): Label | null {
  for (const l of byFile.get(`${f.file}\u0000${f.rule}`) ?? []) {
    if (l.line >= f.line && l.line <= Math.max(f.line, f.endLine)) return l;
  }
  return null;
}

/** Lines of one rule and language that some tool flags and no label covers, with the tools that flag each, in file order. */
export function unlabelledLines(findings: readonly ToolFinding[], labels: readonly Label[], rule: string, language: string): { file: string; line: number; tools: string[] }[] {
  const byFile = labelsByFile(labels);
  const lines = new Map<string, { file: string; line: number; tools: Set<string> }>();
  for (const f of findings) {
    if (f.rule !== rule || f.language !== language || labelFor(f, byFile)) continue;
    const k = `${f.file}:${f.line}`;
    const at = lines.get(k) ?? { file: f.file, line: f.line, tools: new Set<string>() };
    at.tools.add(f.tool);
    lines.set(k, at);
  }
  return [...lines.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line).map((l) => ({ file: l.file, line: l.line, tools: [...l.tools].sort() }));
}

/** Our rows: every finding (`Runtime Lens`) and the ones the rule is sure of (`Runtime Lens, high confidence`). */
const isOurs = (tool: string) => tool.startsWith('Runtime Lens');

/** Every (tool, rule, language) with findings, plus each `ran` row (a peer that ran and found nothing still gets its row), in a stable order. */
export function precisionRows(findings: readonly ToolFinding[], labels: readonly Label[], languageOf: (file: string) => string, ran: readonly Pick<ToolFinding, 'tool' | 'rule' | 'language'>[] = []): PrecisionRow[] {
  const byFile = labelsByFile(labels);
  const tpTotal = new Map<string, number>();
  for (const l of labels) if (l.label === 'tp') tpTotal.set(`${l.rule}\u0000${languageOf(l.corpusFile)}`, (tpTotal.get(`${l.rule}\u0000${languageOf(l.corpusFile)}`) ?? 0) + 1);
  const rows = new Map<string, PrecisionRow & { found: Set<Label> }>();
  const rowOf = (f: Pick<ToolFinding, 'tool' | 'rule' | 'language'>) => {
    const key = `${f.tool}\u0000${f.rule}\u0000${f.language}`;
    let row = rows.get(key);
    if (!row) {
      row = { tool: f.tool, rule: f.rule, language: f.language, findings: 0, labelled: 0, tp: 0, precision: null, tpFound: 0, tpTotal: tpTotal.get(`${f.rule}\u0000${f.language}`) ?? 0, found: new Set() };
      rows.set(key, row);
    }
    return row;
  };
  for (const r of ran) rowOf(r);
  for (const f of findings) {
    const row = rowOf(f);
    row.findings++;
    const l = labelFor(f, byFile);
    // two findings on one labelled call (a peer reporting both lines of it) count once
    if (!l || row.found.has(l)) continue;
    row.found.add(l);
    row.labelled++;
    if (l.label === 'tp') row.tp++;
  }
  return [...rows.values()]
    .map(({ found, ...r }) => ({ ...r, precision: r.labelled ? r.tp / r.labelled : null, tpFound: [...found].filter((l) => l.label === 'tp').length }))
    .sort((a, b) => a.language.localeCompare(b.language) || a.rule.localeCompare(b.rule) || Number(isOurs(b.tool)) - Number(isOurs(a.tool)) || a.tool.localeCompare(b.tool));
}

const pct = (n: number | null) => (n === null ? '–' : `${(n * 100).toFixed(0)}%`);

/** The table as markdown, with the target verdict for our rows. */
export function precisionMarkdown(rows: readonly PrecisionRow[]): string[] {
  const out = ['| language | rule | tool | findings | labelled | TP | precision | labelled TPs found | target (≥ 80% when ≥ 20 labelled, ≥ best peer) |', '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |'];
  for (const r of rows) {
    let verdict = '';
    if (isOurs(r.tool)) {
      const peers = rows.filter((p) => !isOurs(p.tool) && p.rule === r.rule && p.language === r.language && p.precision !== null);
      const best = peers.reduce<number | null>((m, p) => (m === null || (p.precision ?? 0) > m ? p.precision : m), null);
      if (r.labelled < 20) verdict = `fewer than 20 labelled`;
      else {
        const met = (r.precision ?? 0) >= 0.8 && (best === null || (r.precision ?? 0) >= best);
        verdict = `${met ? 'met' : 'NOT met'} (${pct(r.precision)}${best !== null ? ` vs best peer ${pct(best)}` : ', no peer'})`;
      }
    }
    out.push(`| ${r.language} | ${r.rule} | ${r.tool} | ${r.findings} | ${r.labelled} | ${r.tp} | ${pct(r.precision)} | ${r.tpFound} / ${r.tpTotal} | ${verdict} |`);
  }
  return out;
}
