/**
 * What the AI-code risk analysis produces: findings per function, with who wrote the function
 * (attribution) and, once joined with the signal store, what it does in production. Shared by
 * the rules, the attribution sources, the CLI (`runtime-lens check`) and the editor adapters.
 */

/** Rule ids are part of the public contract (docs, SARIF, settings). */
export type RuleId = 'missing-timeout' | 'swallowed-error' | 'retry-without-backoff' | 'hollow-health-check' | 'non-idempotent-migration' | 'secret-in-log';

/** Every rule id, in documentation order. */
export const RULE_IDS: readonly RuleId[] = ['missing-timeout', 'swallowed-error', 'retry-without-backoff', 'hollow-health-check', 'non-idempotent-migration', 'secret-in-log'];

export type Severity = 'error' | 'warning' | 'note';

/** Languages the analysis parses. */
export type Language = 'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'java' | 'sql';

/** A function (or method) found in a source file; lines are 1-based and inclusive. */
export interface FunctionSpan {
  name: string;
  startLine: number;
  endLine: number;
}

/** A span's identity across runs and threads: `name:startLine:endLine`. */
export function spanKey(s: FunctionSpan): string {
  return `${s.name}:${s.startLine}:${s.endLine}`;
}

/** How sure an attribution is. */
export type Confidence = 'high' | 'medium' | 'low';

/** Where an authorship claim comes from. */
export type AttributionSource = 'git-ai-note' | 'agent-trace' | 'commit-trailer' | 'commit-author' | 'code-marker';

/** Who wrote a function, and how we know. */
export interface Attribution {
  ai: boolean;
  /** Human-readable provenance, e.g. `git-ai note on 3f2a1c0`, `Co-Authored-By trailer on 3f2a1c0`. */
  source: string;
  kind: AttributionSource | 'none';
  /** `Claude Code`, `aider`, `GitHub Copilot`, `Cursor`, `Devin`, ... when known. */
  agent?: string;
  model?: string;
  /** Short commit sha the claim is about, when it is about one. */
  commit?: string;
  confidence: Confidence;
  /** Share of the function's lines attributed to AI at medium confidence or above (0..1). */
  aiShare: number;
  /** Why authorship could not be read (git failed or timed out): then `ai` is false but the function is not known to be human. */
  unknown?: string;
}

/** Production figures of the function, when the signal store has any. */
export interface ProductionFigures {
  ratePerMin: number;
  p95Ms: number;
  errorRate: number;
  count: number;
  window: string;
  environment: string;
  /** ratePerMin × p95Ms (+ an error term): the ranking key. */
  impact: number;
}

/** One problem in one function. */
export interface Finding {
  rule: RuleId;
  /** Workspace-relative posix path. */
  file: string;
  /** 1-based lines of the offending construct. */
  line: number;
  endLine: number;
  column: number;
  endColumn: number;
  /** The enclosing function's name ('' at module level). */
  function: string;
  /** One sentence, e.g. `no timeout on fetch`. */
  message: string;
  severity: Severity;
  /**
   * 'low' when the rule itself is unsure (the shape is often deliberate): its severity is then one
   * level below the rule's and the message says why. Absent when the rule is sure.
   */
  confidence?: 'low';
  attribution: Attribution | null;
  production: ProductionFigures | null;
  /** Data for a quick fix, when the rule can offer one (e.g. where to insert an option). */
  fix?: FixHint;
}

/** An edit a quick fix applies: insert `text` at a 1-based line/column (or replace a range). */
export interface FixHint {
  title: string;
  edits: { line: number; column: number; endLine: number; endColumn: number; text: string }[];
}
