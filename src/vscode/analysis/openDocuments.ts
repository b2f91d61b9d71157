import type * as vscode from 'vscode';
import { isGeneratedFile } from '../../core/analysis/attribution/markers';
import type { Attribution } from '../../core/analysis/findings';
import { languageForFile } from '../../core/analysis/languages';
import type { TextChange } from '../../core/analysis/parser';
import { type AnalysisClient, DocumentNotOpenError } from '../../core/analysis/worker/analysisClient';
import type { DocumentFindings } from '../../core/analysis/worker/protocol';
import type { Logger } from '../../core/logger';
import { relativeFile } from '../workspacePaths';

/** Quiet time after the last keystroke before a document is analysed again. */
const EDIT_DEBOUNCE_MS = 150;
/** Attribution runs git: at most this often per document while it is being edited. */
const ATTRIBUTION_INTERVAL_MS = 2_000;

/** An editor document the analysis worker holds a parse tree of. */
export interface OpenDocument {
  document: vscode.TextDocument;
  file: string;
  /** The worker has the document (its first analysis has come back). */
  ready: Promise<void>;
  /** The latest findings from the worker and the text they are about; undefined until the first. */
  result: DocumentFindings | undefined;
  text: string;
  /** Edits not yet sent to the worker. */
  pending: TextChange[];
  timer: NodeJS.Timeout | undefined;
  /** Updates sent; only the newest reply is published. */
  sent: number;
  /** Attribution per function span (`name:start:end`), from the last attribution run. */
  attributions: Map<string, Attribution>;
  attributedAt: number;
  attributing: boolean;
  attributeAgain: boolean;
}

/** What the open documents need from the analysis service. */
export interface OpenDocumentsPorts {
  worker: AnalysisClient;
  log: Logger;
  /** Whether git may run (attribution), now. */
  mayRunGit(): boolean;
  /** New findings for a document; `attribute` when its authorship is due to be read again. */
  analysed(file: string, attribute: boolean): Promise<void>;
  disposed(): boolean;
}

/**
 * The documents open in editors, kept in step with the analysis worker: the whole text once,
 * then the edits typed (debounced), each reply newer than the last handed on; authorship is read
 * through git at most every ATTRIBUTION_INTERVAL_MS while a document is edited.
 */
export class OpenDocuments {
  private readonly docs = new Map<string, OpenDocument>();
  /** Milliseconds of the last incremental updates (newest last), for the integration suite and logs. */
  readonly updateTimes: number[] = [];

  constructor(private readonly ports: OpenDocumentsPorts) {}

  get(file: string): OpenDocument | undefined {
    return this.docs.get(file);
  }

  has(file: string): boolean {
    return this.docs.has(file);
  }

  files(): string[] {
    return [...this.docs.keys()];
  }

  /** Starts following a document the analysis can read (a known language, not generated). */
  track(document: vscode.TextDocument): void {
    const file = relativeFile(document.uri);
    if (!file || !languageForFile(file) || this.docs.has(file)) return;
    const text = document.getText();
    if (isGeneratedFile(text)) return;
    const doc: OpenDocument = {
      document,
      file,
      ready: Promise.resolve(),
      result: undefined,
      text,
      pending: [],
      timer: undefined,
      sent: 0,
      attributions: new Map(),
      attributedAt: 0,
      attributing: false,
      attributeAgain: false,
    };
    this.docs.set(file, doc);
    doc.ready = this.load(doc, text);
  }

  /** Queues a document's edits for the worker. */
  changed(e: vscode.TextDocumentChangeEvent): void {
    const file = relativeFile(e.document.uri);
    const doc = file ? this.docs.get(file) : undefined;
    if (!doc || e.contentChanges.length === 0) return;
    for (const c of e.contentChanges) doc.pending.push({ start: c.rangeOffset, end: c.rangeOffset + c.rangeLength, text: c.text });
    clearTimeout(doc.timer);
    doc.timer = setTimeout(() => void this.flush(doc), EDIT_DEBOUNCE_MS);
  }

  /** Stops following a closed document; its last findings stay, as a scan of the file would give them. */
  untrack(document: vscode.TextDocument): void {
    const file = relativeFile(document.uri);
    const doc = file ? this.docs.get(file) : undefined;
    if (!doc) return;
    clearTimeout(doc.timer);
    this.docs.delete(doc.file);
    void this.ports.worker.close(doc.file).catch(() => undefined);
  }

  /** Takes findings the worker computed for new settings, for documents with no edits on the way. */
  configured(results: ReadonlyMap<string, DocumentFindings>): void {
    for (const [file, result] of results) {
      const doc = this.docs.get(file);
      if (doc && doc.pending.length === 0 && doc.timer === undefined) doc.result = result;
    }
  }

  /** Reads the document's authorship through git (once more if asked again meanwhile). */
  async attribute(doc: OpenDocument): Promise<void> {
    if (doc.attributing) {
      doc.attributeAgain = true;
      return;
    }
    if (!this.ports.mayRunGit()) return;
    doc.attributing = true;
    try {
      do {
        doc.attributeAgain = false;
        doc.attributions = new Map(await this.ports.worker.attribute(doc.file, doc.document.uri.fsPath));
        doc.attributedAt = Date.now();
      } while (doc.attributeAgain);
    } catch (err) {
      if (!this.ports.disposed() && !(err instanceof DocumentNotOpenError)) this.ports.log.warn(`attribution of ${doc.file} failed: ${(err as Error).message}`);
    } finally {
      doc.attributing = false;
    }
  }

  dispose(): void {
    for (const d of this.docs.values()) clearTimeout(d.timer);
    this.docs.clear();
  }

  /** Sends the document's whole text to the worker and hands on the first findings. */
  private async load(doc: OpenDocument, text: string): Promise<void> {
    try {
      const result = await this.ports.worker.open(doc.file, text);
      if (this.docs.get(doc.file) !== doc || this.ports.disposed()) return;
      if (!result) {
        this.docs.delete(doc.file);
        return;
      }
      this.ports.log.debug(`analysed ${doc.file} in ${result.stats.ms.toFixed(1)} ms (${result.findings.length} findings before attribution)`);
      // edits made meanwhile are pending: the next flush sends them
      if (doc.pending.length > 0) return;
      doc.result = result;
      doc.text = text;
      await this.ports.analysed(doc.file, true);
    } catch (err) {
      if (!this.ports.disposed()) this.ports.log.warn(`analysis of ${doc.file} failed: ${(err as Error).message}`);
    }
  }

  /** Sends the edits typed since the last flush and hands on the findings after them. */
  private async flush(doc: OpenDocument): Promise<void> {
    doc.timer = undefined;
    await doc.ready;
    if (this.docs.get(doc.file) !== doc || doc.pending.length === 0) return;
    const changes = doc.pending.splice(0);
    const text = doc.document.getText();
    const sent = ++doc.sent;
    let result: DocumentFindings;
    try {
      result = await this.ports.worker.update(doc.file, changes);
    } catch (err) {
      if (err instanceof DocumentNotOpenError && this.docs.get(doc.file) === doc) {
        // the worker restarted: give it the whole text again
        doc.ready = this.load(doc, text);
        return;
      }
      // a rule failing on half-typed code must not leave the document stale for good
      if (!this.ports.disposed()) this.ports.log.warn(`analysis of ${doc.file} failed: ${(err as Error).message}`);
      return;
    }
    if (this.docs.get(doc.file) !== doc || sent !== doc.sent) return;
    const stats = result.stats;
    if (stats.mode === 'incremental') {
      this.updateTimes.push(stats.ms);
      if (this.updateTimes.length > 100) this.updateTimes.shift();
    }
    this.ports.log.debug(`${doc.file}: ${stats.mode} update in ${stats.ms.toFixed(1)} ms${stats.reason ? ` (${stats.reason})` : ''}`);
    doc.result = result;
    doc.text = text;
    await this.ports.analysed(doc.file, Date.now() - doc.attributedAt > ATTRIBUTION_INTERVAL_MS);
  }
}
