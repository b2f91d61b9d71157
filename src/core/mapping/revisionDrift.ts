/**
 * Revision drift: where the deployed revision (from telemetry) stands against the local
 * workspace, and how a line at the deployed revision moved in the working copy.
 */
import { CARRY_MAX_PENDING, DRIFT_MAX_NEW_PER_SECOND, DRIFT_MAX_PENDING, DRIFT_MAX_REVISION_CHARS, DRIFT_MAX_REVISIONS, GIT_MAX_IN_FLIGHT } from '../loadLimits';
import { plausibleRevision } from '../ingest/revisionText';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { BoundedGit, type GitCounters } from './boundedGit';
import type { GitPort } from './git';
import { isSafeRevision } from './git';
import { DriftRepo } from './driftRepo';
import type { DiffHunk } from './lineCarry';
import { carryLine, parseUnifiedDiffHunks } from './lineCarry';
import { LruMap } from './lruMap';

/** Where the deployed code stands relative to the workspace. */
export interface DriftInfo {
  /** What telemetry said (sha or version). */
  deployed: string;
  /** Full sha it resolved to, null if unknown here. */
  commit: string | null;
  /** Local HEAD sha. */
  head: string | null;
  status: 'same' | 'drifted' | 'unknown';
  /** Commits in HEAD not in the deployed commit (the deployment is this far behind). */
  behind: number;
  /** Commits in the deployed commit not in HEAD. */
  ahead: number;
  /** Human text for 'unknown', '' otherwise. */
  reason: string;
}

/** How lines of one deployed file reach the working copy; null hunks would mean "cannot tell". */
interface Carrier {
  target: string;
  hunks: DiffHunk[];
}

/** A question put to git: its answer once settled, so callers that must not wait can read it. */
interface Slot<T> {
  promise: Promise<T>;
  settled: boolean;
  value: T | undefined;
}

/** A slot for `work`: `recover` turns a failure into an answer, `settled` runs once the answer is known. */
function startSlot<T>(work: Promise<T>, recover: (error: unknown, slot: Slot<T>) => T, settled: () => void): Slot<T> {
  const slot: Slot<T> = { promise: undefined as unknown as Promise<T>, settled: false, value: undefined };
  slot.promise = work
    .catch((error: unknown) => recover(error, slot))
    .then((value) => {
      slot.value = value;
      slot.settled = true;
      settled();
      return value;
    });
  return slot;
}

/** A carried line, or null when it cannot be carried. */
type CarriedLine = { file: string; line: number } | null;

// Each cached carrier holds a parsed diff; a cap keeps a long session from growing without end.
const MAX_CARRIERS = 2000;

/**
 * Resolves deployed revisions against a git workspace and carries lines across the drift.
 * Telemetry decides which revisions are asked about, so git work is bounded: implausible
 * revisions never reach git, each revision is resolved once (an LRU remembers the latest
 * DRIFT_MAX_REVISIONS), at most DRIFT_MAX_PENDING are resolved at a time and at most
 * GIT_MAX_IN_FLIGHT git processes run at once. `current` and `currentLine` never wait, for ingest.
 */
export class RevisionDrift {
  private readonly drifts = new LruMap<string, Slot<DriftInfo>>(DRIFT_MAX_REVISIONS);
  private readonly carriers = new Map<string, Slot<Carrier | null>>();
  private readonly git: BoundedGit;
  private readonly repo: DriftRepo;
  private resolving = 0;
  private carrying = 0;
  /** Woken whenever a resolution or a carrier settles (a slot is free again). */
  private slotWaiters: (() => void)[] = [];
  /** Revisions ingest started resolving in the current second, and when that second ends. */
  private startedThisSecond = 0;
  private secondEnds = 0;
  private nextSecond: Promise<void> | null = null;

  constructor(
    git: GitPort,
    private readonly logger: Logger = silentLogger,
  ) {
    this.git = git instanceof BoundedGit ? git : new BoundedGit(git, GIT_MAX_IN_FLIGHT);
    this.repo = new DriftRepo(this.git);
  }

  /** Revisions whose drift is remembered now (at most DRIFT_MAX_REVISIONS). */
  get remembered(): number {
    return this.drifts.size;
  }

  /** How many git commands ran and how many at once. */
  get gitCounters(): GitCounters {
    return this.git.counters;
  }

  /** Resolves and caches (per revision/version pair) where the deployment stands; waits for a free slot. */
  async resolve(revision: string, serviceVersion: string): Promise<DriftInfo> {
    [revision, serviceVersion] = [plausibleRevision(revision), plausibleRevision(serviceVersion)]; // implausible = not named
    const key = `${revision}\u0000${serviceVersion}`;
    for (;;) {
      const cached = this.drifts.get(key);
      if (cached) return cached.promise;
      const implausible = implausibleDrift(revision, serviceVersion);
      if (implausible) return implausible;
      if (this.resolving < DRIFT_MAX_PENDING) return this.startResolving(key, revision, serviceVersion).promise;
      await this.slotFreed();
    }
  }

  /**
   * The drift when it is known now; otherwise starts resolving it (when a slot is free) and gives a
   * promise that settles when asking again may tell more. Never waits, so ingest never waits on git.
   */
  current(revision: string, serviceVersion: string): DriftInfo | Promise<unknown> {
    [revision, serviceVersion] = [plausibleRevision(revision), plausibleRevision(serviceVersion)]; // implausible = not named
    const key = `${revision}\u0000${serviceVersion}`;
    const cached = this.drifts.get(key);
    if (cached) return cached.settled ? cached.value! : cached.promise;
    const implausible = implausibleDrift(revision, serviceVersion);
    if (implausible) return implausible;
    if (!this.withinRate()) return this.secondOver();
    if (this.resolving < DRIFT_MAX_PENDING) {
      this.startedThisSecond++;
      return this.startResolving(key, revision, serviceVersion).promise;
    }
    return this.slotFreed();
  }

  /** True while ingest may start resolving another new revision this second. */
  private withinRate(): boolean {
    const now = Date.now();
    if (now >= this.secondEnds) {
      this.secondEnds = now + 1_000;
      this.startedThisSecond = 0;
    }
    return this.startedThisSecond < DRIFT_MAX_NEW_PER_SECOND;
  }

  /** Settles when the current second's budget of new revisions is renewed. */
  private secondOver(): Promise<void> {
    this.nextSecond ??= new Promise<void>((resolve) => {
      setTimeout(
        () => {
          this.nextSecond = null;
          resolve();
        },
        Math.max(1, this.secondEnds - Date.now()),
      ).unref();
    });
    return this.nextSecond;
  }

  private startResolving(key: string, revision: string, serviceVersion: string): Slot<DriftInfo> {
    this.resolving++;
    const slot = startSlot(
      this.computeDrift(revision.trim(), serviceVersion.trim()),
      (error, self) => {
        const deployed = revision.trim() || serviceVersion.trim();
        this.logger.warn(`revision drift for ${quote(deployed)} failed: ${messageOf(error)}`);
        // git itself failed (timeout, killed): say so now, but ask again next time.
        if (this.drifts.peek(key) === self) this.drifts.delete(key);
        return unknown(deployed, null, null, `git could not tell: ${messageOf(error)}`);
      },
      () => {
        this.resolving--;
        this.wakeSlotWaiters();
      },
    );
    this.drifts.set(key, slot);
    return slot;
  }

  private slotFreed(): Promise<void> {
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private wakeSlotWaiters(): void {
    for (const wake of this.slotWaiters.splice(0)) wake();
  }

  /**
   * Carries a 1-based line of `file` (workspace-relative, posix) at the deployed commit to the
   * working copy; null when that line was changed or deleted since, or git cannot tell. Also
   * follows renames.
   */
  async translateLine(info: DriftInfo, file: string, line: number): Promise<CarriedLine> {
    for (;;) {
      const now = this.currentLine(info, file, line);
      if (!(now instanceof Promise)) return now;
      await now;
    }
  }

  /**
   * `translateLine` without waiting: the carried line when git has already answered for that file,
   * else a promise that settles when asking again may tell more (the diff is started when a slot is free).
   */
  currentLine(info: DriftInfo, file: string, line: number): CarriedLine | Promise<unknown> {
    const path = normalizeWorkspacePath(file);
    if (!info.commit || path === null || !Number.isInteger(line) || line < 1) return null;
    const slot = this.carrierFor(info.commit, path);
    if (slot === null) return this.slotFreed();
    if (!slot.settled) return slot.promise;
    const carrier = slot.value;
    if (!carrier) return null;
    const carried = carryLine(carrier.hunks, line);
    return carried === null ? null : { file: carrier.target, line: carried };
  }

  /**
   * Forgets everything learned from git; call it when HEAD, refs or the working tree change
   * (e.g. after a fetch, a checkout or a save), since answers are cached until then.
   */
  invalidate(): void {
    this.drifts.clear();
    this.carriers.clear();
    this.repo.invalidate();
  }

  private async computeDrift(revision: string, version: string): Promise<DriftInfo> {
    const deployed = revision || version;
    if (!deployed) return unknown('', null, null, 'the deployment does not name its revision');
    const repo = await this.repo.state();
    if (repo.problem) return unknown(deployed, null, null, repo.problem);
    if (!repo.head) return unknown(deployed, null, null, 'the workspace repository has no commits yet');

    const misses: string[] = [];
    // A fetch can only help when git was asked about a well-formed name and did not have it.
    let fetchable = false;
    let commit: string | null = null;
    let resolvedFrom = deployed;
    if (revision) {
      if (!plausibleRevisionName(revision)) {
        misses.push(`revision ${quote(revision)} is not a usable git revision`);
      } else {
        commit = await this.repo.commitOf(hexLower(revision));
        if (!commit) misses.push(`revision ${revision} is not in this clone`);
        fetchable ||= !commit;
      }
    }
    if (!commit && version) {
      const tags = tagCandidates(version);
      for (const tag of tags) {
        commit = await this.repo.commitOf(`refs/tags/${tag}`);
        if (commit) {
          resolvedFrom = version;
          break;
        }
      }
      if (!commit) {
        misses.push(tags.length ? `no tag ${tags.join(' or ')} is in this clone` : `version ${quote(version)} cannot name a git tag`);
        fetchable ||= tags.length > 0;
      }
    }
    if (!commit) {
      const tagsFlag = version ? ' --tags' : '';
      const fetch = repo.shallow ? `the clone is shallow; run git fetch --unshallow${tagsFlag}` : `run git fetch${tagsFlag}`;
      return unknown(deployed, null, repo.head, fetchable ? `${misses.join(' and ')}; ${fetch}` : misses.join(' and '));
    }

    if (repo.shallow && !(await this.repo.haveMergeBase(commit, repo.head))) {
      return unknown(resolvedFrom, commit, repo.head, `the clone is shallow and its history does not reach where ${shortName(resolvedFrom)} and HEAD meet; run git fetch --unshallow`);
    }
    const { ahead, behind } = await this.repo.aheadBehind(commit, repo.head);
    const status = commit === repo.head ? 'same' : 'drifted';
    this.logger.debug(`deployed ${shortName(resolvedFrom)} is ${commit}: ${behind} behind, ${ahead} ahead of HEAD`);
    return { deployed: resolvedFrom, commit, head: repo.head, status, behind, ahead, reason: '' };
  }

  /** The carrier of one file from `commit`, started if there is a free slot; null when there is none. */
  private carrierFor(commit: string, path: string): Slot<Carrier | null> | null {
    const key = `${commit}\u0000${path}`;
    const cached = this.carriers.get(key);
    if (cached) return cached;
    if (this.carrying >= CARRY_MAX_PENDING) return null;
    this.carrying++;
    const slot = startSlot<Carrier | null>(
      this.loadCarrier(commit, path),
      (error, self) => {
        this.logger.warn(`cannot carry lines of ${path} from ${commit.slice(0, 12)}: ${messageOf(error)}`);
        if (this.carriers.get(key) === self) this.carriers.delete(key);
        return null;
      },
      () => {
        this.carrying--;
        this.wakeSlotWaiters();
      },
    );
    if (this.carriers.size >= MAX_CARRIERS) {
      const oldest = this.carriers.keys().next().value;
      if (oldest !== undefined) this.carriers.delete(oldest);
    }
    this.carriers.set(key, slot);
    return slot;
  }

  private async loadCarrier(commit: string, path: string): Promise<Carrier | null> {
    const change = (await this.repo.changesSince(commit)).get(path);
    if (!change) {
      // Unchanged or absent at the deployed commit: only the latter must not carry.
      return (await this.repo.isFileAt(commit, path)) ? { target: path, hunks: [] } : null;
    }
    if (change.kind === 'deleted' || change.kind === 'added') return null;
    const paths = change.newPath === path ? [path] : [path, change.newPath];
    const diff = await this.repo.diff(commit, paths);
    if (/^(Binary files |GIT binary patch)/m.test(diff)) return null;
    return { target: change.newPath, hunks: parseUnifiedDiffHunks(diff) };
  }
}

/**
 * The answer for a deployment git need not be asked about (it names nothing usable), or null.
 * Such revisions are neither cached nor counted against the bounds.
 */
function implausibleDrift(revision: string, version: string): DriftInfo | null {
  const r = revision.trim();
  const v = version.trim();
  if (!r && !v) return unknown('', null, null, 'the deployment does not name its revision');
  if (r && plausibleRevisionName(r)) return null;
  if (v && v.length <= DRIFT_MAX_REVISION_CHARS && tagCandidates(v).length > 0) return null;
  const misses: string[] = [];
  if (r) misses.push(`revision ${quote(r)} is not a usable git revision`);
  if (v) misses.push(`version ${quote(v)} cannot name a git tag`);
  return unknown(r || v, null, null, misses.join(' and '));
}

/** Worth asking git about: a safe revision name of a plausible length. */
function plausibleRevisionName(revision: string): boolean {
  return revision.length <= DRIFT_MAX_REVISION_CHARS && isSafeRevision(revision);
}

/** Tags a `service.version` may be released under: `1.4.2` -> `v1.4.2`, `1.4.2`. */
function tagCandidates(version: string): string[] {
  const names = version.startsWith('v') ? [version, version.slice(1)] : [`v${version}`, version];
  return names.filter(isSafeRevision);
}

/** Abbreviated shas may arrive in upper case; git only matches lower-case hex. */
function hexLower(revision: string): string {
  return /^[0-9A-Fa-f]{4,64}$/.test(revision) ? revision.toLowerCase() : revision;
}

/** A workspace-relative posix path, or null when it could escape the workspace or is not one. */
function normalizeWorkspacePath(file: string): string | null {
  let path = file;
  while (path.startsWith('./')) path = path.slice(2);
  if (path === '' || path.startsWith('/') || path.includes('\0')) return null;
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  return path;
}

function unknown(deployed: string, commit: string | null, head: string | null, reason: string): DriftInfo {
  return { deployed, commit, head, status: 'unknown', behind: 0, ahead: 0, reason };
}

function shortName(deployed: string): string {
  return /^[0-9a-f]{40,64}$/.test(deployed) ? deployed.slice(0, 12) : deployed;
}

/** Quotes outside text for messages, so control characters and long junk cannot spill. */
function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
