/**
 * The editor's side of the analysis worker: one worker thread, started on first use, answering
 * requests by id. Grammar loading, parsing, the rules and git (attribution) run there; this
 * thread only posts document text and edits and receives findings and attributions. If the worker dies, pending requests fail, the
 * next request starts a new worker, and `update` on a document it no longer knows rejects with
 * DocumentNotOpenError so the caller can open it again.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../logger';
import { silentLogger } from '../../logger';
import type { TextChange } from '../parser';
import type { DocumentAttributions, DocumentFindings, WorkerAnalysisOptions, WorkerAuthorshipResult, WorkerMessage, WorkerRequest, WorkerScanResult, WorkerStart } from './protocol';

/** The document is not (or no longer) open in the worker: open it again. */
export class DocumentNotOpenError extends Error {}

export interface AnalysisClientOptions {
  /** Folder with tree-sitter's runtime and grammars (default: next to the worker's bundle). */
  wasmDir?: string;
  options?: WorkerAnalysisOptions;
  logger?: Logger;
  /** The worker script (default: analysisWorker.js next to this bundle, or the .ts source under tsx). */
  workerFile?: string;
}

export interface ScanRequest {
  root: string;
  all: boolean;
  /** Analyse test code too (default false). */
  includeTests?: boolean;
  /** False: no git (an untrusted workspace). */
  attribute: boolean;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface AuthorshipRequest {
  /** The folder whose AI-written functions are listed (paths in the rows are relative to it). */
  root: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (done: number, total: number) => void;
}

/** Distributive Omit, so each request kind keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

function defaultWorkerFile(): string {
  for (const name of ['analysisWorker.js', 'analysisWorker.ts']) {
    const file = path.join(__dirname, name);
    if (existsSync(file)) return file;
  }
  throw new Error(`analysis worker not found next to ${__dirname}`);
}

function spawn(file: string, start: WorkerStart): Worker {
  if (!file.endsWith('.ts')) return new Worker(file, { workerData: start });
  // Worker threads do not inherit tsx's loader hooks on Node 20: register them in the worker.
  const tsx = createRequire(__filename).resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, { eval: true, workerData: start });
}

export class AnalysisClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private options: WorkerAnalysisOptions;
  private disposed = false;
  private readonly log: Logger;

  constructor(private readonly settings: AnalysisClientOptions = {}) {
    this.options = settings.options ?? {};
    this.log = settings.logger ?? silentLogger;
  }

  /** Parses and analyses a document; null when its language is not analysed. */
  open(file: string, text: string): Promise<DocumentFindings | null> {
    return this.request({ kind: 'open', file, text }) as Promise<DocumentFindings | null>;
  }

  /** Applies edits (in the order the editor reported them) and returns the findings after them. */
  update(file: string, changes: TextChange[]): Promise<DocumentFindings> {
    return this.request({ kind: 'update', file, changes }) as Promise<DocumentFindings>;
  }

  /**
   * Who wrote each function with findings in an open document (git runs on the worker); `path`
   * is the document's absolute path. Callers make sure git may run (a trusted workspace).
   */
  attribute(file: string, path: string): Promise<DocumentAttributions> {
    return this.request({ kind: 'attribute', file, path }) as Promise<DocumentAttributions>;
  }

  /** Frees a document's parse tree. */
  async close(file: string): Promise<void> {
    if (!this.worker) return;
    await this.request({ kind: 'close', file });
  }

  /** New options for every document; returns the findings of the open ones, checked again. */
  async configure(options: WorkerAnalysisOptions): Promise<Map<string, DocumentFindings>> {
    this.options = options;
    if (!this.worker) return new Map();
    return new Map(await (this.request({ kind: 'configure', options }) as Promise<[string, DocumentFindings][]>));
  }

  /** Scans a folder on the worker; aborting `signal` stops it (the promise rejects). */
  scan(request: ScanRequest): Promise<WorkerScanResult> {
    return this.cancellable(
      request.signal,
      () =>
        this.request(
          { kind: 'scan', root: request.root, all: request.all, includeTests: request.includeTests === true, attribute: request.attribute, concurrency: request.concurrency ?? 4 },
          request.onProgress,
        ) as Promise<WorkerScanResult>,
    );
  }

  /**
   * Every AI-written function under `root`, without production figures (git runs on the worker:
   * callers make sure it may, a trusted workspace); aborting `signal` stops it (the promise rejects).
   */
  authorship(request: AuthorshipRequest): Promise<WorkerAuthorshipResult> {
    return this.cancellable(request.signal, () => this.request({ kind: 'authorship', root: request.root }, request.onProgress) as Promise<WorkerAuthorshipResult>);
  }

  /** Sends the request `send` makes and tells the worker to stop it when `signal` aborts. */
  private cancellable<T>(signal: AbortSignal | undefined, send: () => Promise<T>): Promise<T> {
    // aborted already: nothing is sent, and the caller sees the same rejection as a later abort
    if (signal?.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('This operation was aborted'));
    const id = this.nextId;
    const result = send();
    const cancel = () => this.worker?.postMessage({ kind: 'cancel', target: id } satisfies WorkerRequest);
    signal?.addEventListener('abort', cancel, { once: true });
    return result.finally(() => signal?.removeEventListener('abort', cancel));
  }

  /** Stops the worker; pending requests reject. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failPending(new Error('the analysis worker was stopped'));
    await worker?.terminate();
  }

  private request(message: WithoutId<WorkerRequest>, onProgress?: Pending['onProgress']): Promise<unknown> {
    if (this.disposed) return Promise.reject(new Error('the analysis worker was stopped'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      worker.ref();
      worker.postMessage({ ...message, id });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawn(this.settings.workerFile ?? defaultWorkerFile(), { options: this.options, ...(this.settings.wasmDir ? { wasmDir: this.settings.wasmDir } : {}) });
    worker.on('message', (message: WorkerMessage) => this.received(message));
    worker.on('error', (err) => this.log.error(`analysis worker failed: ${err.stack ?? err.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failPending(new Error(`the analysis worker exited (code ${code})`));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private received(message: WorkerMessage): void {
    if (message.kind === 'log') {
      this.log[message.level](message.message);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.kind === 'progress') {
      pending.onProgress?.(message.done, message.total);
      return;
    }
    this.pending.delete(message.id);
    // an idle worker must not keep a CLI or a test process alive
    if (this.pending.size === 0) this.worker?.unref();
    if (message.ok) pending.resolve(message.value);
    else pending.reject(message.notOpen ? new DocumentNotOpenError(message.error) : new Error(message.error));
  }

  private failPending(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
  }
}
