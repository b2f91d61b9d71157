/**
 * Redaction of request and response bodies by content type: JSON is walked token by token, form
 * bodies field by field, anything else as text. A JSON body is rewritten only where a string (or a
 * number that is a card number) held a secret; every other byte (spacing, key order, number
 * spelling, integers past 2^53) stays as it was, which a parse-and-stringify would not guarantee.
 */
import { type RedactText, redactForm } from './redactUrl';

/** How a body was handled, for the run's counts. */
export type BodyKind = 'json' | 'form' | 'text';

/** Redacts a UTF-8 body given its Content-Type (absent when unknown). */
export function redactBody(body: string, contentType: string | undefined, text: RedactText): { body: string; kind: BodyKind } {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const looksJson = media === 'application/json' || media.endsWith('+json') || (media === '' && /^\s*[{[]/.test(body));
  if (looksJson && isJson(body)) return { body: redactJson(body, text), kind: 'json' };
  if (media === 'application/x-www-form-urlencoded') return { body: redactForm(body, text), kind: 'form' };
  // Labelled JSON but not JSON (truncated captures, hand-written clients): still scanned, as text.
  return { body: text(body), kind: 'text' };
}

function isJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Walks valid JSON text. Object keys are kept unless a key is itself a secret (an e-mail used as a
 * map key), which is replaced like a value so equal keys still line up.
 */
export function redactJson(json: string, text: RedactText): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < json.length) {
    const c = json[i];
    if (c === '"') {
      const end = stringEnd(json, i);
      const literal = json.slice(i, end);
      const value = JSON.parse(literal) as string;
      const redacted = text(value);
      if (redacted !== value) {
        out += json.slice(copied, i) + JSON.stringify(redacted);
        copied = end;
      }
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(json);
      const literal = m ? m[0] : c;
      const redacted = text(literal);
      if (redacted !== literal) {
        // A card number sent as a JSON number becomes a string token: the body stays valid JSON.
        out += json.slice(copied, i) + JSON.stringify(redacted);
        copied = i + literal.length;
      }
      i += literal.length;
    } else {
      i++;
    }
  }
  return copied === 0 ? json : out + json.slice(copied);
}

/** Index just past the closing quote of the string literal opening at `start` (the text is known to be valid JSON). */
function stringEnd(json: string, start: number): number {
  let j = start + 1;
  while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
  return j + 1;
}
