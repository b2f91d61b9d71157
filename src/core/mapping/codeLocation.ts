import type { DriftSummary, MappedBy } from '../api/signals';

/** Where a span or an exception was tied to in the workspace. */
export interface CodeLocation {
  file: string;
  line: number;
  function: string;
  mappedBy: MappedBy;
  confidence: number;
  /** The line the deployment reported, when revision drift moved it. */
  deployedLine?: number;
  /** How the deployment that reported it stands against the local HEAD. */
  drift?: DriftSummary;
}

/**
 * `location` carried to the working copy: with `drift`, and moved to `file` and `line` (from
 * `deployedLine`) when the revisions differ. Every field is written in one literal: spread and then
 * extended, the object keeps its later fields in a second array, one more object per mapped
 * location for the GC.
 */
export function withDrift(location: CodeLocation, drift: DriftSummary, file = location.file, line = location.line, deployedLine = location.deployedLine): CodeLocation {
  return { file, line, function: location.function, mappedBy: location.mappedBy, confidence: location.confidence, deployedLine, drift };
}
