import { joinKey } from './storeEntries';
/** Grouping rules for exceptions: what makes two occurrences "the same error". */

const NORMALIZERS: [RegExp, string][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b(?:0x)?[0-9a-f]{12,}\b/gi, '<hex>'],
  [/\b\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?\b/g, '<time>'],
  [/\b\d+(?:\.\d+)?\b/g, '<n>'],
  [/"[^"\n]{1,200}"/g, '"<s>"'],
  [/'[^'\n]{1,200}'/g, "'<s>'"],
];

/** Replaces ids, numbers, timestamps and quoted values so that messages differing only in them group together. */
export function normalizeMessage(message: string): string {
  let text = message.length > 500 ? message.slice(0, 500) : message;
  for (const [pattern, replacement] of NORMALIZERS) text = text.replace(pattern, replacement);
  return text.trim();
}

/**
 * The type without its module, package or pointer marks: `requests.exceptions.HTTPError` and
 * `HTTPError`, `java.lang.IllegalStateException` and `IllegalStateException`, Go's
 * `*errors.errorString` and `errors.errorString` are one type each.
 */
export function typeFamily(type: string): string {
  const bare = type.trim().replace(/^\*+/, '').replace(/<.*>$/, '');
  const parts = bare.split(/\.|::|\$|\//);
  return parts[parts.length - 1] || bare;
}

/**
 * The message as producers disagree on it: Python's `str(KeyError('x'))` is `'x'` with quotes,
 * its logging shows it as `x` in places; trailing periods and whitespace vary.
 */
export function identityMessage(message: string): string {
  const known = IDENTITY_MESSAGES.get(message);
  if (known !== undefined) return known;
  const normalized = normalizedIdentity(message);
  // Messages repeat (the same exception, again and again): each is normalized once while it does.
  // Only short ones are kept, so the cache stays under a few MB whatever senders send.
  if (message.length > IDENTITY_CACHE_MAX_CHARS) return normalized;
  if (IDENTITY_MESSAGES.size >= IDENTITY_CACHE_SIZE) IDENTITY_MESSAGES.clear();
  IDENTITY_MESSAGES.set(message, normalized);
  return normalized;
}

const IDENTITY_CACHE_SIZE = 10_000;
const IDENTITY_CACHE_MAX_CHARS = 256;
const IDENTITY_MESSAGES = new Map<string, string>();

function normalizedIdentity(message: string): string {
  let m = message.trim();
  const q = m[0];
  if (m.length >= 2 && (q === "'" || q === '"') && m[m.length - 1] === q && !m.slice(1, -1).includes(q)) m = m.slice(1, -1);
  return normalizeMessage(m.replace(/\.+$/, ''));
}

/**
 * The grouping key: service, environment, exception type family, normalized message and the first
 * in-app frame, so one exception reported by different producers (span event, log record) is one group.
 */
export function errorGroupKey(service: string, environment: string, type: string, message: string, frame: string): string {
  return joinKey(service, environment, typeFamily(type), identityMessage(message), frame);
}
