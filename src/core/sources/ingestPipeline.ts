import type { CodeMapper, MappingResult } from '../mapping/codeMapper';
import { silentLogger, type Logger } from '../logger';
import type { OutgoingCalls } from '../signals/outgoingCalls';
import { RequestFold } from '../signals/requestFold';
import type { SignalStore } from '../signals/signalStore';
import type { LocationEntry } from '../signals/storeEntries';
import type { TraceBuffer } from '../signals/traceBuffer';
import type { IngestBatch } from '../ingest/decodePool';
import { ExceptionFiling, type ExceptionStats } from './exceptionFiling';
import type { DecodedBatch, LogRecordInfo, SpanRecord } from '../ingest/records';
import { createInterner, SpanCursor, type ColumnarBatch } from '../ingest/spanColumns';

/** Counters of the pipeline, for the status API and the CLI's status line. */
export interface PipelineStats extends ExceptionStats {
  spansAccepted: number;
  /** Spans filed whole; once idle, `spansProcessed + spansFailed === spansAccepted`. */
  spansProcessed: number;
  /** Spans whose mapping or filing threw: each affects itself only, and is counted here. */
  spansFailed: number;
  spansMapped: number;
  /** Items present in accepted requests but invalid (answered as partial success). */
  itemsRejected: number;
  logsAccepted: number;
  logsProcessed: number;
  /** Log records whose filing threw; once idle, `logsProcessed + logsFailed === logsAccepted`. */
  logsFailed: number;
  /** Spans waiting in the queue. */
  queueDepth: number;
  /** Spans filed as part of a call already counted: same-function spans and framework-internal spans of a request. */
  spansFolded: number;
  /** Client spans: counted as outgoing calls of their parent's function, never as unmapped. */
  clientSpans: number;
  /** Spans counted as calls of a function (not folded, not client spans), and those of them tied to code. */
  spansCounted: number;
  spansCountedMapped: number;
  /** Server spans, and those of them tied to code: what share of requests reached code. */
  serverSpans: number;
  serverSpansMapped: number;
}

/**
 * Spans of a batch filed before the event loop gets a turn. Filing a 512-span batch keeps the main
 * thread ~5 ms; in slices, the bodies that arrive meanwhile go to the decode workers and decoded
 * batches are acknowledged, so senders and workers do not wait on the filing (issue 15).
 */
const FILING_SLICE = 128;

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** Filing failures logged one in this many (the first always): a hostile sender must not flood the log. */
export const FAILURE_LOG_EVERY = 1_000;

/** Stands in a batch's results for a span whose mapping threw. */
class MappingFailure {
  constructor(readonly error: unknown) {}
}

type Mapped = MappingResult | MappingFailure;

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}

/** What the pipeline files besides the store: whole spans for the trace view, and outgoing calls. */
export interface PipelineExtras {
  traces?: TraceBuffer;
  /** Needs `traces` (parents are looked up there). */
  calls?: OutgoingCalls;
  /** The receiver's own origins (`http://127.0.0.1:4318`): an SDK's failure to export to them is not the user's error. */
  ownOrigins?: () => string[];
}

function spanCount(batch: IngestBatch): number {
  return 'columnar' in batch ? batch.count : batch.spans.length;
}

/**
 * The bounded queue between the HTTP receiver and the signal store. The receiver decodes and
 * offers batches; the queue refuses them when full (the receiver answers 429) and drains them in
 * order, mapping each span to code and filing it in the store. Accepted batches are never dropped.
 */
export class IngestPipeline {
  private readonly queue: IngestBatch[] = [];
  private readonly intern = createInterner();
  private running = false;
  private paused = false;
  private idleWaiters: (() => void)[] = [];
  private roomWaiters: (() => void)[] = [];
  readonly stats: PipelineStats = {
    spansAccepted: 0,
    spansProcessed: 0,
    spansFailed: 0,
    spansMapped: 0,
    itemsRejected: 0,
    logsAccepted: 0,
    logsProcessed: 0,
    logsFailed: 0,
    queueDepth: 0,
    spansFolded: 0,
    spansCounted: 0,
    spansCountedMapped: 0,
    clientSpans: 0,
    serverSpans: 0,
    serverSpansMapped: 0,
    exceptions: 0,
    exceptionsMapped: 0,
    exceptionRepeats: 0,
    ownExportFailures: 0,
  };
  private readonly fold: RequestFold<CountedCall> | undefined;
  private readonly exceptions: ExceptionFiling;

  constructor(
    private readonly store: SignalStore,
    private readonly mapper: CodeMapper,
    private readonly maxQueuedItems: number,
    private readonly ready: Promise<unknown> = Promise.resolve(),
    private readonly logger: Logger = silentLogger,
    private readonly extras: PipelineExtras = {},
  ) {
    const traces = extras.traces;
    if (traces !== undefined) this.fold = new RequestFold<CountedCall>(traces, (c, outer) => store.markFailed(c.entry, c.time, outer));
    this.exceptions = new ExceptionFiling(store, mapper, this.stats, traces, extras.ownOrigins, logger);
  }

  /** Queues a decoded batch; false when the queue is full (nothing of the batch is taken then). */
  offer(batch: IngestBatch): boolean {
    const spans = spanCount(batch);
    const items = spans + batch.logs.length;
    // Below the cap a batch is taken whole, so the queue may overshoot by what the senders in flight carry.
    if (this.isFull()) return false;
    this.queue.push(batch);
    this.stats.queueDepth += items;
    this.stats.spansAccepted += spans;
    this.stats.logsAccepted += batch.logs.length;
    this.stats.itemsRejected += batch.rejected;
    if (!this.running && !this.paused) void this.drain();
    return true;
  }

  /** True when no further batch would be taken. */
  isFull(): boolean {
    return this.stats.queueDepth >= this.maxQueuedItems;
  }

  /**
   * Resolves true as soon as the queue has room, or false after `timeoutMs`. The receiver waits here
   * before answering 429, so a briefly full queue slows senders down (TCP backpressure) instead of
   * sending every one of them into a retry sleep that leaves the pipeline idle.
   */
  waitForRoom(timeoutMs: number): Promise<boolean> {
    if (!this.isFull()) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.roomWaiters = this.roomWaiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.roomWaiters.push(wake);
    });
  }

  /** Stops draining (tests use it to fill the queue deterministically). */
  pause(): void {
    this.paused = true;
  }

  /** Resumes draining. */
  resume(): void {
    this.paused = false;
    if (!this.running) void this.drain();
  }

  /** Files the log records still waiting for their span, without it (at shutdown, before the last snapshot). */
  flushWaiting(): Promise<void> {
    return this.exceptions.flush();
  }

  /** Resolves once every queued batch has been filed. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      await this.ready;
      while (this.queue.length > 0 && !this.paused) {
        const batch = this.queue.shift()!;
        const spansSettled = this.stats.spansProcessed + this.stats.spansFailed;
        const logsSettled = this.stats.logsProcessed + this.stats.logsFailed;
        try {
          if ('columnar' in batch) await this.processColumns(batch);
          else await this.process(batch);
        } catch (err) {
          this.logger.error(`ingest: a batch failed while filing (${messageOf(err)}); continuing`);
        }
        // Failures are caught per item; should one escape anyway, what it skipped is still counted.
        this.stats.spansFailed += Math.max(0, spanCount(batch) - (this.stats.spansProcessed + this.stats.spansFailed - spansSettled));
        this.stats.logsFailed += Math.max(0, batch.logs.length - (this.stats.logsProcessed + this.stats.logsFailed - logsSettled));
        // Nothing reads its columns any more (spans that had to outlive the cursor were copied).
        if ('columnar' in batch) batch.release?.();
        this.stats.queueDepth -= spanCount(batch) + batch.logs.length;
        // Wake one waiting request per batch filed: each brings about a batch's worth of items.
        if (!this.isFull()) this.roomWaiters.shift()?.();
        // Let the HTTP server breathe between large batches.
        if (this.queue.length > 0) await nextTurn();
      }
    } finally {
      this.running = false;
      if (this.queue.length === 0 || this.paused) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
      }
    }
  }

  private async process(batch: DecodedBatch): Promise<void> {
    const results = new Array<Mapped | undefined>(batch.spans.length);
    let misses: Promise<void>[] | undefined;
    for (let i = 0; i < batch.spans.length; i++) {
      const span = batch.spans[i];
      const hit = this.lookup(span);
      if (hit !== undefined) results[i] = hit;
      else (misses ??= []).push(this.resolve(span, results, i));
    }
    if (misses) await Promise.all(misses);
    for (let i = 0; i < batch.spans.length; i++) {
      const pending = this.file(batch.spans[i], results[i]!);
      if (pending !== undefined) await pending;
    }
    await this.recordLogs(batch.logs);
  }

  /**
   * The same as `process` for a batch in columns, read through one cursor: spans are filed as
   * they are looked up until the first mapping-cache miss; from there on, in order once mapped.
   */
  private async processColumns(batch: ColumnarBatch): Promise<void> {
    const n = batch.count;
    const cursor = new SpanCursor(batch, this.intern);
    let i = 0;
    for (; i < n; i++) {
      if (i > 0 && i % FILING_SLICE === 0) await nextTurn();
      cursor.moveTo(i);
      const hit = this.lookup(cursor);
      if (hit === undefined) break;
      const pending = this.file(cursor, hit);
      // Only spans with exceptions wait: an await per span would cost a microtask each.
      if (pending !== undefined) await pending;
    }
    if (i < n) {
      const first = i;
      const results = new Array<Mapped | undefined>(n - first);
      const misses: Promise<void>[] = [];
      for (; i < n; i++) {
        cursor.moveTo(i);
        const hit = this.lookup(cursor);
        const at = i - first;
        if (hit !== undefined) results[at] = hit;
        else misses.push(this.resolve(cursor.toRecord(), results, at));
      }
      await Promise.all(misses);
      for (i = first; i < n; i++) {
        if (i > first && (i - first) % FILING_SLICE === 0) await nextTurn();
        cursor.moveTo(i);
        const pending = this.file(cursor, results[i - first]!);
        if (pending !== undefined) await pending;
      }
    }
    await this.recordLogs(batch.logs);
  }

  /** The cached mapping of a span; a lookup that throws is that span's failure, not the batch's. */
  private lookup(span: SpanRecord): Mapped | undefined {
    try {
      return this.mapper.lookup(span);
    } catch (err) {
      return new MappingFailure(err);
    }
  }

  /** Maps a span into `results[at]`; never rejects (a failure is stored in its place). */
  private resolve(span: SpanRecord, results: (Mapped | undefined)[], at: number): Promise<void> {
    return this.mapper.resolve(span).then(
      (r) => void (results[at] = r),
      (err: unknown) => void (results[at] = new MappingFailure(err)),
    );
  }

  /**
   * Files one span and counts it as processed, or as failed when anything on the way throws;
   * never throws or rejects. Awaits only when it carries exceptions or a call site must be read.
   */
  private file(span: SpanRecord, result: Mapped): Promise<void> | undefined {
    if (result instanceof MappingFailure) {
      this.spanFailed(result.error);
      return undefined;
    }
    let pending: Promise<void> | undefined;
    try {
      pending = this.fileSpan(span, result);
    } catch (err) {
      this.spanFailed(err);
      return undefined;
    }
    if (pending === undefined) {
      this.spanFiled(result);
      return undefined;
    }
    return pending.then(
      () => this.spanFiled(result),
      (err: unknown) => this.spanFailed(err),
    );
  }

  private spanFiled(result: MappingResult): void {
    if (result.location !== null) this.stats.spansMapped++;
    this.stats.spansProcessed++;
  }

  private spanFailed(err: unknown): void {
    const failed = ++this.stats.spansFailed;
    if (failed === 1 || failed % FAILURE_LOG_EVERY === 0) this.logger.error(`ingest: a span failed while filing (${messageOf(err)}); ${failed} so far, counted in spansFailed`);
  }

  private fileSpan(span: SpanRecord, result: MappingResult): Promise<void> | undefined {
    const location = result.location;
    let filing = this.fold === undefined ? 'count' : this.fold.decide(span, location);
    if (filing === 'fold') this.stats.spansFolded++;
    if (span.kind === CLIENT && location === null) {
      // An outgoing call: filed under its parent's function by OutgoingCalls, not listed as unmapped.
      this.stats.clientSpans++;
      filing = 'fold';
    }
    if (isServer(span)) {
      this.stats.serverSpans++;
      if (location !== null) this.stats.serverSpansMapped++;
      this.exceptions.serverSpanFiled(span);
    }
    if (filing === 'count') {
      this.stats.spansCounted++;
      if (location !== null) this.stats.spansCountedMapped++;
    }
    const awaits = filing === 'count' && location !== null && this.fold !== undefined && this.fold.mayAwait(span);
    const entry = this.store.recordSpan(span, location, result.reason, filing);
    if (awaits && entry !== null) this.fold!.counted(span, location!, { entry, time: span.startMs + span.durationMs });
    const { traces, calls } = this.extras;
    let calling: Promise<void> | undefined;
    if (traces !== undefined) {
      const slot = traces.record(span, result.location);
      if (calls !== undefined && (span.kind === 3 || calls.waiting)) calling = calls.observe(span, result.location, slot);
      const placing = this.exceptions.spanFiled(span);
      if (placing !== undefined) calling = calling === undefined ? placing : Promise.all([calling, placing]).then(() => undefined);
    }
    if (span.exceptions.length > 0) {
      const recording = this.exceptions.spanExceptions(span, result.location);
      return calling === undefined ? recording : Promise.all([calling, recording]).then(() => undefined);
    }
    return calling;
  }

  private async recordLogs(logs: LogRecordInfo[]): Promise<void> {
    for (const log of logs) {
      try {
        await this.exceptions.log(log);
        this.stats.logsProcessed++;
      } catch (err) {
        const failed = ++this.stats.logsFailed;
        if (failed === 1 || failed % FAILURE_LOG_EVERY === 0) this.logger.error(`ingest: a log record failed while filing (${messageOf(err)}); ${failed} so far, counted in logsFailed`);
      }
    }
  }
}

/** What the fold needs to mark a counted call failed later. */
interface CountedCall {
  entry: LocationEntry;
  time: number;
}

const SERVER = 2;
const CLIENT = 3;

function isServer(span: SpanRecord): boolean {
  return span.kind === SERVER;
}
