/**
 * Who wrote each function: every line is traced through blame to the commit and line it came
 * from, and that (commit, path, line) is asked, strongest source first, whether an AI wrote it:
 * the commit's git-ai note (line-level, authoritative for its commit), Agent Trace records at that
 * commit, then the commit's trailers and author. A function is AI-written when most of its
 * non-blank lines are AI at medium confidence or above. Generated files are skipped.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Logger } from '../../logger';
import { silentLogger } from '../../logger';
import type { GitPort } from '../../mapping/git';
import { GitError, nodeGit } from '../../mapping/git';
import type { Attribution, AttributionSource, Confidence, FunctionSpan } from '../findings';
import type { AgentTraceIndex } from './agentTrace';
import { AGENT_TRACE_FILE, emptyTraceIndex, readAgentTraces, traceLineContributor, traceRangesFor } from './agentTrace';
import type { BlameLine } from './blame';
import { BlameCache, blameWorkingCopy, splitLines } from './blame';
import type { CommitInfo } from './commits';
import { CommitStore, NOTES_REF } from './commits';
import type { PromptAgent } from './gitAiNotes';
import { foreignPromptKeys, noteCoversPath, noteLineAuthor } from './gitAiNotes';
import { ForeignPromptResolver } from './foreignPrompts';
import { runRetryingTimeout, STATE_TIMEOUT_MS } from './gitBudget';
import { aiMarkerLines, isGeneratedFile, markerForFunction } from './markers';

/** Ports and limits for an `Attributor`. */
export interface AttributorOptions {
  /** Git bound to the repository root; defaults to the git binary run there. */
  git?: GitPort;
  logger?: Logger;
  /**
   * Reuse HEAD and the notes tip for this long (ms) instead of asking git on every call; the
   * editor's per-keystroke path can set ~1000 to save a git process per edit. Default 0.
   */
  stateMaxAgeMs?: number;
  /** The time a blame of an empty file gets before it is retried once (default `BLAME_BASE_TIMEOUT_MS`; longer files get more). */
  blameBaseTimeoutMs?: number;
}

/** What one line is, according to the strongest source that speaks about it. */
interface LineClaim {
  ai: boolean;
  kind: AttributionSource;
  confidence: Confidence;
  label: string;
  sha?: string;
  agent?: string;
  model?: string;
}

interface RepoState {
  head: string | null;
  notesTip: string | null;
  /** Set when git timed out (twice) asking: then nothing in the repository has a known author. */
  failed?: string;
}

const RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };

/** Attributes functions of files in one repository, with caches shared by all its files. */
export class Attributor {
  private readonly git: GitPort;
  private readonly logger: Logger;
  private readonly blames: BlameCache;
  private readonly commits: CommitStore;
  private readonly foreignPrompts: ForeignPromptResolver;
  // git-ai attestation lines skipped, each note counted once (the report's summary shows the total).
  private readonly skippedByCommit = new Map<string, number>();
  private topLevel: Promise<string | null> | null = null;
  private traces: { key: string; index: AgentTraceIndex } | null = null;
  private state: { at: number; value: RepoState } | null = null;
  private readonly stateMaxAgeMs: number;

  constructor(
    private readonly repoRoot: string,
    options: AttributorOptions = {},
  ) {
    this.git = options.git ?? nodeGit(repoRoot);
    this.logger = options.logger ?? silentLogger;
    this.stateMaxAgeMs = options.stateMaxAgeMs ?? 0;
    this.blames = new BlameCache(this.git, undefined, options.blameBaseTimeoutMs);
    this.commits = new CommitStore(this.git, this.logger);
    this.foreignPrompts = new ForeignPromptResolver(this.git, this.logger);
  }

  /** git-ai attestation lines skipped so far (unknown keys, sessions and prompts with no record), each note once. */
  skippedAttestations(): number {
    let total = 0;
    for (const n of this.skippedByCommit.values()) total += n;
    return total;
  }

  /** Attribution per function of `file` (absolute, or relative to the repository root) with contents `text`. */
  async attributeFunctions(file: string, functions: readonly FunctionSpan[], text: string): Promise<Map<FunctionSpan, Attribution>> {
    const result = new Map<FunctionSpan, Attribution>();
    if (isGeneratedFile(text) || functions.length === 0) return result;
    const textLines = splitLines(text);
    const lines = await this.blameLines(file, textLines);
    // Failed git is not human authorship: saying nothing here would drop the file's AI findings unseen.
    let unknown = lines.unknown;

    const wanted = new Set<string>();
    for (const fn of functions) {
      for (let line = fn.startLine; line <= Math.min(fn.endLine, textLines.length); line++) {
        const blamed = lines.blame?.[line - 1];
        if (blamed) wanted.add(blamed.sha);
      }
    }
    const [infos, traces] =
      wanted.size > 0
        ? await Promise.all([
            // Without commit facts or traces, lines still get blame; a failing source must not sink the rest.
            this.commits.load(wanted, lines.state.notesTip).catch((error: Error) => {
              this.logger.warn(`attribution: reading commits failed: ${error.message}`);
              unknown ||= `reading commits failed: ${error.message}`;
              return new Map<string, CommitInfo>();
            }),
            this.agentTraces().catch((error: Error) => {
              this.logger.warn(`attribution: reading ${AGENT_TRACE_FILE} failed: ${error.message}`);
              return emptyTraceIndex();
            }),
          ])
        : [new Map<string, CommitInfo>(), emptyTraceIndex()];
    const foreign = await this.resolveForeignPrompts(infos, lines.state.notesTip);
    const claimOf = this.lineClassifier(infos, traces, foreign);
    const markers = aiMarkerLines(text);

    for (const fn of functions) {
      result.set(fn, unknown ? unknownAuthorship(unknown) : this.attributeOne(fn, textLines, lines.blame, claimOf, markers, lines.why));
    }
    return result;
  }

  private async blameLines(file: string, textLines: string[]): Promise<{ blame: (BlameLine | null)[] | null; state: RepoState; why: string; unknown?: string }> {
    const state = await this.repoState();
    const relPath = toRepoPath(this.repoRoot, file);
    if (relPath === null) return { blame: null, state, why: 'outside the repository' };
    if (state.failed !== undefined) return { blame: null, state, why: 'git failed', unknown: state.failed };
    if (!state.head) return { blame: null, state, why: 'no commits yet' };
    try {
      const atHead = await this.blames.get(relPath, state.head, textLines.length);
      return { blame: blameWorkingCopy(atHead, textLines), state, why: atHead ? '' : 'not committed' };
    } catch (error) {
      this.logger.warn(`attribution: blame of ${relPath} failed: ${(error as Error).message}`);
      const message = (error as Error).message;
      return { blame: null, state, why: 'git blame failed', unknown: message.startsWith('git ') ? message : `git blame: ${message}` };
    }
  }

  /** HEAD and the notes tip in one git call; nulls when the folder has no commits or is no repository. */
  private async repoState(): Promise<RepoState> {
    const now = Date.now();
    if (this.state && now - this.state.at < this.stateMaxAgeMs) return this.state.value;
    let value: RepoState = { head: null, notesTip: null };
    try {
      // --revs-only drops names that do not resolve, so a repository without notes gives one line.
      const rows = (await runRetryingTimeout(this.git, ['rev-parse', '--revs-only', 'HEAD', NOTES_REF], STATE_TIMEOUT_MS)).split('\n').filter((r) => /^[0-9a-f]{40,64}$/.test(r.trim()));
      value = { head: rows[0]?.trim() ?? null, notesTip: rows[1]?.trim() ?? null };
    } catch (error) {
      if (error instanceof GitError && error.timedOut) {
        value = { head: null, notesTip: null, failed: error.message };
        this.logger.warn(`attribution: ${error.message} in ${this.repoRoot}`);
      } else {
        this.logger.debug(`attribution: no git state in ${this.repoRoot}: ${(error as Error).message}`);
      }
    }
    // A timeout is not remembered: the next file asks again.
    if (value.failed === undefined) this.state = { at: now, value };
    return value;
  }

  /** The parsed traces file, re-read only when its size or modification time changes. */
  private async agentTraces(): Promise<AgentTraceIndex> {
    this.topLevel ??= this.git
      .run(['rev-parse', '--show-toplevel'])
      .then((out) => out.trim() || null)
      .catch(() => null);
    const top = await this.topLevel;
    if (!top) return emptyTraceIndex();
    const info = await stat(join(top, AGENT_TRACE_FILE)).catch(() => null);
    const key = info ? `${info.size}:${info.mtimeMs}` : 'none';
    if (this.traces?.key !== key) {
      const index = await readAgentTraces(top);
      for (const reason of index.skipped) this.logger.warn(`${AGENT_TRACE_FILE}: skipped ${reason}`);
      this.traces = { key, index };
    }
    return this.traces.index;
  }

  /** Records of the prompt keys the loaded notes hold only by reference, and the skipped lines tallied. */
  private async resolveForeignPrompts(infos: Map<string, CommitInfo>, notesTip: string | null): Promise<Map<string, PromptAgent | null>> {
    const keys = new Set<string>();
    for (const info of infos.values()) if (info.note) for (const key of foreignPromptKeys(info.note)) keys.add(key);
    const foreign = keys.size > 0 ? await this.foreignPrompts.resolve(keys, notesTip) : new Map<string, PromptAgent | null>();
    for (const [sha, info] of infos) {
      if (!info.note || this.skippedByCommit.has(sha)) continue;
      let skipped = info.note.skipped;
      for (const attestations of info.note.files.values()) for (const a of attestations) if (a.foreign && !foreign.get(a.key)) skipped++;
      this.skippedByCommit.set(sha, skipped);
    }
    return foreign;
  }

  /** A (commit, path, line) -> claim function over the loaded sources (trace ranges looked up once per commit and path). */
  private lineClassifier(infos: Map<string, CommitInfo>, traces: AgentTraceIndex, foreign: ReadonlyMap<string, PromptAgent | null>): (line: BlameLine) => LineClaim | null {
    const rangesCache = new Map<string, ReturnType<typeof traceRangesFor>>();
    return (line) => {
      const info = infos.get(line.sha);
      if (info?.note) {
        const note = info.note;
        const author = noteCoversPath(note, line.path) ? noteLineAuthor(note, line.path, line.origLine, foreign) : null;
        return {
          ai: author?.ai ?? false,
          kind: 'git-ai-note',
          confidence: 'high',
          label: 'git-ai note',
          sha: line.sha,
          ...(author?.agent ? { agent: author.agent } : {}),
          ...(author?.model ? { model: author.model } : {}),
        };
      }
      const key = `${line.sha}\0${line.path}`;
      let ranges = rangesCache.get(key);
      if (!ranges) rangesCache.set(key, (ranges = traceRangesFor(traces, line.sha, line.path)));
      const traced = ranges.length > 0 ? traceLineContributor(ranges, line.origLine) : null;
      if (traced && traced.type !== 'unknown') {
        return {
          ai: traced.type !== 'human',
          kind: 'agent-trace',
          confidence: traced.type === 'mixed' ? 'medium' : 'high',
          label: traced.type === 'mixed' ? 'Agent Trace record (mixed)' : 'Agent Trace record',
          sha: line.sha,
          ...(traced.agent ? { agent: traced.agent } : {}),
          ...(traced.model ? { model: traced.model } : {}),
        };
      }
      const claim = info?.claim;
      if (claim) {
        return {
          ai: true,
          kind: claim.kind,
          confidence: claim.confidence,
          label: claim.label,
          sha: line.sha,
          agent: claim.agent,
          ...(claim.model ? { model: claim.model } : {}),
        };
      }
      return null;
    };
  }

  private attributeOne(fn: FunctionSpan, textLines: string[], blame: (BlameLine | null)[] | null, claimOf: (line: BlameLine) => LineClaim | null, markers: number[], why: string): Attribution {
    const first = Math.max(1, fn.startLine);
    const last = Math.min(fn.endLine, textLines.length);
    // Blank lines carry no authorship; counting them would let layout tip the majority.
    let counted = 0;
    let aiLines = 0;
    let uncommitted = 0;
    const tallies = new Map<string, { claim: LineClaim; lines: number }>();
    for (let line = first; line <= last; line++) {
      if (textLines[line - 1]!.trim() === '') continue;
      counted++;
      const blamed = blame?.[line - 1] ?? null;
      if (!blamed) {
        uncommitted++;
        continue;
      }
      const claim = claimOf(blamed);
      if (!claim) continue;
      if (claim.ai && RANK[claim.confidence] >= RANK.medium) aiLines++;
      const key = `${claim.ai}\0${claim.kind}\0${claim.label}\0${claim.sha}\0${claim.agent}\0${claim.model}\0${claim.confidence}`;
      const tally = tallies.get(key);
      if (tally) tally.lines++;
      else tallies.set(key, { claim, lines: 1 });
    }
    const aiShare = counted === 0 ? 0 : aiLines / counted;
    const ranked = [...tallies.values()].sort((a, b) => RANK[b.claim.confidence] - RANK[a.claim.confidence] || b.lines - a.lines);

    if (aiLines * 2 > counted) {
      const best = ranked.find((t) => t.claim.ai && RANK[t.claim.confidence] >= RANK.medium)!.claim;
      return fromClaim(best, true, aiShare);
    }
    const marker = markerForFunction(fn, markers, textLines);
    if (marker !== null) {
      return { ai: false, source: `@ai-generated marker on line ${marker}`, kind: 'code-marker', confidence: 'low', aiShare };
    }
    // A low-confidence AI claim on most lines is worth showing, though it does not make the function AI-written.
    const low = ranked.find((t) => t.claim.ai && t.claim.confidence === 'low');
    if (low && low.lines * 2 > counted) return fromClaim(low.claim, false, aiShare);
    const human = ranked.find((t) => !t.claim.ai);
    if (human && human.lines * 2 > counted) return fromClaim(human.claim, false, aiShare);
    const source = blame === null ? why || 'not committed' : uncommitted * 2 > counted ? 'not committed' : 'git blame: no AI claim';
    return { ai: false, source, kind: 'none', confidence: 'low', aiShare };
  }
}

const shared = new Map<string, Attributor>();

/**
 * Attribution per function of `file` in the repository at `repoRoot`. Generated files give an
 * empty map. Attributors (and their caches) are shared per repository root.
 */
export function attributeFunctions(repoRoot: string, file: string, functions: readonly FunctionSpan[], text: string, options: AttributorOptions = {}): Promise<Map<FunctionSpan, Attribution>> {
  let attributor = shared.get(repoRoot);
  if (!attributor) shared.set(repoRoot, (attributor = new Attributor(repoRoot, options)));
  return attributor.attributeFunctions(file, functions, text);
}

/** The attribution of a function whose authorship git could not tell. */
function unknownAuthorship(why: string): Attribution {
  return { ai: false, source: `authorship unknown (${why})`, kind: 'none', confidence: 'low', aiShare: 0, unknown: why };
}

function fromClaim(claim: LineClaim, ai: boolean, aiShare: number): Attribution {
  const short = claim.sha?.slice(0, 7);
  const human = !claim.ai ? ': human' : '';
  return {
    ai,
    source: short ? `${claim.label} on ${short}${human}` : `${claim.label}${human}`,
    kind: claim.kind,
    ...(claim.ai && claim.agent ? { agent: claim.agent } : {}),
    ...(claim.ai && claim.model ? { model: claim.model } : {}),
    ...(short ? { commit: short } : {}),
    confidence: claim.confidence,
    aiShare,
  };
}

/** `file` as a path relative to the repository root, or null when it lies outside. */
function toRepoPath(repoRoot: string, file: string): string | null {
  const rel = isAbsolute(file) ? relative(repoRoot, file) : file;
  const posix = rel
    .split(sep)
    .join('/')
    .replace(/^(\.\/)+/, '');
  if (posix === '' || posix.startsWith('../') || posix === '..' || isAbsolute(posix)) return null;
  return posix;
}
