/**
 * Agent Trace records (`.agent-trace/traces.jsonl`, one JSON record a line): which line ranges
 * of which files an AI, a person or both wrote, at a stated VCS revision. Records are input from
 * outside: a bad line is skipped with a reason and never stops the others.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { agentDisplayName, cleanModel } from './agents';
import { rangeProblem } from './lineRanges';

/** The contributor types the spec defines. */
export type ContributorType = 'ai' | 'mixed' | 'human' | 'unknown';

/** One attributed range of one file at one revision. */
export interface TraceRange {
  start: number;
  end: number;
  type: ContributorType;
  agent?: string;
  model?: string;
}

/** Parsed records, indexed for lookup by (commit, path, line). */
export interface AgentTraceIndex {
  /** Lower-case revision -> repository-relative path -> ranges (later records last). */
  byRevision: Map<string, Map<string, TraceRange[]>>;
  /** Why lines were skipped, `line N: reason`. */
  skipped: string[];
}

/** Where the records live, relative to the repository root. */
export const AGENT_TRACE_FILE = '.agent-trace/traces.jsonl';

const CONTRIBUTOR_TYPES = new Set<string>(['ai', 'mixed', 'human', 'unknown']);
const REVISION = /^[0-9a-f]{7,64}$/;
// The traces file grows with every agent edit; past this it is not read (and the reason logged).
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_SKIP_REASONS = 20;

/** An index with no records. */
export function emptyTraceIndex(): AgentTraceIndex {
  return { byRevision: new Map(), skipped: [] };
}

/** Parses JSON-lines text into an index. */
export function parseAgentTraces(text: string): AgentTraceIndex {
  const index = emptyTraceIndex();
  let skippedCount = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const problem = addRecord(index, line);
    if (problem) {
      skippedCount++;
      if (index.skipped.length < MAX_SKIP_REASONS) index.skipped.push(`line ${i + 1}: ${problem}`);
    }
  }
  if (skippedCount > index.skipped.length) index.skipped.push(`... and ${skippedCount - index.skipped.length} more`);
  return index;
}

/** Reads and parses the repository's traces file; a missing file is an empty index. */
export async function readAgentTraces(repoRoot: string): Promise<AgentTraceIndex> {
  const path = join(repoRoot, AGENT_TRACE_FILE);
  const info = await stat(path).catch(() => null);
  if (!info || !info.isFile()) return emptyTraceIndex();
  if (info.size > MAX_FILE_BYTES) {
    const index = emptyTraceIndex();
    index.skipped.push(`${AGENT_TRACE_FILE} is larger than ${MAX_FILE_BYTES} bytes; not read`);
    return index;
  }
  return parseAgentTraces(await readFile(path, 'utf8'));
}

/** The ranges recorded for `path` at the commit `sha` (full sha; records may use abbreviations). */
export function traceRangesFor(index: AgentTraceIndex, sha: string, path: string): TraceRange[] {
  const full = sha.toLowerCase();
  const exact = index.byRevision.get(full)?.get(path);
  if (exact) return exact;
  for (const [revision, files] of index.byRevision) {
    if (revision.length < full.length && full.startsWith(revision)) {
      const ranges = files.get(path);
      if (ranges) return ranges;
    }
  }
  return [];
}

/** The contributor of `line` in `ranges`; the last record to mention a line wins (it is the newest). */
export function traceLineContributor(ranges: readonly TraceRange[], line: number): TraceRange | null {
  for (let i = ranges.length - 1; i >= 0; i--) {
    const r = ranges[i]!;
    if (line >= r.start && line <= r.end) return r;
  }
  return null;
}

/** Adds one record; returns why it was skipped, or '' when it was taken. */
function addRecord(index: AgentTraceIndex, line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (!isRecord(record)) return 'not a JSON object';
  const vcs = record['vcs'];
  if (!isRecord(vcs)) return 'no vcs';
  if (vcs['type'] !== undefined && vcs['type'] !== 'git') return `vcs type '${String(vcs['type']).slice(0, 20)}' is not git`;
  const revision = typeof vcs['revision'] === 'string' ? vcs['revision'].toLowerCase() : '';
  if (!REVISION.test(revision)) return 'vcs.revision is not a git sha';
  const files = record['files'];
  if (!Array.isArray(files)) return 'files is not an array';
  const recordAgent = toolName(record['tool']);

  const parsed: [string, TraceRange[]][] = [];
  for (const file of files) {
    if (!isRecord(file) || typeof file['path'] !== 'string') return 'a file has no path';
    const path = normalizePath(file['path']);
    if (path === null) return `file path '${String(file['path']).slice(0, 80)}' is not repository-relative`;
    const conversations = file['conversations'];
    if (!Array.isArray(conversations)) return `${path}: conversations is not an array`;
    const ranges: TraceRange[] = [];
    for (const conversation of conversations) {
      const problem = addConversation(ranges, conversation, recordAgent);
      if (problem) return `${path}: ${problem}`;
    }
    parsed.push([path, ranges]);
  }

  let byPath = index.byRevision.get(revision);
  if (!byPath) index.byRevision.set(revision, (byPath = new Map()));
  for (const [path, ranges] of parsed) {
    const existing = byPath.get(path);
    if (existing) existing.push(...ranges);
    else byPath.set(path, ranges);
  }
  return '';
}

function addConversation(out: TraceRange[], conversation: unknown, recordAgent: string | undefined): string {
  if (!isRecord(conversation)) return 'a conversation is not an object';
  const contributor = contributorOf(conversation['contributor']);
  if (typeof contributor === 'string') return contributor;
  const agent = toolName(conversation['tool']) ?? recordAgent;
  const ranges = conversation['ranges'];
  if (!Array.isArray(ranges)) return 'ranges is not an array';
  for (const range of ranges) {
    if (!isRecord(range)) return 'a range is not an object';
    const start = range['start_line'];
    const end = range['end_line'];
    if (typeof start !== 'number' || typeof end !== 'number') return 'a range lacks start_line/end_line';
    const problem = rangeProblem(start, end);
    if (problem) return `range ${start}-${end}: ${problem}`;
    // A range may name its own contributor (one conversation, several hands).
    const own = range['contributor'] === undefined ? contributor : contributorOf(range['contributor']);
    if (typeof own === 'string') return own;
    out.push({ start, end, type: own.type, ...(agent ? { agent } : {}), ...(own.model ? { model: own.model } : {}) });
  }
  return '';
}

function contributorOf(value: unknown): { type: ContributorType; model?: string } | string {
  if (!isRecord(value)) return 'no contributor';
  const type = value['type'];
  if (typeof type !== 'string' || !CONTRIBUTOR_TYPES.has(type)) return `contributor type '${String(type).slice(0, 20)}' is not ai, mixed, human or unknown`;
  const model = cleanModel(value['model_id']);
  return { type: type as ContributorType, ...(model ? { model } : {}) };
}

function toolName(tool: unknown): string | undefined {
  return isRecord(tool) && typeof tool['name'] === 'string' ? agentDisplayName(tool['name']) : undefined;
}

function normalizePath(path: string): string | null {
  const posix = path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  if (posix === '' || posix.startsWith('/') || /^[A-Za-z]:/.test(posix) || posix.split('/').includes('..')) return null;
  return posix;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
