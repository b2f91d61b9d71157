/**
 * The recent spans, whole, for the trace view: a ring of the most recent spans kept in typed
 * columns (no object per span on the ingest path), plus traces pinned because an exemplar or an
 * error group names them, whose spans are copied out of the ring before it overwrites them.
 */
import type { TraceResponse, TraceSpan } from '../api/signals';
import type { ExceptionInfo, ResourceInfo, SpanRecord } from '../ingest/records';
import { ID_BYTES, SpanCursor } from '../ingest/spanColumns';
import { HeldRequests } from './heldRequests';
import type { CodeLocation } from './storeTypes';
import { PinnedTraces } from './pinnedTraces';

/** How much the buffer keeps. */
export interface TraceBufferOptions {
  /** Spans in the ring (~150 bytes each plus their strings). */
  maxSpans: number;
  /** Traces kept past the ring because something references them. */
  maxPinnedTraces: number;
  /** Spans held by pinned traces in all (~400 bytes each). */
  maxPinnedSpans: number;
  /** Bytes (UTF-8) of server spans' recorded requests (path, query, headers, body) held in the ring; pinned traces hold up to a quarter more. */
  maxRequestBytes: number;
}

/** About 12 MB at most: ~5 MB of ring, ~3 MB of pinned spans, their strings, 1 MB of packed requests. */
export const DEFAULT_TRACE_BUFFER_OPTIONS: TraceBufferOptions = { maxSpans: 32_768, maxPinnedTraces: 1_000, maxPinnedSpans: 8_000, maxRequestBytes: 1_000_000 };

const TRACE_AT = 0;
const SPAN_AT = 32;
const PARENT_AT = 48;
const GOLDEN = 0x9e3779b1 | 0;
/** What the trace view shows of an exception; stack traces stay with the error groups. */
type HeldException = { type: string; message: string };
const NO_EXCEPTIONS: HeldException[] = [];
const MAX_MESSAGE = 500;

/** 32-bit hash of 16 hex characters at `at` (a multiple of 4) of `words`' bytes. */
function hashWords(words: Int32Array, at: number): number {
  const w = at >> 2;
  return (Math.imul(words[w] ^ words[w + 2], GOLDEN) ^ (words[w + 1] ^ words[w + 3])) | 0;
}

/** True when `id` is lowercase-able hex of `len` characters and not all zeros (a loop: the store pins a trace every few spans). */
export function isHexId(id: string, len: number): boolean {
  if (id.length !== len) return false;
  let nonZero = false;
  for (let i = 0; i < len; i++) {
    const c = id.charCodeAt(i);
    // 0-9, A-F, a-f
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
    if (c !== 48) nonZero = true;
  }
  return nonZero;
}

/** A span found in the buffer, as the outgoing-call tracker and the request fold need it. */
export interface BufferedSpan {
  location: CodeLocation | null;
  resource: ResourceInfo;
  /** '' for a root span. */
  parentSpanId: string;
  kind: number;
  error: boolean;
  /** `METHOD route` of a span with an http.route, else its name. */
  operation: string;
}

/** Holds recent spans by trace; every bound is fixed at construction. */
export class TraceBuffer {
  private readonly options: TraceBufferOptions;
  private readonly cap: number;
  private readonly ids: Buffer;
  private readonly words: Int32Array;
  private readonly traceHash: Int32Array;
  private readonly times: Float64Array;
  private readonly flags: Uint8Array;
  private readonly names: string[];
  private readonly statuses: string[];
  private readonly routes: string[];
  private readonly methods: string[];
  private readonly peers: string[];
  /** What server spans recorded of their request (shared with the decoded record, never changed). */
  private readonly requests: HeldRequests;
  private readonly resources: (ResourceInfo | null)[];
  private readonly locations: (CodeLocation | null)[];
  private readonly exceptions: HeldException[][];
  /** Span-id index: bucket -> newest slot; `next` chains older slots of the same bucket; `seq` tells stale links. */
  private readonly heads: Int32Array;
  private readonly next: Int32Array;
  private readonly seq: Float64Array;
  private readonly mask: number;
  private written = 0;
  private readonly pinned: PinnedTraces;
  private readonly scratch = Buffer.alloc(ID_BYTES);
  private readonly scratchWords = new Int32Array(this.scratch.buffer, this.scratch.byteOffset, ID_BYTES / 4);

  constructor(options: Partial<TraceBufferOptions> = {}) {
    this.options = { ...DEFAULT_TRACE_BUFFER_OPTIONS, ...options };
    const cap = (this.cap = Math.max(1, Math.floor(this.options.maxSpans)));
    this.ids = Buffer.alloc(cap * ID_BYTES);
    this.words = new Int32Array(this.ids.buffer, this.ids.byteOffset, (cap * ID_BYTES) / 4);
    this.traceHash = new Int32Array(cap);
    this.times = new Float64Array(cap * 2);
    this.flags = new Uint8Array(cap);
    this.names = new Array<string>(cap).fill('');
    this.statuses = new Array<string>(cap).fill('');
    this.routes = new Array<string>(cap).fill('');
    this.methods = new Array<string>(cap).fill('');
    this.peers = new Array<string>(cap).fill('');
    this.requests = new HeldRequests(cap, this.options.maxRequestBytes, this.options.maxRequestBytes / 4);
    this.resources = new Array<ResourceInfo | null>(cap).fill(null);
    this.locations = new Array<CodeLocation | null>(cap).fill(null);
    this.exceptions = new Array<HeldException[]>(cap).fill(NO_EXCEPTIONS);
    this.pinned = new PinnedTraces(this.options.maxPinnedTraces);
    let buckets = 1;
    while (buckets < cap * 2) buckets *= 2;
    this.heads = new Int32Array(buckets).fill(-1);
    this.mask = buckets - 1;
    this.next = new Int32Array(cap).fill(-1);
    this.seq = new Float64Array(cap).fill(-1);
  }

  /** Records one filed span with where it maps; returns its slot (valid until the ring comes round). */
  record(span: SpanRecord, location: CodeLocation | null): number {
    const slot = this.written % this.cap;
    if (this.pinned.size > 0 && this.written >= this.cap && this.pinned.hasHash(this.traceHash[slot])) this.keepPinned(slot);
    const at = slot * ID_BYTES;
    if (span instanceof SpanCursor) span.copyIdsTo(this.ids, this.words, at);
    else {
      this.ids.write(span.traceId, at + TRACE_AT, 32, 'latin1');
      this.ids.write(span.spanId, at + SPAN_AT, 16, 'latin1');
      if (span.parentSpanId === '') this.ids.fill(0, at + PARENT_AT, at + ID_BYTES);
      else this.ids.write(span.parentSpanId, at + PARENT_AT, 16, 'latin1');
    }
    this.traceHash[slot] = hashWords(this.words, at + TRACE_AT + 16);
    this.times[slot * 2] = span.startMs;
    this.times[slot * 2 + 1] = span.durationMs;
    this.flags[slot] = (span.kind & 7) | (span.error ? 8 : 0);
    this.names[slot] = span.name;
    this.statuses[slot] = span.statusMessage;
    this.routes[slot] = span.httpRoute;
    this.methods[slot] = span.httpMethod;
    this.peers[slot] = span.peer ?? '';
    if (span instanceof SpanCursor) this.requests.setBytes(slot, span.requestSource, span.requestStart, span.requestEnd);
    else this.requests.set(slot, span.request);
    this.resources[slot] = span.resource;
    this.locations[slot] = location;
    this.exceptions[slot] = span.exceptions.length === 0 ? NO_EXCEPTIONS : span.exceptions.map(held);
    const bucket = hashWords(this.words, at + SPAN_AT) & this.mask;
    this.next[slot] = this.heads[bucket];
    this.heads[bucket] = slot;
    this.seq[slot] = this.written++;
    return slot;
  }

  /** Keeps `traceId` past the ring (an exemplar or an error group references it); the oldest pins go first. */
  pin(traceId: string): void {
    if (!isHexId(traceId, 32)) return;
    this.unpinRequests(this.pinned.pin(traceId, this.traceHashOf(traceId)));
  }

  /** The spans of a trace, sorted by start; undefined when none is held. */
  get(traceId: string): TraceSpan[] | undefined {
    const id = traceId.toLowerCase();
    const out = new Map<string, TraceSpan>();
    const h = this.traceHashOf(id);
    for (const s of this.pinned.spansOf(id, h) ?? []) out.set(s.spanId, s);
    const live = Math.min(this.written, this.cap);
    for (let slot = 0; slot < live; slot++) {
      if (this.traceHash[slot] !== h || this.ids.compare(this.scratch, 0, 32, slot * ID_BYTES, slot * ID_BYTES + 32) !== 0) continue;
      const span = this.materialize(slot);
      out.set(span.spanId, span);
    }
    if (out.size === 0) return undefined;
    return byStart(out.values());
  }

  /** The spans of each of `traceIds` that has any held, sorted as `get` sorts them: one pass over the ring for them all. */
  getMany(traceIds: Iterable<string>): Map<string, TraceSpan[]> {
    const found = new Map<string, Map<string, TraceSpan>>();
    const hashes = new Set<number>();
    for (const raw of traceIds) {
      const id = raw.toLowerCase();
      if (found.has(id)) continue;
      const held = new Map<string, TraceSpan>();
      const h = this.traceHashOf(id);
      for (const s of this.pinned.spansOf(id, h) ?? []) held.set(s.spanId, s);
      found.set(id, held);
      hashes.add(h);
    }
    const live = Math.min(this.written, this.cap);
    for (let slot = 0; slot < live; slot++) {
      if (!hashes.has(this.traceHash[slot])) continue;
      const held = found.get(this.ids.toString('latin1', slot * ID_BYTES, slot * ID_BYTES + 32));
      if (held === undefined) continue;
      const span = this.materialize(slot);
      held.set(span.spanId, span);
    }
    const out = new Map<string, TraceSpan[]>();
    for (const [id, held] of found) if (held.size > 0) out.set(id, byStart(held.values()));
    return out;
  }

  /**
   * Recent production requests: the held traces with a server span that recorded its request,
   * started at `sinceMs` or later (in `environment`, when given), newest request first, at most
   * `limit`, each with all its held spans. Two passes over the ring, however many traces are asked.
   */
  requestTraces(sinceMs: number, limit: number, environment?: string): TraceResponse[] {
    const newest = new Map<string, number>();
    const note = (traceId: string, start: number): void => {
      if (start > (newest.get(traceId) ?? Number.NEGATIVE_INFINITY)) newest.set(traceId, start);
    };
    const live = Math.min(this.written, this.cap);
    for (let slot = 0; slot < live; slot++) {
      const start = this.times[slot * 2];
      if ((this.flags[slot] & 7) !== 2 || start < sinceMs || !this.requests.has(slot)) continue;
      if (environment !== undefined && this.resources[slot]?.environment !== environment) continue;
      note(this.ids.toString('latin1', slot * ID_BYTES, slot * ID_BYTES + 32), start);
    }
    this.pinned.forEach((traceId, spans) => {
      for (const s of spans) if (s.kind === 2 && s.request !== undefined && s.startMs >= sinceMs && (environment === undefined || s.environment === environment)) note(traceId, s.startMs);
    });
    const chosen = [...newest].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, Math.max(0, limit));
    const spans = new Map<string, Map<string, TraceSpan>>(chosen.map(([id]) => [id, new Map()]));
    for (const [id, held] of spans) for (const s of this.pinned.spansOf(id, this.traceHashOf(id)) ?? []) held.set(s.spanId, s);
    const hashes = new Set(chosen.map(([id]) => this.traceHashOf(id)));
    for (let slot = 0; slot < live; slot++) {
      if (!hashes.has(this.traceHash[slot])) continue;
      const held = spans.get(this.ids.toString('latin1', slot * ID_BYTES, slot * ID_BYTES + 32));
      if (held === undefined) continue;
      const span = this.materialize(slot);
      held.set(span.spanId, span);
    }
    return chosen.map(([traceId]) => ({ traceId, spans: byStart(spans.get(traceId)!.values()) }));
  }

  /** The newest held span with this id, or undefined once the ring has overwritten it. */
  findSpan(spanId: string): BufferedSpan | undefined {
    if (spanId.length !== 16) return undefined;
    const bucket = this.spanHashOf(spanId) & this.mask;
    let slot = this.heads[bucket];
    let newer = Infinity;
    while (slot >= 0) {
      const s = this.seq[slot];
      // A slot rewritten since it was linked is newer than the link that led here: the chain ends.
      if (s >= newer || s < this.written - this.cap) return undefined;
      const at = slot * ID_BYTES + SPAN_AT;
      // A head whose slot now holds a span of another bucket: this bucket's spans are all gone.
      if ((hashWords(this.words, at) & this.mask) !== bucket) return undefined;
      if (this.ids.compare(this.scratch, SPAN_AT, SPAN_AT + 16, at, at + 16) === 0) {
        const pAt = slot * ID_BYTES + PARENT_AT;
        const flags = this.flags[slot];
        const route = this.routes[slot];
        return {
          location: this.locations[slot],
          resource: this.resources[slot]!,
          kind: flags & 7,
          error: (flags & 8) !== 0,
          parentSpanId: this.ids[pAt] === 0 ? '' : this.ids.toString('latin1', pAt, pAt + 16),
          operation: route ? (this.methods[slot] ? `${this.methods[slot]} ${route}` : route) : this.names[slot],
        };
      }
      newer = s;
      slot = this.next[slot];
    }
    return undefined;
  }

  /** Hash of the span id at `slot`, to match the parent ids of pending calls against. */
  spanHashAt(slot: number): number {
    return hashWords(this.words, slot * ID_BYTES + SPAN_AT);
  }

  /** Hash of the parent span id at `slot` (see spanHashAt). */
  parentHashAt(slot: number): number {
    return hashWords(this.words, slot * ID_BYTES + PARENT_AT);
  }

  /** Hash of a span id given as hex, comparable with spanHashAt. */
  spanHashOf(spanId: string): number {
    this.scratch.write(spanId.toLowerCase(), SPAN_AT, 16, 'latin1');
    return hashWords(this.scratchWords, SPAN_AT);
  }

  /** Held spans, pinned traces and spans, and an estimate of the memory they take. */
  sizes(): { spans: number; pinnedTraces: number; pinnedSpans: number; approxBytes: number } {
    const spans = Math.min(this.written, this.cap);
    const perSlot = ID_BYTES + 4 + 16 + 1 + 7 * 8 + 4 + 4 + 8;
    const { ringBytes, pinnedBytes } = this.requests.sizes();
    const approxBytes = this.cap * perSlot + this.heads.length * 4 + this.pinned.spanCount * 400 + ringBytes + pinnedBytes;
    return { spans, pinnedTraces: this.pinned.size, pinnedSpans: this.pinned.spanCount, approxBytes };
  }

  /** Traces hash by their last 16 hex digits (the random part even of 64-bit-era ids). */
  /** The ring's hash of a trace id, its lowercase bytes left in `scratch`; no string is made (pin runs per exemplar). */
  private traceHashOf(traceId: string): number {
    const s = this.scratch;
    s.write(traceId, TRACE_AT, 32, 'latin1');
    for (let i = TRACE_AT; i < TRACE_AT + 32; i++) if (s[i] >= 65 && s[i] <= 90) s[i] += 32;
    return hashWords(this.scratchWords, TRACE_AT + 16);
  }

  /** Copies a span of a pinned trace out of the slot the ring is about to reuse. */
  private keepPinned(slot: number): void {
    const traceId = this.ids.toString('latin1', slot * ID_BYTES, slot * ID_BYTES + 32);
    const e = this.pinned.find(traceId, this.traceHash[slot]);
    if (e < 0) return;
    this.pinned.keep(e, this.materialize(slot, this.requests.pinSlot(slot)));
    while (this.pinned.spanCount > this.options.maxPinnedSpans && this.pinned.size > 0) this.unpinRequests(this.pinned.dropOldest());
  }

  /** Lets go of the requests of spans an unpinned trace held. */
  private unpinRequests(spans: readonly TraceSpan[]): void {
    for (const s of spans) this.requests.unpin(s.request);
  }

  private materialize(slot: number, withRequest = true): TraceSpan {
    const at = slot * ID_BYTES;
    const request = withRequest ? this.requests.get(slot) : undefined;
    const res = this.resources[slot]!;
    const loc = this.locations[slot];
    const flags = this.flags[slot];
    return {
      spanId: this.ids.toString('latin1', at + SPAN_AT, at + SPAN_AT + 16),
      parentSpanId: this.ids[at + PARENT_AT] === 0 ? '' : this.ids.toString('latin1', at + PARENT_AT, at + PARENT_AT + 16),
      name: this.names[slot],
      kind: flags & 7,
      service: res.service,
      environment: res.environment,
      startMs: this.times[slot * 2],
      durationMs: this.times[slot * 2 + 1],
      error: (flags & 8) !== 0,
      statusMessage: this.statuses[slot],
      httpRoute: this.routes[slot],
      httpMethod: this.methods[slot],
      ...(this.peers[slot] ? { peer: this.peers[slot] } : {}),
      ...(request !== undefined ? { request } : {}),
      ...(loc ? { mapping: { file: loc.file, line: loc.line, function: loc.function, mappedBy: loc.mappedBy, confidence: loc.confidence } } : {}),
      exceptions: this.exceptions[slot].map((e) => ({ type: e.type, message: e.message })),
    };
  }
}

/** Spans by start, a root before a child that starts with it. */
function byStart(spans: Iterable<TraceSpan>): TraceSpan[] {
  return [...spans].sort((a, b) => a.startMs - b.startMs || (a.parentSpanId === '' ? 0 : 1) - (b.parentSpanId === '' ? 0 : 1));
}

function held(e: ExceptionInfo): HeldException {
  return { type: e.type, message: e.message.length > MAX_MESSAGE ? `${e.message.slice(0, MAX_MESSAGE)}…` : e.message };
}
