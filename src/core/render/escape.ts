/**
 * Escapers for telemetry text, one per place it is shown. Span names, messages, services and
 * versions are written by whoever can reach the receiver: none of them may add markup, theme
 * icons, links or terminal control sequences to what the user sees.
 */

// C0 (but tab and line breaks, handled per context), DEL, C1, and the bidi marks, embeddings,
// overrides and isolates that make text read in another order than it runs (Trojan Source).
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|[\r\n\t\u000b\u000c\u0085\u2028\u2029]/g;
// Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all
// also defeats autolinks (`http://`, `www.`, `a@b.c`), entities and table cells.
const MARKDOWN_PUNCTUATION = /[!"#%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
const ICON = /\$\(/g;

/** Text on one line with no control or bidi characters: for tree labels, tooltips, diagnostics and decorations. */
export function plainText(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(CONTROLS, '');
}

/** Text for a label that renders `$(icon)` syntax (CodeLens titles, status bar, quick picks): plainText with icons escaped. */
export function iconSafe(text: string): string {
  // `\$(` is VS Code's own escape for a literal `$(` in labels.
  return plainText(text).replace(ICON, '\\$(');
}

/**
 * Telemetry text inside markdown (hovers, markdown tooltips): one line, every punctuation character
 * escaped, `$` as an entity. VS Code draws theme icons on the rendered HTML, after markdown has
 * removed backslashes, so `\$\(x\)` would still become an icon; `&#36;(x)` does not.
 */
export function markdownText(text: string): string {
  return plainText(text).replace(MARKDOWN_PUNCTUATION, '\\$&').replace(/\$/g, '&#36;');
}

/**
 * Telemetry text as an inline code span: a fence longer than any backtick run in it, on one line.
 * Icon syntax is drawn even inside code, so text holding `$(` is given as escaped text instead.
 */
export function codeSpan(text: string): string {
  const line = plainText(text);
  if (line === '') return '';
  if (line.includes('$(')) return markdownText(line);
  const longest = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // A space keeps a leading or trailing backtick from joining the fence; CommonMark strips one each side.
  const pad = line.startsWith('`') || line.endsWith('`') || (line.startsWith(' ') && line.endsWith(' ') && line.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** Text for a terminal: keeps newlines and tabs, drops every other control (escape sequences, CR, BEL) and bidi character. */
export function terminalText(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(CONTROLS, '')
    .replace(/[\r\u2028\u2029]/g, '');
}

/** Text for one terminal table cell or status line: terminalText on one line. */
export function terminalCell(text: string): string {
  return plainText(text);
}

// JSON.stringify escapes C0 already; these it leaves raw, and a terminal would act on them.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Pretty JSON for a terminal: the same value, with DEL, C1 and bidi characters written as `\uXXXX`. */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
