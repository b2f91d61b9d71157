/**
 * Lines our Python `missing-timeout` findings up against a peer's on the same files and explains
 * every difference from the call itself (kwargs splat, Session method, another library, ...).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import { defaultParsers } from '../../src/core/analysis/analyze';
import type { Finding } from '../../src/core/analysis/findings';
import { readImports, resolveName } from '../../src/core/analysis/imports';
import { calleeSegments, hasKwargsSplat, keywordArgument } from '../../src/core/analysis/syntax';
import type { PeerFinding, PeerRun } from './peers';

/** Why a finding is on one side only. `our-miss` and `unexplained` are the ones to look into. */
export type DiffReason =
  | 'kwargs-splat'
  | 'kwargs-handled'
  | 'not-http-call'
  | 'our-miss'
  | 'session-method'
  | 'kwargs-resolved'
  | 'kwargs-passthrough'
  | 'requests-request'
  | 'requests-options'
  | 'timeout-none'
  | 'other-library'
  | 'session-not-local'
  | 'unexplained';

/** What each reason means, for the report. */
export const REASON_TEXT: Record<DiffReason, string> = {
  'kwargs-splat': "the call passes a `**` value built where we cannot see (neither a dict of this file nor the wrapper's own `**kwargs`), which may carry `timeout`: we stay silent; the peer flags it",
  'kwargs-handled':
    "the call passes the wrapper's own `**kwargs`, which the wrapper itself deals with (`kwargs.setdefault('timeout', ...)`, `kwargs.get('timeout')`, `'timeout' in kwargs`, an update or reassignment, a decorator about timeouts): we stay silent; the peer flags it",
  'not-http-call': 'the callee is under `requests` but is no HTTP call (e.g. `requests.codes.get`): a false positive of the peer',
  'our-miss': 'a call to the requests library without a timeout that we do not report: our bug',
  'session-method': 'a `requests.Session` method (`s.get`, `self.session.post`, `with requests.Session() as s`): the peer only checks module-level `requests.<verb>`',
  'kwargs-passthrough':
    "a wrapper passes its own `**kwargs` on and never sets `timeout` in them: no timeout unless every caller passes one, and we say so (Bandit and Ruff flag these too); the peer's rule skips every `**` call",
  'kwargs-resolved': "the `**` argument is a dict built without `timeout` by a function of the same file: we resolve it, the peer's rule skips every `**` call",
  'requests-request': "`requests.request(method, url)`: not in the peer's verb list",
  'requests-options': "`requests.options(...)`: not in the peer's verb list",
  'timeout-none': '`timeout=None` disables the timeout: the peer only checks that the keyword is missing',
  'other-library':
    "another library's call outside the peer's rule: urllib `urlopen` (blocks without limit by default), aiohttp `ClientSession()` without `ClientTimeout` (aiohttp's default is total=300 s: finite but long; issue 4 asks for an explicit one), httpx `timeout=None`",
  'session-not-local': "a session held in an attribute or a `with ... as` name, or created in another scope: the peer's rule only follows `s = requests.Session()` in the same scope",
  unexplained: 'not explained by a known difference: look into it',
};

/** One finding present on one side only. */
export interface Difference {
  side: 'peer-only' | 'ours-only';
  file: string;
  line: number;
  code: string;
  reason: DiffReason;
}

/** The comparison with one peer. */
export interface Comparison {
  peer: PeerRun;
  matched: number;
  ours: number;
  theirs: number;
  differences: Difference[];
}

interface CallInfo {
  node: Node | null;
  code: string;
  kwargs: boolean;
  /** The callee resolved through the file's imports (`requests.codes.get`), or its text. */
  callee: string;
  timeoutNone: boolean;
}

const VERB = /^(get|post|put|patch|delete|head|options|request)$/;

/** Parses each file once and finds the call at a line (the innermost call whose callee is an HTTP verb, else the innermost call). */
class CallFinder {
  private readonly cache = new Map<string, { tree: Tree; root: Node; imports: ReturnType<typeof readImports> } | null>();
  constructor(private readonly root: string) {}

  /** With `column` (1-based), the call starting exactly there (our findings know it). */
  async at(file: string, line: number, column?: number): Promise<CallInfo> {
    let hit = this.cache.get(file);
    if (hit === undefined) {
      try {
        const text = readFileSync(path.join(this.root, file), 'utf8');
        const tree = await defaultParsers().parse('python', text);
        hit = { tree, root: tree.rootNode, imports: readImports(tree, 'python') };
      } catch {
        hit = null;
      }
      this.cache.set(file, hit);
    }
    if (!hit) return { node: null, code: '(unreadable)', kwargs: false, callee: '', timeoutNone: false };
    const row = line - 1;
    const calls = hit.root.descendantsOfType('call').filter((c): c is Node => c !== null && c.startPosition.row <= row && c.endPosition.row >= row);
    // innermost first
    calls.sort((a, b) => a.endIndex - a.startIndex - (b.endIndex - b.startIndex));
    const node =
      (column !== undefined ? calls.find((c) => c.startPosition.row === row && c.startPosition.column === column - 1) : undefined) ??
      calls.find((c) => VERB.test(calleeSegments(c).at(-1) ?? '') && c.startPosition.row === row) ??
      calls.find((c) => VERB.test(calleeSegments(c).at(-1) ?? '')) ??
      calls[0] ??
      null;
    if (!node) return { node: null, code: '(no call at this line)', kwargs: false, callee: '', timeoutNone: false };
    const segs = calleeSegments(node);
    const q = resolveName(segs, hit.imports);
    return {
      node,
      code: node.text.replace(/\s+/g, ' ').slice(0, 110),
      kwargs: hasKwargsSplat(node),
      callee: q ? (q.path ? `${q.module}.${q.path}` : q.module) : segs.join('.'),
      timeoutNone: keywordArgument(node, 'timeout')?.type === 'none',
    };
  }

  /** Frees the parsed trees (WASM memory). */
  dispose(): void {
    for (const hit of this.cache.values()) hit?.tree.delete();
    this.cache.clear();
  }
}

/** Whether a `**name` argument of the call is the enclosing function's own `**name` parameter. */
function passesOwnKwargs(call: Node): boolean {
  let fn: Node | null = call.parent;
  while (fn && fn.type !== 'function_definition' && fn.type !== 'lambda') fn = fn.parent;
  const params = fn?.childForFieldName('parameters')?.namedChildren ?? [];
  const own = params.map((p) => (p?.type === 'typed_parameter' ? p.namedChildren[0] : p)).find((p) => p?.type === 'dictionary_splat_pattern')?.namedChildren[0]?.text;
  return own !== undefined && (call.childForFieldName('arguments')?.namedChildren ?? []).some((a) => a?.type === 'dictionary_splat' && a.namedChildren[0]?.text === own);
}

function classifyPeerOnly(call: CallInfo): DiffReason {
  if (call.kwargs) return call.node && passesOwnKwargs(call.node) ? 'kwargs-handled' : 'kwargs-splat';
  if (/^requests\./.test(call.callee) && !/^requests(\.api)?\.(get|post|put|patch|delete|head|options|request)$/.test(call.callee) && !/Session/.test(call.callee)) return 'not-http-call';
  return 'our-miss';
}

function classifyOursOnly(peer: PeerRun['spec']['id'], f: Finding, call: CallInfo): DiffReason {
  const m = f.message;
  if (/urllib|ClientTimeout|httpx/.test(m)) return peer === 'semgrep' || !/httpx/.test(m) ? 'other-library' : 'unexplained';
  if (/requests\.Session\./.test(m)) return peer === 'semgrep' ? 'session-not-local' : 'session-method';
  if (call.timeoutNone && peer === 'semgrep') return 'timeout-none';
  if (/unless every caller passes one through \*\*/.test(m)) return 'kwargs-passthrough';
  if (call.kwargs) return 'kwargs-resolved';
  if (/requests\.request\b/.test(m) && peer === 'bandit') return 'requests-request';
  if (/requests\.options\b/.test(m) && peer === 'semgrep') return 'requests-options';
  return 'unexplained';
}

/** Matches findings one to one (same file, the peer's line within our finding's lines; the tightest of ours first). */
export async function compareWithPeer(root: string, ours: readonly Finding[], peer: PeerRun): Promise<Comparison> {
  const theirs = peer.findings ?? [];
  const byFile = new Map<string, Finding[]>();
  for (const f of ours) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const used = new Set<Finding>();
  const peerOnly: PeerFinding[] = [];
  for (const p of [...theirs].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) {
    const candidates = (byFile.get(p.file) ?? []).filter((f) => !used.has(f) && f.line <= p.line && f.endLine >= p.line).sort((a, b) => a.endLine - a.line - (b.endLine - b.line) || b.line - a.line);
    if (candidates[0]) used.add(candidates[0]);
    else peerOnly.push(p);
  }
  const finder = new CallFinder(root);
  const differences: Difference[] = [];
  for (const p of peerOnly) {
    const call = await finder.at(p.file, p.line);
    differences.push({ side: 'peer-only', file: p.file, line: p.line, code: call.code, reason: classifyPeerOnly(call) });
  }
  for (const f of ours) {
    if (used.has(f)) continue;
    const call = await finder.at(f.file, f.line, f.column);
    differences.push({ side: 'ours-only', file: f.file, line: f.line, code: call.code, reason: classifyOursOnly(peer.spec.id, f, call) });
  }
  finder.dispose();
  differences.sort((a, b) => a.side.localeCompare(b.side) || a.reason.localeCompare(b.reason) || a.file.localeCompare(b.file) || a.line - b.line);
  return { peer, matched: used.size, ours: ours.length, theirs: theirs.length, differences };
}
