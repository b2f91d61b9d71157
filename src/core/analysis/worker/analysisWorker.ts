/**
 * The analysis worker thread (bundled as dist/analysisWorker.js): keeps an IncrementalAnalysis per
 * open document, attributes its functions through git and runs workspace scans and authorship
 * listings, so tree-sitter's
 * grammar loading, parsing, the rules and spawning git never hold up the thread that asked.
 * Requests about one document run in the order they came; scans and git run alongside them.
 */
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '../../logger';
import type { AnalysisOptions } from '../analyze';
import { defaultParsers } from '../analyze';
import { Attributor } from '../attribution/attribute';
import { findRepoRoot } from '../attribution/repoRoot';
import { listAuthorship } from '../authorship';
import type { FunctionSpan } from '../findings';
import { spanKey } from '../findings';
import { IncrementalAnalysis } from '../incremental';
import { scanWorkspace, spanFor } from '../workspaceScan';
import type { DocumentFindings, WorkerAnalysisOptions, WorkerMessage, WorkerRequest, WorkerStart } from './protocol';

if (!parentPort) throw new Error('analysisWorker runs as a worker thread');
const port = parentPort;
const start = workerData as WorkerStart;
let options: WorkerAnalysisOptions = start.options;
const documents = new Map<string, IncrementalAnalysis>();
const queues = new Map<string, Promise<unknown>>();
/** Scans and authorship listings running, by request id, so a 'cancel' can stop them. */
const scans = new Map<number, AbortController>();
const attributors = new Map<string, Attributor>();
const repoRoots = new Map<string, Promise<string | null>>();

const post = (message: WorkerMessage) => port.postMessage(message);
const logger: Logger = {
  debug: (message) => post({ kind: 'log', level: 'debug', message }),
  info: (message) => post({ kind: 'log', level: 'info', message }),
  warn: (message) => post({ kind: 'log', level: 'warn', message }),
  error: (message) => post({ kind: 'log', level: 'error', message }),
};

class NotOpen extends Error {}

function analysisOptions(): AnalysisOptions {
  return { ...options, parsers: defaultParsers(start.wasmDir) };
}

/** Runs `work` after everything asked earlier about `file`. */
function inOrder<T>(file: string, work: () => T | Promise<T>): Promise<T> {
  const run = (queues.get(file) ?? Promise.resolve()).then(work);
  queues.set(
    file,
    run.catch(() => undefined),
  );
  return run;
}

/** The span each finding is attributed by, in the order of the findings. */
function spansOf(analysis: IncrementalAnalysis): FunctionSpan[] {
  const lineCount = analysis.text.split('\n').length;
  return analysis.findings.map((f) => {
    const own = analysis.functionSpanOf(f);
    return spanFor(f, own ? [own] : [], analysis.language, lineCount);
  });
}

function describe(analysis: IncrementalAnalysis): DocumentFindings {
  return { language: analysis.language, findings: [...analysis.findings], spans: spansOf(analysis), stats: analysis.lastUpdate };
}

/** One Attributor per repository, shared by documents and scans (its caches are per repository). */
function attributorFor(repoRoot: string): Attributor {
  let attributor = attributors.get(repoRoot);
  if (!attributor) attributors.set(repoRoot, (attributor = new Attributor(repoRoot, { logger, stateMaxAgeMs: 1_000 })));
  return attributor;
}

function repoRootOf(dir: string): Promise<string | null> {
  let root = repoRoots.get(dir);
  if (!root) repoRoots.set(dir, (root = findRepoRoot(dir)));
  return root;
}

function opened(file: string): IncrementalAnalysis {
  const analysis = documents.get(file);
  if (!analysis) throw new NotOpen(`${file} is not open in the analysis worker`);
  return analysis;
}

async function handle(request: Exclude<WorkerRequest, { kind: 'cancel' }>): Promise<unknown> {
  switch (request.kind) {
    case 'open':
      return inOrder(request.file, async () => {
        documents.get(request.file)?.dispose();
        documents.delete(request.file);
        const analysis = await IncrementalAnalysis.create(request.file, request.text, analysisOptions());
        if (!analysis) return null;
        documents.set(request.file, analysis);
        return describe(analysis);
      });
    case 'update':
      return inOrder(request.file, () => {
        const analysis = opened(request.file);
        analysis.update(request.changes);
        return describe(analysis);
      });
    case 'close':
      return inOrder(request.file, () => {
        documents.get(request.file)?.dispose();
        documents.delete(request.file);
        return null;
      });
    case 'attribute': {
      // the text and spans as of now; git then runs outside the document's queue, so edits go on
      const { text, spans } = await inOrder(request.file, () => {
        const analysis = opened(request.file);
        const unique = new Map<string, FunctionSpan>();
        for (const span of spansOf(analysis)) unique.set(spanKey(span), span);
        return { text: analysis.text, spans: [...unique.values()] };
      });
      if (spans.length === 0) return [];
      const repoRoot = await repoRootOf(path.dirname(request.path));
      if (!repoRoot) return [];
      const result = await attributorFor(repoRoot).attributeFunctions(request.path, spans, text);
      return [...result].map(([span, attribution]) => [spanKey(span), attribution]);
    }
    case 'configure': {
      options = request.options;
      const files = [...documents.keys()];
      const results = await Promise.all(
        files.map((file) =>
          inOrder(file, () => {
            const analysis = documents.get(file);
            if (!analysis) return null;
            analysis.setOptions(analysisOptions());
            return [file, describe(analysis)] as const;
          }),
        ),
      );
      return results.filter((r) => r !== null);
    }
    case 'scan': {
      const controller = new AbortController();
      scans.set(request.id, controller);
      try {
        const { spans: _identityKeyed, ...result } = await scanWorkspace({
          root: request.root,
          all: request.all,
          includeTests: request.includeTests,
          attribute: request.attribute,
          concurrency: request.concurrency,
          analysis: analysisOptions(),
          signal: controller.signal,
          logger,
          attributorFor,
          onProgress: (done, total) => post({ kind: 'progress', id: request.id, done, total }),
        });
        return result;
      } finally {
        scans.delete(request.id);
      }
    }
    case 'authorship': {
      const controller = new AbortController();
      scans.set(request.id, controller);
      try {
        const result = await listAuthorship({
          paths: [request.root],
          root: request.root,
          analysis: { parsers: defaultParsers(start.wasmDir) },
          logger,
          signal: controller.signal,
          // the scan's and the open documents' blame caches serve this listing too
          attributorFor,
          onProgress: (done, total) => post({ kind: 'progress', id: request.id, done, total }),
        });
        return result.rows;
      } finally {
        scans.delete(request.id);
      }
    }
  }
}

port.on('message', (request: WorkerRequest) => {
  if (request.kind === 'cancel') {
    scans.get(request.target)?.abort();
    return;
  }
  handle(request).then(
    (value) => post({ kind: 'reply', id: request.id, ok: true, value }),
    (err: unknown) => post({ kind: 'reply', id: request.id, ok: false, error: err instanceof Error ? err.message : String(err), notOpen: err instanceof NotOpen }),
  );
});
