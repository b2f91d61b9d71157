/**
 * Messages between the editor's analysis client and the analysis worker thread, which owns the
 * parsers and the parse trees so parsing never runs on the editor's (extension host's) thread.
 * Everything here is structured-clone data.
 */
import type { AnalysisOptions } from '../analyze';
import type { AuthorshipRow } from '../authorship';
import type { Attribution, Finding, FunctionSpan, Language } from '../findings';
import type { UpdateStats } from '../incremental';
import type { TextChange } from '../parser';
import type { ScanResult } from '../workspaceScan';

/** Analysis options that can cross a thread boundary (the worker keeps its own parsers). */
export type WorkerAnalysisOptions = Omit<AnalysisOptions, 'parsers' | 'wasmDir' | 'language'>;

/** What a worker starts with (`workerData`). */
export interface WorkerStart {
  /** Folder holding tree-sitter's runtime and the grammars; default: next to the worker's bundle. */
  wasmDir?: string;
  options: WorkerAnalysisOptions;
}

/** One document's findings after the last open, update or options change. */
export interface DocumentFindings {
  language: Language;
  /** Sorted by position. */
  findings: Finding[];
  /** The span each finding is attributed by (same order as `findings`). */
  spans: FunctionSpan[];
  stats: UpdateStats;
}

/** Who wrote each function with findings in an open document, by `spanKey`. */
export type DocumentAttributions = [string, Attribution][];

/** A workspace scan's result, without the identity-keyed span map. */
export type WorkerScanResult = Omit<ScanResult, 'spans'>;

/** Every AI-written function under a folder, without figures (the editor joins its live signals). */
export type WorkerAuthorshipResult = AuthorshipRow[];

export type WorkerRequest =
  | { kind: 'open'; id: number; file: string; text: string }
  | { kind: 'update'; id: number; file: string; changes: TextChange[] }
  | { kind: 'close'; id: number; file: string }
  | { kind: 'configure'; id: number; options: WorkerAnalysisOptions }
  | { kind: 'scan'; id: number; root: string; all: boolean; includeTests: boolean; attribute: boolean; concurrency: number }
  | { kind: 'attribute'; id: number; file: string; path: string }
  | { kind: 'authorship'; id: number; root: string }
  | { kind: 'cancel'; target: number };

export type WorkerMessage =
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string; notOpen?: boolean }
  | { kind: 'progress'; id: number; done: number; total: number }
  | { kind: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string };
