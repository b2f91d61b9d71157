/**
 * Log entries from Loki into exceptions, each once: an entry seen before (the window read on
 * connect and the tail overlap, a reconnect replays) is skipped by a hash of its stream, time and
 * line; structured lines (JSON, logfmt, Faro) give their exception at once; plain stack traces are
 * reassembled from consecutive entries of one stream (StackAssembler).
 */
import { createHash } from 'node:crypto';
import { parseStackTrace } from '../../mapping/stackTrace';
import { structuredException, stackHeadline, type LogException } from './exceptionLines';
import { nsToMs, type LokiStream } from './lokiApi';
import { StackAssembler, type AssembledBlock } from './stackAssembly';
import { OldestFirst } from '../../oldestFirst';

/** An exception found in logs, with the labels of the stream it came from. */
export interface FoundException {
  exception: LogException;
  labels: ReadonlyMap<string, string>;
  timeMs: number;
}

const MAX_SEEN = 200_000;

/** Reads exceptions out of Loki streams; keeps what it needs to count each one once. */
export class LogExceptionReader {
  /** Entries read, entries skipped as seen before, exceptions found. */
  readonly counters = { entries: 0, duplicates: 0, exceptions: 0 };
  private readonly seen = new Set<string>();
  private readonly seenOldest = new OldestFirst(this.seen);
  private readonly assembler: StackAssembler;
  private readonly streamLabels = new Map<string, ReadonlyMap<string, string>>();

  constructor(
    gapMs = 2_000,
    private readonly maxSeen = MAX_SEEN,
  ) {
    this.assembler = new StackAssembler(gapMs);
  }

  /** Stack traces still waiting for more lines. */
  get pending(): number {
    return this.assembler.pending;
  }

  /** The exceptions completed by these streams' entries (entries of a stream in time order). */
  read(streams: readonly LokiStream[], nowMs: number): FoundException[] {
    const found: FoundException[] = [];
    for (const stream of streams) {
      const key = streamKey(stream.labels);
      this.streamLabels.set(key, stream.labels);
      const entries = [...stream.entries].sort((a, b) => compareNs(a[0], b[0]));
      for (const [ns, line] of entries) {
        this.counters.entries++;
        if (!this.firstSight(key, ns, line)) {
          this.counters.duplicates++;
          continue;
        }
        const timeMs = nsToMs(ns);
        const fromLabels = labelException(stream.labels, line);
        const pushed = fromLabels === null ? this.assembler.push(key, timeMs, line, nowMs) : { completed: [], taken: false };
        for (const block of pushed.completed) this.emitBlock(block, found);
        if (pushed.taken) continue;
        const exception = fromLabels ?? structuredException(line);
        if (exception !== null) this.emit({ exception, labels: stream.labels, timeMs }, found);
      }
    }
    return found;
  }

  /** Stack traces whose stream has been quiet for the gap, complete now. */
  flushIdle(nowMs: number): FoundException[] {
    const found: FoundException[] = [];
    for (const block of this.assembler.flushIdle(nowMs)) this.emitBlock(block, found);
    return found;
  }

  private emitBlock(block: AssembledBlock, found: FoundException[]): void {
    const exception = plainException(block.text);
    const labels = this.streamLabels.get(block.stream);
    if (exception !== null && labels !== undefined) this.emit({ exception, labels, timeMs: block.timeMs }, found);
  }

  private emit(e: FoundException, found: FoundException[]): void {
    this.counters.exceptions++;
    found.push(e);
  }

  /** True the first time an entry is seen; the memory of entries is bounded (oldest forgotten first). */
  private firstSight(stream: string, ns: string, line: string): boolean {
    const hash = createHash('sha1').update(stream).update('\u0000').update(ns).update('\u0000').update(line).digest('base64');
    if (this.seen.has(hash)) return false;
    this.seen.add(hash);
    if (this.seen.size > this.maxSeen) this.seenOldest.drop();
    return true;
  }
}

/** A plain stack trace block as an exception: it needs frames, and its type and message come from its headline. */
export function plainException(text: string): LogException | null {
  const { frames } = parseStackTrace(text);
  if (frames.length === 0) return null;
  const head = stackHeadline(text);
  return { type: head.type || 'Error', message: head.message, stacktrace: text };
}

/**
 * An exception carried in the stream's labels: Loki's OTLP ingest keeps log attributes as
 * structured metadata (`exception_type`, `exception_stacktrace`), which the API returns with the labels.
 */
function labelException(labels: ReadonlyMap<string, string>, line: string): LogException | null {
  const type = labels.get('exception_type') ?? '';
  const stacktrace = labels.get('exception_stacktrace') ?? '';
  if (type === '' && stacktrace === '') return null;
  const head = stackHeadline(stacktrace);
  return { type: type || head.type || 'Error', message: labels.get('exception_message') || head.message || line.slice(0, 500), stacktrace };
}

/** One stream's identity: its labels in name order. */
export function streamKey(labels: ReadonlyMap<string, string>): string {
  return [...labels]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
}

function compareNs(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
