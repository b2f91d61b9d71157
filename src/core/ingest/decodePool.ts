import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { silentLogger, type Logger } from '../logger';
import { decodeRequest, type OtlpSignal } from './otlpDecode';
import type { OtlpEncoding } from './otlpResponses';
import { DecodeError, type DecodedBatch } from './records';
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
export type DecodeReply = ({ id: number; batch: ColumnarBatch } | { id: number; error: string; decodeError: boolean }) & { body?: ArrayBuffer };

interface Pending {
  resolve: (batch: IngestBatch) => void;
  reject: (err: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
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
 * A decode worker keeps little alive (its string table), but its garbage rate is high: without
 * limits V8 lets each worker's heap grow to hundreds of MB before collecting.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

function spawn(file: string): Worker {
  if (!file.endsWith('.ts')) return new Worker(file, { resourceLimits: WORKER_LIMITS });
  // Worker threads do not inherit tsx's loader hooks on Node 20: register them in the worker.
  const tsx = createRequire(__filename).resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, { eval: true, resourceLimits: WORKER_LIMITS });
}

/**
 * Decodes OTLP request bodies on worker threads, so the main thread only maps and files spans.
 * Workers start on first use and answer per request (the receiver needs each outcome for its
 * response). With no worker file or `size` 0, bodies are decoded inline.
 */
export class DecodePool {
  private workers: PoolWorker[] = [];
  private nextId = 1;
  private readonly bodySpares: ArrayBuffer[] = [];
  /** Body buffers handed out by `bodyBuffer`: sent whole (never a slice of anything else), and taken back. */
  private readonly ours = new WeakSet<ArrayBuffer>();

  constructor(
    private readonly size: number,
    private readonly logger: Logger = silentLogger,
    private readonly file: string | null = defaultWorkerFile(),
  ) {}

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

  /** Decodes a body; rejects with DecodeError for a body that cannot be decoded. `body` may be detached afterwards. */
  decode(signal: OtlpSignal, encoding: OtlpEncoding, body: Buffer): Promise<IngestBatch> {
    if (this.size <= 0 || this.file === null) {
      try {
        return Promise.resolve(decodeRequest(signal, encoding, body));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const w = this.pick();
    const id = this.nextId++;
    // A Buffer that is a slice of a larger (pooled or socket) buffer is copied: transferring would detach its neighbours.
    const ours = body.byteOffset === 0 && this.ours.has(body.buffer as ArrayBuffer);
    const owned = ours || (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength);
    const bytes = owned ? body : new Uint8Array(body);
    const spares = w.spares.splice(0);
    return new Promise<IngestBatch>((resolve, reject) => {
      w.pending.set(id, { resolve, reject });
      const request: DecodeRequest = { id, signal, encoding, body: bytes, returnBody: ours, spares };
      w.worker.postMessage(request, [bytes.buffer as ArrayBuffer, ...spares]);
    });
  }

  /** Terminates the workers; requests still in flight fail. */
  async stop(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => {
      this.fail(w, new Error('decode worker stopped'));
      return w.worker.terminate();
    }));
  }

  /** The least busy worker, starting another while fewer than `size` run. */
  private pick(): PoolWorker {
    let best: PoolWorker | undefined;
    for (const w of this.workers) if (best === undefined || w.pending.size < best.pending.size) best = w;
    if (best !== undefined && (best.pending.size === 0 || this.workers.length >= this.size)) return best;
    return this.start();
  }

  private start(): PoolWorker {
    const w: PoolWorker = { worker: spawn(this.file!), pending: new Map(), strings: new StringTableReader(), spares: [] };
    // An idle worker must not keep a CLI run or a test process alive; pending requests hold their sockets open anyway.
    w.worker.unref();
    w.worker.on('message', (reply: DecodeReply) => {
      if (reply.body !== undefined && this.bodySpares.length < BODY_SPARES_KEPT) this.bodySpares.push(reply.body);
      if ('batch' in reply) {
        w.strings.accept(reply.batch);
        const { times, ints, ids } = reply.batch;
        const buffer = times.buffer as ArrayBuffer;
        if (ints.buffer === buffer && ids.buffer === buffer) {
          reply.batch.release = () => {
            if (w.spares.length < COLUMN_SPARES_KEPT) w.spares.push(buffer);
          };
        }
      }
      const p = w.pending.get(reply.id);
      if (p === undefined) return;
      w.pending.delete(reply.id);
      if ('batch' in reply) p.resolve(reply.batch);
      else p.reject(reply.decodeError ? new DecodeError(reply.error) : new Error(reply.error));
    });
    w.worker.on('error', (err) => {
      this.logger.error(`decode worker failed: ${err.stack ?? err.message}`);
      this.retire(w, err);
    });
    w.worker.on('exit', (code) => this.retire(w, new Error(`decode worker exited with code ${code}`)));
    this.workers.push(w);
    return w;
  }

  private retire(w: PoolWorker, err: Error): void {
    this.workers = this.workers.filter((x) => x !== w);
    this.fail(w, err);
  }

  private fail(w: PoolWorker, err: Error): void {
    for (const p of w.pending.values()) p.reject(err);
    w.pending.clear();
  }
}
