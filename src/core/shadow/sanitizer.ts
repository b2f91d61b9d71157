/**
 * The shadow run's sanitizer: what every request passes through before it is sent, stored or
 * shown. Production credentials, framing headers and incoming trace context are dropped, the
 * configured local credentials injected, and secrets in the path, query, header values and bodies
 * replaced by `REDACTED-<first 8 hex of HMAC-SHA256(key, value)>`. The key is random per run unless
 * given, so equal values get equal tokens within a run (candidate and baseline diffs still line up)
 * while a short value (a card, an e-mail) cannot be found again by hashing guesses.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { connectionListed, headerDrop } from './headerPolicy';
import { redactSpan } from './productionSpans';
import { redactBody } from './redactBody';
import { redactTarget } from './redactUrl';
import { globalPattern, scanSecrets } from './secretScan';
import type { HeaderPair, RecordedOutcome, ShadowRequest } from './shadowRequest';

/** How a sanitizer is set up. */
export interface SanitizerOptions {
  /** HMAC key for the tokens; random per run by default. Share it only between sanitizers of one run. */
  key?: Buffer;
  /** Extra secrets to redact (customer ids, internal tokens); matched anywhere text is scanned. */
  patterns?: RegExp[];
  /** Local credentials to send instead of production's, added after the drops (replacing same-named headers). */
  inject?: HeaderPair[];
}

/** What a sanitizer did so far, for the run's report. */
export interface SanitizerCounts {
  /** Values replaced by a token. */
  redacted: number;
  /** Headers dropped (credentials, framing, trace context). */
  droppedHeaders: number;
  /** Base64 bodies passed through unscanned (binary uploads): counted so the report can say so. */
  base64Bodies: number;
}

/** Redacts requests, header lists and text; one per run, so tokens are stable within it. */
export interface Sanitizer {
  request(r: ShadowRequest): ShadowRequest;
  text(s: string): string;
  headers(h: HeaderPair[]): HeaderPair[];
  counts(): SanitizerCounts;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_BAD = /[\r\n\0]/;
const URL_ORIGIN = /^https?:\/\/[^/?#]*/i;

/** Makes a sanitizer; throws one line when a configured pattern or credential header is unusable. */
export function createSanitizer(options: SanitizerOptions = {}): Sanitizer {
  const key = options.key ?? randomBytes(32);
  const patterns = (options.patterns ?? []).map((p, i) => {
    if (!(p instanceof RegExp)) throw new Error(`redaction pattern ${i + 1} is not a regular expression`);
    return globalPattern(p);
  });
  const inject = (options.inject ?? []).map(([name, value]): HeaderPair => {
    if (!HEADER_NAME.test(name)) throw new Error(`credential header name "${name}" is not a valid HTTP header name`);
    if (HEADER_VALUE_BAD.test(value)) throw new Error(`credential header "${name}" has a line break or NUL in its value`);
    return [name, value];
  });
  const injected = new Set(inject.map(([n]) => n.toLowerCase()));
  const counts: SanitizerCounts = { redacted: 0, droppedHeaders: 0, base64Bodies: 0 };

  const token = (value: string): string => 'REDACTED-' + createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 8);

  const text = (s: string): string => {
    const hits = scanSecrets(s, patterns).filter((h) => h.kind !== 'token');
    if (hits.length === 0) return s;
    let out = '';
    let at = 0;
    for (const h of hits) {
      out += s.slice(at, h.start) + token(h.value);
      at = h.end;
    }
    counts.redacted += hits.length;
    return out + s.slice(at);
  };

  const headerValue = (value: string): string => {
    // Referer, Origin and Location carry URLs whose query is percent-encoded: redact them as URLs.
    const origin = URL_ORIGIN.exec(value);
    if (!origin) return text(value);
    return text(origin[0]) + redactTarget(value.slice(origin[0].length), text);
  };

  const headers = (h: HeaderPair[]): HeaderPair[] => {
    const listed = connectionListed(h);
    const kept: HeaderPair[] = [];
    for (const [name, value] of h) {
      const lower = name.trim().toLowerCase();
      if (headerDrop(name) !== undefined || listed.has(lower) || injected.has(lower)) {
        counts.droppedHeaders++;
        continue;
      }
      kept.push([name, headerValue(value)]);
    }
    return [...kept, ...inject.map(([n, v]): HeaderPair => [n, v])];
  };

  const body = (b: string, contentType: string | undefined): string => redactBody(b, contentType, text).body;

  const request = (r: ShadowRequest): ShadowRequest => {
    const out: ShadowRequest = { ...r, target: redactTarget(r.target, text), headers: headers(r.headers), recorded: recorded(r.recorded) };
    if (r.body !== undefined) {
      if (r.bodyEncoding === 'base64') counts.base64Bodies++;
      else out.body = body(r.body, contentTypeOf(r.headers));
    }
    return out;
  };

  const recorded = (o: RecordedOutcome): RecordedOutcome => ({
    ...o,
    ...(o.body !== undefined ? { body: body(o.body, o.contentType) } : {}),
    // Production spans carry the same secrets as the request: redacted with the same tokens, so a call's path still lines up.
    ...(o.spans !== undefined ? { spans: o.spans.map((sp) => redactSpan(sp, text)) } : {}),
  });

  return { request, text, headers, counts: () => ({ ...counts }) };
}

function contentTypeOf(headers: readonly HeaderPair[]): string | undefined {
  for (const [name, value] of headers) if (name.trim().toLowerCase() === 'content-type') return value;
  return undefined;
}
