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

/** The grouping key: service, environment, exception type, normalized message and the first in-app frame. */
export function errorGroupKey(service: string, environment: string, type: string, message: string, frame: string): string {
  return joinKey(service, environment, type, normalizeMessage(message), frame);
}
