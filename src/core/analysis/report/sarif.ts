/**
 * SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer): one run, the six rules with their
 * docs, one result per finding with a repo-relative location under `%SRCROOT%`, a fingerprint that
 * survives line moves, and the attribution and production figures as result properties.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Finding, RuleId } from '../findings';
import { RULE_IDS } from '../findings';
import { riskMessage } from '../ranking';
import { DEFAULT_SEVERITY } from '../rules/context';
import { toJsonReport } from './json';
import { RULE_INFO } from './ruleInfo';
import { unknownAuthorshipFiles } from './unknownAuthorship';

/** The SARIF version and schema this module writes. */
export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Where the project lives and its rule docs are published (`<base><rule-id>.md`). */
export const TOOL_INFORMATION_URI = 'https://github.com/runtime-lens/runtime-lens';
export const RULE_DOCS_BASE = `${TOOL_INFORMATION_URI}/blob/main/docs/rules/`;

/** The fingerprint key of our results in `partialFingerprints` (versioned: a new scheme gets a new key). */
export const FINGERPRINT_KEY = 'runtimeLensFinding/v1';

/** How the SARIF log is written. */
export interface SarifOptions {
  toolVersion: string;
  /** Absolute folder the result URIs are relative to (written as `%SRCROOT%`); omitted when unknown. */
  root?: string;
  /** Base URI of the rule docs (default `RULE_DOCS_BASE`); must end with `/`. */
  docsBaseUri?: string;
  /** Files that could not be analysed: reported as tool notifications. */
  errors?: readonly { file: string; message: string }[];
}

/** The subset of the SARIF object model this module writes. */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

/** One run of the tool. */
export interface SarifRun {
  tool: { driver: { name: string; version: string; semanticVersion: string; informationUri: string; rules: SarifRule[] } };
  originalUriBaseIds?: Record<string, { uri: string }>;
  columnKind: 'utf16CodeUnits';
  invocations: { executionSuccessful: boolean; toolExecutionNotifications: SarifNotification[] }[];
  results: SarifResult[];
}

/** A rule (`reportingDescriptor`). */
export interface SarifRule {
  id: RuleId;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri: string;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
  properties: { tags: string[]; precision: 'high' | 'medium' };
}

/** A result. */
export interface SarifResult {
  ruleId: RuleId;
  ruleIndex: number;
  level: 'error' | 'warning' | 'note';
  message: { text: string };
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}

/** A location in a file, optionally naming the function. */
export interface SarifLocation {
  physicalLocation: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region?: { startLine: number; startColumn: number; endLine: number; endColumn: number };
  };
  logicalLocations?: { name: string; fullyQualifiedName: string; kind: 'function' }[];
}

/** A notification about the run (a file that could not be analysed). */
export interface SarifNotification {
  level: 'warning';
  message: { text: string };
  locations: SarifLocation[];
}

/** The SARIF log for findings in the order given. */
export function toSarif(findings: readonly Finding[], options: SarifOptions): SarifLog {
  const docs = options.docsBaseUri ?? RULE_DOCS_BASE;
  const rules: SarifRule[] = RULE_IDS.map((id) => {
    const info = RULE_INFO[id];
    const helpUri = `${docs}${id}.md`;
    return {
      id,
      name: info.name,
      shortDescription: { text: info.summary },
      fullDescription: { text: `${info.summary} ${info.why}` },
      helpUri,
      help: { text: `${info.summary} ${info.why} See ${helpUri}`, markdown: `${info.summary} ${info.why}\n\n[Rule documentation](${helpUri})` },
      defaultConfiguration: { level: DEFAULT_SEVERITY[id] },
      properties: { tags: ['reliability', 'ai-generated-code', ...(id === 'secret-in-log' ? ['security'] : [])], precision: id === 'retry-without-backoff' || id === 'hollow-health-check' ? 'medium' : 'high' },
    };
  });
  const json = toJsonReport(findings).findings;
  const seen = new Map<string, number>();
  const results: SarifResult[] = findings.map((f, i) => {
    // identical findings in one function are told apart by their order, not their line
    const identity = `${f.rule}\0${f.file}\0${f.function}\0${f.message}`;
    const ordinal = seen.get(identity) ?? 0;
    seen.set(identity, ordinal + 1);
    const location: SarifLocation = {
      physicalLocation: { artifactLocation: artifact(f.file, options.root !== undefined), region: region(f) },
      ...(f.function ? { logicalLocations: [{ name: f.function.split('.').pop()!, fullyQualifiedName: f.function, kind: 'function' as const }] } : {}),
    };
    return {
      ruleId: f.rule,
      ruleIndex: RULE_IDS.indexOf(f.rule),
      level: f.severity,
      message: { text: riskMessage(f) },
      locations: [location],
      partialFingerprints: { [FINGERPRINT_KEY]: createHash('sha256').update(`${identity}\0${ordinal}`).digest('hex').slice(0, 32) },
      properties: { function: f.function, attribution: json[i]!.attribution, production: json[i]!.production },
    };
  });
  const notifications: SarifNotification[] = [
    ...(options.errors ?? []).map((e) => ({ file: e.file, text: `could not analyse ${e.file}: ${e.message}` })),
    ...unknownAuthorshipFiles(findings).map((u) => ({ file: u.file, text: `authorship unknown for ${u.file} (${u.reason}); its findings are kept` })),
  ].map(({ file, text }) => ({
    level: 'warning',
    message: { text },
    locations: [{ physicalLocation: { artifactLocation: artifact(file, options.root !== undefined) } }],
  }));
  const run: SarifRun = {
    tool: { driver: { name: 'Runtime Lens', version: options.toolVersion, semanticVersion: options.toolVersion, informationUri: TOOL_INFORMATION_URI, rules } },
    ...(options.root !== undefined ? { originalUriBaseIds: { '%SRCROOT%': { uri: folderUri(options.root) } } } : {}),
    columnKind: 'utf16CodeUnits',
    invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
    results,
  };
  return { $schema: SARIF_SCHEMA, version: SARIF_VERSION, runs: [run] };
}

/** The SARIF log as text (two-space indented, newline-terminated). */
export function formatSarif(findings: readonly Finding[], options: SarifOptions): string {
  return `${JSON.stringify(toSarif(findings, options), null, 2)}\n`;
}

/** A relative URI reference for a posix path: each segment percent-encoded. */
function artifact(file: string, withBase: boolean): { uri: string; uriBaseId?: string } {
  const uri = file
    .split('/')
    .map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s)))
    .join('/');
  return withBase ? { uri, uriBaseId: '%SRCROOT%' } : { uri };
}

/** A region SARIF accepts: lines and columns at least 1, the end never before the start. */
function region(f: Finding): { startLine: number; startColumn: number; endLine: number; endColumn: number } {
  const startLine = Math.max(1, f.line);
  const startColumn = Math.max(1, f.column);
  const endLine = Math.max(startLine, f.endLine);
  const endColumn = endLine === startLine ? Math.max(startColumn, f.endColumn) : Math.max(1, f.endColumn);
  return { startLine, startColumn, endLine, endColumn };
}

function folderUri(root: string): string {
  const href = pathToFileURL(root).href;
  return href.endsWith('/') ? href : `${href}/`;
}
