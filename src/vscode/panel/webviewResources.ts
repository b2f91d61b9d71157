import * as vscode from 'vscode';
import { newNonce, webviewHtml } from './panelHtml';

/** The only folder webviews may load from: the bundled scripts and styles. */
export function mediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'media');
}

/** Webview options: scripts on, local resources limited to dist/media. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [mediaRoot(extensionUri)] };
}

/** The HTML of the webview whose bundle is `dist/media/<name>.js` and `<name>.css`. */
export function renderWebview(webview: vscode.Webview, extensionUri: vscode.Uri, name: 'panel' | 'traceView', title: string): string {
  const root = mediaRoot(extensionUri);
  return webviewHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, `${name}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, `${name}.css`)).toString(),
    nonce: newNonce(),
    title,
    placeholder: 'Loading…',
  });
}
