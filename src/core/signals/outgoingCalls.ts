import type { ResourceInfo, SpanRecord } from '../ingest/records';
import { systemClock, type Clock } from '../logger';
import { callTarget, peerParts } from '../mapping/callLines';
import type { CallSites } from '../mapping/callSites';
import type { SignalStore } from './signalStore';
import type { CodeLocation } from './storeTypes';
import type { TraceBuffer } from './traceBuffer';

/** Bounds of the set of client spans waiting for their parent. */
export interface OutgoingCallOptions {
  maxPending: number;
  /** How long a client span waits for its parent, ms. */
  pendingTtlMs: number;
}

/**
 * Parents usually arrive within a batch or two of their children, but SDKs export every 5 s by
 * default and a parent ends only when its request does, so a slow request's parent comes well
 * after its calls: the wait covers several export intervals plus a long request.
 */
export const DEFAULT_OUTGOING_CALL_OPTIONS: OutgoingCallOptions = { maxPending: 5_000, pendingTtlMs: 30_000 };

/** Ancestors walked through (framework spans between a call and its handler) before giving up. */
const MAX_HOPS = 16;

/** What is kept of a client span while its parent is awaited. */
interface PendingCall {
  parentSpanId: string;
  expiresAt: number;
  resource: ResourceInfo;
  name: string;
  peer: string;
  method: string;
  endMs: number;
  durationMs: number;
  error: boolean;
}

/**
 * Ties client spans (kind 3) to the line of their caller's function that makes the call. The
 * caller is the nearest mapped ancestor: framework spans that map to no function (an Express
 * `request handler` layer, middleware) are walked through. An ancestor already filed is found in
 * the trace buffer; a call whose ancestor is not filed yet (children end, and are exported, first)
 * waits in a small set (bounded, expiring) until it is. A client span under another client span
 * is the same call seen by a second instrumentation (requests over urllib3) and is not counted
 * twice. Other spans cost one size check, or while calls wait, one integer-keyed lookup.
 */
export class OutgoingCalls {
  private readonly options: OutgoingCallOptions;
  /** By hash of the parent span id; entries verify the full id. */
  private readonly pending = new Map<number, PendingCall[]>();
  /** Arrival order, for expiry. */
  private readonly queue: [number, PendingCall][] = [];
  private pendingCount = 0;
  /** Client spans whose caller never came, or whose ancestors map to no function. */
  dropped = 0;
  /** Client spans under another client span: the same call, filed once through the outer one. */
  nested = 0;

  constructor(
    private readonly store: SignalStore,
    private readonly traces: TraceBuffer,
    private readonly sites: CallSites,
    options: Partial<OutgoingCallOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { ...DEFAULT_OUTGOING_CALL_OPTIONS, ...options };
  }

  /** True when the pipeline must call `observe` for every span, not only client spans. */
  get waiting(): boolean {
    return this.pendingCount > 0;
  }

  /** Observes a span just recorded in the trace buffer at `slot`; resolves once its calls are filed. */
  observe(span: SpanRecord, location: CodeLocation | null, slot: number): Promise<void> | undefined {
    let work: Promise<void>[] | undefined;
    if (this.pendingCount > 0) {
      this.expire();
      if (this.pendingCount > 0) {
        const hash = this.traces.spanHashAt(slot);
        const list = this.pending.get(hash);
        if (list !== undefined) {
          const spanId = span.spanId;
          const children = list.filter((c) => c.parentSpanId === spanId);
          if (children.length > 0) {
            const rest = list.filter((c) => c.parentSpanId !== spanId);
            if (rest.length > 0) this.pending.set(hash, rest);
            else this.pending.delete(hash);
            this.pendingCount -= children.length;
            for (const c of children) {
              c.expiresAt = -1;
              const p = this.arrived(span, location, slot, { ...c });
              if (p !== undefined) (work ??= []).push(p);
            }
          }
        }
      }
    }
    if (span.kind === 3 && span.parentSpanId !== '') {
      const p = this.client(span, slot);
      if (p !== undefined) (work ??= []).push(p);
    }
    if (work === undefined) return undefined;
    return Promise.all(work).then(() => undefined);
  }

  /** Client spans waiting for their parent. */
  get pendingSize(): number {
    return this.pendingCount;
  }

  private client(span: SpanRecord, slot: number): Promise<void> | undefined {
    const call: PendingCall = {
      parentSpanId: span.parentSpanId,
      expiresAt: 0,
      resource: span.resource,
      name: span.name,
      peer: span.peer ?? '',
      method: span.httpMethod,
      endMs: span.startMs + span.durationMs,
      durationMs: span.durationMs,
      error: span.error,
    };
    return this.attach(call, this.traces.parentHashAt(slot));
  }

  /** A span some calls waited for was filed: file them at its location, or go on to its parent. */
  private arrived(span: SpanRecord, location: CodeLocation | null, slot: number, call: PendingCall): Promise<void> | undefined {
    if (span.kind === 3) {
      this.nested++;
      return undefined;
    }
    if (location !== null) return this.file(location, call);
    if (span.parentSpanId === '') {
      this.dropped++;
      return undefined;
    }
    call.parentSpanId = span.parentSpanId;
    return this.attach(call, this.traces.parentHashAt(slot));
  }

  /** Files `call` at its nearest mapped ancestor from `call.parentSpanId` up, or waits for the first one not filed yet. */
  private attach(call: PendingCall, parentHash: number): Promise<void> | undefined {
    let hash = parentHash;
    for (let hops = 0; hops < MAX_HOPS; hops++) {
      const parent = this.traces.findSpan(call.parentSpanId);
      if (parent === undefined) {
        this.wait(call, hash);
        return undefined;
      }
      if (parent.kind === 3) {
        this.nested++;
        return undefined;
      }
      if (parent.location !== null) return this.file(parent.location, call);
      if (parent.parentSpanId === '') break;
      call.parentSpanId = parent.parentSpanId;
      hash = this.traces.spanHashOf(call.parentSpanId);
    }
    this.dropped++;
    return undefined;
  }

  private wait(call: PendingCall, hash: number): void {
    call.expiresAt = this.clock.now() + this.options.pendingTtlMs;
    if (this.pendingCount >= this.options.maxPending) this.evictOldest();
    const list = this.pending.get(hash);
    if (list === undefined) this.pending.set(hash, [call]);
    else list.push(call);
    this.queue.push([hash, call]);
    this.pendingCount++;
    // Filed calls leave the queue when they reach its front; behind a long wait they are swept here.
    if (this.queue.length > 4 * this.options.maxPending) this.compact();
  }

  private file(caller: CodeLocation, call: PendingCall): Promise<void> | undefined {
    const parts = peerParts(call.peer, call.method);
    const target = callTarget(parts, call.name);
    const known = this.sites.lookup(caller, parts);
    if (known !== undefined) {
      this.store.recordCall(call.resource, known, target, call.endMs, call.durationMs, call.error);
      return undefined;
    }
    return this.sites.resolve(caller, parts).then((site) => this.store.recordCall(call.resource, site, target, call.endMs, call.durationMs, call.error));
  }

  /** Drops calls whose parent did not come in time; filed calls (expiresAt -1) just leave the queue. */
  private expire(): void {
    const now = this.clock.now();
    let i = 0;
    while (i < this.queue.length && this.queue[i][1].expiresAt < now) {
      const [hash, call] = this.queue[i++];
      if (call.expiresAt !== -1) this.remove(hash, call);
    }
    if (i > 0) this.queue.splice(0, i);
  }

  private compact(): void {
    const live = this.queue.filter((q) => q[1].expiresAt !== -1);
    this.queue.length = 0;
    for (const q of live) this.queue.push(q);
  }

  private evictOldest(): void {
    while (this.queue.length > 0) {
      const [hash, call] = this.queue.shift()!;
      if (call.expiresAt === -1) continue;
      this.remove(hash, call);
      return;
    }
  }

  private remove(hash: number, call: PendingCall): void {
    const list = this.pending.get(hash);
    if (list === undefined) return;
    const rest = list.filter((c) => c !== call);
    if (rest.length === list.length) return;
    if (rest.length > 0) this.pending.set(hash, rest);
    else this.pending.delete(hash);
    this.pendingCount--;
    this.dropped++;
  }
}
