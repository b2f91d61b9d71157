/** What each rule is called and catches, in one sentence: SARIF rule metadata and the text report's legend. */
import type { RuleId } from '../findings';

/** A rule's display name (PascalCase, as SARIF `name` wants) and one-line description. */
export interface RuleInfo {
  name: string;
  summary: string;
  /** Why it matters in production, one sentence (SARIF fullDescription). */
  why: string;
}

/** Metadata of every rule. */
export const RULE_INFO: Readonly<Record<RuleId, RuleInfo>> = {
  'missing-timeout': {
    name: 'MissingTimeout',
    summary: 'Outgoing network or database call with no timeout or deadline.',
    why: 'A slow or hung dependency holds the caller, its sockets and its workers forever, and the stall spreads upstream.',
  },
  'swallowed-error': {
    name: 'SwallowedError',
    summary: 'Error path that neither propagates nor logs the error.',
    why: 'The failure leaves no trace: callers see a fallback value, dashboards stay green, and nobody can tell why data is missing.',
  },
  'retry-without-backoff': {
    name: 'RetryWithoutBackoff',
    summary: 'Retry loop with no growing delay or no attempt limit.',
    why: 'Immediate or unbounded retries multiply the load on a dependency exactly when it is struggling and can turn a blip into an outage.',
  },
  'hollow-health-check': {
    name: 'HollowHealthCheck',
    summary: 'Health or readiness route that returns success without touching any dependency.',
    why: 'The orchestrator keeps routing traffic to an instance that cannot serve it, because its probe always says it is fine.',
  },
  'non-idempotent-migration': {
    name: 'NonIdempotentMigration',
    summary: 'Migration DDL without IF [NOT] EXISTS (or the framework equivalent).',
    why: 'A migration that was half applied, or runs twice, fails the deploy instead of converging.',
  },
  'secret-in-log': {
    name: 'SecretInLog',
    summary: 'Log call that writes a password, token, secret, API key, authorization header or session cookie.',
    why: 'Logs are copied to many systems and kept for a long time; a secret written there is a leaked secret.',
  },
};
