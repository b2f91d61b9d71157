import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import type { Attribution, Finding } from '../../../src/core/analysis/findings';
import { RULE_IDS } from '../../../src/core/analysis/findings';
import { formatJson, toJsonReport } from '../../../src/core/analysis/report/json';
import { FINGERPRINT_KEY, formatSarif, RULE_DOCS_BASE, toSarif } from '../../../src/core/analysis/report/sarif';
import type { SarifLog } from '../../../src/core/analysis/report/sarif';
import { formatText } from '../../../src/core/analysis/report/text';

const CLAUDE: Attribution = { ai: true, source: 'Co-Authored-By trailer on 3f2a1c0', kind: 'commit-trailer', agent: 'Claude Code', commit: '3f2a1c0', confidence: 'medium', aiShare: 1 };
const PRODUCTION = { ratePerMin: 140, p95Ms: 2300, errorRate: 0, count: 700, window: '5m', environment: 'production', impact: 322_000 };

function finding(over: Partial<Finding> = {}): Finding {
  return {
    rule: 'missing-timeout',
    file: 'src/orders.ts',
    line: 12,
    endLine: 12,
    column: 19,
    endColumn: 34,
    function: 'OrderService.load',
    message: 'no timeout on fetch',
    severity: 'warning',
    attribution: CLAUDE,
    production: PRODUCTION,
    ...over,
  };
}

const FINDINGS: Finding[] = [
  finding(),
  finding({
    rule: 'secret-in-log',
    severity: 'error',
    line: 30,
    endLine: 31,
    column: 3,
    endColumn: 2,
    message: 'log call writes token',
    production: null,
    attribution: { ...CLAUDE, kind: 'git-ai-note', source: 'git-ai note on 9abc123', model: 'claude-sonnet-4', confidence: 'high' },
  }),
  finding({
    rule: 'non-idempotent-migration',
    file: 'db/migrations/001 init.sql',
    function: '',
    line: 1,
    endLine: 1,
    column: 1,
    endColumn: 1,
    message: 'CREATE TABLE without IF NOT EXISTS',
    attribution: null,
    production: null,
  }),
  // the same problem twice in one function: two results with distinct fingerprints
  finding({ line: 14, endLine: 14, production: null }),
];

describe('text report', () => {
  it('shows location, severity, rule, function, the full message and the provenance, then a summary', () => {
    const text = formatText(FINDINGS.slice(0, 3), { files: 12, lines: 840, all: false });
    const lines = text.split('\n');
    assert.equal(lines[0], 'src/orders.ts:12:19  warning  missing-timeout  OrderService.load');
    assert.equal(lines[1], '    AI-written (Claude Code, trailer) · no timeout on fetch · p95 2.3 s, 140/min in production');
    assert.equal(lines[2], '    Co-Authored-By trailer on 3f2a1c0 (confidence medium)');
    assert.equal(lines[4], 'src/orders.ts:30:3  error  secret-in-log  OrderService.load');
    assert.equal(lines[5], '    AI-written (Claude Code (claude-sonnet-4), git-ai note) · log call writes token');
    assert.equal(lines[8], 'db/migrations/001 init.sql:1:1  warning  non-idempotent-migration');
    assert.equal(lines[9], '    CREATE TABLE without IF NOT EXISTS');
    assert.equal(lines.at(-2), '3 findings (1 error, 2 warnings) in 12 files, 840 lines · AI-written functions only (--all for every function)');
    assert.ok(text.endsWith('\n'));
  });

  it('says when there is nothing, and how many files failed', () => {
    assert.equal(formatText([], { files: 1, lines: 1_234, all: true, errors: 2 }), 'No findings in 1 file, 1,234 lines · all functions · 2 files could not be analysed\n');
  });
});

describe('JSON report', () => {
  it('has exactly the documented keys, unknown attribution fields as null', () => {
    const report = JSON.parse(formatJson(FINDINGS));
    assert.deepEqual(Object.keys(report), ['findings']);
    assert.deepEqual(report.findings[0], {
      rule: 'missing-timeout',
      file: 'src/orders.ts',
      line: 12,
      endLine: 12,
      function: 'OrderService.load',
      message: 'AI-written (Claude Code, trailer) · no timeout on fetch · p95 2.3 s, 140/min in production',
      severity: 'warning',
      confidence: 'high',
      attribution: { ai: true, source: 'Co-Authored-By trailer on 3f2a1c0', agent: 'Claude Code', model: null, commit: '3f2a1c0', confidence: 'medium' },
      production: { ratePerMin: 140, p95Ms: 2300, errorRate: 0, count: 700, window: '5m', environment: 'production', impact: 322_000 },
    });
    assert.equal(report.findings[1].attribution.model, 'claude-sonnet-4');
    assert.equal(report.findings[2].attribution, null);
    assert.equal(report.findings[2].production, null);
    for (const f of report.findings) assert.deepEqual(Object.keys(f), ['rule', 'file', 'line', 'endLine', 'function', 'message', 'severity', 'confidence', 'attribution', 'production']);
    assert.deepEqual(toJsonReport([]), { findings: [] });
  });
});

/** The official SARIF 2.1.0 schema, from the npm package that ships it (a devDependency). */
function officialSchema(): Record<string, unknown> {
  const file = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const schema = { ...(require(file) as Record<string, unknown>) };
  // The file declares draft-04 (`id`); its keywords mean the same under draft-07, which Ajv 8 reads.
  schema.$id = schema.id;
  delete schema.id;
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
  return schema;
}

function validateAgainstSchema(log: unknown): void {
  const schema = officialSchema();
  // unicodeRegExp off: the schema's language pattern has a stray ']' that only non-unicode regular expressions accept
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'file:///base/'));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  const validate = ajv.compile(schema);
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
}

/** What GitHub code scanning documents as required or checked in an uploaded SARIF file. */
function assertGithubAccepts(log: SarifLog): void {
  assert.equal(log.version, '2.1.0');
  assert.equal(typeof log.$schema, 'string');
  assert.equal(log.runs.length, 1);
  const run = log.runs[0]!;
  const driver = run.tool.driver;
  assert.ok(driver.name.length > 0);
  assert.match(driver.version, /^\d+\.\d+\.\d+/);
  assert.ok(URL.canParse(driver.informationUri));
  assert.equal(new Set(driver.rules.map((r) => r.id)).size, driver.rules.length, 'rule ids unique');
  for (const rule of driver.rules) {
    assert.ok(rule.shortDescription.text.length > 0 && rule.shortDescription.text.length <= 1024);
    assert.ok(/^https:\/\//.test(rule.helpUri) && URL.canParse(rule.helpUri));
    assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
  }
  for (const r of run.results) {
    assert.equal(driver.rules[r.ruleIndex]!.id, r.ruleId, 'ruleIndex points at the rule');
    assert.ok(['error', 'warning', 'note'].includes(r.level));
    assert.ok(r.message.text.length > 0);
    assert.ok(r.locations.length >= 1 && r.locations.length <= 10);
    const loc = r.locations[0]!.physicalLocation;
    assert.ok(!/^[a-z]+:/i.test(loc.artifactLocation.uri) && !loc.artifactLocation.uri.startsWith('/'), 'relative URI');
    assert.ok(URL.canParse(loc.artifactLocation.uri, 'file:///root/'));
    const reg = loc.region!;
    assert.ok(reg.startLine >= 1 && reg.endLine >= reg.startLine && reg.startColumn >= 1);
    if (reg.endLine === reg.startLine) assert.ok(reg.endColumn >= reg.startColumn);
    for (const v of Object.values(r.partialFingerprints)) assert.equal(typeof v, 'string');
  }
}

describe('SARIF report', () => {
  const log = toSarif(FINDINGS, { toolVersion: '0.1.0', root: '/work/my repo', errors: [{ file: 'src/broken.ts', message: 'EACCES' }] });

  it('is valid against the official SARIF 2.1.0 schema and carries what GitHub code scanning reads', () => {
    validateAgainstSchema(log);
    validateAgainstSchema(toSarif([], { toolVersion: '0.1.0' }));
    assertGithubAccepts(log);
  });

  it('lists the six rules with docs links and default levels', () => {
    const rules = log.runs[0]!.tool.driver.rules;
    assert.deepEqual(
      rules.map((r) => r.id),
      [...RULE_IDS],
    );
    assert.equal(rules[0]!.helpUri, `${RULE_DOCS_BASE}missing-timeout.md`);
    assert.equal(rules.find((r) => r.id === 'secret-in-log')!.defaultConfiguration.level, 'error');
    assert.equal(rules.find((r) => r.id === 'missing-timeout')!.defaultConfiguration.level, 'warning');
  });

  it('writes repo-relative locations under %SRCROOT%, the message, the function and the figures', () => {
    const run = log.runs[0]!;
    assert.deepEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: 'file:///work/my%20repo/' } });
    const [first, second, migration] = run.results;
    assert.equal(first!.ruleId, 'missing-timeout');
    assert.equal(first!.ruleIndex, 0);
    assert.equal(first!.level, 'warning');
    assert.equal(first!.message.text, 'AI-written (Claude Code, trailer) · no timeout on fetch · p95 2.3 s, 140/min in production');
    assert.deepEqual(first!.locations[0], {
      physicalLocation: { artifactLocation: { uri: 'src/orders.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 12, startColumn: 19, endLine: 12, endColumn: 34 } },
      logicalLocations: [{ name: 'load', fullyQualifiedName: 'OrderService.load', kind: 'function' }],
    });
    assert.deepEqual(first!.properties.production, PRODUCTION);
    assert.equal((first!.properties.attribution as { agent: string }).agent, 'Claude Code');
    assert.equal(second!.level, 'error');
    assert.equal(second!.ruleIndex, RULE_IDS.indexOf('secret-in-log'));
    assert.equal(migration!.locations[0]!.physicalLocation.artifactLocation.uri, 'db/migrations/001%20init.sql');
    assert.equal(migration!.locations[0]!.logicalLocations, undefined);
    assert.deepEqual(
      run.invocations[0]!.toolExecutionNotifications.map((n) => n.message.text),
      ['could not analyse src/broken.ts: EACCES'],
    );
  });

  it('fingerprints survive line moves and tell identical findings in one function apart', () => {
    const prints = log.runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    assert.equal(new Set(prints).size, prints.length);
    const moved = toSarif(
      FINDINGS.map((f) => ({ ...f, line: f.line + 7, endLine: f.endLine + 7 })),
      { toolVersion: '0.1.0' },
    );
    assert.deepEqual(
      moved.runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]),
      prints,
    );
    const text = formatSarif(FINDINGS, { toolVersion: '0.1.0' });
    assert.deepEqual(JSON.parse(text).runs[0].results.length, 4);
    assert.equal(JSON.parse(text).runs[0].originalUriBaseIds, undefined, 'no base without a root');
  });
});

describe('rule docs', () => {
  it('every rule the SARIF links to has its page in docs/rules, with the sections the issue asks for', () => {
    for (const id of RULE_IDS) {
      const page = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'rules', `${id}.md`), 'utf8');
      assert.match(page, new RegExp(`^# ${id}\\n`), id);
      for (const section of ['## Why it matters in production', '## What it catches', '## False positives it avoids', '## Configuration']) {
        assert.ok(page.includes(section), `${id}: ${section}`);
      }
    }
  });
});
