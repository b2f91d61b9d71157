import * as path from 'node:path';
import * as vscode from 'vscode';

/** The folder the receiver maps spans against: the first workspace folder (undefined when none is open). */
export function mappingRoot(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** A document's path relative to the mapping root, posix style as the read API uses; undefined outside it. */
export function relativeFile(uri: vscode.Uri): string | undefined {
  const root = mappingRoot();
  if (!root || uri.scheme !== 'file' || root.scheme !== 'file') return undefined;
  const rel = path.relative(root.fsPath, uri.fsPath);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}
