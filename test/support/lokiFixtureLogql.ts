/**
 * The small part of LogQL the Loki fixture evaluates, parsed strictly: a stream selector
 * (`{label="v", label=~"re", label!="v", label!~"re"}`) followed by line filters (`|= "s"`,
 * `!= "s"`, `|~ "re"`, `!~ "re"`). Written from Loki's LogQL documentation ("Log queries": stream
 * selector, line filter expression; strings in double quotes with Go escapes or in backticks raw;
 * label matchers are anchored regexes, line filter regexes are not) and its query troubleshooting
 * page for the error texts. What it does not implement (parsers, label filters, metric queries) is
 * refused as not implemented, never silently ignored.
 */

/** A parsed log query. */
export interface LogQuery {
  matchers: Array<{ label: string; op: '=' | '!=' | '=~' | '!~'; value: string; test(v: string): boolean }>;
  filters: Array<(line: string) => boolean>;
}

/** A request Loki refuses (400) or a feature the fixture lacks (501), with Loki's message. */
export class LogqlError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Loki's text for a selector that would read every stream. */
export const EMPTY_COMPATIBLE =
  'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';

/** Parses and checks a log query; throws LogqlError with Loki's message. */
export function parseLogQuery(text: string): LogQuery {
  const p = new Parser(text);
  const query = p.query();
  if (!query.matchers.some((m) => !m.test(''))) throw new LogqlError(EMPTY_COMPATIBLE);
  return query;
}

/** True when a stream with these labels is selected. */
export function selects(query: LogQuery, labels: Record<string, string>): boolean {
  return query.matchers.every((m) => m.test(Object.hasOwn(labels, m.label) ? labels[m.label] : ''));
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  private fail(what: string, at = this.i): never {
    throw new LogqlError(`parse error at line 1, col ${at + 1}: syntax error: unexpected ${what}`);
  }

  private skipSpace(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  private describeHere(): string {
    this.skipSpace();
    if (this.i >= this.s.length) return '$end';
    const rest = this.s.slice(this.i);
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) return 'IDENTIFIER';
    return rest[0];
  }

  query(): LogQuery {
    this.skipSpace();
    if (this.s[this.i] !== '{') {
      if (/^[A-Za-z_]+\s*\(/.test(this.s.slice(this.i))) throw new LogqlError('fixture: metric queries are not implemented', 501);
      this.fail(this.describeHere());
    }
    this.i++;
    const matchers: LogQuery['matchers'] = [];
    this.skipSpace();
    if (this.s[this.i] === '}') this.i++;
    else {
      for (;;) {
        matchers.push(this.matcher());
        this.skipSpace();
        const c = this.s[this.i];
        if (c === ',') {
          this.i++;
          continue;
        }
        if (c === '}') {
          this.i++;
          break;
        }
        this.fail(this.describeHere());
      }
    }
    const filters: LogQuery['filters'] = [];
    for (;;) {
      this.skipSpace();
      if (this.i >= this.s.length) break;
      const op = this.s.slice(this.i, this.i + 2);
      if (op === '|=' || op === '!=' || op === '|~' || op === '!~') {
        this.i += 2;
        this.skipSpace();
        const at = this.i;
        const value = this.string();
        filters.push(lineFilter(op, value, at));
        continue;
      }
      if (this.s[this.i] === '|') throw new LogqlError('fixture: pipeline stages other than line filters are not implemented', 501);
      this.fail(this.describeHere());
    }
    return { matchers, filters };
  }

  private matcher(): LogQuery['matchers'][number] {
    this.skipSpace();
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!name) this.fail(this.describeHere());
    this.i += name[0].length;
    this.skipSpace();
    const two = this.s.slice(this.i, this.i + 2);
    let op: '=' | '!=' | '=~' | '!~';
    if (two === '!=' || two === '=~' || two === '!~') op = two;
    else if (this.s[this.i] === '=') op = '=';
    else this.fail(this.describeHere());
    this.i += op.length;
    this.skipSpace();
    const at = this.i;
    const value = this.string();
    const label = name[0];
    if (op === '=') return { label, op, value, test: (v) => v === value };
    if (op === '!=') return { label, op, value, test: (v) => v !== value };
    const re = regex(`^(?:${stripFlags(value).source})$`, stripFlags(value).flags, at);
    return { label, op, value, test: op === '=~' ? (v) => re.test(v) : (v) => !re.test(v) };
  }

  /** A double-quoted string with Go escapes, or a raw string in backticks. */
  private string(): string {
    const quote = this.s[this.i];
    if (quote === '`') {
      const end = this.s.indexOf('`', this.i + 1);
      if (end < 0) this.fail('$end', this.s.length);
      const value = this.s.slice(this.i + 1, end);
      this.i = end + 1;
      return value;
    }
    if (quote !== '"') this.fail(this.describeHere());
    let out = '';
    let i = this.i + 1;
    for (;;) {
      if (i >= this.s.length) this.fail('$end', this.s.length);
      const c = this.s[i];
      if (c === '"') break;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = this.s[i + 1];
      const simple = new Map([
        ['n', '\n'],
        ['t', '\t'],
        ['r', '\r'],
        ['\\', '\\'],
        ['"', '"'],
        ["'", "'"],
        ['a', '\x07'],
        ['b', '\b'],
        ['f', '\f'],
        ['v', '\v'],
      ]);
      if (simple.has(e)) {
        out += simple.get(e);
        i += 2;
      } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(this.s.slice(i + 2, i + 4))) {
        out += String.fromCharCode(parseInt(this.s.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.s.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(this.s.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        // Go's strconv.Unquote refuses unknown escapes such as "\s": the string is invalid LogQL.
        throw new LogqlError(`parse error at line 1, col ${this.i + 1}: invalid syntax`);
      }
    }
    this.i = i + 1;
    return out;
  }
}

function lineFilter(op: string, value: string, at: number): (line: string) => boolean {
  if (op === '|=') return (line) => line.includes(value);
  if (op === '!=') return (line) => !line.includes(value);
  const { source, flags } = stripFlags(value);
  const re = regex(source, flags, at);
  return op === '|~' ? (line) => re.test(line) : (line) => !re.test(line);
}

/** RE2's leading `(?i)` becomes a flag; other RE2 syntax JavaScript lacks is reported as Loki reports a bad regexp. */
function stripFlags(value: string): { source: string; flags: string } {
  return value.startsWith('(?i)') ? { source: value.slice(4), flags: 'i' } : { source: value, flags: '' };
}

function regex(source: string, flags: string, at: number): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new LogqlError(`parse error at line 1, col ${at + 1}: error parsing regexp: ${(err as Error).message}`);
  }
}
