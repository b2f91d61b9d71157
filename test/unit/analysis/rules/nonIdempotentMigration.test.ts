import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFile } from '../../../../src/core/analysis/analyze';
import { isMigrationPath } from '../../../../src/core/analysis/rules/nonIdempotentMigration';
import { applyFix, findings, fixAt, lines } from './support';

const R = 'non-idempotent-migration';

describe('non-idempotent-migration', () => {
  const sql = [
    '-- CREATE TABLE in a comment does not count',
    'CREATE TABLE users (id int primary key);',
    'CREATE TABLE IF NOT EXISTS orders (id int);',
    'CREATE UNIQUE INDEX idx_users_email ON users (email);',
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_o ON orders (id);',
    'ALTER TABLE users ADD COLUMN name text;',
    'ALTER TABLE users ADD COLUMN IF NOT EXISTS age int;',
    'DROP TABLE legacy;',
    'DROP INDEX IF EXISTS idx_old;',
    "INSERT INTO notes VALUES ('DROP TABLE x');",
  ].join('\n');

  it('flags SQL migrations without IF [NOT] EXISTS, ignoring comments and string literals', async () => {
    const found = await findings('db/migrations/0001_init.sql', sql, R);
    assert.deepEqual(
      found.map((f) => f.line),
      [2, 4, 6, 8],
    );
    assert.deepEqual(
      found.map((f) => f.message),
      ['CREATE TABLE without IF NOT EXISTS', 'CREATE INDEX without IF NOT EXISTS', 'ADD COLUMN without IF NOT EXISTS', 'DROP TABLE without IF EXISTS'],
    );
  });

  it('fixes every statement so a second pass finds nothing', async () => {
    let text = sql;
    for (let f = (await findings('db/migrations/0001_init.sql', text, R))[0]; f; f = (await findings('db/migrations/0001_init.sql', text, R))[0]) {
      text = applyFix(text, f.fix!);
    }
    assert.match(text, /CREATE TABLE IF NOT EXISTS users/);
    assert.match(text, /CREATE UNIQUE INDEX IF NOT EXISTS idx_users_email/);
    assert.match(text, /DROP TABLE IF EXISTS legacy/);
  });

  it('ignores SQL outside migration folders and knows the common layouts', async () => {
    assert.deepEqual(await analyzeFile('scripts/seed.sql', 'CREATE TABLE x (id int);'), []);
    assert.ok(isMigrationPath('migrations/20240101_add.up.sql'));
    assert.ok(isMigrationPath('src/main/resources/db/migration/V2__add_users.sql'));
    assert.ok(isMigrationPath('alembic/versions/abc123_add.py'));
    assert.ok(!isMigrationPath('src/app.ts'));
  });

  it('reads SQL strings in framework migrations (TypeORM, Alembic, golang)', async () => {
    const ts = [
      'export class AddUsers {',
      '  async up(queryRunner) {',
      "    await queryRunner.query('CREATE TABLE users (id int)');",
      "    await queryRunner.query('CREATE TABLE IF NOT EXISTS orders (id int)');",
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/migrations/1700000000000-AddUsers.ts', ts, R), [3]);
    const fixed = await fixAt('src/migrations/1700000000000-AddUsers.ts', ts, R, 3);
    assert.match(fixed, /'CREATE TABLE IF NOT EXISTS users \(id int\)'/);
    const py = [
      'from alembic import op',
      'def upgrade():',
      '    op.create_table("users", sa.Column("id", sa.Integer))',
      '    op.create_index("ix", "users", ["id"], if_not_exists=True)',
      '    op.execute("ALTER TABLE users ADD COLUMN name text")',
      'def downgrade():',
      '    op.drop_table("users")',
      '',
    ].join('\n');
    assert.deepEqual(await lines('alembic/versions/abc_add_users.py', py, R), [3, 5, 7]);
    assert.match(await fixAt('alembic/versions/abc_add_users.py', py, R, 3), /sa\.Integer\), if_not_exists=True\)/);
  });
});
