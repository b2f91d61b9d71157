/**
 * The JSON report of `runtime-lens check --format json`, a contract for tools:
 * `{"findings":[{"rule","file","line","endLine","function","message","severity","attribution":{…}|null,"production":{…}|null}]}`.
 * Unknown attribution fields are null rather than absent, so every finding has the same keys.
 */
import type { Confidence, Finding, ProductionFigures, RuleId, Severity } from '../findings';
import { riskMessage } from '../ranking';

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
  attribution: { ai: boolean; source: string; agent: string | null; model: string | null; commit: string | null; confidence: Confidence } | null;
  production: ProductionFigures | null;
}

/** The whole JSON report. */
export interface JsonReport {
  findings: JsonFinding[];
}

/** The report object, findings in the order given (the ranking order). */
export function toJsonReport(findings: readonly Finding[]): JsonReport {
  return {
    findings: findings.map((f) => ({
      rule: f.rule,
      file: f.file,
      line: f.line,
      endLine: f.endLine,
      function: f.function,
      message: riskMessage(f),
      severity: f.severity,
      attribution: f.attribution
        ? {
            ai: f.attribution.ai,
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
  };
}

/** The report as text (two-space indented, newline-terminated). */
export function formatJson(findings: readonly Finding[]): string {
  return `${JSON.stringify(toJsonReport(findings), null, 2)}\n`;
}
