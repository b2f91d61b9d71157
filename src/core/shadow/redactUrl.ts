/**
 * Redaction of request targets and form-encoded text. Each path segment, query name and query value
 * is percent-decoded before it is scanned (so `jane%40example.com` is seen as the e-mail it is) and
 * re-encoded only when something in it was replaced; untouched parts keep their exact bytes, so the
 * URL stays valid and an unchanged target stays identical.
 */

/** Redacts one piece of decoded text. */
export type RedactText = (s: string) => string;

/** Redacts the path, query and fragment of a target (`/orders/42?email=...`), keeping it a valid URL. */
export function redactTarget(target: string, text: RedactText): string {
  const hash = target.indexOf('#');
  const beforeHash = hash === -1 ? target : target.slice(0, hash);
  const fragment = hash === -1 ? '' : '#' + redactPart(target.slice(hash + 1), text, encodePathSegment);
  const q = beforeHash.indexOf('?');
  const path = q === -1 ? beforeHash : beforeHash.slice(0, q);
  const query = q === -1 ? '' : '?' + redactForm(beforeHash.slice(q + 1), text);
  return redactPath(path, text) + query + fragment;
}

/** Redacts `/`-separated segments one by one (an encoded `%2F` inside a segment stays encoded). */
export function redactPath(path: string, text: RedactText): string {
  return path
    .split('/')
    .map((seg) => redactPart(seg, text, encodePathSegment))
    .join('/');
}

/**
 * Redacts `name=value&...` text (a query, or an application/x-www-form-urlencoded body) field by
 * field. `+` is read as a space, as URLSearchParams and form parsers read it, so what is scanned is
 * what the server would see.
 */
export function redactForm(form: string, text: RedactText): string {
  return form
    .split('&')
    .map((field) => {
      const eq = field.indexOf('=');
      if (eq === -1) return redactPart(field, text, encodeFormPart, true);
      return redactPart(field.slice(0, eq), text, encodeFormPart, true) + '=' + redactPart(field.slice(eq + 1), text, encodeFormPart, true);
    })
    .join('&');
}

function redactPart(raw: string, text: RedactText, encode: (s: string) => string, plusIsSpace = false): string {
  if (raw === '') return raw;
  const decoded = decode(plusIsSpace ? raw.replace(/\+/g, ' ') : raw);
  if (decoded === undefined) {
    // Malformed escapes: scan the raw text; tokens are plain ASCII, so what is written stays as valid as it was.
    const redacted = text(raw);
    return redacted === raw ? raw : redacted.replace(/[^A-Za-z0-9\-._~%!$&'()*+,;=:@]/g, (c) => encode(c));
  }
  const redacted = text(decoded);
  return redacted === decoded ? raw : encode(redacted);
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** RFC 3986 pchar: sub-delims, `:` and `@` may stay as they are in a segment. */
function encodePathSegment(s: string): string {
  return encodeURIComponent(wellFormed(s)).replace(/%(?:21|24|26|27|28|29|2A|2B|2C|3B|3D|3A|40)/g, (e) => decodeURIComponent(e));
}

/** application/x-www-form-urlencoded: a space is `+`, and `&`, `=` and `+` must stay encoded. */
function encodeFormPart(s: string): string {
  return encodeURIComponent(wellFormed(s)).replace(/%20/g, '+');
}

/** Lone surrogates would make encodeURIComponent throw; they become U+FFFD as a UTF-8 encoder would write them. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
