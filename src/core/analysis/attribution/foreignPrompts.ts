/**
 * Resolves git-ai prompt keys whose record sits in another note, the way git-ai does
 * (`get_line_attribution` in src/authorship/authorship_log_serialization.rs and
 * `find_prompt_in_history` in src/authorship/prompt_utils.rs of git-ai-project/git-ai):
 * `git grep '"KEY"' refs/notes/ai`, the matching notes' commits newest first, and the first of
 * them whose metadata holds the prompt. A key found nowhere resolves to null (not AI).
 */
import type { Logger } from '../../logger';
import { silentLogger } from '../../logger';
import type { GitPort } from '../../mapping/git';
import { NOTES_REF } from './commits';
import type { PromptAgent } from './gitAiNotes';
import { parseGitAiNote } from './gitAiNotes';

// Bounds the notes read for one lookup: a key in more notes than this is resolved from the newest.
const MAX_NOTES_READ = 50;
const NOTE_PATH = /^[0-9a-f]{2}(?:\/?[0-9a-f]{2})*[0-9a-f]*$/;

/** Looks prompt keys up across all notes, caching answers per notes tip. */
export class ForeignPromptResolver {
  private readonly cache = new Map<string, PromptAgent | null>();
  private notesTip: string | null = null;

  constructor(
    private readonly git: GitPort,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** The record of each key (null when no note holds it). */
  async resolve(keys: Iterable<string>, notesTip: string | null): Promise<Map<string, PromptAgent | null>> {
    if (notesTip !== this.notesTip) {
      this.cache.clear();
      this.notesTip = notesTip;
    }
    const out = new Map<string, PromptAgent | null>();
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const hit = this.cache.get(key);
      if (hit !== undefined) out.set(key, hit);
      else missing.push(key);
    }
    if (missing.length === 0) return out;
    const found = notesTip
      ? await this.search(missing).catch((error: Error) => {
          this.logger.warn(`attribution: looking up git-ai prompts in other notes failed: ${error.message}`);
          return new Map<string, PromptAgent>();
        })
      : new Map<string, PromptAgent>();
    for (const key of missing) {
      const record = found.get(key) ?? null;
      this.cache.set(key, record);
      out.set(key, record);
    }
    return out;
  }

  private async search(keys: string[]): Promise<Map<string, PromptAgent>> {
    const patterns = keys.flatMap((k) => ['-e', `"${k}"`]);
    let listing: string;
    try {
      listing = await this.git.run(['grep', '-l', '-F', '-I', ...patterns, NOTES_REF, '--']);
    } catch {
      // git grep exits 1 when nothing matches.
      return new Map();
    }
    const paths = new Map<string, string>();
    for (const line of listing.split('\n')) {
      const path = line.startsWith(`${NOTES_REF}:`) ? line.slice(NOTES_REF.length + 1).trim() : '';
      if (NOTE_PATH.test(path)) paths.set(path.replace(/\//g, ''), path);
    }
    const found = new Map<string, PromptAgent>();
    for (const sha of await this.newestFirst([...paths.keys()])) {
      if (found.size === keys.length) break;
      const text = await this.git.run(['cat-file', 'blob', `${NOTES_REF}:${paths.get(sha)!}`]);
      const parsed = parseGitAiNote(text);
      if (!parsed.ok) continue;
      for (const key of keys) {
        const record = parsed.note.prompts.get(key);
        if (record && !found.has(key)) found.set(key, record);
      }
    }
    return found;
  }

  /** Noted commits by commit date, newest first, as git-ai's sort_commit_shas_by_date_desc. */
  private async newestFirst(shas: string[]): Promise<string[]> {
    if (shas.length <= 1) return shas;
    const dated = await this.git
      .run(['log', '--no-walk=unsorted', '--no-notes', '--format=%H %ct', ...shas, '--'])
      .then((out) =>
        out
          .split('\n')
          .map((l) => l.trim().split(' '))
          .filter((p) => p.length === 2 && shas.includes(p[0]!))
          .map(([sha, time]) => ({ sha: sha!, time: Number(time) })),
      )
      .catch(() => shas.map((sha) => ({ sha, time: 0 })));
    // Equal dates (and notes on commits git cannot resolve) fall back to sha order, so the answer is deterministic.
    dated.sort((a, b) => b.time - a.time || (a.sha < b.sha ? -1 : 1));
    return dated.slice(0, MAX_NOTES_READ).map((d) => d.sha);
  }
}
