import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { silentLogger, type Logger } from '../logger';
import { decodeRequest, type OtlpSignal } from './otlpDecode';
import type { OtlpEncoding } from './otlpResponses';
import { HttpError } from './httpErrors';
import { DecodeError, TooManyItemsError, type DecodedBatch } from './records';
import { StringTableReader, type ColumnarBatch } from './spanColumns';

/** What the pipeline takes: a batch decoded in this thread, or one a worker posted in columns. */
export type IngestBatch = DecodedBatch | ColumnarBatch;

/** A body sent to a decode worker. */
export interface DecodeRequest {
  id: number;
  signal: OtlpSignal;
  encoding: OtlpEncoding;
  body: Uint8Array;
  /** Hand the body's buffer back with the reply, to be read into again. */
  returnBody?: boolean;
  /** Column buffers the main thread is done with, for the worker to pack into. */
  spares?: ArrayBuffer[];
}

/** A decode worker's answer to one request; `body` is the request body's buffer when asked back. */
export type DecodeReply = ({ id: number; batch: ColumnarBatch } | { id: number; error: string; decodeError: boolean; tooManyItems?: boolean }) & { body?: ArrayBuffer };

/** A body waiting for, or being decoded by, a worker. The body stays here until it is posted, so a job can move to another worker. */
interface Job {
  id: number;
  signal: OtlpSignal;
  encoding: OtlpEncoding;
  body: Buffer;
  /** The body's length (the body is detached once posted). */
  bytes: number;
  resolve: (batch: IngestBatch) => void;
  reject: (err: Error) => void;
}

/**
 * Bodies posted to a worker at once: the one it decodes and the next, already in its message
 * queue, so it goes on while the main thread files instead of waiting for the main thread to hand
 * it the next. On two cores (bench:peers, 5 rounds, medians of spans/s ÷ Jaeger's): high-cardinality
 * JSON 0.95x with one at a time, 1.07x and 1.09x with two; the bench corpus 1.56x/1.11x (protobuf/
 * JSON) with one, 1.83x/1.59x with two. A fresh `serve` kept 1.74-1.79 of the cores busy, not 1.67-1.70.
 * Only bodies of at most QUEUED_BODY_MAX bytes queue, and only behind another such: one cannot
 * exhaust a worker's heap, so a worker that dies of a large body has nothing queued behind it.
 */
const JOBS_PER_WORKER = 2;
const QUEUED_BODY_MAX = 1024 * 1024;

interface PoolWorker {
  worker: Worker;
  /** Jobs posted, oldest (the one being decoded) first; at most JOBS_PER_WORKER. */
  jobs: Job[];
  /** Replies arrive in the order the worker packed them, so the table stays in step. */
  strings: StringTableReader;
  /** Column buffers of its batches that were filed, sent back with its next request. */
  spares: ArrayBuffer[];
}

/**
 * Bodies up to this size are read into buffers that go to a worker and come back, and column
 * buffers go back to the worker that packed them: without it every request mallocs and frees
 * ~0.3 MB across threads, and the freed chunks, released only when V8 collects their owners,
 * fragment the malloc heaps (50-120 MB of RSS in the 10M-span benchmark).
 */
const BODY_SPARE_MAX = 1024 * 1024;
/** Spare body buffers kept: about the requests in flight at once. */
const BODY_SPARES_KEPT = 6;
const COLUMN_SPARES_KEPT = 4;
/** Body buffers are allocated in steps of this, so one fits the next body of a similar size. */
const BODY_STEP = 64 * 1024;

/** The bundled worker next to this bundle (dist/), else the TypeScript source (tests under tsx). */
function defaultWorkerFile(): string | null {
  for (const name of ['decodeWorker.js', 'decodeWorker.ts']) {
    const file = path.join(__dirname, name);
    if (existsSync(file)) return file;
  }
  return null;
}

/**
 * Young generation of a pool's decode workers, MB, shared among them. A decode builds a batch's
 * records (and, for a body the OTLP/JSON byte decoder leaves to JSON.parse, its whole tree: ~2-5
 * MB of objects for a 1 MB body) that die as soon as they are packed: with a young generation
 * smaller than that, scavenges copy and promote them, and JSON.parse decoding cost 1.5x its CPU
 * (10.5 against 6.9 us per span in a worker). Measured, before the byte decoder, on two
 * cores (bench:peers, high cardinality, JSON): one worker with 24 MB files 80-84k spans/s at
 * 1.93-1.99 CPU s/100k, against 65-75k at 2.11-2.44 with 12 (three runs each, interleaved), and
 * RSS over 10M spans stays 186-189 MB. Two workers with 24 MB each were no faster than with 12
 * and cost 22 MB of RSS, so two share the budget.
 */
export const YOUNG_BUDGET_MB = 24;

/** Young generation of each of `workers` decode workers, MB (at least 12, 4 MB semi-spaces). */
export function workerYoungMb(workers: number): number {
  return Math.max(12, Math.floor(YOUNG_BUDGET_MB / Math.max(1, workers)));
}

/**
 * The receiver runs with `--max-semi-space-size=2` (RECEIVER_NODE_FLAGS: the main thread's heap
 * stays small). V8 flags are per process and override a worker's resourceLimits, so the flag is
 * cleared (0: "use the isolate's limits") before a worker's heap is made. V8 reads it only when it
 * configures a new heap: the main thread's, made at start, keeps its 2 MB.
 */
export function letWorkersSizeTheirYoungGeneration(): void {
  if (process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) setFlagsFromString('--max-semi-space-size=0');
}

/**
 * A decode worker keeps little alive (its string table). The old generation must hold the largest
 * valid batch (limits.ts sizes it from the body cap); it is a ceiling, not a reservation:
 * steady-state RSS is the same at 64 or 512 MB.
 */
function spawn(file: string, heapMb: number, youngMb: number): Worker {
  letWorkersSizeTheirYoungGeneration();
  const resourceLimits = { maxYoungGenerationSizeMb: youngMb, maxOldGenerationSizeMb: heapMb };
  if (!file.endsWith('.ts')) return new Worker(file, { resourceLimits });
  // Worker threads do not inherit tsx's loader hooks on Node 20: register them in the worker.
  const tsx = createRequire(__filename).resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, { eval: true, resourceLimits });
}

/**
 * Decode workers for a machine with `cores` cores: one per core beyond the main thread's, at most
 * two. The main thread files every span, so a third worker would only wait on it; on two cores a
 * second worker competes with the main thread (and the garbage collector's threads) for them.
 * Measured on two cores (bench:peers, issue 15): one worker files 3-10% more spans per CPU second
 * than two with both encodings, in less memory.
 */
export function decodeWorkersFor(cores: number = availableParallelism()): number {
  return Math.min(2, Math.max(1, cores - 1));
}

/**
 * Decodes OTLP request bodies on worker threads, so the main thread only maps and files spans.
 * Workers start on first use and take a body at a time, with a small one queued behind a small
 * one (JOBS_PER_WORKER); the others wait here (the backlog), so a worker that dies (out of memory
 * on a hostile batch) fails only the body it was decoding and the rest go to a fresh worker. With
 * no worker file or `size` 0, bodies are decoded inline.
 */
export class DecodePool {
  private workers: PoolWorker[] = [];
  private readonly backlog: Job[] = [];
  private waitingBytes = 0;
  private nextId = 1;
  private readonly bodySpares: ArrayBuffer[] = [];
  /** Body buffers handed out by `bodyBuffer`: sent whole (never a slice of anything else), and taken back. */
  private readonly ours = new WeakSet<ArrayBuffer>();

  constructor(
    private readonly size: number,
    private readonly logger: Logger = silentLogger,
    private readonly file: string | null = defaultWorkerFile(),
    /** Old-generation ceiling of each worker, MB (see workerHeapMb in limits.ts). */
    private readonly heapMb: number = 64,
  ) {}

  /** Bytes of bodies waiting for a worker (not counting those being decoded). */
  get backlogBytes(): number {
    return this.waitingBytes;
  }

  /** Bodies posted to workers: being decoded, or next in a worker's queue. */
  get decoding(): number {
    let n = 0;
    for (const w of this.workers) n += w.jobs.length;
    return n;
  }

  /** Memory to read a body of `size` bytes into: a returned buffer when one fits, else a new one. */
  bodyBuffer(size: number): Uint8Array {
    if (this.size <= 0 || this.file === null || size > BODY_SPARE_MAX) return new Uint8Array(size);
    let best = -1;
    for (let i = 0; i < this.bodySpares.length; i++) {
      const b = this.bodySpares[i];
      if (b.byteLength >= size && (best < 0 || b.byteLength < this.bodySpares[best].byteLength)) best = i;
    }
    const buffer = best >= 0 ? this.bodySpares.splice(best, 1)[0] : new ArrayBuffer(Math.min(BODY_SPARE_MAX, Math.ceil(size / BODY_STEP) * BODY_STEP));
    this.ours.add(buffer);
    return new Uint8Array(buffer, 0, size);
  }

  /**
   * Decodes a body; rejects with DecodeError for a body that cannot be decoded, TooManyItemsError
   * for one with too many items, and HttpError 413 for one that exhausted a worker's heap.
   * `body` may be detached afterwards.
   */
  decode(signal: OtlpSignal, encoding: OtlpEncoding, body: Buffer): Promise<IngestBatch> {
    if (this.size <= 0 || this.file === null) {
      try {
        return Promise.resolve(decodeRequest(signal, encoding, body));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise<IngestBatch>((resolve, reject) => {
      this.backlog.push({ id: this.nextId++, signal, encoding, body, bytes: body.length, resolve, reject });
      this.waitingBytes += body.length;
      this.dispatch();
    });
  }

  /** Terminates the workers; requests still waiting or in flight fail. */
  async stop(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    const stopped = new Error('decode worker stopped');
    for (const job of this.backlog.splice(0)) job.reject(stopped);
    this.waitingBytes = 0;
    await Promise.all(
      workers.map((w) => {
        for (const job of w.jobs.splice(0)) job.reject(stopped);
        return w.worker.terminate();
      }),
    );
  }

  /** Hands waiting bodies to idle workers (starting workers while fewer than `size` run), then queues one more behind each. */
  private dispatch(): void {
    while (this.backlog.length > 0) {
      let w = this.workers.find((x) => x.jobs.length === 0);
      if (w === undefined && this.workers.length < this.size) w = this.start();
      if (w === undefined && this.backlog[0].bytes <= QUEUED_BODY_MAX) w = this.workers.find((x) => x.jobs.length < JOBS_PER_WORKER && x.jobs.every((j) => j.bytes <= QUEUED_BODY_MAX));
      if (w === undefined) return;
      const job = this.backlog.shift()!;
      this.waitingBytes -= job.bytes;
      this.post(w, job);
    }
  }

  private post(w: PoolWorker, job: Job): void {
    const body = job.body;
    // A Buffer that is a slice of a larger (pooled or socket) buffer is copied: transferring would detach its neighbours.
    const ours = body.byteOffset === 0 && this.ours.has(body.buffer as ArrayBuffer);
    const owned = ours || (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength);
    const bytes = owned ? body : new Uint8Array(body);
    const spares = w.spares.splice(0);
    w.jobs.push(job);
    const request: DecodeRequest = { id: job.id, signal: job.signal, encoding: job.encoding, body: bytes, returnBody: ours, spares };
    w.worker.postMessage(request, [bytes.buffer as ArrayBuffer, ...spares]);
  }

  private start(): PoolWorker {
    const w: PoolWorker = { worker: spawn(this.file!, this.heapMb, workerYoungMb(this.size)), jobs: [], strings: new StringTableReader(), spares: [] };
    // An idle worker must not keep a CLI run or a test process alive; pending requests hold their sockets open anyway.
    w.worker.unref();
    w.worker.on('message', (reply: DecodeReply) => {
      if (reply.body !== undefined && this.bodySpares.length < BODY_SPARES_KEPT) this.bodySpares.push(reply.body);
      if ('batch' in reply) {
        w.strings.accept(reply.batch);
        const { times, ints, ids, requestBytes } = reply.batch;
        const buffer = times.buffer as ArrayBuffer;
        if (ints.buffer === buffer && ids.buffer === buffer && requestBytes.buffer === buffer) {
          reply.batch.release = () => {
            if (w.spares.length < COLUMN_SPARES_KEPT) w.spares.push(buffer);
          };
        }
      }
      const job = w.jobs[0];
      if (job === undefined || job.id !== reply.id) return;
      w.jobs.shift();
      if ('batch' in reply) job.resolve(reply.batch);
      else if (reply.tooManyItems) job.reject(new TooManyItemsError(reply.error));
      else job.reject(reply.decodeError ? new DecodeError(reply.error) : new Error(reply.error));
      this.dispatch();
    });
    w.worker.on('error', (err: NodeJS.ErrnoException) => {
      const outOfMemory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (!outOfMemory) this.logger.error(`decode worker failed: ${err.stack ?? err.message}`);
      else this.logger.warn(`decode worker ran out of its ${this.heapMb} MB heap on a ${w.jobs[0]?.bytes ?? 0}-byte body; answering 413 and starting another`);
      this.retire(w, outOfMemory ? new HttpError(413, `batch too large to decode within the decoder's ${this.heapMb} MB heap: send smaller batches`) : err);
    });
    w.worker.on('exit', (code) => this.retire(w, new Error(`decode worker exited with code ${code}`)));
    this.workers.push(w);
    return w;
  }

  /**
   * Drops a dead worker: the job it was decoding fails, the backlog goes to the others (or a fresh
   * one). A job queued behind (its body went with it, and only a crash, not a large body, kills a
   * worker with one queued) is answered 503, which OTLP exporters retry.
   */
  private retire(w: PoolWorker, err: Error): void {
    const known = this.workers.includes(w);
    this.workers = this.workers.filter((x) => x !== w);
    const [job, ...queued] = w.jobs.splice(0);
    job?.reject(err);
    for (const q of queued) q.reject(new HttpError(503, 'the decode worker stopped before this request; retry', { 'Retry-After': '1' }));
    if (known) this.dispatch();
  }
}
