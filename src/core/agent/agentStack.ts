/**
 * A production stack trace trimmed to the application's frames, for an answer (the caller shows the
 * exception's type and message): `at fn (file:line)` for each in-app frame (dependencies, node:internal, site-packages, JDK and
 * runtime frames dropped, as mapping/inAppRules.ts decides; of those, only the workspace's own when any
 * is recognised), paths shortened to the workspace file, and the count of frames left out.
 */
import { parseStackTrace } from '../mapping/stackTrace';
import { fileLine, safeText } from './agentText';

/** Options for `trimStack`. */
export interface TrimStackOptions {
  /** Workspace-relative files known to the answer: a frame path ending in one is shown as it. */
  workspaceFiles?: readonly string[];
  /** The workspace's absolute root: frames under it are the workspace's too. */
  workspaceRoot?: string;
  /** At most this many frames (default 8). */
  maxFrames?: number;
}

/** The trimmed stack as lines (each safe), or [] when the text holds no parseable frame. */
export function trimStack(stacktrace: string, options: TrimStackOptions = {}): string[] {
  const { frames } = parseStackTrace(stacktrace);
  if (frames.length === 0) return [];
  const files = options.workspaceFiles ?? [];
  const root = (options.workspaceRoot ?? '').replace(/\\/g, '/').replace(/\/+$/, '');
  const ofWorkspace = (path: string) => workspaceFile(path, files) ?? (root !== '' && path.replace(/\\/g, '/').startsWith(`${root}/`) ? path.replace(/\\/g, '/').slice(root.length + 1) : undefined);
  const inApp = frames.filter((f) => f.inApp);
  // Frames in workspace files when any is recognised (test runners, other repos' code and the like
  // are in-app by the rules but not this workspace's); else every in-app frame.
  const local = inApp.filter((f) => ofWorkspace(f.file) !== undefined);
  const chosen = local.length > 0 ? local : inApp;
  const max = options.maxFrames ?? 8;
  const kept = chosen.slice(0, max);
  const lines: string[] = [];
  for (const f of kept) {
    const file = ofWorkspace(f.file) ?? f.file;
    const fn = f.function === '' ? '' : `${safeText(f.function, 60)} `;
    lines.push(`  at ${fn}(${fileLine(file, f.line)})`);
  }
  const dropped = frames.length - kept.length;
  if (dropped > 0) lines.push(`  (${dropped} frame${dropped === 1 ? '' : 's'} outside the workspace or past the limit left out)`);
  return lines;
}

/** The workspace file `path` names (`/app/src/a.js` -> `src/a.js`), if one of `files` is a suffix of it. */
function workspaceFile(path: string, files: readonly string[]): string | undefined {
  const p = path.replace(/\\/g, '/');
  return files.find((f) => f !== '' && (p === f || p.endsWith(`/${f}`)));
}
