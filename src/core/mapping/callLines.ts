/**
 * Finds the lines of a function that make outgoing calls (HTTP clients of JS/TS, Python, Go and
 * Java), and picks the one a client span came from by its URL: the host or a path literal on the
 * line, else the function's only call line.
 */
import { languageOf, matchBracket, sourceSkeleton } from './sourceLexer';

/** A line that makes an outgoing call, with its statement text (up to the call's closing bracket). */
export interface CallLine {
  line: number;
  text: string;
}

/** What a client span called, split for matching against source lines. */
export interface PeerParts {
  /** `host[:port]`, '' when the span named none. */
  host: string;
  /** The host without its port. */
  hostname: string;
  /** Path segments that look static (no ids, numbers or hashes), in order. */
  segments: string[];
}

/** How a line was chosen (see CallSignal.lineMatch). */
export type LineMatch = 'url' | 'only-call' | 'function';

// Outgoing-call shapes, matched on the skeleton (comments and string contents blanked), so a
// `fetch(` in a comment or a string does not count.
const CALL = new RegExp([
  String.raw`\bfetch\s*\(`, String.raw`\baxios\b`, String.raw`\bhttps?\.(?:request|get)\s*\(`, String.raw`\bgot(?:\.\w+)?\s*\(`,
  String.raw`\bky(?:\.\w+)?\s*\(`, String.raw`\bsuperagent\b`, String.raw`\bundici\.\w+\s*\(`, String.raw`\$\.ajax\s*\(`,
  String.raw`\brequests\.\w+\s*\(`, String.raw`\bhttpx\.\w+`, String.raw`\baiohttp\b`, String.raw`\burlopen\s*\(`,
  String.raw`\bhttp\.(?:Get|Post|Head|PostForm|NewRequest(?:WithContext)?)\s*\(`, String.raw`\.Do\s*\(`,
  String.raw`\b\w*[cC]lient\.(?:get|post|put|patch|delete|head|request|send|fetch|execute|exchange|Get|Post)\w*\s*\(`,
  String.raw`\b\w*[sS]ession\.(?:get|post|put|patch|delete|request)\s*\(`, String.raw`\brestTemplate\.\w+\s*\(`,
  String.raw`\bwebClient\.\w+`, String.raw`\.openConnection\s*\(`,
].join('|'));

const MAX_STATEMENT_LINES = 6;

/** The outgoing-call lines among lines `from..to` (1-based, inclusive) of a source file. */
export function findCallLines(file: string, text: string, from: number, to: number): CallLine[] {
  const lang = languageOf(file);
  const sk = lang ? sourceSkeleton(text, lang) : text;
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const out: CallLine[] = [];
  const last = Math.min(to, starts.length);
  for (let line = Math.max(1, from); line <= last; line++) {
    const start = starts[line - 1];
    const end = line < starts.length ? starts[line] - 1 : text.length;
    const m = CALL.exec(sk.slice(start, end));
    if (m === null) continue;
    // The statement runs to the bracket closing the call, so a URL on a continuation line counts.
    let stop = end;
    const open = sk.indexOf('(', start + m.index);
    if (open >= 0 && open < end) {
      const close = matchBracket(sk, open);
      const limit = starts[Math.min(starts.length - 1, line - 1 + MAX_STATEMENT_LINES)] ?? text.length;
      if (close > end && close < limit) stop = close + 1;
    }
    out.push({ line, text: text.slice(start, stop) });
  }
  return out;
}

const DYNAMIC = /^(?:\d+|[0-9a-f]{8,}|[0-9a-f-]{32,36}|.*\d.*\d.*\d.*)$/i;

/** Splits a span's peer (`url.full` or `server.address[:port]`) into what source lines can show. */
export function peerParts(peer: string): PeerParts {
  const scheme = peer.indexOf('://');
  if (scheme < 0) {
    const hostname = peer.startsWith('[') ? peer.slice(0, peer.indexOf(']') + 1) : peer.replace(/:\d+$/, '');
    return { host: peer, hostname, segments: [] };
  }
  const rest = peer.slice(scheme + 3);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  // Credentials in a URL are never shown or matched.
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  const path = slash < 0 ? '' : rest.slice(slash);
  const segments = path.split('/').filter((s) => s !== '' && !DYNAMIC.test(s) && s.length <= 60);
  return { host, hostname, segments };
}

/** What a call is: `host[:port]`, else the span name. */
export function callTarget(parts: PeerParts, spanName: string): string {
  return parts.host || spanName;
}

/** A stable key of what decides the line: calls to the same host and static path pick the same line. */
export function peerKey(parts: PeerParts): string {
  return `${parts.host}\u0000${parts.segments.join('/')}`;
}

/**
 * Picks the call line for a peer: the line naming most of its static path (`/stock`), else its
 * host; else the only call line; else none (the caller then uses the function's line).
 */
export function chooseCallLine(lines: readonly CallLine[], parts: PeerParts): { line: number; lineMatch: LineMatch } | undefined {
  let best: CallLine | undefined;
  let bestScore = 0;
  for (const c of lines) {
    let score = 0;
    for (const seg of parts.segments) if (c.text.includes(`/${seg}`)) score += 2;
    if (parts.hostname && c.text.includes(parts.hostname)) score += 1;
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  if (best !== undefined) return { line: best.line, lineMatch: 'url' };
  if (lines.length === 1) return { line: lines[0].line, lineMatch: 'only-call' };
  return undefined;
}
