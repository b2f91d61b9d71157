import type { SignalsResponse } from '../api/signals';

/** Rows per ranking asked for when a query covers the whole workspace. */
export const TOP_DEFAULT = 25;

/** The window and environment every surface shows; `environment` undefined = the server's default. */
export interface CacheSelection {
  window: string;
  environment: string | undefined;
}

/** A signals query as surfaces ask it: unset fields take the selection; `top` applies only without `file`. */
export interface SignalsAsk {
  window?: string;
  environment?: string;
  /** Workspace-relative posix path. */
  file?: string;
  perMinute?: boolean;
  top?: number;
}

/** A query with every field decided: what is sent, and the cache's key. */
export interface CacheQuery {
  window: string;
  environment: string | undefined;
  file: string | undefined;
  perMinute: boolean;
  /** 0 for a file's query (all its rows). */
  top: number;
}

/** An answer and when it was fetched (ms since the epoch), so surfaces can show how old it is. */
export interface CachedAnswer {
  response: SignalsResponse;
  fetchedAt: number;
}

/** The query a surface means, with the selection filled in. */
export function resolveQuery(ask: SignalsAsk, selection: CacheSelection): CacheQuery {
  return {
    window: ask.window ?? selection.window,
    environment: ask.environment ?? selection.environment,
    file: ask.file,
    perMinute: ask.perMinute ?? false,
    top: ask.file ? 0 : (ask.top ?? TOP_DEFAULT),
  };
}

/** What the cache asks and tells. */
export interface SignalsCachePorts {
  /** Fetches an answer; rejects with a one-line Error. */
  fetch(query: CacheQuery): Promise<SignalsResponse>;
  /** Debounced: answers for these files were refetched (or dropped); surfaces showing them ask again. */
  changed(files: string[]): void;
  /** A fetch failed; `first` is true for the first failure since the last success (log that one). */
  failed?(message: string, first: boolean): void;
  /** A fetch succeeded. */
  answered?(response: SignalsResponse): void;
}

/** Tuning, mostly for tests. */
export interface SignalsCacheOptions {
  /** Least gap between two `changed` calls (default 250 ms). */
  debounceMs: number;
  /** Answers not read for this long are dropped instead of refetched (default 2 min). */
  interestMs: number;
  /** A file's answer whose refresh failed is tried again no sooner than this, unless something changes (default 5 s). */
  retryMs: number;
  now: () => number;
}

const DEFAULT_OPTIONS: SignalsCacheOptions = { debounceMs: 250, interestMs: 120_000, retryMs: 5_000, now: Date.now };

interface Entry {
  query: CacheQuery;
  answer: CachedAnswer | undefined;
  inflight: Promise<SignalsResponse | undefined> | undefined;
  stale: boolean;
  usedAt: number;
  /** When the last refresh failed; cleared by a success. */
  failedAt: number | undefined;
}

/**
 * Answers of the read API held for the editor's surfaces, platform-free. One request per query at a
 * time; a change marks answers stale, refetches the files' answers, then announces the files, so a
 * surface asking again reads new figures from memory. A file's stale answer is served at once while
 * its refresh runs (and announced when done): a surface whose request is cancelled by the next
 * change (VS Code cancels a CodeLens request when the provider signals a change) must never wait on
 * the network, or under steady traffic it never shows anything. A failed refresh keeps the last good
 * answer.
 */
export class SignalsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly options: SignalsCacheOptions;
  private readonly pendingFiles = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlush = Number.NEGATIVE_INFINITY;
  private failures = 0;
  /** Bumped by `clear`, so answers to an earlier session are dropped. */
  private generation = 0;

  constructor(
    private readonly ports: SignalsCachePorts,
    options: Partial<SignalsCacheOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  /** The answer held for a query, without fetching; counts as a read. */
  cached(query: CacheQuery): CachedAnswer | undefined {
    const entry = this.entries.get(key(query));
    if (entry) entry.usedAt = this.options.now();
    return entry?.answer;
  }

  /**
   * The answer for a query: from memory when fresh; a file's stale answer at once (its refresh is
   * queued); otherwise fetched. Undefined when no answer was ever had and the fetch failed.
   */
  async get(query: CacheQuery): Promise<CachedAnswer | undefined> {
    const k = key(query);
    let entry = this.entries.get(k);
    const now = this.options.now();
    if (!entry) {
      entry = { query, answer: undefined, inflight: undefined, stale: true, usedAt: now, failedAt: undefined };
      this.entries.set(k, entry);
    }
    entry.usedAt = now;
    if (entry.answer !== undefined && !entry.stale) return entry.answer;
    if (entry.answer !== undefined && entry.query.file !== undefined) {
      const retryDue = entry.failedAt === undefined || now - entry.failedAt >= this.options.retryMs;
      if (entry.inflight === undefined && retryDue) this.announce([entry.query.file]);
      return entry.answer;
    }
    await this.refresh(entry);
    return entry.answer;
  }

  /**
   * Something changed: these files' answers and every workspace-wide one are stale (all answers when
   * `files` is undefined); the files are refetched, then announced.
   */
  invalidate(files: readonly string[] | undefined): void {
    const only = files === undefined ? undefined : new Set(files);
    for (const entry of this.entries.values()) {
      if (entry.query.file === undefined || only === undefined || only.has(entry.query.file)) {
        entry.stale = true;
        // A change is news: a failed answer is tried again at once.
        entry.failedAt = undefined;
      }
    }
    this.announce(files ?? this.knownFiles());
  }

  /** Forgets every answer (a new session or selection); returns the files that had answers. */
  clear(): string[] {
    const files = this.knownFiles();
    this.generation++;
    this.entries.clear();
    this.pendingFiles.clear();
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.failures = 0;
    return files;
  }

  /** Files with a per-file answer held. */
  knownFiles(): string[] {
    const files = new Set<string>();
    for (const entry of this.entries.values()) if (entry.query.file !== undefined) files.add(entry.query.file);
    return [...files];
  }

  /** Queues files for the next `changed`: refetch their stale answers, then tell, at most every debounceMs. */
  announce(files: Iterable<string>): void {
    for (const f of files) this.pendingFiles.add(f);
    if (this.flushTimer !== undefined) return;
    const wait = Math.max(0, this.lastFlush + this.options.debounceMs - this.options.now());
    const generation = this.generation;
    this.flushTimer = setTimeout(() => void this.flush(generation), wait);
  }

  private async flush(generation: number): Promise<void> {
    const files = [...this.pendingFiles];
    this.pendingFiles.clear();
    const now = this.options.now();
    const refetches: Promise<unknown>[] = [];
    for (const [k, entry] of this.entries) {
      if (!entry.stale) continue;
      if (now - entry.usedAt > this.options.interestMs) this.entries.delete(k);
      // Files' answers are small: fetched now, so surfaces read new figures from memory. Workspace-wide ones are fetched when asked.
      else if (entry.query.file !== undefined) refetches.push(this.refresh(entry));
    }
    try {
      await Promise.all(refetches);
    } finally {
      // Whatever happened, the next announce must be able to flush again.
      if (generation === this.generation) {
        this.lastFlush = this.options.now();
        this.flushTimer = undefined;
      }
    }
    if (generation !== this.generation) return;
    if (files.length > 0) this.ports.changed(files);
    if (this.pendingFiles.size > 0) this.announce([]);
  }

  private refresh(entry: Entry): Promise<SignalsResponse | undefined> {
    if (entry.inflight) return entry.inflight;
    const generation = this.generation;
    // Marked fresh before the answer arrives: a change announced meanwhile marks it stale again.
    entry.stale = false;
    entry.inflight = Promise.resolve()
      .then(() => this.ports.fetch(entry.query))
      .then(
        (response) => {
          if (generation !== this.generation) return undefined;
          this.failures = 0;
          entry.failedAt = undefined;
          entry.answer = { response, fetchedAt: this.options.now() };
          this.ports.answered?.(response);
          return response;
        },
        (err: Error) => {
          if (generation !== this.generation) return undefined;
          entry.stale = true;
          entry.failedAt = this.options.now();
          this.ports.failed?.(err.message, this.failures++ === 0);
          // Keep showing what was there: a blip must not blank every lens.
          return entry.answer?.response;
        },
      )
      .finally(() => (entry.inflight = undefined));
    return entry.inflight;
  }
}

function key(q: CacheQuery): string {
  return `${q.window}\u0000${q.environment ?? ''}\u0000${q.file ?? ''}\u0000${q.perMinute ? 1 : 0}\u0000${q.top}`;
}
