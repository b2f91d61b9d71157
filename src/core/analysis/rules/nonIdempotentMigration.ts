import type { Node } from 'web-tree-sitter';
import type { Finding, FixHint, Severity } from '../findings';
import { argumentsOf, keywordArgument, rangeOf, stringValue } from '../syntax';
import type { Rule, RuleContext } from './context';
import { appendArgument, fix } from './fixes';

/** Paths of migration files: a migrations folder, Alembic versions, Flyway/Liquibase/golang-migrate layouts. */
const MIGRATION_PATH = /(^|\/)(migrations?|migrate|db\/migrate|alembic\/versions|flyway|liquibase|changelogs?|schema_migrations)\//i;
const FLYWAY_NAME = /(^|\/)[VRU]\d+(\.\d+)*__\w+\.sql$/;
const GOOSE_OR_MIGRATE_NAME = /(^|\/)\d{3,}_[\w-]+(\.(up|down))?\.sql$/;

/** Whether a path is a migration file (SQL or code of a migration framework). */
export function isMigrationPath(file: string): boolean {
  return MIGRATION_PATH.test(file) || FLYWAY_NAME.test(file) || GOOSE_OR_MIGRATE_NAME.test(file);
}

/** One non-idempotent statement found in SQL text: offsets in that text and where `IF [NOT] EXISTS` goes. */
export interface SqlProblem {
  start: number;
  end: number;
  insertAt: number;
  insert: string;
  message: string;
}

const PATTERNS: { re: RegExp; message: (m: RegExpExecArray) => string; insert: string }[] = [
  { re: /\bCREATE\s+(?:GLOBAL\s+|LOCAL\s+)?(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?TABLE\s+(?!IF\s+NOT\s+EXISTS\b)/gi, message: () => 'CREATE TABLE without IF NOT EXISTS', insert: 'IF NOT EXISTS ' },
  { re: /\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS|ON)\b)(?:CONCURRENTLY\s+)?/gi, message: () => 'CREATE INDEX without IF NOT EXISTS', insert: 'IF NOT EXISTS ' },
  { re: /\bADD\s+COLUMN\s+(?!IF\s+NOT\s+EXISTS\b)/gi, message: () => 'ADD COLUMN without IF NOT EXISTS', insert: 'IF NOT EXISTS ' },
  {
    re: /\bDROP\s+(TABLE|INDEX|COLUMN|VIEW|MATERIALIZED\s+VIEW|SCHEMA|SEQUENCE|TYPE|FUNCTION|TRIGGER|CONSTRAINT|DATABASE|EXTENSION)\s+(?!(?:CONCURRENTLY\s+)?IF\s+EXISTS\b)(?:CONCURRENTLY\s+)?/gi,
    message: (m) => `DROP ${m[1].toUpperCase().replace(/\s+/g, ' ')} without IF EXISTS`,
    insert: 'IF EXISTS ',
  },
];

/** Blanks out comments and string literals (keeping offsets) so keywords inside them do not match. */
function maskSql(sql: string): string {
  return sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** Non-idempotent DDL in SQL text. */
export function findSqlProblems(sql: string): SqlProblem[] {
  const masked = maskSql(sql);
  const out: SqlProblem[] = [];
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(masked); m; m = p.re.exec(masked)) {
      const semi = masked.indexOf(';', m.index);
      out.push({ start: m.index, end: semi < 0 ? masked.length : semi, insertAt: m.index + m[0].length, insert: p.insert, message: p.message(m) });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The rule on a `.sql` migration file (no tree: SQL is read as text). */
export function checkSqlMigration(file: string, text: string, severity: Severity): Finding[] {
  if (!isMigrationPath(file)) return [];
  return findSqlProblems(text).map((p) => {
    const s = position(text, p.start);
    const e = position(text, p.end);
    const at = position(text, p.insertAt);
    return {
      rule: 'non-idempotent-migration',
      file,
      line: s.line,
      column: s.column,
      endLine: e.line,
      endColumn: e.column,
      function: '',
      message: p.message,
      severity,
      attribution: null,
      production: null,
      fix: { title: `Add ${p.insert.trim()}`, edits: [{ line: at.line, column: at.column, endLine: at.line, endColumn: at.column, text: p.insert }] },
    };
  });
}

const ALEMBIC: Record<string, { kw: string; message: string }> = {
  create_table: { kw: 'if_not_exists', message: 'op.create_table without if_not_exists=True' },
  create_index: { kw: 'if_not_exists', message: 'op.create_index without if_not_exists=True' },
  drop_table: { kw: 'if_exists', message: 'op.drop_table without if_exists=True' },
  drop_index: { kw: 'if_exists', message: 'op.drop_index without if_exists=True' },
};

/**
 * `non-idempotent-migration` in code migrations: SQL strings handed to the framework (queryRunner.query,
 * knex.raw, op.execute, db.Exec, ...), Alembic ops without if_[not_]exists, Knex createTable without hasTable.
 */
export const nonIdempotentMigration: Rule = {
  id: 'non-idempotent-migration',
  languages: ['typescript', 'tsx', 'javascript', 'python', 'go', 'java'],
  check(ctx) {
    if (!isMigrationPath(ctx.file)) return;
    for (const call of ctx.calls()) {
      const method = call.segments[call.segments.length - 1];
      if (ctx.language === 'python' && call.segments[0] === 'op' && method in ALEMBIC) {
        const spec = ALEMBIC[method];
        const kw = keywordArgument(call.node, spec.kw);
        if (!kw || kw.text !== 'True') ctx.report('non-idempotent-migration', call.node, spec.message, kw ? undefined : fix(`Add ${spec.kw}=True`, appendArgument(call.node, `${spec.kw}=True`)));
        continue;
      }
      if (method === 'createTable' && !/\bhasTable\b/.test(ctx.text) && call.segments.includes('schema')) {
        ctx.report('non-idempotent-migration', call.node, 'createTable without a hasTable guard (or createTableIfNotExists)');
        continue;
      }
      for (const arg of argumentsOf(call.node)) checkSqlString(ctx, arg);
    }
  },
};

function checkSqlString(ctx: RuleContext, arg: Node): void {
  if (!/string|template/.test(arg.type)) return;
  const raw = stringValue(arg) ?? arg.text;
  const problems = findSqlProblems(raw);
  if (problems.length === 0) return;
  // offsets inside the literal: the literal text starts with its quote(s)
  const prefix = arg.text.indexOf(raw);
  for (const p of problems) {
    const r = rangeOf(arg);
    const before = arg.text.slice(0, prefix + p.insertAt);
    const lines = before.split('\n');
    const line = r.line + lines.length - 1;
    const column = lines.length === 1 ? r.column + before.length : lines[lines.length - 1].length + 1;
    const f: FixHint | undefined = prefix >= 0 ? { title: `Add ${p.insert.trim()}`, edits: [{ line, column, endLine: line, endColumn: column, text: p.insert }] } : undefined;
    ctx.report('non-idempotent-migration', arg, p.message, f);
  }
}
