/**
 * A recorded HTTP request as one string: what the decode workers send the main thread and what the
 * trace buffer holds. One string per server span clones and keeps far cheaper than an object with
 * a headers array of pairs (the receiver's memory target counts every byte of the ring); the trace
 * API unpacks it on the rare read.
 */
import type { RecordedHttpRequest } from '../api/signals';

/**
 * The packed form. Most server spans record only a status, a path and a query: those pack as
 * `status\npath\nquery` (when neither holds a line feed), the rest as a JSON array
 * `[path, query, status, scheme|null, body|null, name, value, ...]`; the first character tells which.
 */
export function packRequest(r: RecordedHttpRequest): string {
  if (r.headers.length === 0 && r.scheme === undefined && r.body === undefined && !r.path.includes('\n') && !r.query.includes('\n')) {
    return `${r.status}\n${r.path}\n${r.query}`;
  }
  const fields: (string | number | null)[] = [r.path, r.query, r.status, r.scheme ?? null, r.body ?? null];
  for (const [name, value] of r.headers) fields.push(name, value);
  return JSON.stringify(fields);
}

/** The request `packRequest` packed, read from its UTF-8 bytes `start`..`end` of `source`; a fresh object. */
export function unpackRequestBytes(source: Uint8Array, start: number, end: number): RecordedHttpRequest {
  return unpackRequest(Buffer.from(source.buffer, source.byteOffset + start, end - start).toString('utf8'));
}

/** The request `packRequest` packed; a fresh object the caller may change. */
export function unpackRequest(packed: string): RecordedHttpRequest {
  if (packed[0] !== '[') {
    const a = packed.indexOf('\n');
    const b = packed.indexOf('\n', a + 1);
    return { path: packed.slice(a + 1, b), query: packed.slice(b + 1), status: Number(packed.slice(0, a)), headers: [] };
  }
  const f = JSON.parse(packed) as (string | number | null)[];
  const headers: [string, string][] = [];
  for (let i = 5; i + 1 < f.length; i += 2) headers.push([f[i] as string, f[i + 1] as string]);
  const r: RecordedHttpRequest = { path: f[0] as string, query: f[1] as string, status: f[2] as number, headers };
  if (f[3] !== null) r.scheme = f[3] as string;
  if (f[4] !== null) r.body = f[4] as string;
  return r;
}
