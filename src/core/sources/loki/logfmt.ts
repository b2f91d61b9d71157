/**
 * logfmt lines (`level=error msg="charge failed" exception.type=ValueError`), as go-logfmt writes
 * them (Grafana Alloy's Faro receiver, Go services) and most logfmt loggers do: bare values end at
 * a space, quoted ones unescape `\" \\ \n \r \t \uXXXX`.
 */

/** The key/value pairs of a logfmt line (later keys win), or null when the line is not logfmt. */
export function parseLogfmt(line: string): Map<string, string> | null {
  const pairs = new Map<string, string>();
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line.charCodeAt(i) <= 32) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && line.charCodeAt(i) > 32 && line[i] !== '=' && line[i] !== '"') i++;
    const key = line.slice(keyStart, i);
    // A quote inside a key, or a key with no `=`, is prose, not logfmt ("ERROR something happened").
    if (key === '' || line[i] !== '=') return null;
    i++;
    if (line[i] === '"') {
      const value = readQuoted(line, i);
      if (value === null) return null;
      pairs.set(key, value.text);
      i = value.end;
      if (i < n && line.charCodeAt(i) > 32) return null;
    } else {
      const valueStart = i;
      while (i < n && line.charCodeAt(i) > 32) i++;
      pairs.set(key, line.slice(valueStart, i));
    }
  }
  return pairs.size > 0 ? pairs : null;
}

const ESCAPES = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
  ['/', '/'],
]);

/** Reads the quoted value starting at `start` (the opening quote); null when it never closes. */
function readQuoted(line: string, start: number): { text: string; end: number } | null {
  let out = '';
  let i = start + 1;
  while (i < line.length) {
    const c = line[i];
    if (c === '"') return { text: out, end: i + 1 };
    if (c !== '\\') {
      const next = line.indexOf('"', i);
      const slash = line.indexOf('\\', i);
      const stop = Math.min(next < 0 ? line.length : next, slash < 0 ? line.length : slash);
      out += line.slice(i, stop);
      i = stop;
      continue;
    }
    const e = line[i + 1];
    if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(line.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(line.slice(i + 2, i + 6), 16));
      i += 6;
      continue;
    }
    out += ESCAPES.get(e) ?? e ?? '';
    i += 2;
  }
  return null;
}
