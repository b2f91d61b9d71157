/**
 * Commit facts attribution needs (author, trailers, message, git-ai note), fetched with one
 * `git log --no-walk` for every commit not seen yet, and cached per commit for all files.
 * Notes can be added after the fact, so the cache is dropped when `refs/notes/ai` moves.
 * The log is streamed and parsed field by field: git-ai notes run to several MB each, so a
 * batch's output has no useful upper bound and must not meet a fixed buffer.
 */
import type { Logger } from '../../logger';
import { silentLogger } from '../../logger';
import type { GitPort } from '../../mapping/git';
import type { GitAiNote } from './gitAiNotes';
import { parseGitAiNote } from './gitAiNotes';
import { LOG_IDLE_TIMEOUT_MS, streamRetryingTimeout } from './gitBudget';
import type { CommitClaim, CommitMeta } from './trailers';
import { commitClaim, parseTrailerLines } from './trailers';

/** What is known about one commit. */
export interface CommitInfo {
  meta: CommitMeta;
  /** The strongest whole-commit claim from trailers and author, or null. */
  claim: CommitClaim | null;
  /** The commit's git-ai note when it has a valid one. */
  note: GitAiNote | null;
  /** Why the commit's note was ignored, '' when it had none or it was valid. */
  noteProblem: string;
}

/** The notes ref git-ai writes authorship logs to. */
export const NOTES_REF = 'refs/notes/ai';

// %cn/%ce: an agent that commits for a person (a rebase, a push) shows up as the committer.
const FIELDS = ['%H', '%P', '%an', '%ae', '%cn', '%ce', '%(trailers:only,unfold)', '%B', '%N'];
const FORMAT = `--format=${FIELDS.join('%x00')}`;
// Keeps the command line far below Windows' 32k limit.
const SHAS_PER_CALL = 200;
const MAX_CACHED_COMMITS = 50_000;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Loads and caches commit facts. */
export class CommitStore {
  private readonly cache = new Map<string, CommitInfo>();
  private notesTip: string | null = null;

  constructor(
    private readonly git: GitPort,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Facts for each of `shas`, fetching only those not cached for this notes tip. */
  async load(shas: Iterable<string>, notesTip: string | null): Promise<Map<string, CommitInfo>> {
    if (notesTip !== this.notesTip) {
      this.cache.clear();
      this.notesTip = notesTip;
    }
    const out = new Map<string, CommitInfo>();
    const missing: string[] = [];
    for (const sha of new Set(shas)) {
      const hit = this.cache.get(sha);
      if (hit) out.set(sha, hit);
      else if (SHA.test(sha)) missing.push(sha);
    }
    for (let i = 0; i < missing.length; i += SHAS_PER_CALL) {
      const batch = missing.slice(i, i + SHAS_PER_CALL);
      const args = [
        'log',
        '-z',
        '--no-walk=unsorted',
        // User configuration must not put signatures or colour into the parsed output.
        '--no-show-signature',
        '--no-color',
        '--no-notes',
        // Naming a notes ref that does not exist makes git warn on every call.
        ...(notesTip ? [`--notes=${NOTES_REF}`] : []),
        FORMAT,
        ...batch,
        '--',
      ];
      // Bounded so a long session over a huge history cannot grow without limit; refetching is cheap.
      if (this.cache.size + batch.length > MAX_CACHED_COMMITS) this.cache.clear();
      // Without a notes ref, git prints the %N placeholder literally: there are no notes to read.
      const keep = (info: CommitInfo): void => {
        this.cache.set(info.meta.sha, info);
        out.set(info.meta.sha, info);
      };
      await streamRetryingTimeout(this.git, args, '\0', () => logFieldParser(keep, this.logger, notesTip !== null), LOG_IDLE_TIMEOUT_MS);
    }
    return out;
  }
}

/** Parses the `-z` log output of `FORMAT`: `FIELDS.length` NUL-separated fields per commit, NUL-terminated. */
export function parseLogOutput(output: string, logger: Logger = silentLogger, withNotes = true): CommitInfo[] {
  const infos: CommitInfo[] = [];
  const onField = logFieldParser((info) => infos.push(info), logger, withNotes);
  const fields = output.split('\0');
  // A trailing group shorter than a commit (the final terminator's empty field) is not one.
  for (let i = 0; i + FIELDS.length <= fields.length; i += FIELDS.length) {
    for (let j = i; j < i + FIELDS.length; j++) onField(fields[j]!);
  }
  return infos;
}

/**
 * A handler for the NUL-separated fields of the `-z` log output of `FORMAT`, one at a time as
 * they stream in: every `FIELDS.length`-th field completes a commit, handed to `onCommit`. Throws on output
 * that is not this format.
 */
export function logFieldParser(onCommit: (info: CommitInfo) => void, logger: Logger = silentLogger, withNotes = true): (field: string) => void {
  let fields: string[] = [];
  return (field) => {
    fields.push(field);
    if (fields.length < FIELDS.length) return;
    const [sha, parents, authorName, authorEmail, committerName, committerEmail, trailers, body, noteText] = fields as [string, string, string, string, string, string, string, string, string];
    fields = [];
    onCommit(commitInfo(sha, parents, authorName, authorEmail, trailers, body, noteText, logger, withNotes, committerName, committerEmail));
  };
}

function commitInfo(
  sha: string,
  parents: string,
  authorName: string,
  authorEmail: string,
  trailers: string,
  body: string,
  noteText: string,
  logger: Logger,
  withNotes: boolean,
  committerName?: string,
  committerEmail?: string,
): CommitInfo {
  const cleanSha = sha.replace(/^\n+/, '');
  if (!SHA.test(cleanSha)) throw new Error(`unexpected git log output near '${cleanSha.slice(0, 40)}'`);
  const meta: CommitMeta = {
    sha: cleanSha,
    parents: parents.split(' ').filter((p) => p !== ''),
    authorName,
    authorEmail,
    ...(committerName !== undefined && committerEmail !== undefined ? { committerName, committerEmail } : {}),
    trailers: parseTrailerLines(trailers),
    body,
  };
  let note: GitAiNote | null = null;
  let noteProblem = '';
  if (withNotes && noteText.trim() !== '') {
    const parsed = parseGitAiNote(noteText);
    if (parsed.ok) {
      note = parsed.note;
      for (const warning of parsed.note.warnings) logger.debug(`git-ai note on ${cleanSha.slice(0, 7)}: ${warning}`);
    } else {
      noteProblem = parsed.reason;
      logger.warn(`git-ai note on ${cleanSha.slice(0, 7)} ignored: ${parsed.reason}`);
    }
  }
  return { meta, claim: commitClaim(meta), note, noteProblem };
}
