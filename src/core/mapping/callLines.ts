/**
 * Finds the lines of a function that make outgoing calls (HTTP clients of JS/TS, Python, Go and
 * Java), and picks the one a client span came from: the line naming its URL (host or a path
 * literal), else the function's only client call, else the only one whose HTTP method matches.
 */
import { languageOf, matchBracket, sourceSkeleton, type SourceLanguage } from './sourceLexer';

/** A line that makes an outgoing call, with its statement text (up to the call's closing bracket). */
export interface CallLine {
  line: number;
  text: string;
  /**
   * `call` sends the request; `setup` builds a request or a client (Go `http.NewRequest`, Java
   * `HttpRequest.newBuilder`, `requests.Session()`): the URL is often written there, but the
   * call is made on the next `call` line.
   */
  kind: 'call' | 'setup';
  /** The HTTP method, upper case, when the statement (or the request built just before it) says; else ''. */
  method: string;
}

/** What a client span called, split for matching against source lines. */
export interface PeerParts {
  /** `host[:port]`, '' when the span named none. */
  host: string;
  /** The host without its port. */
  hostname: string;
  /** Path segments that look static (no ids, numbers or hashes), in order. */
  segments: string[];
  /** The span's HTTP method, upper case, or ''. */
  method: string;
}

/** How a line was chosen (see CallSignal.lineMatch); 'only-call' also covers the only call whose method matches. */
export type LineMatch = 'url' | 'only-call' | 'function';

const re = (parts: string[]): RegExp => new RegExp(parts.join('|'));
const raw = String.raw;

// Outgoing-call shapes per language, matched on the skeleton (comments and string contents
// blanked), so a `fetch(` in a comment or a string does not count. Member calls name the verb
// (`axios.post(`, `session.get(`, `client.Get(`) so the method can be read off the match.
const CALLS: Record<SourceLanguage, RegExp> = {
  js: re([
    raw`\bfetch\s*\(`,
    raw`\baxios(?:\.(?:get|post|put|patch|delete|head|options|request))?\s*\(`,
    raw`\bhttps?\.(?:request|get)\s*\(`,
    raw`\bgot(?:\.\w+)?\s*\(`,
    raw`\bky(?:\.\w+)?\s*\(`,
    raw`\bsuperagent\b`,
    raw`\bundici\.\w+\s*\(`,
    raw`\$\.ajax\s*\(`,
    raw`\b\w*(?:[cC]lient|[aA]xios|[aA]pi|[hH]ttp)\.(?:get|post|put|patch|delete|head|request|fetch)\s*\(`,
  ]),
  python: re([
    raw`\brequests\.(?:get|post|put|patch|delete|head|options|request)\s*\(`,
    raw`\bhttpx\.(?:get|post|put|patch|delete|head|options|request|stream)\s*\(`,
    raw`\b\w*(?:[sS]ession|[cC]lient|http)\.(?:get|post|put|patch|delete|head|options|request|send|stream)\s*\(`,
    raw`\burlopen\s*\(`,
  ]),
  go: re([raw`\bhttp\.(?:Get|Post|Head|PostForm)\s*\(`, raw`\.Do\s*\(`, raw`\b\w*[cC]lient\.(?:Get|Post|Head|PostForm)\s*\(`]),
  java: re([
    raw`\.sendAsync\s*\(`,
    raw`\b\w*[cC]lient\.send\s*\(`,
    raw`\.send\s*\(\s*\w+\s*,\s*(?:HttpResponse\s*\.\s*)?BodyHandlers\b`,
    raw`\brestTemplate\.\w+\s*\(`,
    raw`\b\w*[cC]lient\.(?:get|post|put|patch|delete|head|execute|exchange)\w*\s*\(`,
    raw`\.newCall\s*\(`,
    raw`\bwebClient\.\w+`,
    raw`\.openConnection\s*\(`,
  ]),
};

const SETUPS: Record<SourceLanguage, RegExp> = {
  js: re([raw`\baxios\.create\s*\(`, raw`\bnew\s+Request\s*\(`]),
  python: re([raw`\brequests\.(?:Session|Request)\s*\(`, raw`\bhttpx\.(?:Async)?Client\s*\(`, raw`\baiohttp\.ClientSession\s*\(`]),
  go: re([raw`\bhttp\.NewRequest(?:WithContext)?\s*\(`]),
  java: re([raw`\bHttpRequest\s*\.\s*newBuilder\s*\(`, raw`\bHttpClient\s*\.\s*new(?:HttpClient|Builder)\s*\(`, raw`\bnew\s+Request\s*\.\s*Builder\s*\(`]),
};

// Files no scanner reads (or unknown) get every language's shapes.
const ANY_CALL = re(Object.values(CALLS).map((r) => r.source));
const ANY_SETUP = re(Object.values(SETUPS).map((r) => r.source));

const MAX_STATEMENT_LINES = 6;
// `req, err :=` / `HttpRequest post =` / `const req =` just before a setup call; `(req,` / `(req)` after a call.
const ASSIGNED = /([A-Za-z_$][\w$]*)\s*(?:,\s*[A-Za-z_$][\w$]*\s*)?:?=\s*$/;
const FIRST_ARGUMENT = /^\s*([A-Za-z_$][\w$]*)\s*[,)]/;
const VERBS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

// Explicit methods, read on the raw text (the skeleton blanks string contents): fetch/axios
// options, requests' `method=`, Go's `http.MethodPost` and NewRequest's verb argument, Java's
// request builder (`.POST(`, `.method("PATCH"`) and RestTemplate's `HttpMethod.PUT`.
const EXPLICIT_METHOD = [
  /\bmethod\s*[:=]\s*['"`]([A-Za-z]+)['"`]/,
  /\bhttp\.Method([A-Z][a-z]+)\b/,
  /\bNewRequest(?:WithContext\s*\([^,]*,|\s*\()\s*"([A-Za-z]+)"/,
  /\.request\s*\(\s*['"]([A-Za-z]+)['"]/,
  /\.(GET|POST|PUT|DELETE|HEAD)\s*\(/,
  /\.method\s*\(\s*"([A-Za-z]+)"/,
  /\bHttpMethod\.([A-Z]+)\b/,
];
// The verb in the member called: `axios.post(`, `session.get(`, `http.PostForm(`, `getForObject(`.
const MEMBER_METHOD = /\.(get|post|put|patch|delete|head|options)(?:For\w*|Form|Async)?\s*\($/i;

function methodOf(statement: string, call: string): string {
  for (const r of EXPLICIT_METHOD) {
    const m = r.exec(statement);
    if (m && VERBS.has(m[1].toUpperCase())) return m[1].toUpperCase();
  }
  const member = MEMBER_METHOD.exec(call);
  if (member) return member[1].toUpperCase();
  // fetch() sends GET unless its options say otherwise: no options, or inline options without a method.
  if (/\bfetch\s*\($/.test(call)) {
    const args = statement.slice(statement.indexOf(call) + call.length);
    const comma = topLevelComma(args);
    if (comma === -1 || /^\s*\{/.test(args.slice(comma + 1))) return 'GET';
  }
  return '';
}

/** Offset of the first comma outside brackets in an argument list (which starts after its `(`), or -1. */
function topLevelComma(args: string): number {
  for (let i = 0, depth = 0; i < args.length; i++) {
    const c = args[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (--depth < 0) return -1;
    } else if (c === ',' && depth === 0) return i;
  }
  return -1;
}

/** True when `token` occurs in `text` not as part of a longer word (`stock` in `"http://stock:80"`, not in `stockURL`). */
function hasToken(text: string, token: string): boolean {
  for (let at = text.indexOf(token); at !== -1; at = text.indexOf(token, at + 1)) {
    const before = at === 0 ? '' : text[at - 1];
    const after = text[at + token.length] ?? '';
    if (!/[\w$]/.test(before) && !/[\w$]/.test(after)) return true;
  }
  return false;
}

/** The outgoing-call lines among lines `from..to` (1-based, inclusive) of a source file. */
export function findCallLines(file: string, text: string, from: number, to: number): CallLine[] {
  const lang = languageOf(file);
  const sk = lang ? sourceSkeleton(text, lang) : text;
  const calls = lang ? CALLS[lang] : ANY_CALL;
  const setups = lang ? SETUPS[lang] : ANY_SETUP;
  const starts = lineStarts(text);
  const out: CallLine[] = [];
  const last = Math.min(to, starts.length);
  // A call that names no method sends a request built before it (Go's NewRequest + Do, Java's
  // newBuilder + send): the one its first argument names, else the one built just before.
  let builtMethod = '';
  const built = new Map<string, string>();
  for (let line = Math.max(1, from); line <= last; line++) {
    const start = starts[line - 1];
    const end = line < starts.length ? starts[line] - 1 : text.length;
    const row = sk.slice(start, end);
    let kind: CallLine['kind'] = 'call';
    let m = calls.exec(row);
    if (m === null) {
      m = setups.exec(row);
      kind = 'setup';
    }
    if (m === null) continue;
    // The statement runs to the bracket closing the call, so a URL on a continuation line counts.
    let stop = end;
    const open = sk.indexOf('(', start + m.index);
    if (open >= 0 && open < end) {
      const close = matchBracket(sk, open);
      const limit = starts[Math.min(starts.length - 1, line - 1 + MAX_STATEMENT_LINES)] ?? text.length;
      if (close > end && close < limit) stop = close + 1;
    }
    // A fluent chain continues on lines that start with `.` (`.POST(...)`, `.execute()`).
    for (let next = lineAt(starts, stop) + 1; next <= Math.min(starts.length, line + MAX_STATEMENT_LINES) && /^\s*\./.test(sk.slice(starts[next - 1], starts[next - 1] + 200)); next++) {
      stop = next < starts.length ? starts[next] - 1 : text.length;
    }
    const statement = text.slice(start, stop);
    const call = text.slice(start + m.index, start + m.index + m[0].length);
    let method = methodOf(statement.slice(m.index), call);
    if (kind === 'setup') {
      builtMethod = method;
      const assigned = ASSIGNED.exec(text.slice(start, start + m.index))?.[1];
      if (assigned !== undefined) built.set(assigned, method);
    } else {
      if (method === '') method = built.get(FIRST_ARGUMENT.exec(statement.slice(m.index + m[0].length))?.[1] ?? '') ?? builtMethod;
      builtMethod = '';
    }
    out.push({ line, text: statement, kind, method });
  }
  return out;
}

/**
 * The lines of an inline handler registered on `line` (`app.get('/x', async (req, res) => {...})`,
 * `mux.HandleFunc("GET /x", func(w, r) {...})`): the registration call's brackets, when they hold
 * a function literal. Undefined otherwise: the caller keeps the enclosing function's lines.
 */
export function inlineHandlerLines(file: string, text: string, line: number): { from: number; to: number } | undefined {
  const lang = languageOf(file);
  if (lang === undefined) return undefined;
  const sk = sourceSkeleton(text, lang);
  const starts = lineStarts(text);
  if (line < 1 || line > starts.length) return undefined;
  const start = starts[line - 1];
  const end = line < starts.length ? starts[line] - 1 : text.length;
  const open = sk.indexOf('(', start);
  if (open === -1 || open >= end) return undefined;
  const close = matchBracket(sk, open);
  if (close === -1) return undefined;
  const body = sk.slice(open, close);
  if (!/=>|\bfunction\b|\bfunc\s*\(|->|\blambda\b/.test(body)) return undefined;
  let to = line;
  while (to < starts.length && starts[to] <= close) to++;
  return { from: line, to };
}

/** 1-based line of an offset. */
function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

const DYNAMIC = /^(?:\d+|[0-9a-f]{8,}|[0-9a-f-]{32,36}|.*\d.*\d.*\d.*)$/i;

/** Splits a span's peer (`url.full` or `server.address[:port]`) and HTTP method into what source lines can show. */
export function peerParts(peer: string, method = ''): PeerParts {
  const verb = VERBS.has(method.toUpperCase()) ? method.toUpperCase() : '';
  const scheme = peer.indexOf('://');
  if (scheme < 0) {
    const hostname = peer.startsWith('[') ? peer.slice(0, peer.indexOf(']') + 1) : peer.replace(/:\d+$/, '');
    return { host: peer, hostname, segments: [], method: verb };
  }
  const rest = peer.slice(scheme + 3);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  // Credentials in a URL are never shown or matched.
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  const path = slash < 0 ? '' : rest.slice(slash);
  const segments = path.split('/').filter((s) => s !== '' && !DYNAMIC.test(s) && s.length <= 60);
  return { host, hostname, segments, method: verb };
}

/** What a call is: `host[:port]`, else the span name. */
export function callTarget(parts: PeerParts, spanName: string): string {
  return parts.host || spanName;
}

/** A stable key of what decides the line: calls with the same method to the same host and static path pick the same line. */
export function peerKey(parts: PeerParts): string {
  return `${parts.method}\u0000${parts.host}\u0000${parts.segments.join('/')}`;
}

/**
 * Picks the call line for a peer: the line naming most of its static path (`/stock`), else its
 * host (a request built on that line is sent by the next call line); else the function's only
 * call line; else, of several, the only one whose method is the span's; else none (the caller
 * then reports the function's line).
 */
export function chooseCallLine(lines: readonly CallLine[], parts: PeerParts): { line: number; lineMatch: LineMatch } | undefined {
  let best: CallLine | undefined;
  let bestScore = 0;
  for (const c of lines) {
    let score = 0;
    for (const seg of parts.segments) if (hasToken(c.text, `/${seg}`)) score += 4;
    if (parts.hostname && hasToken(c.text, parts.hostname)) score += 2;
    // The method only breaks ties between lines the URL already points at.
    if (score > 0 && parts.method !== '' && c.method === parts.method) score += 1;
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  if (best !== undefined) {
    const sender = best.kind === 'setup' ? lines.find((c) => c.line > best!.line && c.kind === 'call') : best;
    return { line: (sender ?? best).line, lineMatch: 'url' };
  }
  const calls = lines.filter((c) => c.kind === 'call');
  if (calls.length === 1) return { line: calls[0].line, lineMatch: 'only-call' };
  if (parts.method !== '') {
    const same = calls.filter((c) => c.method === parts.method);
    if (same.length === 1) return { line: same[0].line, lineMatch: 'only-call' };
  }
  return undefined;
}
