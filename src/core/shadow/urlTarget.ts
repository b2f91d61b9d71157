/**
 * The request target (path and query, as sent on an HTTP/1.1 request line) of a recorded absolute
 * URL, kept byte for byte: `new URL` would normalise dot segments and escapes the server saw raw.
 */

/** Path and query of an absolute http(s) URL ('/x?y=1'; '/' when it has no path), or null when it is not one. */
export function targetOfUrl(url: string): string | null {
  const m = /^https?:\/\/[^/?#\s]+([^#\s]*)(?:#.*)?$/i.exec(url);
  if (m === null || !URL.canParse(url)) return null;
  const rest = m[1];
  const target = rest.startsWith('/') ? rest : `/${rest}`;
  return isPathTarget(target) ? target : null;
}

/** Whether a request target is a path (and query) that can go on a request line: no spaces or control characters. */
export function isPathTarget(target: string): boolean {
  return /^\/[^\u0000-\u0020\u007f]*$/.test(target);
}

/** The scheme of a URL in lower case ('ws', 'data', ...), or '' when it has none. */
export function schemeOf(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return m === null ? '' : m[1].toLowerCase();
}
