/**
 * git-ai authorship notes (`refs/notes/ai`, format `authorship/3.x`): which lines of which
 * files a commit's AI sessions wrote. A note is attestation lines (a path, then indented
 * `<key> <ranges>`), a `---` line, then JSON metadata naming the agent behind each key.
 * Notes are input from outside: anything malformed is rejected with a reason, never thrown.
 */
import { agentDisplayName, cleanModel } from './agents';
import type { LineRange } from './lineRanges';
import { inRanges, parseRangeList } from './lineRanges';

/** One `<key> <ranges>` line, resolved against the metadata. */
export interface GitAiAttestation {
  key: string;
  ranges: LineRange[];
  /** False for `h_` (human) keys. */
  ai: boolean;
  agent?: string;
  model?: string;
  /**
   * True for a prompt key whose record is not in this note: git-ai looks it up in the other notes
   * (a cherry-pick or rebase carries attestations without their prompts), and so do we.
   */
  foreign?: boolean;
}

/** The agent and model a prompt or session record names. */
export interface PromptAgent {
  agent?: string;
  model?: string;
}

/** A parsed note. */
export interface GitAiNote {
  schemaVersion: string;
  /** Attestations per repository-relative path, as of the noted commit. */
  files: Map<string, GitAiAttestation[]>;
  /** Lines that were skipped without rejecting the note (unknown key forms, unknown sessions). */
  warnings: string[];
  /** Attestation lines skipped (counted for the report's summary). */
  skipped: number;
  /** The prompt records this note holds, by key, for resolving other notes' foreign keys. */
  prompts: Map<string, PromptAgent>;
}

/** The outcome of parsing a note: the note, or why it was ignored. */
export type GitAiNoteParse = { ok: true; note: GitAiNote } | { ok: false; reason: string };

/** Who wrote one line according to a note. */
export interface NoteLineAuthor {
  ai: boolean;
  agent?: string;
  model?: string;
}

const SESSION_KEY = /^s_[0-9A-Za-z]+(?:::t_[0-9A-Za-z]+)?$/;
const LEGACY_KEY = /^[0-9a-fA-F]{16}$/;
const HUMAN_KEY = /^h_[0-9A-Za-z]+(?:::t_[0-9A-Za-z]+)?$/;
// Other keys go to prompts; only plain ids are looked up elsewhere (they end up in a git grep).
const PROMPT_KEY = /^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$/;
// Notes are small; one larger than this is not a git-ai note and not worth parsing.
const MAX_NOTE_CHARS = 8 * 1024 * 1024;

/** Parses one note's text. */
export function parseGitAiNote(text: string): GitAiNoteParse {
  if (text.length > MAX_NOTE_CHARS) return { ok: false, reason: `note larger than ${MAX_NOTE_CHARS} characters` };
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const fence = lines.findIndex((l) => l.trim() === '---');
  if (fence < 0) return { ok: false, reason: "no '---' line between attestations and metadata" };

  const metadata = parseMetadata(lines.slice(fence + 1).join('\n'));
  if (typeof metadata === 'string') return { ok: false, reason: metadata };

  const warnings: string[] = [];
  const files = new Map<string, GitAiAttestation[]>();
  let current: GitAiAttestation[] | null = null;
  for (let i = 0; i < fence; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const where = `line ${i + 1}`;
    if (!/^\s/.test(raw)) {
      const path = unquotePath(raw.trim());
      if (path === null) return { ok: false, reason: `${where}: bad quoted path` };
      current = files.get(path) ?? [];
      files.set(path, current);
      continue;
    }
    if (current === null) return { ok: false, reason: `${where}: attestation before any path` };
    const match = /^\s+(\S+)\s+(\S.*)$/.exec(raw);
    if (!match) return { ok: false, reason: `${where}: expected '<key> <ranges>'` };
    const key = match[1]!;
    const ranges = parseRangeList(match[2]!.trim());
    if (typeof ranges === 'string') return { ok: false, reason: `${where}: ${ranges}` };
    const resolved = resolveKey(key, metadata);
    if (typeof resolved === 'string') {
      warnings.push(`${where}: ${resolved}`);
      continue;
    }
    current.push({ key, ranges, ...resolved });
  }
  const prompts = new Map<string, PromptAgent>();
  for (const key of Object.keys(metadata.prompts)) prompts.set(key, agentOf(metadata.prompts[key]));
  return { ok: true, note: { schemaVersion: metadata.schemaVersion, files, warnings, skipped: warnings.length, prompts } };
}

/** Prompt keys of `note` whose records sit in another note. */
export function foreignPromptKeys(note: GitAiNote): string[] {
  const keys = new Set<string>();
  for (const attestations of note.files.values()) for (const a of attestations) if (a.foreign) keys.add(a.key);
  return [...keys];
}

/**
 * Who wrote `line` (1-based, as of the noted commit) of `path`, or null when the note does not say.
 * `foreign` holds the records of prompt keys found in other notes (null: found nowhere).
 */
export function noteLineAuthor(note: GitAiNote, path: string, line: number, foreign: ReadonlyMap<string, PromptAgent | null> = new Map()): NoteLineAuthor | null {
  const attestations = note.files.get(path);
  if (!attestations) return null;
  // The latest entry for a line wins, as in git-ai's get_line_attribution (entries in reverse);
  // a prompt found in no note is skipped, as git-ai skips it.
  for (let i = attestations.length - 1; i >= 0; i--) {
    const a = attestations[i]!;
    if (!inRanges(a.ranges, line)) continue;
    if (!a.ai) return { ai: false };
    const record = a.foreign ? foreign.get(a.key) : a;
    if (!record) continue;
    return { ai: true, ...(record.agent ? { agent: record.agent } : {}), ...(record.model ? { model: record.model } : {}) };
  }
  // git-ai lists every AI line of the files it names; a line it leaves out was written by a person.
  return { ai: false };
}

/** True when the note names `path` at all. */
export function noteCoversPath(note: GitAiNote, path: string): boolean {
  return note.files.has(path);
}

interface Metadata {
  schemaVersion: string;
  sessions: Record<string, unknown>;
  prompts: Record<string, unknown>;
  humans: Record<string, unknown>;
}

function parseMetadata(json: string): Metadata | string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return `metadata is not JSON (${(error as Error).message})`;
  }
  if (!isRecord(value)) return 'metadata is not a JSON object';
  const version = value['schema_version'];
  if (typeof version !== 'string') return 'metadata has no schema_version';
  if (!/^authorship\/3\./.test(version)) return `unsupported schema_version '${version.slice(0, 40)}'`;
  return {
    schemaVersion: version,
    sessions: isRecord(value['sessions']) ? value['sessions'] : {},
    prompts: isRecord(value['prompts']) ? value['prompts'] : {},
    humans: isRecord(value['humans']) ? value['humans'] : {},
  };
}

/**
 * Whether a key is AI and which agent it names, routed as git-ai routes it (`h_` to humans,
 * `s_` to sessions, anything else to prompts; docs/migrations/sessions-v2-note-format.md in
 * git-ai-project/git-ai); a string when the line is skipped, as git-ai skips it.
 */
function resolveKey(key: string, metadata: Metadata): Omit<GitAiAttestation, 'key' | 'ranges'> | string {
  if (HUMAN_KEY.test(key)) {
    return own(metadata.humans, key) ? { ai: false } : `human key '${key.slice(0, 60)}' has no record in humans`;
  }
  if (key.startsWith('s_')) {
    if (!SESSION_KEY.test(key)) return `unknown attestation key '${key.slice(0, 60)}'`;
    const sessionId = key.split('::')[0]!;
    // A session with no record says nothing about who wrote the lines: git-ai skips it, so not AI.
    if (!own(metadata.sessions, sessionId)) return `session key '${key.slice(0, 60)}' has no record in sessions`;
    return { ai: true, ...agentOf(metadata.sessions[sessionId]) };
  }
  if (own(metadata.prompts, key)) return { ai: true, ...agentOf(metadata.prompts[key]) };
  // git-ai searches the other notes for the prompt (git grep '"KEY"' refs/notes/ai, newest commit first).
  if (PROMPT_KEY.test(key) || LEGACY_KEY.test(key)) return { ai: true, foreign: true };
  return `unknown attestation key '${key.slice(0, 60)}'`;
}

function own(record: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(record, key);
}

/** The agent and model of a prompt or session record (`agent_id.tool`, `agent_id.model`). */
export function agentOf(record: unknown): PromptAgent {
  if (!isRecord(record)) return {};
  const id = record['agent_id'];
  if (!isRecord(id)) return {};
  const agent = typeof id['tool'] === 'string' ? agentDisplayName(id['tool']) : undefined;
  const model = cleanModel(id['model']);
  return { ...(agent ? { agent } : {}), ...(model ? { model } : {}) };
}

function unquotePath(text: string): string | null {
  if (!text.startsWith('"')) return text;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' && value !== '' ? value : null;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
