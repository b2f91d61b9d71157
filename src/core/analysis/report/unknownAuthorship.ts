/**
 * The files whose authorship git could not tell (blame or log failed, even after a retry), as
 * every report lists them: their findings are kept and marked, never counted as human-written.
 */
import type { Finding } from '../findings';

/** A file whose authorship is unknown, and why. */
export interface UnknownAuthorship {
  file: string;
  reason: string;
}

/** Each file with a finding of unknown authorship, once, in the order first seen, with the first reason. */
export function unknownAuthorshipFiles(findings: readonly Finding[]): UnknownAuthorship[] {
  const byFile = new Map<string, string>();
  for (const f of findings) {
    const why = f.attribution?.unknown;
    if (why !== undefined && !byFile.has(f.file)) byFile.set(f.file, why);
  }
  return [...byFile].map(([file, reason]) => ({ file, reason }));
}
