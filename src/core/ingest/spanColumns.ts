/**
 * A decoded batch in columns: what a decode worker posts back to the main thread. Spans travel
 * as typed arrays (transferred, not copied) and indexes into a small per-batch string table, so
 * the structured clone carries a few dozen strings instead of hundreds of objects; the main
 * thread reads the spans through a cursor and builds a SpanRecord only when one must outlive it.
 */
import type { RecordedHttpRequest } from '../api/signals';
import { writeLatin1 } from './byteStrings';
import { packRequest, unpackRequestBytes } from './packedRequest';
import type { CodeAttributes, DecodedBatch, ExceptionInfo, LogRecordInfo, ResourceInfo, SpanRecord } from './records';
import { emptyCode } from './records';

/** The columns of a decoded batch, plus what stays objects (resources, exceptions, logs). */
export interface ColumnarBatch {
  columnar: true;
  /** Number of spans. */
  count: number;
  /**
   * The string table the `ints` column indexes. A worker sends only the strings new to its
   * table (`freshStrings`, after `resetStrings` when it started over); the receiving side keeps
   * the table and sets `strings` (see StringTableReader).
   */
  strings: string[];
  freshStrings: string[];
  resetStrings: boolean;
  resources: ResourceInfo[];
  /** `INTS` integers per span (see the I_* offsets). */
  ints: Int32Array;
  /** startMs, durationMs per span. */
  times: Float64Array;
  /** Lowercase hex trace id (32), span id (16) and parent span id (16, zeros when absent), latin1. */
  ids: Uint8Array;
  /** Exceptions of all spans, in span order; each span holds its start and count in `ints`. */
  exceptions: ExceptionInfo[];
  /**
   * Requests of the server spans that recorded one, packed (packedRequest.ts) as UTF-8 one after
   * another, in the columns' buffer after the ids; a span holds its start + 1 (0: none) and its
   * length in `ints`. Bytes, not strings: the trace buffer copies them into its own byte ring, so
   * the main thread makes no string per span (each outlived a few scavenges and was promoted).
   */
  requestBytes: Uint8Array;
  logs: LogRecordInfo[];
  rejected: number;
  rejectReasons: string[];
  /**
   * Set by the receiving side: called once nothing reads the columns any more, so their buffer
   * (`times`, `ints`, `ids` and `requestBytes` are views of one) can be packed into again instead of freed.
   */
  release?: () => void;
}

const I_KIND = 0;
const I_ERROR = 1;
const I_RESOURCE = 2;
const I_NAME = 3;
const I_STATUS = 4;
const I_FUNCTION = 5;
const I_NAMESPACE = 6;
const I_FILE = 7;
const I_LINE = 8;
const I_COLUMN = 9;
const I_STACK = 10;
const I_ROUTE = 11;
const I_METHOD = 12;
const I_EXC_START = 13;
const I_EXC_COUNT = 14;
const I_PEER = 15;
const I_REQUEST = 16;
const I_REQUEST_LEN = 17;
const INTS = 18;
/** Id bytes per span in `ids`: trace (32 hex), span (16), parent (16, zeros for a root). */
export const ID_BYTES = 64;

const TABLE_LIMIT = 50_000;
const TABLE_CHARS_LIMIT = 4_000_000;

/**
 * The sending side of a string table that lives as long as a worker: a value goes over the
 * wire once, then as its index, and both sides hold one shared string per value (so lookups in
 * the mapping cache and the store hash nothing new). Starts over when full.
 */
export class StringTableWriter {
  private index = new Map<string, number>();
  private chars = 0;
  private fresh: string[] = [];
  private reset = false;
  /** The index of '', the value of most optional fields: found without a lookup (-1 until added). */
  private empty = -1;

  /** The index of `s`, adding it to the strings sent with the next batch when new. */
  indexOf(s: string): number {
    if (s.length === 0 && this.empty >= 0) return this.empty;
    const known = this.index.get(s);
    if (known !== undefined) return known;
    const i = this.index.size;
    if (s.length === 0) this.empty = i;
    this.index.set(s, i);
    this.chars += s.length;
    this.fresh.push(s);
    return i;
  }

  /** Starts over when full; only between batches, so a batch never spans two tables. */
  private trim(): void {
    if (this.index.size < TABLE_LIMIT && this.chars < TABLE_CHARS_LIMIT) return;
    this.index = new Map();
    this.chars = 0;
    this.fresh = [];
    this.reset = true;
    this.empty = -1;
  }

  /** Takes the strings added since the last call. */
  take(): { fresh: string[]; reset: boolean } {
    const out = { fresh: this.fresh, reset: this.reset };
    this.fresh = [];
    this.reset = false;
    return out;
  }

  /** Call before packing a batch. */
  begin(): void {
    this.trim();
  }
}

/** The receiving side of a StringTableWriter: sets `strings` on each batch from that writer, in order. */
export class StringTableReader {
  private strings: string[] = [];

  /** Adds the batch's fresh strings and points the batch at the table. */
  accept(batch: ColumnarBatch): void {
    // A fresh array on reset: batches still queued keep the table they were packed against.
    if (batch.resetStrings) this.strings = [];
    const table = this.strings;
    for (const s of batch.freshStrings) table.push(s);
    batch.strings = table;
    batch.freshStrings = [];
  }
}

/** Bytes of the one buffer that holds the columns of `n` spans (times, then ints, then ids) and `requestBytes` of packed requests. */
function columnBytes(n: number, requestBytes = 0): number {
  return n * (16 + INTS * 4 + ID_BYTES) + requestBytes;
}

/**
 * Packs a batch into columns, into a buffer `takeSpare` gives for the bytes needed when it is large
 * enough (every byte is rewritten), else into a new one; `transfer` lists the buffer to hand over
 * without copying.
 */
export function packBatch(batch: DecodedBatch, table: StringTableWriter, takeSpare?: (bytes: number) => ArrayBuffer | undefined): { batch: ColumnarBatch; transfer: ArrayBuffer[] } {
  table.begin();
  const str = (s: string) => table.indexOf(s);
  const spans = batch.spans;
  const n = spans.length;
  // Not in the string table: paths, queries and header values are mostly unique.
  const requests: string[] = [];
  let requestBytes = 0;
  for (let s = 0; s < n; s++) {
    const request = spans[s].request;
    if (request === undefined) continue;
    const packed = packRequest(request);
    requests.push(packed);
    requestBytes += Buffer.byteLength(packed, 'utf8');
  }
  const need = columnBytes(n, requestBytes);
  const spare = takeSpare?.(need);
  const buffer = spare !== undefined && spare.byteLength >= need ? spare : new ArrayBuffer(need);
  const times = new Float64Array(buffer, 0, n * 2);
  const ints = new Int32Array(buffer, n * 16, n * INTS);
  const ids = Buffer.from(buffer, n * (16 + INTS * 4), n * ID_BYTES);
  const requestOut = Buffer.from(buffer, columnBytes(n), requestBytes);

  const resources: ResourceInfo[] = [];
  const exceptions: ExceptionInfo[] = [];
  let requestIndex = 0;
  let requestAt = 0;
  let lastResource: ResourceInfo | null = null;
  let resourceIndex = -1;
  for (let s = 0; s < n; s++) {
    const span = spans[s];
    const o = s * INTS;
    if (span.resource !== lastResource) {
      lastResource = span.resource;
      resourceIndex = resources.indexOf(lastResource);
      if (resourceIndex < 0) resourceIndex = resources.push(lastResource) - 1;
    }
    const code = span.code;
    ints[o + I_KIND] = span.kind;
    ints[o + I_ERROR] = span.error ? 1 : 0;
    ints[o + I_RESOURCE] = resourceIndex;
    ints[o + I_NAME] = str(span.name);
    ints[o + I_STATUS] = str(span.statusMessage);
    ints[o + I_FUNCTION] = str(code.function);
    ints[o + I_NAMESPACE] = str(code.namespace);
    ints[o + I_FILE] = str(code.file);
    ints[o + I_LINE] = code.line;
    ints[o + I_COLUMN] = code.column;
    ints[o + I_STACK] = str(code.stacktrace);
    ints[o + I_ROUTE] = str(span.httpRoute);
    ints[o + I_METHOD] = str(span.httpMethod);
    ints[o + I_EXC_START] = exceptions.length;
    ints[o + I_EXC_COUNT] = span.exceptions.length;
    // Only client spans use their peer; a server span's http.url would fill the table with unique URLs.
    ints[o + I_PEER] = span.kind === 3 ? str(span.peer ?? '') : str('');
    if (span.request === undefined) {
      ints[o + I_REQUEST] = 0;
      ints[o + I_REQUEST_LEN] = 0;
    } else {
      const length = requestOut.write(requests[requestIndex++], requestAt, 'utf8');
      ints[o + I_REQUEST] = requestAt + 1;
      ints[o + I_REQUEST_LEN] = length;
      requestAt += length;
    }
    for (const e of span.exceptions) exceptions.push(e);
    times[s * 2] = span.startMs;
    times[s * 2 + 1] = span.durationMs;
    const at = s * ID_BYTES;
    writeLatin1(ids, at, span.traceId, 32);
    writeLatin1(ids, at + 32, span.spanId, 16);
    writeLatin1(ids, at + 48, span.parentSpanId, 16);
  }
  const transfer = [buffer];
  const { fresh, reset } = table.take();
  const out: ColumnarBatch = {
    columnar: true,
    count: n,
    strings: [],
    freshStrings: fresh,
    resetStrings: reset,
    resources,
    ints,
    times,
    ids,
    exceptions,
    requestBytes: requestOut,
    logs: batch.logs,
    rejected: batch.rejected,
    rejectReasons: batch.rejectReasons,
  };
  return { batch: out, transfer };
}

const NO_EXCEPTIONS: ExceptionInfo[] = [];
const INTERN_MAX_LEN = 256;
const INTERN_LIMIT = 20_000;

/** Returns one shared string per value for short strings (bounded: the table restarts when full). */
export function createInterner(): (s: string) => string {
  let table = new Map<string, string>();
  return (s) => {
    if (s.length === 0 || s.length > INTERN_MAX_LEN) return s;
    const known = table.get(s);
    if (known !== undefined) return known;
    if (table.size >= INTERN_LIMIT) table = new Map();
    table.set(s, s);
    return s;
  };
}

interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

/**
 * Reads the spans of a ColumnarBatch one at a time through one reused object. Only valid until
 * the next `moveTo`: whatever must keep a span (an asynchronous mapping) takes `toRecord()`.
 */
export class SpanCursor implements SpanRecord {
  name = '';
  kind = 0;
  startMs = 0;
  durationMs = 0;
  error = false;
  statusMessage = '';
  resource: ResourceInfo;
  code: CodeAttributes = emptyCode();
  httpRoute = '';
  httpMethod = '';
  exceptions: ExceptionInfo[] = NO_EXCEPTIONS;
  peer = '';
  /** The current span's request, packed (packedRequest.ts) as UTF-8: `requestSource` from `requestStart` to `requestEnd` (equal when it recorded none). */
  readonly requestSource: Uint8Array;
  requestStart = 0;
  requestEnd = 0;
  private index = 0;
  private traceIdOf = -1; // the span whose trace id traceIdText is
  private traceIdText = '';
  private readonly ids: Latin1Buffer;
  /** The ids as 32-bit words when the column is aligned to them (packBatch's always is). */
  private readonly idWords: Int32Array | null;

  constructor(
    private readonly batch: ColumnarBatch,
    intern: (s: string) => string,
  ) {
    // Resources are a few per batch; their strings are interned so store keys stay shared too.
    for (const r of batch.resources) {
      r.service = intern(r.service);
      r.environment = intern(r.environment);
      r.revision = intern(r.revision);
      r.serviceVersion = intern(r.serviceVersion);
      r.language = intern(r.language);
    }
    this.resource = batch.resources[0];
    this.ids = Buffer.from(batch.ids.buffer, batch.ids.byteOffset, batch.ids.byteLength) as Latin1Buffer;
    const ids = batch.ids; // 64 bytes a span, so whole words wherever it starts
    this.idWords = ids.byteOffset % 4 === 0 ? new Int32Array(ids.buffer, ids.byteOffset, ids.byteLength / 4) : null;
    this.requestSource = batch.requestBytes;
  }

  /** Points the cursor at span `i`. */
  moveTo(i: number): void {
    const { ints, strings, times } = this.batch;
    const o = i * INTS;
    this.index = i;
    this.kind = ints[o + I_KIND];
    this.error = ints[o + I_ERROR] === 1;
    this.resource = this.batch.resources[ints[o + I_RESOURCE]];
    this.name = strings[ints[o + I_NAME]];
    this.statusMessage = strings[ints[o + I_STATUS]];
    const code = this.code;
    code.function = strings[ints[o + I_FUNCTION]];
    code.namespace = strings[ints[o + I_NAMESPACE]];
    code.file = strings[ints[o + I_FILE]];
    code.line = ints[o + I_LINE];
    code.column = ints[o + I_COLUMN];
    code.stacktrace = strings[ints[o + I_STACK]];
    this.httpRoute = strings[ints[o + I_ROUTE]];
    this.httpMethod = strings[ints[o + I_METHOD]];
    const excCount = ints[o + I_EXC_COUNT];
    this.exceptions = excCount === 0 ? NO_EXCEPTIONS : this.batch.exceptions.slice(ints[o + I_EXC_START], ints[o + I_EXC_START] + excCount);
    this.startMs = times[i * 2];
    this.durationMs = times[i * 2 + 1];
    this.peer = strings[ints[o + I_PEER]];
    const request = ints[o + I_REQUEST];
    this.requestStart = request === 0 ? 0 : request - 1;
    this.requestEnd = this.requestStart + ints[o + I_REQUEST_LEN];
  }

  /** The current span's request, unpacked (a fresh object on every read). */
  get request(): RecordedHttpRequest | undefined {
    if (this.requestEnd === this.requestStart) return undefined;
    return unpackRequestBytes(this.requestSource, this.requestStart, this.requestEnd);
  }

  /** Copies the span's 64 id bytes to `offset` (a multiple of 4) of `target` (words: `targetWords`); Buffer#copy made a view per call. */
  copyIdsTo(target: Uint8Array, targetWords: Int32Array, offset: number): void {
    const words = this.idWords;
    const from = this.index * ID_BYTES;
    if (words !== null) for (let i = 0; i < ID_BYTES / 4; i++) targetWords[offset / 4 + i] = words[from / 4 + i];
    else for (let i = 0; i < ID_BYTES; i++) target[offset + i] = this.ids[from + i];
  }

  /** Built once per span however often it is read (exemplars, pins and exception filing each read it). */
  get traceId(): string {
    if (this.traceIdOf !== this.index) {
      const at = this.index * ID_BYTES;
      this.traceIdText = this.ids.latin1Slice(at, at + 32);
      this.traceIdOf = this.index;
    }
    return this.traceIdText;
  }

  get spanId(): string {
    const at = this.index * ID_BYTES + 32;
    return this.ids.latin1Slice(at, at + 16);
  }

  get parentSpanId(): string {
    const at = this.index * ID_BYTES + 48;
    return this.ids[at] === 0 ? '' : this.ids.latin1Slice(at, at + 16);
  }

  /** A standalone copy of the current span. */
  toRecord(): SpanRecord {
    return {
      traceId: this.traceId,
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      kind: this.kind,
      startMs: this.startMs,
      durationMs: this.durationMs,
      error: this.error,
      statusMessage: this.statusMessage,
      resource: this.resource,
      code: { ...this.code },
      httpRoute: this.httpRoute,
      httpMethod: this.httpMethod,
      exceptions: this.exceptions,
      peer: this.peer,
      request: this.request,
    };
  }
}
