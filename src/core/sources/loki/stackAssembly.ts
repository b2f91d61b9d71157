/**
 * Puts plain multi-line stack traces back together. A logger that writes a stack as plain text
 * gives Loki one entry per line unless its shipper joins them, so a Python traceback, a Java
 * "Caused by" chain, a Node `Error.stack` or a Go panic arrives as consecutive entries of one
 * stream. Lines are gathered from a start line ("Traceback (most recent call last):", "panic: ",
 * "goroutine N [", "Exception in thread", "pkg.SomeError: message") while they continue it
 * (indented frames, "Caused by:", Python's chaining lines, Go's function lines), and a block ends
 * at the first line that does not, at a gap in time, or when the stream has been quiet a while.
 */

/** A block of lines that may be a stack trace, from one stream. */
export interface AssembledBlock {
  stream: string;
  text: string;
  /** The first line's time (ms since the epoch). */
  timeMs: number;
}

type Kind = 'python' | 'go' | 'java' | 'header';

interface Block {
  kind: Kind;
  lines: string[];
  firstMs: number;
  lastMs: number;
  arrivedMs: number;
  blanks: number;
}

const STARTS: ReadonlyArray<[RegExp, Kind]> = [
  [/^\s*Traceback \(most recent call last\):/, 'python'],
  [/^(?:panic|fatal error): /, 'go'],
  [/^goroutine \d+ \[/, 'go'],
  [/^Exception in thread "/, 'java'],
  // The first line of a Java or V8 stack: "java.lang.IllegalStateException: ..." / "TypeError: ...".
  [/^[A-Za-z_$][\w$.]*(?:Error|Exception|Throwable)(?::|$)/, 'header'],
];
const PY_CHAIN = /^(?:The above exception was the direct cause|During handling of the above exception)/;
const PY_LAST = /^[A-Za-z_][\w.]*(?::|$)/;
const JAVA_MORE = /^(?:Caused by|Suppressed): /;
const GO_LINE = /^(?:goroutine \d+ \[|created by |panic: |\S+\(.*\)$)/;
const MAX_LINES = 500;
const MAX_BLANKS = 2;

/** Gathers stack trace lines per stream; feed entries in time order. */
export class StackAssembler {
  private readonly blocks = new Map<string, Block>();

  /** `gapMs`: lines further apart than this are not one stack; a block quiet this long is complete. */
  constructor(private readonly gapMs = 2_000) {}

  /** Blocks waiting for more lines. */
  get pending(): number {
    return this.blocks.size;
  }

  /**
   * Feeds one entry (which may itself hold several lines). Returns the blocks it completed, and
   * whether the entry was taken as part of a stack (else the caller may read it as a structured line).
   */
  push(stream: string, timeMs: number, entry: string, arrivedMs: number): { completed: AssembledBlock[]; taken: boolean } {
    const completed: AssembledBlock[] = [];
    let taken = false;
    const lines = entry.includes('\n') ? entry.split(/\r?\n/) : [entry];
    for (const line of lines) {
      let block = this.blocks.get(stream);
      if (block !== undefined && (timeMs - block.lastMs > this.gapMs || block.lines.length >= MAX_LINES)) {
        completed.push(this.close(stream, block));
        block = undefined;
      }
      if (block !== undefined && continues(block, line)) {
        block.lines.push(line);
        block.lastMs = Math.max(block.lastMs, timeMs);
        block.arrivedMs = arrivedMs;
        taken = true;
        continue;
      }
      if (block !== undefined) completed.push(this.close(stream, block));
      const kind = startKind(line);
      if (kind !== null) {
        this.blocks.set(stream, { kind, lines: [line], firstMs: timeMs, lastMs: timeMs, arrivedMs, blanks: 0 });
        taken = true;
      }
    }
    return { completed, taken };
  }

  /** Completes the blocks whose last line is older than the gap, by its time or by when it arrived. */
  flushIdle(nowMs: number): AssembledBlock[] {
    const out: AssembledBlock[] = [];
    for (const [stream, block] of [...this.blocks]) {
      if (nowMs - block.lastMs > this.gapMs || nowMs - block.arrivedMs > this.gapMs) out.push(this.close(stream, block));
    }
    return out;
  }

  /** Completes every block (at shutdown). */
  flushAll(): AssembledBlock[] {
    return [...this.blocks].map(([stream, block]) => this.close(stream, block));
  }

  private close(stream: string, block: Block): AssembledBlock {
    this.blocks.delete(stream);
    let end = block.lines.length;
    while (end > 0 && block.lines[end - 1].trim() === '') end--;
    return { stream, text: block.lines.slice(0, end).join('\n'), timeMs: block.firstMs };
  }
}

function lastText(block: Block): string {
  for (let i = block.lines.length - 1; i >= 0; i--) if (block.lines[i].trim() !== '') return block.lines[i];
  return '';
}

function startKind(line: string): Kind | null {
  for (const [pattern, kind] of STARTS) if (pattern.test(line)) return kind;
  return null;
}

/** Whether `line` is more of `block`'s stack. */
function continues(block: Block, line: string): boolean {
  const previous = block.lines[block.lines.length - 1];
  if (line.trim() === '') {
    // Python separates chained tracebacks and Go its goroutines with blank lines; a Java or V8 stack ends at one.
    if ((block.kind !== 'python' && block.kind !== 'go') || block.blanks >= MAX_BLANKS) return false;
    block.blanks++;
    return true;
  }
  block.blanks = 0;
  if (/^[ \t]/.test(line)) return true;
  switch (block.kind) {
    case 'python':
      // The exception line ends a traceback: it follows the indented frames (or a chaining line may follow it).
      // A new traceback belongs to this one only when a chaining line introduced it.
      if (/^Traceback \(most recent call last\):/.test(line)) return PY_CHAIN.test(lastText(block));
      return PY_CHAIN.test(line) || (/^[ \t]/.test(previous) && PY_LAST.test(line));
    case 'go':
      return GO_LINE.test(line);
    case 'java':
    case 'header':
      return JAVA_MORE.test(line);
  }
}
