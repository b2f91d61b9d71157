/**
 * Keeps heavy read queries from starving ingest, which shares their event loop: identical queries
 * over an unchanged store are answered from the last result, identical queries waiting for their
 * turn share one computation, at most QUERY_MAX_CONCURRENT run at once, and after each the gate
 * rests as long as it took (times QUERY_REST_FACTOR) so filing gets its share of the loop.
 */
import { LruMap } from '../mapping/lruMap';
import { QUERY_CACHE_MS, QUERY_FRESH_MS, QUERY_MAX_CONCURRENT, QUERY_MAX_WAITING, QUERY_REST_FACTOR } from '../loadLimits';

/** What the gate has done, for tests and status. */
export interface QueryGateCounters {
  /** Computations run. */
  computed: number;
  /** Queries answered from the last result (same query, store unchanged). */
  cached: number;
  /** Queries that shared a computation another identical query was waiting for. */
  joined: number;
  /** Queries refused because too many distinct ones were waiting. */
  refused: number;
  /** Computations running now, and the most ever at once. */
  running: number;
  maxRunning: number;
  /** Most distinct queries ever waiting at once. */
  maxWaiting: number;
}

/** Thrown (and answered 503) when too many distinct queries wait. */
export class QueryGateBusy extends Error {
  constructor(waiting: number) {
    super(`the receiver is busy answering ${waiting} other queries; retry shortly`);
    this.name = 'QueryGateBusy';
  }
}

/** Limits of a gate; defaults from loadLimits.ts. */
export interface QueryGateOptions {
  maxConcurrent: number;
  maxWaiting: number;
  restFactor: number;
  cacheMs: number;
  /** How long an answer may be reused while the store changes, as long as no change was announced since. */
  freshMs: number;
}

interface Waiting<T> {
  key: string;
  compute: () => T | Promise<T>;
  settle: { resolve: (value: T) => void; reject: (error: unknown) => void }[];
}

const MAX_CACHED = 32;

/** A gate for one store's queries; `generation` must change whenever the store's contents do. */
export class QueryGate<T> {
  readonly counters: QueryGateCounters = { computed: 0, cached: 0, joined: 0, refused: 0, running: 0, maxRunning: 0, maxWaiting: 0 };
  private readonly options: QueryGateOptions;
  private readonly cache = new LruMap<string, { generation: number; notices: number; at: number; value: T }>(MAX_CACHED);
  private readonly waiting = new Map<string, Waiting<T>>();
  private restUntil = 0;
  private wakeScheduled = false;

  /**
   * `generation` changes whenever the store's contents do; `notices` counts the change notices sent
   * to stream clients (`changed`); `busy` says ingest has spans waiting to be filed. While it has, an
   * answer computed after the last notice is reused for up to `freshMs` even though spans were filed
   * since: a stream client learns of those spans from a later notice, which makes it compute anew,
   * and a poller that waits for ingest to settle always gets a fresh answer.
   */
  constructor(
    private readonly generation: () => number,
    options: Partial<QueryGateOptions> = {},
    private readonly now: () => number = Date.now,
    private readonly notices: () => number = () => 0,
    private readonly busy: () => boolean = () => false,
  ) {
    this.options = { maxConcurrent: QUERY_MAX_CONCURRENT, maxWaiting: QUERY_MAX_WAITING, restFactor: QUERY_REST_FACTOR, cacheMs: QUERY_CACHE_MS, freshMs: QUERY_FRESH_MS, ...options };
  }

  /** The answer to the query `key`, computed by `compute` when it cannot be shared. Rejects with QueryGateBusy when full. */
  run(key: string, compute: () => T | Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    const age = hit === undefined ? Infinity : this.now() - hit.at;
    if (hit !== undefined && ((hit.generation === this.generation() && age < this.options.cacheMs) || (hit.notices === this.notices() && age < this.options.freshMs && this.busy()))) {
      this.counters.cached++;
      // Answers from the cache are paced like computed ones: a reader polling back to back must not
      // take the event loop from ingest by being answered faster.
      const rest = this.restUntil - this.now();
      if (rest < 1) return Promise.resolve(hit.value);
      return new Promise<T>((resolve) => setTimeout(() => resolve(hit.value), rest));
    }
    return new Promise<T>((resolve, reject) => {
      const queued = this.waiting.get(key);
      if (queued !== undefined) {
        // Not started yet, so its answer is computed after this query arrived: sharing it is exact.
        this.counters.joined++;
        queued.settle.push({ resolve, reject });
        return;
      }
      if (this.waiting.size >= this.options.maxWaiting) {
        this.counters.refused++;
        reject(new QueryGateBusy(this.waiting.size));
        return;
      }
      this.waiting.set(key, { key, compute, settle: [{ resolve, reject }] });
      if (this.waiting.size > this.counters.maxWaiting) this.counters.maxWaiting = this.waiting.size;
      this.schedule();
    });
  }

  /** Adds `ms` of work done for an answer outside `compute` (serializing it) to the next rest. */
  charge(ms: number): void {
    if (ms > 0) this.restUntil = Math.max(this.restUntil, this.now()) + ms * this.options.restFactor;
  }

  private schedule(): void {
    if (this.wakeScheduled || this.waiting.size === 0 || this.counters.running >= this.options.maxConcurrent) return;
    this.wakeScheduled = true;
    const rest = this.restUntil - this.now();
    // Even with no rest due, start on a later turn: requests already read from sockets join first.
    const wake = () => {
      this.wakeScheduled = false;
      this.startNext();
    };
    if (rest >= 1) setTimeout(wake, rest);
    else setImmediate(wake);
  }

  private startNext(): void {
    if (this.counters.running >= this.options.maxConcurrent) return;
    const next = this.waiting.values().next();
    if (next.done === true) return;
    const job = next.value;
    this.waiting.delete(job.key);
    this.counters.running++;
    this.counters.computed++;
    if (this.counters.running > this.counters.maxRunning) this.counters.maxRunning = this.counters.running;
    const generation = this.generation();
    const notices = this.notices();
    const started = this.now();
    const finish = () => {
      this.counters.running--;
      const took = this.now() - started;
      this.restUntil = this.now() + took * this.options.restFactor;
      this.schedule();
    };
    let result: Promise<T>;
    try {
      result = Promise.resolve(job.compute());
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (value) => {
        this.cache.set(job.key, { generation, notices, at: started, value });
        finish();
        for (const s of job.settle) s.resolve(value);
      },
      (error: unknown) => {
        finish();
        for (const s of job.settle) s.reject(error);
      },
    );
  }
}
