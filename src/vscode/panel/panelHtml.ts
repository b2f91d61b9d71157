/**
 * The HTML shell of the webviews: a strict CSP (`default-src 'none'`, the script by nonce, styles
 * and images from the webview's own source only), one stylesheet and one script from dist/media.
 * No `vscode` import at runtime, so the preview script renders the very same shell in Chromium.
 */
import { randomBytes } from 'node:crypto';

/** What goes into a webview's HTML. */
export interface WebviewHtmlParts {
  /** `webview.cspSource`. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  title: string;
  /** Shown until the script has drawn the first frame. */
  placeholder: string;
}

/** The Content-Security-Policy the webviews run under. */
export function webviewCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource}; script-src 'nonce-${nonce}'`;
}

/** The whole HTML document of a webview. */
export function webviewHtml(p: WebviewHtmlParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(webviewCsp(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>${text(p.title)}</title>
</head>
<body>
<div id="app"><p class="loading muted">${text(p.placeholder)}</p></div>
<script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>`;
}

/** A fresh nonce per render (base64 of 16 random bytes is valid in a CSP source). */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

function text(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;');
}
