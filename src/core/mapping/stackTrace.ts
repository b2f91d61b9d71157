/**
 * Parses exception stack traces (`exception.stacktrace`, `code.stacktrace`) into frames so an
 * error can be pinned to the application code that threw it.
 *
 * Chained exceptions: the frames returned are those of the exception the trace is about, the one
 * `exception.type` / `exception.message` name. Python prints that one last (its causes come
 * first, joined by "The above exception was the direct cause..." / "During handling..."), so
 * the last traceback block is used; Java prints it first, so the top block is used and the
 * "Caused by:" / "Suppressed:" blocks are ignored. Only when that block has no in-app frame at
 * all (a container's wrapper, such as Tomcat's "Request processing failed" thrown and logged
 * entirely in framework code) are the frames of the nearest cause that has one returned: the
 * wrapper would otherwise reach no code. Go keeps the first goroutine only, and of a stack taken
 * while panicking only the frames past the panic (see parseGo).
 */
import { isInAppFile, normalizeFile } from './inAppRules';
import { CAUSE_PARSERS, FORMAT_PARSERS, detectStackFormat } from './stackFormats';

/** One frame of a parsed stack trace. */
export interface StackFrame {
  /** A path: URLs keep only their path, file URLs become paths, Java frames get `pkg/path/File.java`. */
  file: string;
  /** 1-based; 0 when the trace does not say. */
  line: number;
  /** 1-based; 0 when the format has no columns (Python, Java, Go). */
  column: number;
  /** As the runtime names it, without V8's `async `/`new ` or Gecko's `async*` decorations. */
  function: string;
  /** False for dependencies and runtime code (see inAppRules.ts). */
  inApp: boolean;
}

/** The stack trace dialects understood; V8 covers Node and Chromium, Gecko covers Firefox and Safari. */
export type StackFormat = 'v8' | 'python' | 'java' | 'go' | 'gecko';

/** Parses a stack trace; `languageHint` is the resource's telemetry.sdk.language (nodejs, python, java, go, webjs, ...) or ''. Frames are ordered innermost (where it threw) first, whatever the language prints. */
export function parseStackTrace(text: string, languageHint = ''): { format: StackFormat | null; frames: StackFrame[] } {
  const format = text ? detectStackFormat(text, languageHint) : null;
  if (format === null) return { format, frames: [] };
  // Split on '\n' alone unless needed: the regex split costs more than all of V8's frame parsing.
  const lines = text.includes('\r') ? text.split(/\r?\n/) : text.split('\n');
  const frames = FORMAT_PARSERS[format](lines);
  if (classify(format, frames) || frames.length === 0) return { format, frames };
  for (const cause of CAUSE_PARSERS[format]?.(lines) ?? []) {
    if (classify(format, cause)) return { format, frames: cause };
  }
  return { format, frames };
}

/** Normalizes files and sets `inApp` in place; true when some frame is in-app. */
function classify(format: StackFormat, frames: StackFrame[]): boolean {
  let inApp = false;
  for (const frame of frames) {
    frame.file = normalizeFile(frame.file);
    frame.inApp = isInAppFile(format, frame.file);
    inApp ||= frame.inApp;
  }
  return inApp;
}

/** The innermost frame that belongs to the application, not a dependency or runtime. */
export function firstInAppFrame(frames: StackFrame[]): StackFrame | undefined {
  return frames.find((f) => f.inApp);
}

/**
 * The stack without the `Type: message` line it starts with (V8, Java) or ends with (Python), for
 * caching what its frames map to: messages carry ids and numbers, so the whole text is rarely seen
 * twice while the frames are. Only a one-line message is taken off (a line of its own cannot be a
 * frame); otherwise the text is its own key.
 */
export function stackFramesKey(text: string, type: string, message: string): string {
  if (type === '' || message.includes('\n')) return text;
  const headerLength = type.length + 2 + message.length;
  const headerAt = (at: number) => text.startsWith(type, at) && text.charCodeAt(at + type.length) === COLON && text.charCodeAt(at + type.length + 1) === SPACE && text.startsWith(message, at + type.length + 2);
  if (text.charCodeAt(headerLength) === NEWLINE && headerAt(0)) return text.slice(headerLength);
  const end = text.charCodeAt(text.length - 1) === NEWLINE ? text.length - 1 : text.length;
  const at = end - headerLength;
  if (at > 0 && text.charCodeAt(at - 1) === NEWLINE && headerAt(at)) return text.slice(0, at);
  return text;
}

const NEWLINE = 10;
const COLON = 58;
const SPACE = 32;
