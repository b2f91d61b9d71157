/**
 * The report for CI: SARIF 2.1.0 valid against the official schema (from the devDependency that
 * ships it), one result per route difference and per function delta at the function's file and
 * line; JUnit XML with one failed case per changed route and function.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import type { ShadowReport } from '../../../src/core/api/shadowReport';
import { buildShadowReport } from '../../../src/core/shadow/shadowReportBuilder';
import { toShadowJunit } from '../../../src/core/shadow/shadowJunit';
import { toShadowSarif } from '../../../src/core/shadow/shadowSarif';
import { callLineOf, simulateRun } from './simulatedService';

const run = { candidate: 'http://127.0.0.1:3001', baseline: 'main', traffic: 'traffic.har', startedAt: 1_764_000_000_000, durationMs: 9_000 };
const report: ShadowReport = buildShadowReport(simulateRun(400, ['status', 'removedField', 'nPlusOne', 'newCall', 'slower']), { requests: 400, skipped: {}, warnings: [], run }, { callLineOf });

function validateAgainstSchema(log: unknown): void {
  const file = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = { ...(require(file) as Record<string, unknown>) };
  // The file declares draft-04 (`id`); its keywords mean the same under draft-07, which Ajv 8 reads.
  schema.$id = schema.id;
  delete schema.id;
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'file:///base/'));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  const validate = ajv.compile(schema);
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
}

interface SarifResultView {
  ruleId: string;
  ruleIndex: number;
  message: { text: string };
  locations: { physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } }; logicalLocations?: { name: string; kind: string }[] }[];
}

describe('shadow report for CI', () => {
  it('is valid SARIF 2.1.0 with a result per difference, placed in the code', () => {
    const log = toShadowSarif(report, { toolVersion: '0.1.0', root: '/work/my repo' });
    validateAgainstSchema(log);
    validateAgainstSchema(toShadowSarif(buildShadowReport([], { requests: 0, skipped: {}, warnings: [], run }), { toolVersion: '0.1.0' }));
    const runs = log['runs'] as { tool: { driver: { rules: { id: string }[] } }; results: SarifResultView[] }[];
    const results = runs[0]!.results;
    const rules = runs[0]!.tool.driver.rules;
    for (const r of results) assert.equal(rules[r.ruleIndex]!.id, r.ruleId);
    const byRule = (id: string) => results.filter((r) => r.ruleId === id);
    assert.equal(byRule('shadow-status-mismatch').length, 1);
    assert.equal(byRule('shadow-status-mismatch')[0]!.locations[0]!.logicalLocations![0]!.name, 'GET /inventory/:sku');
    assert.deepEqual(
      byRule('shadow-shape-change').map((r) => r.message.text.replace(/ in \d+ requests/, '')),
      ['GET /price/:item: response field $.currency removed.'],
    );
    const calls = byRule('shadow-call-change').map((r) => [r.locations[0]!.physicalLocation!.artifactLocation.uri, r.locations[0]!.physicalLocation!.region.startLine, r.message.text.replace(/, in \d+ requests/, '')]);
    assert.deepEqual(calls.sort(), [
      ['src/orders.ts', 17, 'orderLines calls 127.0.0.1:5432 11 times per request against 1 in the baseline.'],
      ['src/routes.ts', 29, 'quote now calls 127.0.0.1:41000/fx (1 per request; the baseline does not).'],
    ]);
    // quote() was made slower; orderLines() is slower for its N+1.
    assert.deepEqual(
      byRule('shadow-slower')
        .map((r) => [r.locations[0]!.physicalLocation!.artifactLocation.uri, r.locations[0]!.physicalLocation!.region.startLine])
        .sort(),
      [
        ['src/orders.ts', 12],
        ['src/routes.ts', 26],
      ],
    );
    assert.equal(byRule('shadow-call-change')[0]!.locations[0]!.physicalLocation!.artifactLocation.uriBaseId, 'SRCROOT');
  });

  it('is JUnit XML with a failed case per changed route and function, text escaped', () => {
    const xml = toShadowJunit(report);
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="runtime-lens shadow" tests="\d+" failures="\d+">/);
    const failed = [...xml.matchAll(/<testcase name="([^"]+)" classname="([^"]+)">\n\s*<failure message="([^"]*)">/g)].map((m) => [m[2], m[1]]);
    assert.deepEqual(failed.sort(), [
      ['shadow.functions', 'orderLines (src/orders.ts:12)'],
      ['shadow.functions', 'quote (src/routes.ts:26)'],
      ['shadow.routes', 'GET /inventory/:sku'],
      ['shadow.routes', 'GET /price/:item'],
    ]);
    const evil: ShadowReport = { ...report, routes: [{ ...report.routes[0]!, route: '/a"<b>&\u0007', statusMismatches: 1 }], functions: [] };
    assert.ok(toShadowJunit(evil).includes('name="GET /a&quot;&lt;b&gt;&amp;"'));
  });
});
