/**
 * The workspace's risk findings as an MCP resource (`runtime-lens://findings`, and one file's at
 * `runtime-lens://findings/{file}`): one compact line per finding an agent can open (`file:line`,
 * severity, rule, function, message, who wrote it), in file and line order, within a budget.
 */
import type { AgentFinding } from './agentData';
import { fitRows } from './answerBudget';
import { fileLine, safeText } from './agentText';

/** The resource listing every finding of the workspace. */
export const FINDINGS_URI = 'runtime-lens://findings';
/** The template of one file's findings (the file workspace-relative, percent-encoded or not). */
export const FINDINGS_FILE_TEMPLATE = `${FINDINGS_URI}/{file}`;

/** What a findings URI asks for: every file, one file, or (a one-line reason) nothing we serve. */
export type FindingsTarget = { kind: 'all' } | { kind: 'file'; file: string } | { kind: 'bad'; reason: string };

/** Reads a resource URI into the files it names; a file must stay inside the workspace. */
export function findingsTarget(uri: string): FindingsTarget {
  if (uri === FINDINGS_URI || uri === `${FINDINGS_URI}/`) return { kind: 'all' };
  if (!uri.startsWith(`${FINDINGS_URI}/`)) return { kind: 'bad', reason: `unknown resource; this server has ${FINDINGS_URI} and ${FINDINGS_FILE_TEMPLATE}` };
  let file: string;
  try {
    file = decodeURIComponent(uri.slice(FINDINGS_URI.length + 1));
  } catch {
    return { kind: 'bad', reason: 'the file part is not valid percent-encoding' };
  }
  file = file.replace(/\\/g, '/').replace(/^\.\//, '');
  // Relative to the workspace and inside it: the URI must never name a file elsewhere on the machine.
  if (file === '' || file.startsWith('/') || /^[a-zA-Z]:/.test(file) || file.split('/').includes('..') || /[\u0000-\u001f]/.test(file)) {
    return { kind: 'bad', reason: 'the file must be a path relative to the workspace, inside it' };
  }
  return { kind: 'file', file };
}

/** The findings as compact text: a header saying how many and where, then one line each within `maxTokens`. */
export function findingsText(findings: readonly AgentFinding[], scope: string, maxTokens: number): string {
  if (findings.length === 0) return `No risk findings in AI-written code (${scope}).`;
  const sorted = [...findings].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const files = new Set(sorted.map((f) => f.file)).size;
  const header = [`${findings.length} risk finding${findings.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} (${scope}); file:line severity rule function: message [author]`];
  return fitRows(header, sorted.map(findingLine), maxTokens, [], `read ${FINDINGS_FILE_TEMPLATE} for one file`);
}

function findingLine(f: AgentFinding): string {
  const fn = f.function ? safeText(f.function, 60) : '(module level)';
  const by = f.authorship?.ai ? ` [${safeText([f.authorship.agent, f.authorship.model].filter(Boolean).join('/') || 'AI', 60)}, ${safeText(f.authorship.how, 80)}]` : '';
  return `${fileLine(f.file, f.line)} ${f.severity} ${safeText(f.rule, 40)} ${fn}: ${safeText(f.message, 160)}${by}`;
}
