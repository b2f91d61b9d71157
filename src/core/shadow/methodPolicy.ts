/**
 * Which requests a shadow run may replay. Safe methods (GET, HEAD, OPTIONS) always; a method that
 * may change state only on routes the user opted in with `--allow-method METHOD:ROUTE`, and never
 * with a body the record does not have: nothing is invented.
 */
import type { ShadowRequest, SkippedRequest } from './shadowRequest';

/** One `--allow-method` rule: a method and a route, exact or (ending in `*`) a prefix. */
export interface AllowMethod {
  method: string;
  /** The route without the trailing `*`. */
  route: string;
  prefix: boolean;
  /** The spec as given, for messages. */
  spec: string;
}

/** A parsed rule, or one line saying what is wrong with the spec. */
export type AllowMethodParse = { ok: true; rule: AllowMethod } | { ok: false; error: string };

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Methods whose request carries the content; without a captured one the request cannot be rebuilt. */
const NEEDS_BODY = new Set(['POST', 'PUT', 'PATCH']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses `POST:/api/quotes` or `DELETE:/api/carts/*` (METHOD:ROUTE; ROUTE starts with `/` and may end in `*`). */
export function parseAllowMethod(spec: string): AllowMethodParse {
  const s = spec.trim();
  const colon = s.indexOf(':');
  const bad = (why: string): AllowMethodParse => ({ ok: false, error: `--allow-method "${s.replace(/[\u0000-\u001f\u007f]+/g, ' ')}": ${why} (expected METHOD:ROUTE, e.g. POST:/api/quotes)` });
  if (colon <= 0) return bad('no method before ":"');
  const method = s.slice(0, colon).toUpperCase();
  const route = s.slice(colon + 1);
  if (!TOKEN.test(method) || method.includes('*')) return bad(`"${method}" is not an HTTP method`);
  if (!route.startsWith('/')) return bad('the route must start with "/"');
  const star = route.indexOf('*');
  if (star !== -1 && star !== route.length - 1) return bad('"*" may only end the route');
  if (/\s/.test(route)) return bad('the route has a space in it');
  const prefix = star !== -1;
  return { ok: true, rule: { method, route: prefix ? route.slice(0, -1) : route, prefix, spec: `${method}:${route}` } };
}

/**
 * Whether a request is replayed (undefined) or skipped and why. Rules match the route template when
 * the record has one, else the path without its query. Decide on the request as read (the sanitizer
 * drops `Content-Length`) and pass the sanitizer's `text` as `redact`: the detail names the path.
 */
export function replayDecision(r: ShadowRequest, allowed: AllowMethod[], redact: (s: string) => string = (s) => s): SkippedRequest | undefined {
  const method = r.method.toUpperCase();
  if (SAFE.has(method)) return undefined;
  const subject = r.route || pathOf(r.target);
  if (!allowed.some((a) => a.method === method && (a.prefix ? subject.startsWith(a.route) : subject === a.route))) {
    const shown = oneLine(redact(subject));
    return { id: r.id, reason: 'method-not-allowed', detail: `${method} ${shown} not opted in (--allow-method ${method}:${shown})` };
  }
  if (NEEDS_BODY.has(method) && r.body === undefined && !emptyByLength(r)) {
    return { id: r.id, reason: 'needs-body', detail: `${method} ${oneLine(redact(subject))}: no request body was captured` };
  }
  return undefined;
}

function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

function pathOf(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

/** A recorded `Content-Length: 0` says the body was empty, so replaying without one invents nothing. */
function emptyByLength(r: ShadowRequest): boolean {
  const lengths = r.headers.filter(([n]) => n.trim().toLowerCase() === 'content-length').map(([, v]) => v.trim());
  return lengths.length > 0 && lengths.every((v) => v === '0');
}
