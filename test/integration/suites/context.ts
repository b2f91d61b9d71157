/**
 * What every suite inside VS Code needs: the activated extension's API, the opened workspace,
 * and polling for figures that arrive with live traffic.
 */
import * as vscode from 'vscode';
import type { RuntimeLensApi } from '../../../src/extension';

/** The extension's id: publisher.name from package.json. */
export const extensionId = 'runtime-lens.runtime-lens';

/** What activate() returns (see src/extension.ts). */
export type { RuntimeLensApi } from '../../../src/extension';

/** Activates the extension (a no-op when a workspace setting already did) and returns its API. */
export async function extensionApi(): Promise<RuntimeLensApi> {
  const ext = vscode.extensions.getExtension<RuntimeLensApi>(extensionId);
  if (!ext) throw new Error(`${extensionId} is not installed in this VS Code`);
  return ext.isActive ? ext.exports : ext.activate();
}

/** The package.json the extension was loaded with. */
export function manifest(): { contributes: { commands: { command: string }[] } } {
  return vscode.extensions.getExtension(extensionId)!.packageJSON;
}

/** A file of the opened workspace folder. */
export function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

/** The 0-based line of the first match of `pattern` in `doc`; throws when absent. */
export function lineOf(doc: vscode.TextDocument, pattern: RegExp): number {
  for (let i = 0; i < doc.lineCount; i++) if (pattern.test(doc.lineAt(i).text)) return i;
  throw new Error(`${pattern} does not occur in ${doc.uri.path}`);
}

/**
 * Polls `probe` until it returns a value other than undefined; fails after `timeoutMs` with
 * `what` and the last value seen, so a failure says what was missing.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, describeLast?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describeLast ? `; last seen: ${describeLast()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
