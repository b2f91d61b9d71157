import type { Node } from 'web-tree-sitter';
import type { Language } from '../findings';
import { calleeSegments, callTypes, isComment } from '../syntax';
import { tryBody, tryOf } from './swallowIdioms';
import { broadCatch } from './typedHandlers';

// How sure `swallowed-error` is of a Python or Java handler it reports. A broad catch is the one
// shape that is as often a deliberate best effort (metadata, formatting, optional extras: libraries
// are full of them) as a hidden outage; on the labelled corpus and a blind held-out sample it is
// mostly the former. The rule is sure when the failure is an outage the caller is told is "nothing
// there": a transport error type, a store error around a write, or a broad catch around a call on an
// external system (a client, connection, session, cursor, service, bucket, collection, ...) whose
// handler answers as if the thing were absent (pass, continue, None, False, an empty value).

// receivers that stand for an external system (`self._connection`, `bucket_manager`, `dbClient`, `s3`)
const EXTERNAL_RECEIVER = /(^|_|[a-z])(client|Client|session|Session|conn|Conn|connection|Connection|cursor|Cursor|db|Db|DB|database|Database|service|Service|api|Api|API|bucket|Bucket|manager|Manager|cluster|Cluster|collection|Collection|index|Index|channel|Channel|stub|Stub|producer|Producer|consumer|Consumer|socket|Socket|pool|Pool|engine|Engine|redis|Redis|s3|S3|sqs|kafka|Kafka|http|Http|HTTP)s?$/;
// modules whose calls leave the process
const EXTERNAL_MODULE = /^(requests|httpx|urllib|urllib2|urllib3|aiohttp|socket|smtplib|ftplib|boto3|botocore|grpc|psycopg2?|pymysql|sqlite3|subprocess|HttpClient|URLConnection|DriverManager)$/;
// calls that are I/O whatever the receiver
const EXTERNAL_METHOD = /^(execute|executemany|executeQuery|executeUpdate|urlopen|send_request|sendRequest|publish|commit|rollback|connect|getConnection|openConnection)$/;
const ABSENT = /^(None|False|null|false|\[\]|\{\}|\(\)|""|''|0|-1|Optional\.empty\(\)|Collections\.empty\w*\(\)|(List|Set|Map)\.of\(\))$/;

/** Whether a call reaches an external system, by its receiver, its module or its name. */
function external(call: Node): boolean {
  const segs = calleeSegments(call).map((s) => s.replace(/\(\)$/, ''));
  const last = segs[segs.length - 1] ?? '';
  return EXTERNAL_METHOD.test(last) || EXTERNAL_MODULE.test(segs[0] ?? '') || segs.slice(0, -1).some((s) => EXTERNAL_RECEIVER.test(s));
}

const NESTED = ['function_definition', 'lambda', 'lambda_expression', 'class_definition', 'class_body'];

/** The calls a block makes itself: not those inside a function or class it only defines. */
function callsOutside(block: Node, language: Language): Node[] {
  return block.descendantsOfType(callTypes(language)).filter((c): c is Node => {
    if (c === null) return false;
    for (let p = c.parent; p && p.id !== block.id; p = p.parent) if (NESTED.includes(p.type)) return false;
    return true;
  });
}

/** Whether a handler's statements answer "nothing there": pass/continue/break, a print, `return`/assign of an absent value. */
function answersAbsence(stmts: readonly Node[]): boolean {
  return stmts.every((s) => {
    if (/^(pass_statement|continue_statement|break_statement)$/.test(s.type)) return true;
    const value = (n: Node | null | undefined) => !n || ABSENT.test(n.text.replace(/\s+/g, ''));
    if (s.type === 'return_statement') return value(s.namedChildren.find((c) => c !== null && !isComment(c)));
    const e = s.type === 'expression_statement' ? s.namedChildren[0] : null;
    if (e && (e.type === 'assignment' || e.type === 'assignment_expression')) return value(e.childForFieldName('right'));
    // `if verbose: print(...)`: telling stdout is not handling, and not an answer either
    return /^\s*(if\b[^\n]*:\s*)?print\(/.test(s.text);
  });
}

/**
 * Why a reported Python/Java handler is low confidence, or null when the rule is sure: a broad catch
 * that is not around a call on an external system, or that answers something other than absence.
 */
export function swallowDoubt(language: Language, handler: Node, types: string, stmts: readonly Node[]): string | null {
  if (language !== 'python' && language !== 'java') return null;
  const tryStmt = tryOf(handler);
  const body = tryStmt ? tryBody(tryStmt) : null;
  // a transport error or a store error (what a named type still reports) is I/O by its type
  const reaches = !broadCatch(language, types) || (body !== null && callsOutside(body, language).some(external));
  if (reaches && answersAbsence(stmts)) return null;
  return reaches
    ? 'a broad catch whose fallback is a value of its own, often a deliberate best effort'
    : 'a broad catch around code with no sign of I/O, often a deliberate best effort';
}
