/**
 * The JSON report of `runtime-lens check --format json`, a contract for tools:
 * `{"findings":[{"rule","file","line","endLine","function","message","severity","confidence","attribution":{…}|null,"production":{…}|null}]}`.
 * Unknown attribution fields are null rather than absent, so every finding has the same keys;
 * `attribution.ai` is null when git could not tell who wrote the function, and those files are
 * listed under `authorshipUnknown` (present only when there are any).
 */
import type { Confidence, Finding, ProductionFigures, RuleId, Severity } from '../findings';
import { riskMessage } from '../ranking';
import type { UnknownAuthorship } from './unknownAuthorship';
import { unknownAuthorshipFiles } from './unknownAuthorship';

/** One finding as the JSON report writes it. */
export interface JsonFinding {
  rule: RuleId;
  file: string;
  line: number;
  endLine: number;
  function: string;
  /** The full message: attribution · what is wrong · production figures. */
  message: string;
  severity: Severity;
  /** How sure the rule is: 'low' for shapes that are often deliberate (their severity is one level down). */
  confidence: 'high' | 'low';
  /** `ai` is null when authorship is unknown (git failed), which is not the same as human-written. */
  attribution: { ai: boolean | null; source: string; agent: string | null; model: string | null; commit: string | null; confidence: Confidence } | null;
  production: ProductionFigures | null;
}

/** The whole JSON report. */
export interface JsonReport {
  findings: JsonFinding[];
  /** Files whose authorship git could not tell; their findings are kept with `attribution.ai` null. */
  authorshipUnknown?: UnknownAuthorship[];
  /** git-ai attestation lines skipped because their key has no record in any note (present only when any). */
  skippedAttestations?: number;
}

/** Scan facts the JSON report carries beside the findings. */
export interface JsonSummary {
  skippedAttestations?: number;
}

/** The report object, findings in the order given (the ranking order). */
export function toJsonReport(findings: readonly Finding[], summary: JsonSummary = {}): JsonReport {
  const unknown = unknownAuthorshipFiles(findings);
  return {
    findings: findings.map((f) => ({
      rule: f.rule,
      file: f.file,
      line: f.line,
      endLine: f.endLine,
      function: f.function,
      message: riskMessage(f),
      severity: f.severity,
      confidence: f.confidence ?? 'high',
      attribution: f.attribution
        ? {
            ai: f.attribution.unknown !== undefined ? null : f.attribution.ai,
            source: f.attribution.source,
            agent: f.attribution.agent ?? null,
            model: f.attribution.model ?? null,
            commit: f.attribution.commit ?? null,
            confidence: f.attribution.confidence,
          }
        : null,
      production: f.production
        ? {
            ratePerMin: f.production.ratePerMin,
            p95Ms: f.production.p95Ms,
            errorRate: f.production.errorRate,
            count: f.production.count,
            window: f.production.window,
            environment: f.production.environment,
            impact: f.production.impact,
          }
        : null,
    })),
    ...(unknown.length > 0 ? { authorshipUnknown: unknown } : {}),
    ...(summary.skippedAttestations ? { skippedAttestations: summary.skippedAttestations } : {}),
  };
}

/** The report as text (two-space indented, newline-terminated). */
export function formatJson(findings: readonly Finding[], summary: JsonSummary = {}): string {
  return `${JSON.stringify(toJsonReport(findings, summary), null, 2)}\n`;
}
