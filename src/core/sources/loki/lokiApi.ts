/**
 * Loki's answers, validated into typed values (Loki HTTP API reference, "Query logs within a range
 * of time" and "Stream logs"): a stream result is `{ stream: {label: value}, values: [[ns, line]
 * (, structured metadata)] }`. Anything else is rejected with one line saying what was wrong.
 */

/** One log stream: its labels and entries as Loki sent them. */
export interface LokiStream {
  labels: ReadonlyMap<string, string>;
  /** `[unix ns as decimal text, line]`. */
  entries: Array<[string, string]>;
}

/** Entries Loki's tail could not send (it fell behind): their labels and times. */
export interface DroppedEntry {
  labels: ReadonlyMap<string, string>;
  timestampNs: string;
}

const NANOS = /^\d{1,20}$/;

/** The `data.result` of a `query_range` answer for a log query. */
export function parseQueryRange(body: unknown): LokiStream[] {
  const root = object(body, 'the answer');
  if (root.get('status') !== 'success') throw new Error(`status is ${JSON.stringify(root.get('status'))}, not "success"`);
  const data = object(root.get('data'), 'data');
  if (data.get('resultType') !== 'streams') throw new Error(`data.resultType is ${JSON.stringify(data.get('resultType'))}, not "streams"`);
  return streams(data.get('result'), 'data.result');
}

/** One message of the tail WebSocket. */
export function parseTailMessage(text: string): { streams: LokiStream[]; dropped: DroppedEntry[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error('a tail message is not JSON');
  }
  const root = object(body, 'a tail message');
  const dropped = root.get('dropped_entries');
  return { streams: streams(root.get('streams') ?? [], 'streams'), dropped: dropped === null || dropped === undefined ? [] : droppedEntries(dropped) };
}

function streams(value: unknown, where: string): LokiStream[] {
  if (!Array.isArray(value)) throw new Error(`${where} is not a list`);
  return value.map((item, i) => {
    const s = object(item, `${where}[${i}]`);
    const values = s.get('values');
    if (!Array.isArray(values)) throw new Error(`${where}[${i}].values is not a list`);
    return { labels: labels(s.get('stream'), `${where}[${i}].stream`), entries: values.map((v, j) => entry(v, `${where}[${i}].values[${j}]`)) };
  });
}

function entry(value: unknown, where: string): [string, string] {
  // A third element carries structured metadata (Loki 3); its labels are not needed here.
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) throw new Error(`${where} is not [timestamp, line]`);
  const [ts, line] = value;
  if (typeof ts !== 'string' || !NANOS.test(ts)) throw new Error(`${where} has no nanosecond timestamp`);
  if (typeof line !== 'string') throw new Error(`${where} has no line`);
  return [ts, line];
}

function droppedEntries(value: unknown): DroppedEntry[] {
  if (!Array.isArray(value)) throw new Error('dropped_entries is not a list');
  return value.map((item, i) => {
    const d = object(item, `dropped_entries[${i}]`);
    const ts = d.get('timestamp');
    if (typeof ts !== 'string' || !NANOS.test(ts)) throw new Error(`dropped_entries[${i}] has no nanosecond timestamp`);
    return { labels: labels(d.get('labels'), `dropped_entries[${i}].labels`), timestampNs: ts };
  });
}

function labels(value: unknown, where: string): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const [k, v] of object(value, where)) {
    if (typeof v !== 'string') throw new Error(`${where}.${k.slice(0, 40)} is not a string`);
    map.set(k, v);
  }
  return map;
}

/** A JSON object's own properties as a Map (label names are sender-chosen text). */
function object(value: unknown, where: string): Map<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where} is not an object`);
  return new Map(Object.entries(value as Record<string, unknown>));
}

/** Nanoseconds since the epoch (decimal text) to milliseconds. */
export function nsToMs(ns: string): number {
  return ns.length <= 6 ? 0 : Number(ns.slice(0, -6));
}

/** Milliseconds since the epoch to nanoseconds as decimal text. */
export function msToNs(ms: number): string {
  return `${Math.floor(ms)}000000`;
}
