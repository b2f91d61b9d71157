import { attributionLabel, productionLabel } from '../analysis/ranking';
import type { ServingRow } from '../analysis/servingTraffic';
import { markdownText, plainText } from './escape';

/** What the Production risk view shows for one AI-written function serving traffic. */
export interface ServingText {
  /** The function's name, one line of plain text. */
  label: string;
  /** `file · figures`, one line of plain text. */
  description: string;
  /** Markdown for the tooltip: every value escaped as text. */
  tooltip: string;
}

/**
 * The text of an "AI-written code serving traffic" row. Names, paths, agents, models and commit
 * sources come from code and commits a stranger may have written: plain one-line text in labels,
 * escaped text in the markdown tooltip, never markup, icons or control characters.
 */
export function servingText(row: ServingRow, findings: number): ServingText {
  const name = row.function || '(module level)';
  const figures = productionLabel(row.production);
  const a = row.attribution;
  return {
    label: plainText(name),
    description: plainText(`${row.file.split('/').pop()} · ${figures}`),
    tooltip: [
      `**${markdownText(name)}** in ${markdownText(row.file)} (lines ${row.line}–${row.endLine})`,
      markdownText(attributionLabel(a) ?? 'AI-written'),
      markdownText(`Source: ${a.source} (${a.confidence} confidence, ${Math.round(a.aiShare * 100)}% of its lines AI-written)`),
      markdownText(figures),
      markdownText(findings === 0 ? 'No findings' : findings === 1 ? '1 finding (see Findings)' : `${findings} findings (see Findings)`),
    ].join('\n\n'),
  };
}
