import type { Language } from '../findings';
import { broadCatch } from './typedHandlers';

// How sure `swallowed-error` is of what it reports, from what labelling real code showed
// (`npm run bench:precision`, bench/RESULTS.md). A Python handler or a JavaScript catch that drops an
// error is, in library code, a deliberate best effort far more often than a hidden fault (about one
// in ten Python findings and under half of the JavaScript ones were worth logging, and a blind
// held-out sample was lower still); reviewers also disagree on identical shapes. No syntactic split
// held up on the held-out packages, so those findings are all low confidence. A Java catch of
// `IOException` (or a transport subtype) that drops the failure, and Go's explicit drops of an error
// value, were true positives wherever labelled: the rule is sure of those.

/** Why a swallowed-error finding is low confidence, or null when the rule is sure of it. */
export function swallowDoubt(language: Language, types = ''): string | null {
  if (language === 'go') return null;
  if (language === 'java') return broadCatch(language, types) ? 'a broad catch, often a deliberate best effort' : null;
  return 'dropping an error here is often a deliberate best effort';
}
