import type * as vscode from 'vscode';
import type { Finding } from '../../core/analysis/findings';
import type { ServingRow } from '../../core/analysis/servingTraffic';

/**
 * What the risk surfaces (diagnostics, quick fixes, the Production risk view) read. Kept apart
 * from the service so the surfaces load without tree-sitter: the service is required lazily.
 */
export interface RiskSource {
  /** Fires with the workspace-relative files whose findings changed. */
  readonly onDidChange: vscode.Event<{ files: string[] }>;
  /** Ranked findings of a workspace-relative file. */
  findings(file: string): readonly Finding[];
  /** Every finding, in ranking order. */
  allFindings(): Finding[];
  /** AI-written functions with production data, hottest first, findings or not. */
  aiServingTraffic(): ServingRow[];
}
