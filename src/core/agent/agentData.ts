/**
 * What the agent tools read, behind one port: production signals and traces (the read API of a
 * running receiver, or of a `serve` over the team's backends: the editor's code path), the working
 * tree's changes against a base ref, the risk findings and authorship of the analysis, and the last
 * shadow run. The composition roots build it (src/core/client/agentReadData.ts); tests may pass
 * their own. The shapes here are the agent's own: analysis and shadow sit beside this folder, not
 * below it.
 */
import type { ShadowReport } from '../api/shadowReport';
import type { SignalsResponse, TraceResponse } from '../api/signals';

/** A function changed in the working tree against the base ref. */
export interface AgentChangedFunction {
  /** Workspace-relative posix path. */
  file: string;
  /** `Class.method` inside a class, else the name (as spans map to it). */
  function: string;
  line: number;
  endLine: number;
  /** `base` when only the base ref's text has it (removed or renamed since). */
  side: 'working tree' | 'base';
}

/** What changed since a base ref. */
export interface AgentChanges {
  /** The ref as resolved (`origin/main`), and the commit it named. */
  ref: string;
  commit: string;
  /** How the ref was chosen when none was given: `the upstream branch`, `origin/HEAD`, `the local main branch`. */
  how?: string;
  files: string[];
  functions: AgentChangedFunction[];
}

/** How we know a function is AI-written. */
export interface AgentAuthorship {
  ai: boolean;
  /** `Co-Authored-By trailer on 3f2a1c0`, `git-ai note on 3f2a1c0`. */
  how: string;
  agent?: string;
  model?: string;
  confidence: string;
  /** Share of its lines written by AI (0..1). */
  aiShare: number;
}

/** A risk finding of the analysis. */
export interface AgentFinding {
  /** `missing-timeout`, `swallowed-error`, ... */
  rule: string;
  severity: 'error' | 'warning' | 'note';
  file: string;
  line: number;
  endLine: number;
  /** The enclosing function ('' at module level). */
  function: string;
  message: string;
  authorship?: AgentAuthorship;
}

/** An AI-written function the analysis knows of (with or without findings). */
export interface AgentAuthoredFunction {
  file: string;
  function: string;
  line: number;
  endLine: number;
  authorship: AgentAuthorship;
}

/** Where the figures come from, for the answer's first line and for "no data" reasons. */
export interface AgentSourceInfo {
  /** False when no receiver or backend answers: tools then say so instead of showing empty tables. */
  connected: boolean;
  /** `receiver at http://127.0.0.1:4318`, `serve over jaeger=..., prometheus=...`. */
  description: string;
  /** Why it is not connected, when it is not. */
  reason?: string;
}

/** What a shadow run started by an agent may do: the safe defaults, nothing more. */
export interface AgentShadowRequest {
  /** A loopback URL of the running local build, or... */
  target?: string;
  /** ...a command that starts it (needs a trusted workspace / `--allow-shadow`). */
  start?: string;
  /** Health path or URL to wait on when `start` is given. */
  health?: string;
  /** Baseline: a git ref checked out into a temporary worktree. */
  baselineRef?: string;
  /** Requests at most (the CLI's default budget when absent). */
  budget?: number;
}

/** Everything the tools read, and the one thing they may do. */
export interface AgentData {
  /** The workspace root the files are relative to. */
  readonly workspace: string;
  source(): Promise<AgentSourceInfo>;
  /**
   * `GET /api/signals` for a window (`5m`, `1h`), environment and file; `top` keeps the read API's
   * top rows (errors: the most frequent; functions: the top by impact, error rate and p95).
   */
  signals(query: { window: string; environment?: string; file?: string; perMinute?: boolean; top?: number }): Promise<SignalsResponse>;
  /** One trace's spans, mapped to code; null when no source holds it. */
  trace(traceId: string): Promise<TraceResponse | null>;
  /** Working tree against `base` (default: the upstream branch, else the default branch). */
  changes(base?: string): Promise<AgentChanges>;
  /** Risk findings of AI-written code in `files` (workspace-relative; all analysable files when absent). */
  findings(files?: readonly string[]): Promise<AgentFinding[]>;
  /** The AI-written functions of `files` (all analysable files when absent). */
  authored(files?: readonly string[]): Promise<AgentAuthoredFunction[]>;
  /** HEAD's commit, when the workspace is a git repository. */
  head(): Promise<string | undefined>;
  /** The last shadow run's report for this workspace, and when it finished (Unix ms). */
  lastShadow(): Promise<{ report: ShadowReport; finishedAt: number } | undefined>;
  /** Runs a shadow run with the safe defaults; absent when this host does not allow it. */
  runShadow?(request: AgentShadowRequest, signal?: AbortSignal): Promise<ShadowReport>;
}
