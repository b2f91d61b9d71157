import type { RevisionDrift } from '../mapping/revisionDrift';
import type { Deployed, DriftSummary, SignalsResponse } from './signals';

interface Placed {
  file: string;
  line: number;
  deployed?: Deployed;
  deployedLine?: number;
  drift?: DriftSummary;
}

/**
 * Moves the lines of a response from the deployed revision to the working copy, in place.
 * Lines git cannot carry (changed since) stay as reported; every entry says how far its deployment drifted.
 */
export async function applyDrift(response: SignalsResponse, drift: RevisionDrift): Promise<void> {
  const entries: Placed[] = [...response.functions, ...response.errors];
  await Promise.all(entries.map((entry) => placeEntry(entry, drift)));
}

async function placeEntry(entry: Placed, drift: RevisionDrift): Promise<void> {
  if (!entry.deployed || !entry.file) return;
  const info = await drift.resolve(entry.deployed.revision, entry.deployed.version);
  entry.drift = { deployed: info.deployed, status: info.status, behind: info.behind, ahead: info.ahead, reason: info.reason };
  if (info.status !== 'drifted' || entry.line <= 0) return;
  const moved = await drift.translateLine(info, entry.file, entry.line);
  if (moved === null || (moved.file === entry.file && moved.line === entry.line)) return;
  entry.deployedLine = entry.line;
  entry.file = moved.file;
  entry.line = moved.line;
}
