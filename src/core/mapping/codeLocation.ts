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
