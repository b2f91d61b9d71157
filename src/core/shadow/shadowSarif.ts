/**
 * A shadow report as SARIF 2.1.0 for CI: one run, one result per route status mismatch, shape
 * change and new error group, and per function delta (a call added, missing or repeated, spans
 * that now error, a slower p95), each at the function's file and line (the call's line when
 * known). Route results without a place in the code name the route as a logical location.
 */
import type { FunctionDelta, RouteDelta, ShadowReport } from '../api/shadowReport';

/** The rules of shadow results. */
export const SHADOW_RULES = [
  { id: 'shadow-status-mismatch', level: 'error', text: 'The local build answers a route with a different status than the baseline.' },
  { id: 'shadow-shape-change', level: 'warning', text: 'A JSON response field was added, removed or changed type against the baseline.' },
  { id: 'shadow-new-error', level: 'error', text: "The local build's spans raise an error group the baseline's do not (or more often)." },
  { id: 'shadow-call-change', level: 'warning', text: 'A function makes a downstream call the baseline does not, no longer makes one, or repeats one per request (N+1).' },
  { id: 'shadow-error-spans', level: 'warning', text: "A function's spans error in more requests than the baseline's." },
  { id: 'shadow-slower', level: 'warning', text: "A function's p95 duration grew past the threshold against the baseline." },
] as const;

type RuleId = (typeof SHADOW_RULES)[number]['id'];

/** How the log is written. */
export interface ShadowSarifOptions {
  toolVersion: string;
  /** Absolute folder the file URIs are relative to (written as `%SRCROOT%`). */
  root?: string;
  /** A function's p95 ratio at or above this is a result (default 1.2). */
  slowerRatio?: number;
}

/** A SARIF location: a file region, or a route named logically. */
interface Location {
  physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } };
  logicalLocations?: { name: string; fullyQualifiedName?: string; kind: string }[];
}

interface Result {
  ruleId: RuleId;
  ruleIndex: number;
  level: 'error' | 'warning';
  message: { text: string };
  locations: Location[];
  properties: Record<string, unknown>;
}

/** The report as a SARIF 2.1.0 log (a plain object: JSON.stringify it). */
export function toShadowSarif(report: ShadowReport, options: ShadowSarifOptions): Record<string, unknown> {
  const results: Result[] = [];
  const slower = options.slowerRatio ?? 1.2;
  const add = (ruleId: RuleId, text: string, location: Location, properties: Record<string, unknown>): void => {
    const ruleIndex = SHADOW_RULES.findIndex((r) => r.id === ruleId);
    results.push({ ruleId, ruleIndex, level: SHADOW_RULES[ruleIndex]!.level, message: { text }, locations: [location], properties });
  };
  for (const r of report.routes) routeResults(r, options, add);
  for (const f of report.functions) functionResults(f, options, slower, add);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Runtime Lens shadow run',
            version: options.toolVersion,
            informationUri: 'https://github.com/runtime-lens/runtime-lens',
            rules: SHADOW_RULES.map((r) => ({ id: r.id, shortDescription: { text: r.text }, defaultConfiguration: { level: r.level } })),
          },
        },
        ...(options.root !== undefined ? { originalUriBaseIds: { SRCROOT: { uri: rootUri(options.root) } } } : {}),
        results,
        properties: { summary: report.summary, requests: report.requests, replayed: report.replayed },
      },
    ],
  };
}

type Add = (ruleId: RuleId, text: string, location: Location, properties: Record<string, unknown>) => void;

function routeResults(r: RouteDelta, options: ShadowSarifOptions, add: Add): void {
  const name = `${r.method} ${r.route}`;
  const routeLocation: Location = { logicalLocations: [{ name, kind: 'resource' }] };
  if (r.statusMismatches > 0) {
    const e = r.examples[0];
    const example = e ? ` (e.g. ${e.request}: ${e.candidate} against ${e.baseline ?? '?'})` : '';
    add('shadow-status-mismatch', `${name}: ${r.statusMismatches} of ${r.requests} requests answered with a different status than the baseline${example}.`, routeLocation, { route: name, requests: r.statusMismatches });
  }
  for (const s of r.shapeChanges) {
    const how = s.change === 'retyped' ? `changed type ${s.from} -> ${s.to}` : s.change;
    add('shadow-shape-change', `${name}: response field ${s.path} ${how} in ${s.requests} requests.`, routeLocation, { route: name, path: s.path, change: s.change });
  }
  for (const e of r.newErrors) {
    const at = e.file !== undefined && e.line !== undefined ? fileLocation(e.file, e.line, e.function, options) : routeLocation;
    add('shadow-new-error', `${name}: ${e.type}: ${e.message} in ${e.candidate} requests (baseline: ${e.baseline}).`, at, { route: name, type: e.type });
  }
}

function functionResults(f: FunctionDelta, options: ShadowSarifOptions, slower: number, add: Add): void {
  const props = { service: f.service, function: f.function, confidence: f.confidence };
  for (const c of f.calls) {
    const what =
      c.change === 'added'
        ? `now calls ${c.target} (${c.candidatePerRequest} per request; the baseline does not)`
        : c.change === 'missing'
          ? `no longer calls ${c.target} (the baseline did, ${c.baselinePerRequest} per request)`
          : `calls ${c.target} ${c.candidatePerRequest} times per request against ${c.baselinePerRequest} in the baseline`;
    add('shadow-call-change', `${f.function} ${what}, in ${c.requests} requests.`, fileLocation(f.file, c.line ?? f.line, f.function, options), { ...props, target: c.target, change: c.change });
  }
  if (f.errorSpans.candidate > f.errorSpans.baseline) {
    add('shadow-error-spans', `${f.function}: spans errored in ${f.errorSpans.candidate} requests against ${f.errorSpans.baseline} in the baseline.`, fileLocation(f.file, f.line, f.function, options), props);
  }
  for (const e of f.newErrors) {
    add('shadow-new-error', `${f.function} raises ${e.type}: ${e.message} in ${e.candidate} requests (baseline: ${e.baseline}).`, fileLocation(e.file ?? f.file, e.line ?? f.line, f.function, options), {
      ...props,
      type: e.type,
    });
  }
  if (f.latency !== null && f.latency.slower !== false && f.latency.p95Ratio >= slower) {
    const l = f.latency;
    add('shadow-slower', `${f.function}: p95 ${l.candidateP95Ms} ms against ${l.baselineP95Ms} ms in the baseline (x${l.p95Ratio}).`, fileLocation(f.file, f.line, f.function, options), {
      ...props,
      p95Ratio: l.p95Ratio,
    });
  }
}

function fileLocation(file: string, line: number, fn: string | undefined, options: ShadowSarifOptions): Location {
  const uri = file.split('/').map(encodeURIComponent).join('/');
  return {
    physicalLocation: { artifactLocation: { uri, ...(options.root !== undefined ? { uriBaseId: 'SRCROOT' } : {}) }, region: { startLine: Math.max(1, line) } },
    ...(fn ? { logicalLocations: [{ name: fn.split('.').pop()!, fullyQualifiedName: fn, kind: 'function' }] } : {}),
  };
}

function rootUri(root: string): string {
  const withSlash = root.endsWith('/') ? root : `${root}/`;
  return `file://${withSlash.split('/').map(encodeURIComponent).join('/')}`;
}
