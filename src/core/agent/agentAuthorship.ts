/**
 * Joins production rows to the analysis's AI authorship: which AI-written function (if any) holds a
 * line, and how to say who wrote it in one line. Failures to read authorship are reported, never
 * thrown: production figures are worth showing without it.
 */
import type { AgentAuthoredFunction, AgentAuthorship, AgentData, AgentFinding } from './agentData';
import { fmtPercent, safeText } from './agentText';

/** The AI-written functions of `files` (all when absent), or why they could not be read. */
export async function readAuthored(data: AgentData, files?: readonly string[]): Promise<{ functions: AgentAuthoredFunction[]; error?: string }> {
  try {
    return { functions: await data.authored(files) };
  } catch (err) {
    return { functions: [], error: safeText((err as Error).message ?? String(err), 160) };
  }
}

/** The findings of `files`, or why they could not be read. */
export async function readFindings(data: AgentData, files?: readonly string[]): Promise<{ findings: AgentFinding[]; error?: string }> {
  try {
    return { findings: await data.findings(files) };
  } catch (err) {
    return { findings: [], error: safeText((err as Error).message ?? String(err), 160) };
  }
}

/** The innermost AI-written function of `file` whose lines contain `line`, if any. */
export function authoredAt(functions: readonly AgentAuthoredFunction[], file: string, line: number): AgentAuthoredFunction | undefined {
  let best: AgentAuthoredFunction | undefined;
  for (const f of functions) {
    if (f.file !== file || !f.authorship.ai || line < f.line || line > f.endLine) continue;
    if (!best || f.endLine - f.line < best.endLine - best.line) best = f;
  }
  return best;
}

/** `Claude Code (claude-opus-4) · Co-Authored-By trailer on 3f2a1c0 · confidence high · 80% AI lines`. */
export function authorshipLine(a: AgentAuthorship): string {
  const who = [a.agent ? safeText(a.agent, 40) : 'an AI agent', a.model ? `(${safeText(a.model, 40)})` : ''].filter((p) => p !== '').join(' ');
  return `${who} · ${safeText(a.how, 80)} · confidence ${safeText(a.confidence, 20)} · ${fmtPercent(a.aiShare)} AI lines`;
}
