import { Emitter } from './emitter';
import { compileLensTemplate, DEFAULT_LENS_TEMPLATE, type LensTemplate } from '../core/render/lensTemplate';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../core/render/severity';
import { parseWindow } from '../core/signals/windows';
import { SECTION, Settings, type SettingKey } from './ids';
import { RULE_IDS, type RuleId } from '../core/analysis/findings';
import { cleanServiceDir, type ServiceRootRule } from '../core/mapping/serviceRoots';
import { normalizeOrigin } from '../core/server/faroOrigins';
import { specsFromSettings, type SourceSpec } from '../core/sources/sourceSpec';

/** How a rule's findings show in the editor (`off` hides them). */
export type RiskLevel = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** The AI-code risk analysis settings. */
export interface AnalysisConfig {
  /** Analyse all code, not only AI-written functions. */
  all: boolean;
  /** Analyse test code too (left out by default: see `isTestPath`). */
  includeTests: boolean;
  /** Timeout the quick fixes write, in ms. */
  timeoutMs: number;
  /** Per-rule level; rules not listed keep the rule's own severity. */
  severity: Partial<Record<RuleId, RiskLevel>>;
}

/** Every Runtime Lens setting, normalized: invalid values are already replaced by defaults. */
export interface RuntimeLensConfig {
  /** `enabled` false: the embedded receiver accepts no OTLP; the read API answers from `sources` only. */
  receiver: { host: string; port: number; enabled: boolean };
  /** The team's backends (`runtimeLens.sources`), valid entries only; secrets are not part of them. */
  sources: SourceSpec[];
  autoStart: boolean;
  window: string;
  /** undefined = the receiver's default (busiest) environment. */
  environment: string | undefined;
  codeLens: { enabled: boolean; template: LensTemplate };
  inlineHints: { enabled: boolean };
  diagnostics: { enabled: boolean };
  thresholds: Thresholds;
  traceUrlTemplate: string;
  analysis: AnalysisConfig;
  /** Service name -> folder relative to the workspace, passed to the receiver as `--service-root`. */
  serviceRoots: ServiceRootRule[];
  /** Browser origins allowed to send Grafana Faro telemetry to the receiver (`--faro-origin`); empty = CORS off. */
  faro: { allowedOrigins: string[] };
}

/** The part of `vscode.WorkspaceConfiguration` this module reads (so it runs in plain Node tests). */
export interface ConfigSource {
  get<T>(key: string): T | undefined;
}

/** The defaults package.json declares. */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 4318,
  window: '5m',
} as const;

/**
 * Remembers which invalid values were already reported, so each one gives one warning
 * (not one per re-read), and a value fixed then broken again is reported again.
 */
export class ConfigWarnings {
  private readonly reported = new Map<string, string>();

  constructor(private readonly show: (message: string) => void) {}

  /** Reports `message` for `key` unless the same message was the last one for it. */
  report(key: string, message: string): void {
    if (this.reported.get(key) === message) return;
    this.reported.set(key, message);
    this.show(message);
  }

  /** Forgets `key`'s last warning once its value is valid. */
  clear(key: string): void {
    this.reported.delete(key);
  }
}

/** Reads and validates every setting; each invalid one is reported through `warnings` and falls back to its default. */
export function readConfig(source: ConfigSource, warnings: ConfigWarnings): RuntimeLensConfig {
  const r = new Reader(source, warnings);
  const template = r.string(Settings.codeLensTemplate, DEFAULT_LENS_TEMPLATE, (v) => (v.trim() === '' ? 'it is empty' : ''));
  const lens = compileLensTemplate(template);
  const placeholderKey = `${Settings.codeLensTemplate}#placeholders`;
  if (lens.unknown.length > 0) {
    warnings.report(
      placeholderKey,
      `Runtime Lens: ${SECTION}.${Settings.codeLensTemplate} has unknown placeholder${lens.unknown.length === 1 ? '' : 's'} ${lens.unknown.map((u) => `{${u}}`).join(', ')}; they are shown as typed. Known: {p50} {p95} {p99} {errorRate} {rate} {count} {window} {environment} {service}.`,
    );
  } else warnings.clear(placeholderKey);
  const environment = r.string(Settings.environment, '', () => '').trim();
  return {
    receiver: {
      host: r.string(Settings.receiverHost, DEFAULTS.host, (v) => (/^[A-Za-z0-9.:[\]-]+$/.test(v) ? '' : 'it must be a host name or an IP address')),
      port: r.number(Settings.receiverPort, DEFAULTS.port, (v) => (Number.isInteger(v) && v >= 1 && v <= 65535 ? '' : 'it must be a whole number from 1 to 65535')),
      enabled: r.boolean(Settings.receiverEnabled, true),
    },
    sources: readSources(source, warnings),
    autoStart: r.boolean(Settings.autoStart, false),
    window: r.string(Settings.window, DEFAULTS.window, windowProblem),
    environment: environment === '' ? undefined : environment,
    codeLens: { enabled: r.boolean(Settings.codeLensEnabled, true), template: lens },
    inlineHints: { enabled: r.boolean(Settings.inlineHintsEnabled, true) },
    diagnostics: { enabled: r.boolean(Settings.diagnosticsEnabled, true) },
    thresholds: readThresholds(r),
    traceUrlTemplate: r.string(Settings.traceUrlTemplate, '', (v) => (v === '' || (/^https?:\/\/\S+$/i.test(v) && v.includes('{traceId}')) ? '' : 'it must be an http(s) URL containing {traceId}, or empty')),
    analysis: readAnalysis(r, source, warnings),
    serviceRoots: readServiceRoots(source, warnings),
    faro: { allowedOrigins: readFaroOrigins(source, warnings) },
  };
}

const RISK_LEVELS: readonly RiskLevel[] = ['error', 'warning', 'information', 'hint', 'off'];

function readAnalysis(r: Reader, source: ConfigSource, warnings: ConfigWarnings): AnalysisConfig {
  const severity: Partial<Record<RuleId, RiskLevel>> = {};
  const raw = source.get<unknown>(Settings.analysisSeverity);
  const key = Settings.analysisSeverity;
  const problems: string[] = [];
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) problems.push('it must be an object of rule id to level');
  else if (raw) {
    for (const [rule, level] of Object.entries(raw as Record<string, unknown>)) {
      if (!(RULE_IDS as readonly string[]).includes(rule)) problems.push(`"${rule}" is not a rule (known: ${RULE_IDS.join(', ')})`);
      else if (typeof level !== 'string' || !(RISK_LEVELS as readonly string[]).includes(level)) problems.push(`"${rule}" must be one of ${RISK_LEVELS.join(', ')}`);
      else severity[rule as RuleId] = level as RiskLevel;
    }
  }
  if (problems.length > 0) warnings.report(key, `Runtime Lens: ${SECTION}.${key}: ${problems.join('; ')}. Those entries are ignored.`);
  else warnings.clear(key);
  return {
    all: r.boolean(Settings.analysisAll, false),
    includeTests: r.boolean(Settings.analysisIncludeTests, false),
    timeoutMs: r.number(Settings.analysisTimeoutMs, 10_000, (v) => (Number.isInteger(v) && v >= 1 && v <= 600_000 ? '' : 'it must be a whole number of milliseconds from 1 to 600000')),
    severity,
  };
}

/** Valid entries of the NAME -> folder object; the others are reported once and left out. */
function readServiceRoots(source: ConfigSource, warnings: ConfigWarnings): ServiceRootRule[] {
  const key = Settings.serviceRoots;
  const raw = source.get<unknown>(key);
  const rules: ServiceRootRule[] = [];
  const problems: string[] = [];
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) problems.push('it must be an object of service name to folder');
  else if (raw) {
    for (const [name, dir] of Object.entries(raw as Record<string, unknown>)) {
      const clean = typeof dir === 'string' ? cleanServiceDir(dir) : undefined;
      if (name.trim() === '' || name.includes('=')) problems.push(`${JSON.stringify(name)} is not a service name`);
      else if (typeof dir !== 'string') problems.push(`"${name}" must be a folder path (a string)`);
      else if (clean === undefined) problems.push(`"${name}": ${JSON.stringify(dir)} must be a folder inside the workspace, relative to it`);
      else rules.push({ name: name.trim(), dir: clean });
    }
  }
  if (problems.length > 0) warnings.report(key, `Runtime Lens: ${SECTION}.${key}: ${problems.join('; ')}. Those entries are ignored.`);
  else warnings.clear(key);
  return rules;
}

/** Valid `runtimeLens.sources` entries; the others are reported once (one line each) and left out. */
function readSources(source: ConfigSource, warnings: ConfigWarnings): SourceSpec[] {
  const key = Settings.sources;
  const { specs, problems } = specsFromSettings(source.get<unknown>(key));
  if (problems.length > 0) warnings.report(key, `Runtime Lens: ${problems.join('; ')}. Those entries are ignored.`);
  else warnings.clear(key);
  return specs;
}

/** Valid origins of `faro.allowedOrigins`, normalized; the others are reported once and left out. */
function readFaroOrigins(source: ConfigSource, warnings: ConfigWarnings): string[] {
  const key = Settings.faroAllowedOrigins;
  const raw = source.get<unknown>(key);
  const origins: string[] = [];
  const problems: string[] = [];
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) problems.push('it must be a list of origins');
  else {
    for (const item of (raw as unknown[] | null | undefined) ?? []) {
      const origin = typeof item === 'string' ? normalizeOrigin(item) : new Error(`${JSON.stringify(item)} is not a string`);
      if (origin instanceof Error) problems.push(origin.message);
      else if (!origins.includes(origin)) origins.push(origin);
    }
  }
  if (problems.length > 0) warnings.report(key, `Runtime Lens: ${SECTION}.${key}: ${problems.join('; ')}. Those entries are ignored.`);
  else warnings.clear(key);
  return origins;
}

function readThresholds(r: Reader): Thresholds {
  const ms = (v: number): string => (Number.isFinite(v) && v >= 0 ? '' : 'it must be a number of milliseconds, 0 or more');
  const ratio = (v: number): string => (Number.isFinite(v) && v >= 0 && v <= 1 ? '' : 'it must be a ratio from 0 to 1 (0.01 = 1%)');
  const latencyWarningMs = r.number(Settings.latencyWarningMs, DEFAULT_THRESHOLDS.latencyWarningMs, ms);
  const latencyErrorMs = r.number(
    Settings.latencyErrorMs,
    DEFAULT_THRESHOLDS.latencyErrorMs,
    (v) => ms(v) || (v < latencyWarningMs ? `it must not be below ${SECTION}.${Settings.latencyWarningMs} (${latencyWarningMs})` : ''),
  );
  const errorRateWarning = r.number(Settings.errorRateWarning, DEFAULT_THRESHOLDS.errorRateWarning, ratio);
  const errorRateError = r.number(
    Settings.errorRateError,
    DEFAULT_THRESHOLDS.errorRateError,
    (v) => ratio(v) || (v < errorRateWarning ? `it must not be below ${SECTION}.${Settings.errorRateWarning} (${errorRateWarning})` : ''),
  );
  return {
    latencyWarningMs,
    latencyErrorMs: Math.max(latencyErrorMs, latencyWarningMs),
    errorRateWarning,
    errorRateError: Math.max(errorRateError, errorRateWarning),
  };
}

function windowProblem(value: string): string {
  try {
    parseWindow(value);
    return '';
  } catch (err) {
    return (err as Error).message.replace(/^invalid window "[^"]*": /, 'it is not a window: ');
  }
}

/** Reads one key at a time: wrong types and invalid values are reported and replaced by the default. */
class Reader {
  constructor(
    private readonly source: ConfigSource,
    private readonly warnings: ConfigWarnings,
  ) {}

  string(key: SettingKey, fallback: string, problem: (v: string) => string): string {
    return this.read(key, fallback, (v) => (typeof v === 'string' ? problem(v) : 'it must be a string'));
  }

  number(key: SettingKey, fallback: number, problem: (v: number) => string): number {
    return this.read(key, fallback, (v) => (typeof v === 'number' ? problem(v) : 'it must be a number'));
  }

  boolean(key: SettingKey, fallback: boolean): boolean {
    return this.read(key, fallback, (v) => (typeof v === 'boolean' ? '' : 'it must be true or false'));
  }

  private read<T>(key: SettingKey, fallback: T, problem: (v: unknown) => string): T {
    const value = this.source.get<unknown>(key);
    if (value === undefined || value === null) {
      this.warnings.clear(key);
      return fallback;
    }
    const why = problem(value);
    if (!why) {
      this.warnings.clear(key);
      return value as T;
    }
    this.warnings.report(key, `Runtime Lens: ${SECTION}.${key} is ${JSON.stringify(value)}, but ${why}. Using ${JSON.stringify(fallback)}.`);
    return fallback;
  }
}

/** The current configuration plus a change event, handed to every surface. */
export class LiveConfig {
  private readonly emitter = new Emitter<RuntimeLensConfig>();
  /** Fires after `update` with the new configuration. */
  readonly onDidChange = this.emitter.event;

  constructor(private value: RuntimeLensConfig) {}

  /** The normalized settings now in force. */
  get current(): RuntimeLensConfig {
    return this.value;
  }

  /** Replaces the configuration and notifies listeners. */
  update(next: RuntimeLensConfig): void {
    this.value = next;
    this.emitter.fire(next);
  }
}
