/**
 * One exception, counted once. The same exception is recorded on every framework span it passes
 * through (Express layer, router and server spans; the Java agent's controller and server spans)
 * and again as a log record by the runtime's logging (Flask's `log_exception`, Tomcat's
 * `Servlet.service() ... threw exception`). Occurrences with the same identity are one within a
 * trace; a log record without a trace id pairs with one occurrence of the same identity close in time.
 */
import type { ExceptionInfo, ResourceInfo } from '../ingest/records';
import { errorGroupKey } from './errorGroups';
import type { CodeLocation } from './storeTypes';
import { OldestFirst } from '../oldestFirst';

/** Traces whose exception identities are remembered; the oldest are forgotten first. */
export const DEDUP_MAX_TRACES = 10_000;
/** Identities remembered for pairing log records that carry no trace id. */
export const DEDUP_MAX_TRACELESS_IDENTITIES = 2_000;
/** How far apart (ms, by telemetry time) a log record without a trace id and its exception may be. */
export const DEDUP_TRACELESS_WINDOW_MS = 2_000;
/** Occurrences kept per identity for pairing (those within the window are the newest few). */
const MAX_RECENT_PER_IDENTITY = 4;

/**
 * What makes two occurrences the same exception: the service that reported it (as error groups
 * are per service), type family, normalized message and the frame that threw. It is the key of its
 * error group (SignalStore.recordException takes it so as not to normalize the message again).
 */
export function exceptionIdentity(service: string, environment: string, type: string, message: string, frameKey: string): string {
  return errorGroupKey(service, environment, type, message, frameKey);
}

/**
 * What is kept of a counted occurrence, so that a server span arriving later can name its request:
 * what finds its error group, never the stack trace (tens of KB each, for thousands of traces).
 */
export interface HeldOccurrence {
  resource: ResourceInfo;
  exception: Pick<ExceptionInfo, 'type' | 'message'>;
  location: CodeLocation | null;
  frameKey: string;
}

interface Occurrence {
  time: number;
  traced: boolean;
  claimed: boolean;
}

/** Remembers exception identities per trace, and recent occurrences for pairing traceless log records. */
export class ExceptionDedup {
  /** Per trace, its one identity or (rarely) several: most traces carry one exception. */
  private readonly byTrace = new Map<string, string | Set<string>>();
  private readonly byTraceOldest = new OldestFirst(this.byTrace);
  /** Occurrences filed before their request's server span was: named when it comes. */
  private readonly unnamed = new Map<string, HeldOccurrence[]>();
  private readonly unnamedOldest = new OldestFirst(this.unnamed);
  private readonly recent = new Map<string, Occurrence[]>();
  private readonly recentOldest = new OldestFirst(this.recent);
  /** Occurrences found to repeat one already counted. */
  duplicates = 0;

  constructor(
    private readonly maxTraces = DEDUP_MAX_TRACES,
    private readonly windowMs = DEDUP_TRACELESS_WINDOW_MS,
  ) {}

  /**
   * True when this occurrence is new and must be counted. `traceId` '' means the producer gave
   * none: it then pairs with one occurrence of the other kind within the window.
   */
  isNew(traceId: string, identity: string, timeMs: number): boolean {
    const traced = traceId !== '';
    if (traced && this.seen(traceId, identity)) {
      this.duplicates++;
      return false;
    }
    if (this.pair(identity, timeMs, traced)) {
      this.duplicates++;
      return false;
    }
    return true;
  }

  /** Keeps a counted occurrence whose request is not known yet (its server span has not been filed). */
  holdUnnamed(traceId: string, held: HeldOccurrence): void {
    const list = this.unnamed.get(traceId);
    if (list !== undefined) {
      list.push(held);
      return;
    }
    this.unnamed.set(traceId, [held]);
    if (this.unnamed.size > this.maxTraces) this.unnamedOldest.drop();
  }

  /** Occurrences held for a request not known yet. */
  get unnamedHeld(): number {
    return this.unnamed.size;
  }

  /** Takes the occurrences of a trace whose server span has just been filed. */
  takeUnnamed(traceId: string): HeldOccurrence[] | undefined {
    const list = this.unnamed.get(traceId);
    if (list !== undefined) this.unnamed.delete(traceId);
    return list;
  }

  /** True when the trace has this identity already; else remembers it. */
  private seen(traceId: string, identity: string): boolean {
    const held = this.byTrace.get(traceId);
    if (held === undefined) {
      this.byTrace.set(traceId, identity);
      if (this.byTrace.size > this.maxTraces) this.byTraceOldest.drop();
      return false;
    }
    if (typeof held === 'string') {
      if (held === identity) return true;
      this.byTrace.set(traceId, new Set([held, identity]));
      return false;
    }
    if (held.has(identity)) return true;
    held.add(identity);
    return false;
  }

  /** Claims an unclaimed occurrence of the other kind close in time; else remembers this one. */
  private pair(identity: string, timeMs: number, traced: boolean): boolean {
    let list = this.recent.get(identity);
    if (list !== undefined) {
      for (const o of list) {
        if (!o.claimed && o.traced !== traced && Math.abs(o.time - timeMs) <= this.windowMs) {
          o.claimed = true;
          return true;
        }
      }
    } else {
      list = [];
      this.recent.set(identity, list);
      if (this.recent.size > DEDUP_MAX_TRACELESS_IDENTITIES) this.recentOldest.drop();
    }
    list.push({ time: timeMs, traced, claimed: false });
    if (list.length > MAX_RECENT_PER_IDENTITY) list.shift();
    return false;
  }
}
