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

/** Parents usually arrive within a batch or two of their children. */
export const DEFAULT_OUTGOING_CALL_OPTIONS: OutgoingCallOptions = { maxPending: 5_000, pendingTtlMs: 10_000 };

/** What is kept of a client span while its parent is awaited. */
interface PendingCall {
  parentSpanId: string;
  expiresAt: number;
  resource: ResourceInfo;
  name: string;
  peer: string;
  endMs: number;
  durationMs: number;
  error: boolean;
}

/**
 * Ties client spans (kind 3) to the line of their parent's function that makes the call. A
 * parent already filed is found in the trace buffer; a child filed first waits in a small set
 * (bounded, expiring) until its parent is filed. Other spans cost one size check, or while calls
 * wait, one integer-keyed lookup.
 */
export class OutgoingCalls {
  private readonly options: OutgoingCallOptions;
  /** By hash of the parent span id; entries verify the full id. */
  private readonly pending = new Map<number, PendingCall[]>();
  /** Arrival order, for expiry. */
  private readonly queue: [number, PendingCall][] = [];
  private pendingCount = 0;
  /** Client spans whose parent never came (or did not map to a function). */
  dropped = 0;

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
      if (location !== null && this.pendingCount > 0) {
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
              const p = this.file(location, c);
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
      parentSpanId: span.parentSpanId, expiresAt: this.clock.now() + this.options.pendingTtlMs, resource: span.resource,
      name: span.name, peer: span.peer ?? '', endMs: span.startMs + span.durationMs, durationMs: span.durationMs, error: span.error,
    };
    const parent = this.traces.findSpan(call.parentSpanId);
    if (parent !== undefined) {
      if (parent.location === null) {
        this.dropped++;
        return undefined;
      }
      return this.file(parent.location, call);
    }
    if (this.pendingCount >= this.options.maxPending) this.evictOldest();
    const hash = this.traces.parentHashAt(slot);
    const list = this.pending.get(hash);
    if (list === undefined) this.pending.set(hash, [call]);
    else list.push(call);
    this.queue.push([hash, call]);
    this.pendingCount++;
    // Filed calls leave the queue when they reach its front; behind a long wait they are swept here.
    if (this.queue.length > 4 * this.options.maxPending) this.compact();
    return undefined;
  }

  private file(caller: CodeLocation, call: PendingCall): Promise<void> | undefined {
    const parts = peerParts(call.peer);
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
