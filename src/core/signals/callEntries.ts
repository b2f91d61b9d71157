import type { CallSite } from '../mapping/callSites';
import type { Touchable } from './boundedMap';
import { joinKey } from './storeEntries';
import type { TimeSeries } from './timeSeries';

/** An outgoing call's aggregate: a call site (function, file, line) and what it calls. */
export interface CallEntry extends CallSite, Touchable {
  service: string;
  environment: string;
  target: string;
  series: TimeSeries;
}

/** The key of a call entry: (service, environment, file, line, target). */
export function callKey(service: string, environment: string, site: { file: string; line: number }, target: string): string {
  return joinKey(service, environment, site.file, site.line, target);
}

/** A new call entry, every field in one literal (see Touchable). */
export function newCallEntry(site: CallSite, service: string, environment: string, target: string, series: TimeSeries): CallEntry {
  return { file: site.file, line: site.line, function: site.function, lineMatch: site.lineMatch, touched: 0, evicted: false, placed: 0, uses: 0, service, environment, target, series };
}
