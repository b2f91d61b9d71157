/**
 * What a comparison ignores by default because it differs between any two answers: volatile
 * headers (dates, caching validators, trace and request ids) and JSON fields whose key names an
 * id, a time or a nonce, or whose value looks like an ISO timestamp or a UUID. Both lists take
 * additions and removals from the run's options.
 */

/** Headers never compared unless removed from the list (names are matched lower case). */
export const DEFAULT_VOLATILE_HEADERS: readonly string[] = [
  'date',
  'age',
  'expires',
  'last-modified',
  'etag',
  'x-request-id',
  'x-correlation-id',
  'traceparent',
  'tracestate',
  'server-timing',
  'set-cookie',
  'content-length',
  'keep-alive',
  'connection',
  'transfer-encoding',
];

/**
 * JSON keys whose values are not compared. A pattern is a key name, or a name with `*` standing
 * for any characters. Plain lower-case names match in any case (`ID`, `Timestamp`); a pattern with
 * an upper-case letter matches case-sensitively, so `*Id` names `orderId` but not `paid`.
 */
export const DEFAULT_VOLATILE_FIELDS: readonly string[] = [
  'id',
  'uuid',
  'guid',
  '*_id',
  '*Id',
  '*ID',
  '*_uuid',
  '*Uuid',
  'requestId',
  'traceId',
  'spanId',
  'timestamp',
  '*timestamp',
  '*Timestamp',
  'ts',
  '*_at',
  '*At',
  'time',
  '*_time',
  '*Time',
  'date',
  '*_date',
  'now',
  'nonce',
  'expires',
  'expiry',
  'elapsed',
  '*_ms',
  'duration*',
  '*Duration',
];

/** Additions to and removals from a default list. */
export interface ListChanges {
  add?: readonly string[];
  remove?: readonly string[];
}

/** What the run configures about volatile headers and fields. */
export interface VolatileOptions {
  headers?: ListChanges;
  fields?: ListChanges;
  /** Skip values that look like ISO timestamps or UUIDs wherever they are (default true). */
  byValue?: boolean;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The lists in force for a run, compiled once. */
export class VolatileRules {
  private readonly headers: ReadonlySet<string>;
  private readonly exact = new Set<string>();
  private readonly patterns: RegExp[] = [];
  private readonly byValue: boolean;
  /** Keys seen, with their verdict: payloads repeat their keys. */
  private readonly keyCache = new Map<string, boolean>();

  constructor(options: VolatileOptions = {}) {
    this.headers = new Set(applyChanges(DEFAULT_VOLATILE_HEADERS, options.headers, true));
    for (const pattern of applyChanges(DEFAULT_VOLATILE_FIELDS, options.fields, false)) {
      const caseless = pattern === pattern.toLowerCase();
      if (!pattern.includes('*')) this.exact.add(caseless ? pattern : `=${pattern}`);
      else this.patterns.push(new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, caseless ? 'i' : ''));
    }
    this.byValue = options.byValue ?? true;
  }

  /** True when a header's value is never compared. */
  isVolatileHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }

  /** True when a JSON key's value is never compared. */
  isVolatileKey(key: string): boolean {
    let verdict = this.keyCache.get(key);
    if (verdict === undefined) {
      verdict = this.exact.has(`=${key}`) || this.exact.has(key.toLowerCase()) || this.patterns.some((p) => p.test(key));
      if (this.keyCache.size < 10_000) this.keyCache.set(key, verdict);
    }
    return verdict;
  }

  /** True when a value looks generated per answer (a timestamp, a UUID). */
  isVolatileValue(value: unknown): boolean {
    return this.byValue && typeof value === 'string' && value.length <= 64 && (UUID.test(value) || ISO_TIME.test(value) || HTTP_DATE.test(value));
  }
}

function applyChanges(defaults: readonly string[], changes: ListChanges | undefined, lower: boolean): string[] {
  const norm = (s: string): string => (lower ? s.trim().toLowerCase() : s.trim());
  const removed = new Set((changes?.remove ?? []).map(norm));
  const out = new Set<string>();
  for (const s of [...defaults, ...(changes?.add ?? [])].map(norm)) if (s !== '' && !removed.has(s)) out.add(s);
  return [...out];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
