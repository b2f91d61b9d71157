/** Browser origins as the Faro endpoint compares them; small on purpose, so the editor's settings reader can import it alone. */

/** The origin as browsers send it (`scheme://host[:port]`, lowercase), or an Error naming what is wrong. No `*`: only exact origins are ever allowed. */
export function normalizeOrigin(text: string): string | Error {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return new Error(`"${text}" is not an origin like https://shop.example`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin === 'null') return new Error(`"${text}" is not an http(s) origin`);
  if (text.trim().replace(/\/$/, '').toLowerCase() !== url.origin) return new Error(`"${text}" is not an origin (scheme://host[:port], no path): use ${url.origin}`);
  return url.origin;
}
