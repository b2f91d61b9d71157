/**
 * Whether a deployed revision or version (`vcs.ref.head.revision`, `service.version`) looks like
 * one. These strings reach git and the hover, so anything else (markup, whitespace, controls,
 * URLs, a leading `-` git would read as an option) is treated as not reported at all.
 */

/** The longest revision or version kept (characters); longer ones are ignored. */
export const MAX_REVISION_CHARS = 100;

// A commit (7-64 hex digits) passes the tag rule too: a letter or digit first, then what tags,
// semver and image digests use (`v1.4.2`, `1.4.2+build.5`, `release/2024-06`, `sha256:ab12`).
const PLAUSIBLE = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._+/@:-]{0,${MAX_REVISION_CHARS - 1}}$`);

/** The revision or version trimmed, or '' when it is not plausibly one (see MAX_REVISION_CHARS). */
export function plausibleRevision(text: string): string {
  if (typeof text !== 'string') return '';
  const trimmed = text.trim();
  return PLAUSIBLE.test(trimmed) && !trimmed.includes('://') ? trimmed : '';
}
