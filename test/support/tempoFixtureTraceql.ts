/**
 * The subset of TraceQL the Tempo fixture evaluates, written from the TraceQL documentation
 * (grafana.com/docs/tempo/latest/traceql/ and .../metrics-from-traces/metrics-queries/): one spanset
 * filter `{ ... }` of conditions joined by `&&` or `||`, optionally piped into one metrics function
 * (`rate()`, `count_over_time()`, `quantile_over_time(attr, q...)`) with `by (...)`. Attributes are
 * scoped (`resource.x`, `span.x`), unscoped (`.x`) or intrinsics (`name`, `status`, `kind`,
 * `duration`). Anything else is a parse error: the fixture rejects more than Tempo (valid TraceQL it
 * does not implement), never less.
 */

/** A span as the fixture evaluates it. */
export interface FixtureSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  statusCode: number;
  attributes: Map<string, unknown>;
  resource: Map<string, unknown>;
}

type Value = string | number | boolean | { duration: number } | { status: string } | { kind: string } | null;
interface Condition {
  attr: string;
  op: string;
  value: Value;
}
/** A parsed query. */
export interface TraceqlQuery {
  conditions: Condition[];
  join: '&&' | '||';
  metrics?: { fn: 'rate' | 'count_over_time' | 'quantile_over_time'; attr?: string; quantiles: number[]; by: string[] };
}

/** A TraceQL parse error, worded as a position and what was found. */
export class TraceqlError extends Error {}

const OPS = ['=~', '!~', '!=', '>=', '<=', '=', '>', '<'];
const STATUSES = ['error', 'ok', 'unset'];
const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const INTRINSICS = ['name', 'status', 'kind', 'duration', 'statusMessage'];
const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
/** Tempo groups by at most this many attributes. */
const MAX_GROUP_BY = 5;

class Reader {
  at = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at])) this.at++;
  }
  peek(s: string): boolean {
    this.skipSpace();
    return this.text.startsWith(s, this.at);
  }
  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.at += s.length;
    return true;
  }
  expect(s: string): void {
    if (!this.eat(s)) this.fail(`expected ${s}`);
  }
  fail(why: string): never {
    const found = this.at >= this.text.length ? 'end of query' : JSON.stringify(this.text.slice(this.at, this.at + 8));
    throw new TraceqlError(`parse error at line 1, col ${this.at + 1}: syntax error: ${why}, found ${found}`);
  }
  done(): boolean {
    this.skipSpace();
    return this.at >= this.text.length;
  }
  word(): string {
    this.skipSpace();
    const m = /^[A-Za-z_.][A-Za-z0-9_.\-:/]*/.exec(this.text.slice(this.at));
    if (m === null) this.fail('expected an attribute');
    this.at += m[0].length;
    return m[0];
  }
  string(): string {
    this.skipSpace();
    const quote = this.text[this.at];
    if (quote === '`') {
      const end = this.text.indexOf('`', this.at + 1);
      if (end < 0) this.fail('unterminated string');
      const s = this.text.slice(this.at + 1, end);
      this.at = end + 1;
      return s;
    }
    let out = '';
    for (let i = this.at + 1; i < this.text.length; i++) {
      const c = this.text[i];
      if (c === '"') {
        this.at = i + 1;
        return out;
      }
      if (c === '\\') {
        const n = this.text[++i];
        const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"' };
        if (n === undefined || !(n in esc)) this.fail('invalid escape in string');
        out += esc[n];
      } else out += c;
    }
    return this.fail('unterminated string');
  }
}

function attribute(r: Reader): string {
  const w = r.word();
  if (INTRINSICS.includes(w)) return w;
  if (/^(resource|span)\.[A-Za-z0-9_]/.test(w) || /^\.[A-Za-z0-9_]/.test(w)) return w;
  r.at -= w.length;
  return r.fail('expected an attribute or intrinsic');
}

function value(r: Reader): Value {
  r.skipSpace();
  const c = r.text[r.at];
  if (c === '"' || c === '`') return r.string();
  const rest = r.text.slice(r.at);
  const d = DURATION.exec(rest);
  if (d !== null && !/^[A-Za-z0-9]/.test(rest.slice(d[0].length))) {
    r.at += d[0].length;
    return { duration: Number(d[1]) * UNIT_NS[d[2]] };
  }
  const n = /^-?\d+(?:\.\d+)?/.exec(rest);
  if (n !== null) {
    r.at += n[0].length;
    return Number(n[0]);
  }
  const w = /^[a-z]+/.exec(rest)?.[0] ?? '';
  r.at += w.length;
  if (w === 'true' || w === 'false') return w === 'true';
  if (w === 'nil') return null;
  if (STATUSES.includes(w)) return { status: w };
  if (KINDS.includes(w)) return { kind: w };
  r.at -= w.length;
  return r.fail('expected a value');
}

function condition(r: Reader): Condition {
  const attr = attribute(r);
  r.skipSpace();
  const op = OPS.find((o) => r.text.startsWith(o, r.at));
  if (op === undefined) r.fail('expected a comparison operator');
  r.at += op.length;
  const v = value(r);
  if (attr === 'status' && (typeof v !== 'object' || v === null || !('status' in v))) r.fail('status compares with error, ok or unset');
  if (attr === 'kind' && (typeof v !== 'object' || v === null || !('kind' in v))) r.fail('kind compares with a span kind');
  if ((op === '=~' || op === '!~') && typeof v !== 'string') r.fail('a regular expression must be a string');
  if (op === '=~' || op === '!~') {
    try {
      new RegExp(v as string);
    } catch {
      r.fail('invalid regular expression');
    }
  }
  return { attr, op, value: v };
}

function groupBy(r: Reader): string[] {
  if (!r.eat('by')) return [];
  r.expect('(');
  const by = [attribute(r)];
  while (r.eat(',')) by.push(attribute(r));
  r.expect(')');
  if (by.length > MAX_GROUP_BY) r.fail(`at most ${MAX_GROUP_BY} attributes in by()`);
  return by;
}

function metrics(r: Reader): NonNullable<TraceqlQuery['metrics']> {
  for (const fn of ['rate', 'count_over_time'] as const) {
    if (r.eat(`${fn}(`)) {
      r.expect(')');
      return { fn, quantiles: [], by: groupBy(r) };
    }
  }
  if (r.eat('quantile_over_time(')) {
    const attr = attribute(r);
    const quantiles: number[] = [];
    while (r.eat(',')) {
      r.skipSpace();
      const n = /^(?:\d+)?\.?\d+/.exec(r.text.slice(r.at));
      if (n === null) r.fail('expected a quantile');
      r.at += n[0].length;
      const q = Number(n[0]);
      if (!(q >= 0 && q <= 1)) r.fail('a quantile is between 0 and 1');
      quantiles.push(q);
    }
    if (quantiles.length === 0) r.fail('quantile_over_time needs at least one quantile');
    r.expect(')');
    return { fn: 'quantile_over_time', attr, quantiles, by: groupBy(r) };
  }
  return r.fail('expected a metrics function');
}

/** Parses `text`; throws TraceqlError. */
export function parseTraceql(text: string): TraceqlQuery {
  const r = new Reader(text);
  r.expect('{');
  const conditions: Condition[] = [];
  let join: '&&' | '||' = '&&';
  if (!r.eat('}')) {
    conditions.push(condition(r));
    for (;;) {
      if (r.eat('}')) break;
      const j = r.eat('&&') ? '&&' : r.eat('||') ? '||' : r.fail('expected && or || or }');
      if (conditions.length > 1 && j !== join) r.fail('the fixture does not mix && and || without parentheses');
      join = j;
      conditions.push(condition(r));
    }
  }
  const query: TraceqlQuery = { conditions, join };
  if (r.eat('|')) query.metrics = metrics(r);
  if (!r.done()) r.fail('unexpected input after the query');
  return query;
}

/** The value of an attribute or intrinsic for a span (undefined when absent). */
export function attributeOf(span: FixtureSpan, attr: string): unknown {
  switch (attr) {
    case 'name':
      return span.name;
    case 'status':
      return { status: STATUSES[span.statusCode === 2 ? 0 : span.statusCode === 1 ? 1 : 2] };
    case 'kind':
      return { kind: KINDS[span.kind] ?? 'unspecified' };
    case 'duration':
      return { duration: Number(span.endNs - span.startNs) };
  }
  if (attr.startsWith('resource.')) return span.resource.get(attr.slice(9));
  if (attr.startsWith('span.')) return span.attributes.get(attr.slice(5));
  const key = attr.slice(1);
  return span.attributes.has(key) ? span.attributes.get(key) : span.resource.get(key);
}

function scalar(v: unknown): unknown {
  if (typeof v === 'object' && v !== null) return Object.values(v)[0];
  return v;
}

function holds(c: Condition, span: FixtureSpan): boolean {
  const actual = attributeOf(span, c.attr);
  if (c.value === null) return c.op === '!=' ? actual !== undefined : c.op === '=' ? actual === undefined : false;
  if (actual === undefined) return false;
  const a = scalar(actual);
  const b = scalar(c.value);
  if (typeof a !== typeof b) return c.op === '!=';
  switch (c.op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '=~':
      return new RegExp(`^(?:${b as string})$`).test(a as string);
    case '!~':
      return !new RegExp(`^(?:${b as string})$`).test(a as string);
    case '>':
      return (a as number) > (b as number);
    case '>=':
      return (a as number) >= (b as number);
    case '<':
      return (a as number) < (b as number);
    default:
      return (a as number) <= (b as number);
  }
}

/** Whether a span is in the query's spanset. */
export function matches(query: TraceqlQuery, span: FixtureSpan): boolean {
  if (query.conditions.length === 0) return true;
  return query.join === '&&' ? query.conditions.every((c) => holds(c, span)) : query.conditions.some((c) => holds(c, span));
}

/** The attributes a query names, for the search answer's span attributes. */
export function namedAttributes(query: TraceqlQuery): string[] {
  return [...new Set(query.conditions.map((c) => c.attr))];
}
