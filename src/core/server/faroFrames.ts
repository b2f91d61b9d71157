/**
 * Browser stack frames (bundle URL, line, column) through the workspace's source maps to the
 * source they were built from. Every frame is mapped before the first in-app one is chosen, so
 * a throw inside a library bundled into `app.js` lands on the library (not in-app), and the error
 * group's stack reads in the TypeScript the developer wrote.
 */
import type { ExceptionStackFrame } from '@grafana/faro-core';
import { normalizeFile } from '../mapping/inAppRules';
import type { MappingSources } from '../mapping/codeMapper';

const BUILT_JS = /\.(?:m|c)?js$/;

/** The frames with each built-JS position replaced by its original source position; frames that do not map stay as sent. */
export async function mapFaroFrames(frames: readonly ExceptionStackFrame[], sources: Pick<MappingSources, 'paths' | 'sourceMaps'>): Promise<ExceptionStackFrame[]> {
  const out: ExceptionStackFrame[] = [];
  for (const frame of frames) out.push(await mapFrame(frame, sources));
  return out;
}

async function mapFrame(frame: ExceptionStackFrame, sources: Pick<MappingSources, 'paths' | 'sourceMaps'>): Promise<ExceptionStackFrame> {
  if (!frame.lineno) return frame;
  // The page's URL path (`/assets/app.js`) is matched against the workspace like any production path.
  const match = sources.paths.resolve(normalizeFile(frame.filename));
  if (match.file === null || !BUILT_JS.test(match.file)) return frame;
  const original = await sources.sourceMaps.resolve(match.file, frame.lineno, frame.colno ?? 0);
  if (original === null) return frame;
  const file = sources.paths.resolve(original.file).file ?? original.file;
  return { filename: file, function: frame.function, lineno: original.line, colno: original.column };
}
