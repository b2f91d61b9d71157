/**
 * Where `runtime-lens shadow` takes its traffic from: a traffic file (`--traffic`), or the recent
 * production traces a Runtime Lens server holds (`--from URL`: its receiver's store, or the Jaeger
 * and Tempo sources it reads), read through the read API's one client. With traces, the requests
 * whose production traces ran through functions changed since `--changed-since` (by default the
 * `--baseline-ref`) are picked first.
 */
import * as path from 'node:path';
import type { TraceResponse } from '../core/api/signals';
import { ReadApiClient } from '../core/client/readApiClient';
import { nodeGit } from '../core/mapping/git';
import { workspaceReader } from '../core/mapping/workspaceIndex';
import { changedFunctions } from '../core/shadow/changedFunctions';
import { touchesChangedCode } from '../core/shadow/changedTouch';
import type { ShadowRequest, TrafficRead } from '../core/shadow/shadowRequest';
import { trafficFromTraces } from '../core/shadow/traceTraffic';
import { readTrafficFile } from '../core/shadow/trafficFile';
import { parseWindow } from '../core/signals/windows';
import { MAX_TRAFFIC_LIMIT } from '../core/sources/telemetrySource';
import { resolveClientToken } from './tokenFlags';
import { UsageError } from './usageError';

/** The traffic flags of `shadow`, as parseArgs gives them. */
export interface TrafficFlagValues {
  traffic?: string;
  from?: string;
  window?: string;
  environment?: string;
  'token-file'?: string;
  'changed-since'?: string;
  'baseline-ref'?: string;
}

/** The traffic of a run, and how to pick within it. */
export interface ShadowTraffic {
  traffic: TrafficRead;
  /** For the report: the file's name, or `traces of URL`. */
  label: string;
  touchesChanged?: (r: ShadowRequest) => boolean;
  changedCode?: { since: string; functions: number };
  /** One line each, for stderr. */
  notes: string[];
}

/** Checks the traffic flags before anything starts; throws a one-line UsageError. */
export function checkTrafficFlags(values: TrafficFlagValues): void {
  if (values.traffic !== undefined && values.from !== undefined) throw new UsageError('give --traffic FILE or --from URL, not both');
  if (values.traffic === undefined && values.from === undefined) throw new UsageError('give --traffic FILE (.har, .gor or .json) or --from URL (a Runtime Lens server holding production traces)');
  if (values.from === undefined) {
    for (const flag of ['window', 'environment', 'token-file'] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --from URL (it says which traces to read)`);
    if (values['changed-since'] !== undefined) throw new UsageError('--changed-since needs --from URL: only production traces say which code a request ran through');
  }
  if (values.window !== undefined) {
    try {
      parseWindow(values.window);
    } catch (err) {
      throw new UsageError(`--window: ${(err as Error).message}`);
    }
  }
}

/**
 * Reads the run's traffic: the file, or the server's recent traces (at least 500, four times the
 * budget, at most the API's limit). Every failure is a UsageError of one line.
 */
export async function readShadowTraffic(values: TrafficFlagValues, workspace: string, budget: number): Promise<ShadowTraffic> {
  if (values.traffic !== undefined) {
    try {
      return { traffic: await readTrafficFile(path.resolve(values.traffic)), label: path.basename(values.traffic), notes: [] };
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const server = values.from!;
  let traces: TraceResponse[];
  let rejected: string[];
  try {
    const client = new ReadApiClient({ server, token: resolveClientToken({ 'token-file': values['token-file'] }, process.env), timeoutMs: 30_000 });
    const limit = Math.min(MAX_TRAFFIC_LIMIT, Math.max(500, budget * 4));
    ({ traces, rejected } = await client.traffic({ window: values.window ?? '15m', limit, ...(values.environment !== undefined ? { environment: values.environment } : {}) }));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--from ${server}: ${(err as Error).message}`);
  }
  const read = trafficFromTraces(traces);
  // A trace the client refused is still a record read: counted as unreadable, with why.
  rejected.forEach((why, i) => read.skipped.push({ id: `trace:rejected-${i}`, reason: 'unreadable', detail: why }));
  const notes = [`runtime-lens: ${read.requests.length} requests from ${traces.length} production traces of the last ${values.window ?? '15m'} at ${server}`];
  if (rejected.length > 0) notes.push(`runtime-lens: ${rejected.length} traces from ${server} were not readable: ${rejected[0]}`);
  const since = values['changed-since'] ?? values['baseline-ref'];
  if (since === undefined) return { traffic: read, label: `traces of ${server}`, notes };
  let changed: Awaited<ReturnType<typeof changedFunctions>>;
  try {
    changed = await changedFunctions(nodeGit(workspace), since, (file) => workspaceReader(workspace).read(file));
  } catch (err) {
    const flag = values['changed-since'] !== undefined ? '--changed-since' : '--baseline-ref';
    throw new UsageError(`${flag} ${since}: ${(err as Error).message}`);
  }
  const touchesChanged = touchesChangedCode(changed, traces);
  const touching = read.requests.filter(touchesChanged).length;
  notes.push(`runtime-lens: ${changed.functions.length} functions changed since ${since}; ${touching} of the ${read.requests.length} requests ran through them in production (picked first)`);
  return { traffic: read, label: `traces of ${server}`, touchesChanged, changedCode: { since, functions: changed.functions.length }, notes };
}
