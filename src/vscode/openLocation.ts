import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * Opens a workspace-relative file (from telemetry, so untrusted: it must stay inside the first
 * workspace folder) at a 1-based line, centred. Problems become one message, not an exception.
 */
export async function openLocation(file: string, line: number): Promise<void> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) {
    void vscode.window.showWarningMessage('Runtime Lens: open a folder to jump to code.');
    return;
  }
  const rel = path.posix.normalize(file.replace(/\\/g, '/'));
  if (rel === '.' || rel.startsWith('../') || rel === '..' || path.posix.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) {
    void vscode.window.showWarningMessage(`Runtime Lens: ${file} is outside the workspace folder.`);
    return;
  }
  const uri = vscode.Uri.joinPath(root, ...rel.split('/'));
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(uri);
  } catch {
    void vscode.window.showWarningMessage(`Runtime Lens: ${rel} is not in this workspace (telemetry may come from another revision).`);
    return;
  }
  const at = Math.min(Math.max(1, Math.floor(line) || 1), document.lineCount) - 1;
  const position = new vscode.Position(at, document.lineAt(at).firstNonWhitespaceCharacterIndex);
  const range = new vscode.Range(position, position);
  const editor = await vscode.window.showTextDocument(document, { selection: range, preview: true });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
}
