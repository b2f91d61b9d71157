/**
 * The LogQL this source sends. One query serves both the window read on connect and the live tail:
 * the configured stream selector, then a line filter that keeps every line an exception or a
 * stack trace can be made of (so a stack split across entries keeps its frames) and drops the
 * rest of the traffic at Loki, not here.
 */

/**
 * Lines worth reading, as an RE2 pattern (Loki's regex dialect; it also reads the same in
 * JavaScript): exception and error words (JSON/logfmt `exception.*` keys, "TypeError:", Python's
 * last line), Faro's `kind=exception`, Python's "Traceback" and `File "..."` frames, Java/V8
 * "at ..." frames and "... N more", Go's "panic:", "goroutine N [", "file.go:N" and function lines.
 */
export const EXCEPTION_LINE_PATTERN = [
  '[Ee]xception',
  '[Ee]rror',
  'Traceback',
  'panic',
  'Caused by:',
  '^\\s+at ',
  '^\\s+File "',
  '^\\s+\\.\\.\\. \\d+ more',
  '^goroutine \\d+ ',
  '\\.go:\\d+',
  '^created by ',
  '^\\S+\\(.*\\)$',
].join('|');

/** The selector used when none is configured: every stream that names its service. */
export const DEFAULT_SELECTOR = '{service_name=~".+"}';

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)\s*$/;

/** The query for exception lines of the streams `selector` picks; throws a one-line Error for a selector Loki would refuse. */
export function exceptionQuery(selector: string): string {
  return `${checkSelector(selector)} |~ \`${EXCEPTION_LINE_PATTERN}\``;
}

/**
 * Checks a configured stream selector (`{service_name="checkout", env="prod"}`) as Loki will:
 * matchers `label op "value"`, and at least one that cannot match an empty value (Loki refuses a
 * query that would read every stream). Returns it trimmed.
 */
export function checkSelector(selector: string): string {
  const text = selector.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) throw new Error(`loki: the stream selector must look like {service_name="checkout"}, got "${text.slice(0, 80)}"`);
  const body = text.slice(1, -1);
  const parts = splitMatchers(body);
  let selective = false;
  for (const part of parts) {
    const m = MATCHER.exec(part);
    if (m === null) throw new Error(`loki: "${part.trim().slice(0, 80)}" is not a label matcher (label="value", label=~"regex")`);
    const [, , op, quoted] = m;
    const value = quoted.startsWith('`') ? quoted.slice(1, -1) : (JSON.parse(quoted) as string);
    if (!matchesEmpty(op, value)) selective = true;
  }
  if (!selective) throw new Error('loki: the stream selector needs a matcher that cannot match an empty value (service_name=~".+", not ".*" or only !=)');
  return text;
}

/** Splits on commas outside quotes. */
function splitMatchers(body: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote !== '') {
      current += c;
      if (c === '\\' && quote === '"') current += body[++i] ?? '';
      else if (c === quote) quote = '';
    } else if (c === '"' || c === '`') {
      quote = c;
      current += c;
    } else if (c === ',') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  if (current.trim() !== '' || parts.length > 0) parts.push(current);
  return parts;
}

function matchesEmpty(op: string, value: string): boolean {
  if (op === '=') return value === '';
  if (op === '!=') return value !== '';
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${value})$`);
  } catch {
    return false; // not ours to judge: Loki reports its own regex errors
  }
  return op === '=~' ? re.test('') : !re.test('');
}
