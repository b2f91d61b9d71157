import type { Node } from 'web-tree-sitter';
import type { Language } from '../findings';
import { calleeSegments } from '../syntax';
import type { RuleContext } from './context';

// a comment that only waves the error away (`// ignore`, `# noqa`) does not say why
const DIRECTIVE = /^(eslint|tslint|biome|prettier|istanbul|c8|noqa|nosec|type:\s*ignore|pylint|pyright|mypy|ts-|nolint|lint:|NOSONAR|checkstyle|CHECKSTYLE|SuppressWarnings)/i;
const TODO = /^(todo|fixme|xxx|hack)\b/i;
const WAVE_AWAY = /^(ignored?|ignores|ignoring|swallow(ed|s)?|noop|no-op|do nothing|nothing( to do)?|empty|pass|skip(ped)?|silent(ly)?)\b[\s\w]{0,12}$/i;
const REASON =
  /\b(because|since|expected|invalid|malformed|unknown|unsupported|unavailable|not (a|an|supported|available|installed|present|set|json)|legacy|older|compat\w*|keep|kept|stays?|remains?|intentional(ly)?|deliberate(ly)?|on purpose|best[- ]effort|optional|fallback|fall back|defaults?|not found|missing|absent|does ?n[o']t exist|not exists?|already|may|might|can(no|')t|unreachable|never|fine|harmless|safe|benign|racy|race|retry|retried|validated|checked|handled|reported|logged|cleanup|closing|shutdown)\b/i;

/**
 * Whether a comment says why the error is dropped: at least four words, or a reason word
 * (`expected`, `best effort`, `already closed`, `unreachable`, ...). Lint directives, TODOs and a
 * bare `ignore` do not.
 */
export function saysWhy(comment: string): boolean {
  if (acknowledgesSwallow(comment)) return true;
  let text = comment
    .replace(/^\s*(\/\/+|\/\*+|#+|--)\s*/, '')
    .replace(/\*+\/\s*$/, '')
    .replace(/^\s*\*\s*/gm, '')
    .trim();
  // `// ignore: not supported on Windows`, `// NOPMD - body is best effort`: the reason follows the marker
  const marked = /^(ignored?|ignoring|no-?op|skip|NOPMD|NOSONAR|noqa(:\s*[\w,]+)?|nosec(\s+\w+)?)\s*([:;,(]|-+|\s(because|as|since)\b)\s*(.+)$/i.exec(text);
  if (marked) text = marked[6].replace(/\)\s*$/, '').trim();
  if (!text || DIRECTIVE.test(text) || TODO.test(text) || WAVE_AWAY.test(text)) return false;
  return text.split(/\s+/).filter((w) => /\w/.test(w)).length >= 4 || REASON.test(text);
}

// lint codes that exist only to flag a swallowed or blind catch: suppressing one of them by name is the
// author saying "yes, this drop is on purpose" (ESLint no-empty, Ruff/flake8-bandit S110/S112, Bandit
// B110/B112, flake8-blind-except BLE001, pycodestyle E722, Pylint's broad/bare-except, PMD EmptyCatchBlock,
// errcheck). A bare `# noqa` or `// eslint-disable-line` names no rule and says nothing.
const SWALLOW_CODES = /\b(no-empty|S110|S112|B110|B112|BLE001|E722|SIM105|W0702|W0703|W0718|broad-except|broad-exception-caught|bare-except|EmptyCatchBlock|AvoidCatchingGenericException|errcheck)\b/;
const SUPPRESSION = /^\s*(\/\/+|\/\*+|#+)\s*(eslint|noqa|nosec|pylint|ruff|NOPMD|nolint|lint:ignore)\b|\beslint-disable\b|\beslint\s+no-empty\b/i;

/** A lint suppression that names a swallowed-error rule (`// eslint-disable-next-line no-empty`, `# noqa: S110`, an `eslint no-empty:0` block comment). */
export function acknowledgesSwallow(comment: string): boolean {
  return SUPPRESSION.test(comment) && SWALLOW_CODES.test(comment);
}

/** Comment node types per language family. */
function commentTypes(language: Language): string[] {
  return language === 'java' ? ['line_comment', 'block_comment'] : ['comment'];
}

/**
 * A comment in the handler, after it on its last line, or in the block of comment lines just above it
 * (or just above its `try`, when that block speaks of the failure) that says why the error is dropped:
 * the documented fallback a reviewer reads and accepts.
 */
export function documented(ctx: RuleContext, handler: Node): boolean {
  const text = ctx.text;
  const lineStart = text.lastIndexOf('\n', handler.startIndex - 1) + 1;
  // the lines above speak for the handler only when the handler starts its line (`} catch`,
  // `.catch(`, `except`), not deep inside a long (minified) line
  const startsLine = text.slice(lineStart, handler.startIndex).trim().length <= 10;
  // one walk per file for its comments (ctx.nodes caches it), however many handlers ask
  const ownLine = new Map<number, Node>();
  for (const c of ctx.nodes(commentTypes(ctx.language))) {
    const inside = c.startIndex >= handler.startIndex && c.endIndex <= handler.endIndex;
    // `.catch(() => null); // why` and `except KeyError:  # why`
    const trailing = c.startIndex >= handler.endIndex && c.startPosition.row === handler.endPosition.row;
    if ((inside || trailing) && saysWhy(c.text)) return true;
    const cStart = text.lastIndexOf('\n', c.startIndex - 1) + 1;
    if (/^\s*$/.test(text.slice(cStart, c.startIndex))) ownLine.set(c.endPosition.row, c);
  }
  if (startsLine && saysWhy(commentBlockAbove(ownLine, handler.startPosition.row))) return true;
  const tryStmt = handler.parent;
  if (!tryStmt || !/^try(_with_resources)?_statement$/.test(tryStmt.type)) return false;
  const tryLineStart = text.lastIndexOf('\n', tryStmt.startIndex - 1) + 1;
  if (text.slice(tryLineStart, tryStmt.startIndex).trim() !== '') return false;
  const above = commentBlockAbove(ownLine, tryStmt.startPosition.row);
  // a comment above the try usually says what it does; it speaks for the handler only when it names the failure
  return FAILURE.test(above) && saysWhy(above);
}

/**
 * An empty handler with a comment in it (or after it on its last line) that is not a TODO: ESLint's
 * `no-empty` convention, where a comment in an empty block marks it intentional. Real code writes
 * `// ignore`, `# Nothing`, a block comment `Ignore` there and means it (every such handler in the labelled
 * corpus is a deliberate drop); a TODO or FIXME says the handling is unfinished.
 */
export function commentedEmpty(ctx: RuleContext, handler: Node): boolean {
  for (const c of ctx.nodes(commentTypes(ctx.language))) {
    const inside = c.startIndex >= handler.startIndex && c.endIndex <= handler.endIndex;
    const trailing = c.startIndex >= handler.endIndex && c.startPosition.row === handler.endPosition.row;
    if (!inside && !trailing) continue;
    const text = c.text
      .replace(/^\s*(\/\/+|\/\*+|#+)\s*/, '')
      .replace(/\*+\/\s*$/, '')
      .trim();
    if (text && !TODO.test(text) && !(DIRECTIVE.test(text) && !acknowledgesSwallow(c.text))) return true;
  }
  return false;
}

const FAILURE =
  /\b(errors?|exceptions?|fail\w*|raises?|throws?|ignored?|fall(s)? ?back|fallback|missing|not found|optional|best[- ]effort|unavailable|invalid|may not|might not|can(no|')t|does ?n[o']t)\b|Error\b|Exception\b/i;

/** The consecutive own-line comments ending on the line above `row`, joined as one comment. */
function commentBlockAbove(ownLine: ReadonlyMap<number, Node>, row: number): string {
  const parts: string[] = [];
  for (let r = row - 1; ownLine.has(r); ) {
    const c = ownLine.get(r) as Node;
    parts.unshift(c.text.replace(/^\s*(\/\/+|#+|--)\s*/, ''));
    r = c.startPosition.row - 1;
  }
  return parts.join(' ');
}

// telling the user is reporting it: `toast.error(...)`, `notification.warn(...)`, `showErrorMessage(...)`, `setError(...)`
const USER_REPORT = /(^|\.)((toast|notify|notification|notifications|snackbar|message)\.(error|warn|warning|danger)|showError\w*|setError|notifyError)$/;

// calls whose failure on bad input is the expected outcome, not an incident
const PARSER = /^(parse\w*|loads?|decode\w*|fromJSON|fromString|valueOf|URL|int|float|Decimal|UUID|literal_eval|fromisoformat|strptime|b64decode|unquote\w*)$/;
const DEFAULT_VALUE = new Set(['null', 'undefined', 'false', 'true', 'None', 'False', 'True', '{}', '[]', '""', "''", '0', '-1', 'Optional.empty()']);

/**
 * Parse-or-default: `try { return JSON.parse(s); } catch { return undefined; }`,
 * `try: return int(s) except ValueError: return None`, `try { return Integer.parseInt(s); } catch
 * (NumberFormatException e) { return -1; }`. The try holds nothing but the return of one parse of
 * its input, and the handler nothing but the return of a constant or a name: bad input is the case
 * it is written for.
 */
export function parseOrDefault(handler: Node, stmts: readonly Node[]): boolean {
  if (stmts.length !== 1 || stmts[0].type !== 'return_statement') return false;
  const fallback = stmts[0].namedChildren.find((c) => c !== null && c.type !== 'comment');
  if (fallback && !DEFAULT_VALUE.has(fallback.text.replace(/\s+/g, '')) && !/^(identifier|string|number|integer|float)$/.test(fallback.type)) return false;
  const tryStmt = handler.parent;
  const body = tryStmt?.childForFieldName('body') ?? tryStmt?.namedChildren.find((c) => c?.type === 'block') ?? null;
  const inner = body?.namedChildren.filter((c): c is Node => c !== null && !/comment/.test(c.type)) ?? [];
  if (inner.length !== 1 || inner[0].type !== 'return_statement') return false;
  let value: Node | null | undefined = inner[0].namedChildren.find((c) => c !== null && !/comment/.test(c.type));
  // `new URL(u).host`, `json.loads(s)["id"]`: a field of the parsed value
  while (value && /^(member_expression|attribute|field_access|subscript|subscript_expression)$/.test(value.type)) value = value.childForFieldName('object') ?? value.childForFieldName('value');
  if (!value || !['call_expression', 'new_expression', 'call', 'method_invocation', 'object_creation_expression'].includes(value.type)) return false;
  const segs = calleeSegments(value);
  return PARSER.test(segs[segs.length - 1].replace(/\(\)$/, ''));
}

const EXIT = /^(sys\.exit|os\._exit|exit|quit|process\.exit|System\.exit|Runtime\.getRuntime\(\)\.(exit|halt)|os\.Exit|log\.Fatal\w*|panic)$/;

/**
 * A call that reports the failure to a human outside a logger: ending the process (`sys.exit(1)`,
 * `process.exit(1)`), telling the user (`toast.error(...)`, `setError(...)`), or writing to stderr (`print(..., file=sys.stderr)`, `sys.stderr.write`,
 * `process.stderr.write`, `System.err.println`, `fmt.Fprintln(os.Stderr, ...)`).
 */
export function reportsOrExits(call: Node): boolean {
  const callee = calleeSegments(call).join('.');
  if (EXIT.test(callee) || USER_REPORT.test(callee)) return true;
  if (/(^|\.)(stderr|err)\.(write|print|println|printf|format)$/.test(callee) && /^(sys|process|System)\./.test(callee)) return true;
  const args = call.childForFieldName('arguments')?.text ?? '';
  if (callee === 'print' && /\bfile\s*=\s*sys\.stderr\b/.test(args)) return true;
  return /^fmt\.Fprint(f|ln)?$/.test(callee) && /^\(\s*os\.Stderr\b/.test(args);
}

const WALKERS = /^(filepath\.(Walk|WalkDir)|fs\.WalkDir|afero\.Walk)$/;

/**
 * Go: an `if err != nil` in a `filepath.WalkDir`/`filepath.Walk`/`fs.WalkDir` callback testing the
 * callback's own error parameter. Returning nil (skip this entry, keep walking) or `fs.SkipDir`
 * there is the documented idiom, not a dropped error.
 */
export function walkCallbackError(ifStmt: Node, errName: string): boolean {
  let fn: Node | null = ifStmt.parent;
  while (fn && fn.type !== 'func_literal' && fn.type !== 'function_declaration' && fn.type !== 'method_declaration') fn = fn.parent;
  if (fn?.type !== 'func_literal') return false;
  const params = fn.childForFieldName('parameters');
  const declared = params?.namedChildren.some((p) => p?.type === 'parameter_declaration' && p.childForFieldName('name')?.text === errName && p.childForFieldName('type')?.text === 'error');
  if (!declared) return false;
  const call = fn.parent?.parent;
  return call?.type === 'call_expression' && WALKERS.test(call.childForFieldName('function')?.text ?? '');
}
