/**
 * bench/RESULTS.md, where each benchmark files its runs under a `## ` heading of its own. A run
 * goes at the end of its heading's section (before the next benchmark's heading), so runs of one
 * benchmark stay together whatever was recorded after them; the heading is added the first time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const RESULTS_FILE = path.join(__dirname, 'RESULTS.md');

/** `text` with `section` filed under `heading` (see above). */
export function fileUnderHeading(text: string, heading: string, section: string): string {
  const at = text.indexOf(`${heading}\n`);
  if (at < 0) return `${text.replace(/\n*$/, '\n')}\n${heading}\n\n${section}\n`;
  const next = text.indexOf('\n## ', at + heading.length);
  if (next < 0) return `${text.replace(/\n*$/, '\n')}\n${section}\n`;
  const before = text.slice(0, next).replace(/\n*$/, '\n');
  return `${before}\n${section}\n${text.slice(next)}`;
}

/** Records `section` under `heading` in bench/RESULTS.md. */
export function recordResults(heading: string, section: string, file: string = RESULTS_FILE): void {
  writeFileSync(file, fileUnderHeading(readFileSync(file, 'utf8'), heading, section));
}
