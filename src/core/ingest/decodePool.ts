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
}

/** A decode worker's answer to one request. */
export type DecodeReply = { id: number; batch: ColumnarBatch } | { id: number; error: string; decodeError: boolean };

interface Pending {
  resolve: (batch: IngestBatch) => void;
  reject: (err: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Replies arrive in the order the worker packed them, so the table stays in step. */
  strings: StringTableReader;
}

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
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 64 };

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

  constructor(
    private readonly size: number,
    private readonly logger: Logger = silentLogger,
    private readonly file: string | null = defaultWorkerFile(),
  ) {}

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
    const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const bytes = owned ? body : new Uint8Array(body);
    return new Promise<IngestBatch>((resolve, reject) => {
      w.pending.set(id, { resolve, reject });
      const request: DecodeRequest = { id, signal, encoding, body: bytes };
      w.worker.postMessage(request, [bytes.buffer as ArrayBuffer]);
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
    const w: PoolWorker = { worker: spawn(this.file!), pending: new Map(), strings: new StringTableReader() };
    // An idle worker must not keep a CLI run or a test process alive; pending requests hold their sockets open anyway.
    w.worker.unref();
    w.worker.on('message', (reply: DecodeReply) => {
      if ('batch' in reply) w.strings.accept(reply.batch);
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
