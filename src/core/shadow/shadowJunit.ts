/**
 * A shadow report as JUnit XML for CI test tabs: one test suite for routes and one for functions,
 * one test case per route and per function, failed when it changed behaviour (a status mismatch,
 * a shape change or a new error for a route; a call change, a new error or more erroring requests
 * for a function). Every text is escaped for XML, control characters dropped.
 */
import type { FunctionDelta, RouteDelta, ShadowReport } from '../api/shadowReport';

/** The report as a JUnit XML document. */
export function toShadowJunit(report: ShadowReport): string {
  const routeCases = report.routes.map((r) => testCase(`${r.method} ${r.route}`, 'shadow.routes', routeFailures(r)));
  const functionCases = report.functions.map((f) => testCase(`${f.function} (${f.file}:${f.line})`, 'shadow.functions', functionFailures(f)));
  const suite = (name: string, cases: { xml: string; failed: boolean }[]): string =>
    `  <testsuite name="${name}" tests="${cases.length}" failures="${cases.filter((c) => c.failed).length}" errors="0" skipped="0">\n${cases.map((c) => c.xml).join('')}  </testsuite>\n`;
  const all = [...routeCases, ...functionCases];
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="runtime-lens shadow" tests="${all.length}" failures="${all.filter((c) => c.failed).length}">\n` +
    suite('shadow.routes', routeCases) +
    suite('shadow.functions', functionCases) +
    '</testsuites>\n'
  );
}

function routeFailures(r: RouteDelta): string[] {
  const out: string[] = [];
  if (r.statusMismatches > 0) out.push(`${r.statusMismatches} of ${r.requests} requests answered with another status than the baseline`);
  for (const s of r.shapeChanges) out.push(`response field ${s.path} ${s.change === 'retyped' ? `changed type ${s.from} -> ${s.to}` : s.change} (${s.requests} requests)`);
  for (const e of r.newErrors) out.push(`new error ${e.type}: ${e.message} (${e.candidate} requests, baseline ${e.baseline})`);
  return out;
}

function functionFailures(f: FunctionDelta): string[] {
  const out: string[] = [];
  for (const c of f.calls) out.push(`${c.change} call to ${c.target}${c.line !== undefined ? ` at line ${c.line}` : ''}: ${c.candidatePerRequest} per request against ${c.baselinePerRequest} (${c.requests} requests)`);
  for (const e of f.newErrors) out.push(`new error ${e.type}: ${e.message} (${e.candidate} requests, baseline ${e.baseline})`);
  if (f.errorSpans.candidate > f.errorSpans.baseline) out.push(`spans errored in ${f.errorSpans.candidate} requests against ${f.errorSpans.baseline}`);
  return out;
}

function testCase(name: string, classname: string, failures: string[]): { xml: string; failed: boolean } {
  const open = `    <testcase name="${xml(name)}" classname="${classname}"`;
  if (failures.length === 0) return { xml: `${open}/>\n`, failed: false };
  const message = failures.length === 1 ? failures[0]! : `${failures.length} changes`;
  return { xml: `${open}>\n      <failure message="${xml(message)}">${xml(failures.join('\n'))}</failure>\n    </testcase>\n`, failed: true };
}

function xml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
