/**
 * One exception, counted once. The same exception is recorded on every framework span it passes
 * through (Express layer, router and server spans; the Java agent's controller and server spans)
 * and again as a log record by the runtime's logging (Flask's `log_exception`, Tomcat's
 * `Servlet.service() ... threw exception`). Occurrences with the same identity are one within a
 * trace; a log record without a trace id pairs with one occurrence of the same identity close in time.
 */
import type { ExceptionInfo, ResourceInfo } from '../ingest/records';
import { identityMessage, typeFamily } from './errorGroups';
import type { CodeLocation } from './storeTypes';
import { joinKey } from './storeEntries';

/** Traces whose exception identities are remembered; the oldest are forgotten first. */
export const DEDUP_MAX_TRACES = 20_000;
/** Identities remembered for pairing log records that carry no trace id. */
export const DEDUP_MAX_TRACELESS_IDENTITIES = 5_000;
/** How far apart (ms, by telemetry time) a log record without a trace id and its exception may be. */
export const DEDUP_TRACELESS_WINDOW_MS = 2_000;
/** Occurrences kept per identity for pairing. */
const MAX_RECENT_PER_IDENTITY = 32;

/**
 * What makes two occurrences the same exception: the service that reported it (as error groups
 * are per service), type family, normalized message and the frame that threw.
 */
export function exceptionIdentity(service: string, environment: string, type: string, message: string, frameKey: string): string {
  return joinKey(service, environment, typeFamily(type), identityMessage(message), frameKey);
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
  private readonly byTrace = new Map<string, Map<string, HeldOccurrence>>();
  private readonly recent = new Map<string, Occurrence[]>();
  /** Occurrences found to repeat one already counted. */
  duplicates = 0;

  constructor(private readonly maxTraces = DEDUP_MAX_TRACES, private readonly windowMs = DEDUP_TRACELESS_WINDOW_MS) {}

  /**
   * True when this occurrence is new and must be counted. `traceId` '' means the producer gave
   * none: it then pairs with one occurrence of the other kind within the window.
   */
  isNew(traceId: string, identity: string, timeMs: number, held: HeldOccurrence): boolean {
    const traced = traceId !== '';
    if (traced) {
      let seen = this.byTrace.get(traceId);
      if (seen === undefined) {
        seen = new Map();
        this.byTrace.set(traceId, seen);
        if (this.byTrace.size > this.maxTraces) this.byTrace.delete(this.byTrace.keys().next().value!);
      }
      if (seen.has(identity)) {
        this.duplicates++;
        return false;
      }
      seen.set(identity, held);
    }
    if (this.pair(identity, timeMs, traced)) {
      this.duplicates++;
      return false;
    }
    return true;
  }

  /** Traces whose occurrences are held. */
  get tracesHeld(): number {
    return this.byTrace.size;
  }

  /** The occurrences counted in a trace, if it is held. */
  inTrace(traceId: string): Iterable<HeldOccurrence> | undefined {
    return this.byTrace.get(traceId)?.values();
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
      if (this.recent.size > DEDUP_MAX_TRACELESS_IDENTITIES) this.recent.delete(this.recent.keys().next().value!);
    }
    list.push({ time: timeMs, traced, claimed: false });
    if (list.length > MAX_RECENT_PER_IDENTITY) list.shift();
    return false;
  }
}
