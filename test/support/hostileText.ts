/**
 * Telemetry strings an attacker who can reach the receiver would send to the editor and the
 * terminal (issue 9, §2), and checks that what a surface shows carries none of their payload.
 */

/** A revision that ends the hover's code span and injects a link and a tracking pixel. */
export const HOSTILE_REVISION = 'abc1234`\n\n[Update now](http://evil.example/update) ![](http://evil.example/pixel.png) <img src="http://evil.example/i.png">\n\n`';

/** A version with the same payload and a theme icon. */
export const HOSTILE_VERSION = '1.0.0\n\n![px](http://evil.example/v.png) $(bell) [x](command:workbench.action.terminal.new)';

/** A span/function name that draws theme icons in titles and terminal escapes in a CLI table. */
export const HOSTILE_NAME = 'pay$(bell)$(warning)\u001b]52;c;ZXZpbA==\u0007\u001b]0;pwned\u0007\u001b[2J\u001b[8mhidden\u009b31m\u009d0;t\u0007\u202eexe.gnp';

/** An exception message with markdown, HTML, an autolink and controls. */
export const HOSTILE_MESSAGE = '**boom** [click](http://evil.example/m) <img src=x onerror=alert(1)> www.evil.example a@evil.example\r\n# heading\u001b[31m\u202e';

/** Control and bidi characters no human-readable output may carry (newline and tab aside). */
export const UNSAFE_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * What injected markdown would leave in a hover: a link or image other than the hover's own
 * (trace-view command links, the sparkline data URI, the trace UI link of the tests' template), raw
 * HTML, an evil URL, a command link.
 */
export function injectedMarkdown(markdown: string): string[] {
  const own = markdown
    .replace(/\]\(command:runtimeLens\.openTrace\?[^)\s]*( "[^"]*")?\)/g, ']')
    .replace(/!\[latency per minute\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/g, '')
    .replace(/\[\$\(link-external\)\]\(https:\/\/jaeger\.example\/trace\/[0-9a-f]+ "Open in the trace UI"\)/g, '');
  const found: string[] = [];
  for (const needle of ['](', '![', 'http://evil', 'command:workbench']) if (own.includes(needle)) found.push(needle);
  // `\<img` is the escaped, literal form.
  if (/(?<!\\)<img/i.test(own)) found.push('<img');
  if (UNSAFE_CHARS.test(markdown)) found.push('control character');
  return found;
}

const ICON = /(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g;

/** Theme icons a label (CodeLens title, status bar) would draw that are not in `own`; `\$(` is VS Code's literal. */
export function labelIcons(text: string, own: readonly string[]): string[] {
  return [...text.matchAll(ICON)].filter((m) => !m[1] && !own.includes(m[2])).map((m) => m[0]);
}

/**
 * Theme icons a hover would draw that are not in `own`. VS Code's pipeline: `\$(x)` gets a second
 * backslash, markdown turns `\P` into `P` for punctuation P, then icons are drawn on the result.
 */
export function markdownIcons(markdown: string, own: readonly string[]): string[] {
  const protectedIcons = markdown.replace(/\\\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/g, (m) => `\\${m}`);
  const rendered = protectedIcons.replace(/\\([!-/:-@[-`{-~])/g, '$1');
  return labelIcons(rendered, own);
}
