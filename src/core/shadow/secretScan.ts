/**
 * Finds the secrets in a piece of text that the shadow run must never send, store or show: e-mail
 * addresses (also with the `@` percent-encoded), bearer tokens, JWTs, card numbers that pass the
 * Luhn check, and configured patterns. Every scan is linear in the text (runs are found once, then
 * checked), because traffic is attacker-influenced and a crafted body must not stall a run.
 */

/** A stretch of text to replace; `value` is what the stable token is made from. */
export interface SecretHit {
  start: number;
  end: number;
  value: string;
  kind: 'email' | 'bearer' | 'jwt' | 'card' | 'pattern' | 'token';
}

/** Tokens this sanitizer already wrote: never redacted again, so sanitising twice changes nothing. */
const TOKEN = /REDACTED-[0-9a-f]{8}/g;
const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
const DOMAIN = /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,63}(?![A-Za-z0-9-])/y;
/** RFC 6750's b64token after the scheme name; shorter words after "bearer" are prose, not tokens. */
const BEARER = /\bbearer[ \t]+([A-Za-z0-9\-._~+/]+=*)/gi;
const BEARER_MIN = 8;
const JWT_RUN = /[A-Za-z0-9_.-]+/g;
const JWT_PART = /^[A-Za-z0-9_-]*$/;
const DIGIT_RUN = /[0-9](?:[ -]?[0-9])*/g;

/** Every secret in `s`, overlapping hits resolved (earliest first, then longest). */
export function scanSecrets(s: string, patterns: readonly RegExp[]): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const m of s.matchAll(TOKEN)) hits.push({ start: m.index, end: m.index + m[0].length, value: m[0], kind: 'token' });
  for (const re of patterns) {
    for (const m of s.matchAll(re)) if (m[0].length > 0) hits.push({ start: m.index, end: m.index + m[0].length, value: m[0], kind: 'pattern' });
  }
  bearers(s, hits);
  jwts(s, hits);
  emails(s, hits);
  cards(s, hits);
  return resolve(hits);
}

/** Copies a configured pattern with the global flag, so every occurrence is found. */
export function globalPattern(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.includes('g') ? re.flags.replace('y', '') : re.flags.replace('y', '') + 'g');
}

function bearers(s: string, hits: SecretHit[]): void {
  for (const m of s.matchAll(BEARER)) {
    const token = m[1];
    if (token.length < BEARER_MIN) continue;
    const start = m.index + m[0].length - token.length;
    hits.push({ start, end: start + token.length, value: token, kind: 'bearer' });
  }
}

/** A JWT is a whole run of base64url and dots with exactly three parts, the first a JSON header (`eyJ` is `{"`). */
function jwts(s: string, hits: SecretHit[]): void {
  if (!s.includes('eyJ')) return;
  for (const m of s.matchAll(JWT_RUN)) {
    const parts = m[0].split('.');
    if (parts.length !== 3 || !parts[0].startsWith('eyJ') || parts[0].length < 8 || parts[1].length < 2) continue;
    if (!parts.every((p) => JWT_PART.test(p))) continue;
    hits.push({ start: m.index, end: m.index + m[0].length, value: m[0], kind: 'jwt' });
  }
}

/** Scans from each `@` (or `%40`) outwards, so text without one costs a single search. */
function emails(s: string, hits: SecretHit[]): void {
  let at = nextAt(s, 0);
  while (at.index !== -1) {
    let start = at.index;
    // RFC 5321 caps a local part at 64 octets; percent-encoding can triple that.
    while (start > 0 && at.index - start < 192 && LOCAL_CHAR.test(s[start - 1])) start--;
    DOMAIN.lastIndex = at.index + at.width;
    const domain = DOMAIN.exec(s);
    if (start < at.index && domain) {
      const end = DOMAIN.lastIndex;
      hits.push({ start, end, value: percentDecoded(s.slice(start, end)), kind: 'email' });
      at = nextAt(s, end);
    } else {
      at = nextAt(s, at.index + at.width);
    }
  }
}

function nextAt(s: string, from: number): { index: number; width: number } {
  const plain = s.indexOf('@', from);
  const encoded = s.indexOf('%40', from);
  if (encoded !== -1 && (plain === -1 || encoded < plain)) return { index: encoded, width: 3 };
  return { index: plain, width: 1 };
}

function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Card numbers: 13 to 19 digits, optionally grouped by single spaces or dashes, passing the Luhn
 * check and starting with 2 to 6 (the payment-card industry digits of ISO/IEC 7812), so an order id
 * of the same length (nine in ten fail Luhn) and a Unix time in ms (starts with 1) are left alone. A
 * longer run of groups (a card followed by a year) is searched for a card made of whole groups.
 */
function cards(s: string, hits: SecretHit[]): void {
  for (const m of s.matchAll(DIGIT_RUN)) {
    const run = m[0];
    const digits = run.replace(/[ -]/g, '');
    if (digits.length < 13) continue;
    if (digits.length <= 19 && isCard(digits)) {
      hits.push({ start: m.index, end: m.index + run.length, value: digits, kind: 'card' });
      continue;
    }
    groupedCard(run, m.index, hits);
  }
}

function groupedCard(run: string, offset: number, hits: SecretHit[]): void {
  const groups = [...run.matchAll(/[0-9]+/g)];
  if (groups.length < 2) return;
  for (let i = 0; i < groups.length; i++) {
    let digits = '';
    for (let j = i; j < groups.length && digits.length + groups[j][0].length <= 19; j++) {
      digits += groups[j][0];
      if (digits.length >= 13 && (i > 0 || j < groups.length - 1) && isCard(digits)) {
        hits.push({ start: offset + groups[i].index, end: offset + groups[j].index + groups[j][0].length, value: digits, kind: 'card' });
        return;
      }
    }
  }
}

function isCard(digits: string): boolean {
  return digits[0] >= '2' && digits[0] <= '6' && luhn(digits);
}

/** The Luhn (mod 10) check that every payment card number satisfies. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function resolve(hits: SecretHit[]): SecretHit[] {
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretHit[] = [];
  let end = 0;
  for (const h of hits) {
    if (h.start < end) continue;
    out.push(h);
    end = h.end;
  }
  return out;
}
