/**
 * Format detection and one line parser per stack trace format. Each parser returns the frames
 * of the exception the trace is about (see parseStackTrace for the chaining rule), innermost
 * first, with the location as printed; parseStackTrace then normalizes `file` and sets `inApp`
 * in place (one object per frame: this runs for every exception received). Formats that chain
 * exceptions also have a parser of the causes' frames, run only when the first has no app frame.
 */
import type { StackFormat, StackFrame } from './stackTrace';

function frame(file: string, line: number, column: number, fn: string): StackFrame {
  return { file, line, column, function: fn, inApp: false };
}

// One signature per format, tested on the whole text (multiline) to pick a parser.
const SIGNATURES: Record<StackFormat, RegExp> = {
  python: /^[ \t]*File "[^"\n]+", line \d+/m,
  go: /^goroutine \d+ \[|^\t\S[^\n]*\.go:\d+(?: \+0x[0-9a-f]+)?\r?$/m,
  java: /^[ \t]*at [^\s(]+\((?:[^():\n]+\.\w+(?::\d+)?|Native Method|Unknown Source)\)/m,
  // "at fn (loc)" has a space before the parenthesis (Java's frames never do) or "at loc:l:c".
  v8: /^[ \t]*at (?:.* \(.*\)|.*:\d+:\d+)\r?$/m,
  gecko: /^[^@\n]*@(?:[^\n]*:\d+(?::\d+)?|\[native code\])\r?$/m,
};

// Checked in this order when the hint does not settle it: Java lines also start with "at ", so
// Java goes before V8; Gecko's pattern is the loosest, so it goes last.
const DETECT_ORDER: readonly StackFormat[] = ['python', 'go', 'java', 'v8', 'gecko'];

// A Map, not an object literal: the hint is telemetry.sdk.language, attacker-chosen text, and
// "constructor" or "__proto__" must find nothing rather than an Object.prototype member.
const HINTS = new Map<string, readonly StackFormat[]>([
  ['nodejs', ['v8']],
  ['webjs', ['v8', 'gecko']],
  ['python', ['python']],
  ['java', ['java']],
  ['kotlin', ['java']],
  ['scala', ['java']],
  ['go', ['go']],
]);

/** Picks the format of `text`, preferring the one `languageHint` (telemetry.sdk.language) names. */
export function detectStackFormat(text: string, languageHint = ''): StackFormat | null {
  for (const format of HINTS.get(languageHint.toLowerCase()) ?? []) {
    if (SIGNATURES[format].test(text)) return format;
  }
  for (const format of DETECT_ORDER) {
    if (SIGNATURES[format].test(text)) return format;
  }
  return null;
}

/** The parser for each format; `lines` is the trace split on newlines. */
export const FORMAT_PARSERS: Record<StackFormat, (lines: string[]) => StackFrame[]> = {
  v8: parseV8,
  python: parsePython,
  java: parseJava,
  go: parseGo,
  gecko: parseGecko,
};

/** The frames of each cause of the exception, nearest cause first, for the formats that print them. */
export const CAUSE_PARSERS: Partial<Record<StackFormat, (lines: string[]) => StackFrame[][]>> = {
  python: (lines) => pythonBlocks(lines).slice(1),
  java: (lines) => javaBlocks(lines).slice(1),
};

// "    at fn (location)" or "    at location"; the location is "file:line:col" or a bare word
// (<anonymous>, native, "index 0"). Plain string scanning: this runs for every frame of every
// exception, and the equivalent lazy regex cost several times as much.
// V8 names eval'd code "eval at outer (file:l:c), <anonymous>:l:c": the first real location
// is where the eval was called, the closest thing to source.
const EVAL_ORIGIN = /\(([^()]*):(\d+):(\d+)\)/;

function parseV8(lines: string[]): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of lines) {
    let i = 0;
    while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
    if (!line.startsWith('at ', i)) {
      // The message comes before the frames; after them, the first other line ends the
      // trace (util.inspect appends "{ [cause]: ... }" and properties there).
      if (frames.length > 0 && line.trim() !== '') break;
      continue;
    }
    const text = i === 0 ? line : line.slice(i);
    frames.push(parseV8Frame(text.endsWith(' ') ? text.trimEnd() : text));
  }
  return frames;
}

function parseV8Frame(text: string): StackFrame {
  let fn = '';
  let location: string;
  const paren = text.indexOf(' (', 3);
  if (paren > 0 && text.charCodeAt(text.length - 1) === 41 /* ) */) {
    fn = text.slice(3, paren);
    location = text.slice(paren + 2, -1);
    const c0 = fn.charCodeAt(0);
    if (c0 === 97 /* a */ && fn.startsWith('async ')) fn = fn.slice(6);
    else if (c0 === 110 /* n */ && fn.startsWith('new ')) fn = fn.slice(4);
    if (fn.charCodeAt(fn.length - 1) === 93 /* ] */) {
      const alias = fn.indexOf(' [as ');
      if (alias > 0) fn = fn.slice(0, alias);
    }
  } else {
    location = text.slice(text.startsWith('at async ') ? 9 : 3);
  }
  if (location.charCodeAt(0) === 101 /* e */ && location.startsWith('eval at ')) {
    const origin = EVAL_ORIGIN.exec(location);
    if (origin) return frame(origin[1], +origin[2], +origin[3], fn);
  }
  return splitLineColumn(location, fn);
}

/** Splits "file:line:col" scanning backwards once; anything else is a file with no position. */
function splitLineColumn(location: string, fn: string): StackFrame {
  let i = location.length - 1;
  let column = 0;
  let scale = 1;
  for (let d: number; i >= 0 && (d = location.charCodeAt(i) - 48) >= 0 && d <= 9; i--, scale *= 10) column += d * scale;
  if (scale === 1 || location.charCodeAt(i) !== 58 /* : */) return frame(location, 0, 0, fn);
  let line = 0;
  scale = 1;
  for (let d: number; --i >= 0 && (d = location.charCodeAt(i) - 48) >= 0 && d <= 9; scale *= 10) line += d * scale;
  if (scale === 1 || i <= 0 || location.charCodeAt(i) !== 58) return frame(location, 0, 0, fn);
  return frame(location.slice(0, i), line, column, fn);
}

const PY_HEADER = /^\s*Traceback \(most recent call last\):/;
const PY_FRAME = /^\s*File "([^"]+)", line (\d+)(?:, in (.+?))?\s*$/;

// Python chains print the cause first and the raised exception last, each under its own
// "Traceback" header; the last block is the one exception.type names. Within a block the
// innermost frame is printed last, so the block is reversed.
function parsePython(lines: string[]): StackFrame[] {
  let start = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (PY_HEADER.test(lines[i])) {
      start = i + 1;
      break;
    }
  }
  const frames: StackFrame[] = [];
  for (let i = start; i < lines.length; i++) {
    const m = PY_FRAME.exec(lines[i]);
    if (m) frames.push(frame(m[1], +m[2], 0, m[3] ?? ''));
  }
  return frames.reverse();
}

/** Every traceback block, the raised exception's first, then its causes, nearest first. */
function pythonBlocks(lines: string[]): StackFrame[][] {
  const blocks: StackFrame[][] = [[]];
  for (const text of lines) {
    if (PY_HEADER.test(text)) {
      if (blocks[blocks.length - 1].length > 0) blocks.push([]);
      continue;
    }
    const m = PY_FRAME.exec(text);
    if (m) blocks[blocks.length - 1].push(frame(m[1], +m[2], 0, m[3] ?? ''));
  }
  return blocks.reverse().map((b) => b.reverse());
}

// "at [loader/][module@version/]pkg.Class$Inner.method(File.java:12)"; the loader and module
// prefixes never contain '$', which keeps hidden lambda classes (Foo$$Lambda$14/0x...) whole.
// Logback's extended format appends " ~[jar:version]" after the parenthesis.
const JAVA_FRAME = /^\s*at (?:[^\s/$()]*\/){0,2}([^\s()]+)\.([^\s.()]+)\(([^()]*)\)(?: ~?\[[^\]]*\])?\s*$/;
const JAVA_BLOCK_END = /^\s*(?:Caused by|Suppressed):/;
const JAVA_CAUSE = /^Caused by:/;
const JAVA_OTHER = /^\s+(?:Caused by|Suppressed):|^Suppressed:/;

// Java prints the thrown exception's frames first; "Caused by:" and "Suppressed:" blocks
// that follow belong to other exceptions, so the top block is the whole answer.
function parseJava(lines: string[]): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const text of lines) {
    if (JAVA_BLOCK_END.test(text)) break;
    const f = javaFrame(text);
    if (f !== undefined) frames.push(f);
  }
  return frames;
}

// The causes are top-level "Caused by:" blocks (each ending in "... N more", the frames it
// shares with the block above). Suppressed exceptions and their causes are indented and belong
// to other exceptions: never parsed.
function javaBlocks(lines: string[]): StackFrame[][] {
  const blocks: StackFrame[][] = [[]];
  let skipping = false;
  for (const text of lines) {
    if (JAVA_CAUSE.test(text)) {
      blocks.push([]);
      skipping = false;
      continue;
    }
    if (JAVA_OTHER.test(text)) skipping = true;
    if (skipping) continue;
    const f = javaFrame(text);
    if (f !== undefined) blocks[blocks.length - 1].push(f);
  }
  return blocks;
}

function javaFrame(text: string): StackFrame | undefined {
  const m = JAVA_FRAME.exec(text);
  if (!m) return undefined; // the message, "... N more", "Exception in thread ..."
  const [, className, method, source] = m;
  const colon = source.lastIndexOf(':');
  const fileName = colon >= 0 ? source.slice(0, colon) : source;
  const line = colon >= 0 ? Number(source.slice(colon + 1)) || 0 : 0;
  return frame(javaFileGuess(className, fileName), line, 0, `${className}.${method}`);
}

/** The repo-relative path a Java class most likely lives in: package path + source file name. */
function javaFileGuess(className: string, fileName: string): string {
  const dot = className.lastIndexOf('.');
  const packagePath = dot >= 0 ? className.slice(0, dot).replace(/\./g, '/') + '/' : '';
  // "Native Method" / "Unknown Source" carry no file name: fall back to the outer class name.
  const hasFile = /^[^\s/]+\.\w+$/.test(fileName);
  const simple = className.slice(dot + 1).split('$')[0];
  return packagePath + (hasFile ? fileName : `${simple}.java`);
}

const GO_GOROUTINE = /^goroutine \d+/;
const GO_LOCATION = /^\t(.+):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;
const GO_CREATED_BY = /^created by (\S+)/;

// A Go traceback is "function(args)" lines each followed by a tab-indented "file:line +0xoff".
// Only the first goroutine block is kept: it is the one that panicked or called debug.Stack.
function parseGo(lines: string[]): StackFrame[] {
  const frames = parseGoFrames(lines);
  // A stack taken while panicking (a recover middleware's RecordError or debug.Stack) starts
  // with the recording call, the deferred closure (in-app: the user's own middleware) and the
  // panic machinery; the line that panicked is the first frame past `panic(`. With a panic
  // inside a deferred call there are several: the innermost is the one being recovered.
  const panicAt = frames.findIndex(isPanicFrame);
  return panicAt >= 0 && panicAt < frames.length - 1 ? frames.slice(panicAt + 1) : frames;
}

// `panic(...)` since Go 1.17 or so, `runtime.gopanic` before and in GOTRACEBACK=system output.
function isPanicFrame(f: StackFrame): boolean {
  return f.function === 'panic' || f.function === 'runtime.gopanic';
}

function parseGoFrames(lines: string[]): StackFrame[] {
  const frames: StackFrame[] = [];
  let fn: string | null = null;
  let seenGoroutine = false;
  for (const text of lines) {
    if (GO_GOROUTINE.test(text)) {
      if (seenGoroutine && frames.length > 0) break;
      seenGoroutine = true;
      fn = null;
      continue;
    }
    const loc = GO_LOCATION.exec(text);
    if (loc) {
      if (fn !== null) frames.push(frame(loc[1], +loc[2], 0, fn));
      fn = null;
      continue;
    }
    const created = GO_CREATED_BY.exec(text);
    if (created) {
      fn = created[1];
    } else if (text.endsWith(')') && !text.startsWith('\t')) {
      // Strip the argument list: the last top-level "(" starts it.
      fn = text.slice(0, goArgsStart(text));
    } else {
      fn = null;
    }
  }
  return frames;
}

function goArgsStart(text: string): number {
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text[i];
    if (c === ')') depth++;
    else if (c === '(' && --depth === 0) return i;
  }
  return text.length;
}

// "fn@url:line:col"; Firefox prefixes async frames with "async*" (any "cause*"), names nested
// anonymous functions "outer/<", and describes eval'd code as "url line N > eval:l:c".
const GECKO_FRAME = /^\s*([^@]*)@(.*?)\s*$/;
const GECKO_EVAL = /^(.*?) line (\d+) > /;
const LINE_COLUMN = /^(.*):(\d+):(\d+)$/;
const LINE_ONLY = /^(.*):(\d+)()$/;

function parseGecko(lines: string[]): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const text of lines) {
    const m = GECKO_FRAME.exec(text);
    if (!m) continue;
    const fn = m[1].replace(/^[^*]*\*/, '').replace(/(?:\/<)+$/, '');
    const location = m[2];
    const evalOrigin = GECKO_EVAL.exec(location);
    if (evalOrigin) {
      frames.push(frame(evalOrigin[1], +evalOrigin[2], 0, fn));
      continue;
    }
    const loc = LINE_COLUMN.exec(location) ?? LINE_ONLY.exec(location);
    if (loc) frames.push(frame(loc[1], +loc[2], Number(loc[3]) || 0, fn));
    else if (location === '[native code]') frames.push(frame(location, 0, 0, fn));
  }
  return frames;
}
