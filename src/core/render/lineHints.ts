import type { CallSignal, ErrorSignal, SignalsResponse } from '../api/signals';
import { plainText } from './escape';
import { formatCount, formatMs } from '../format';
import { errorRateSeverity, latencySeverity, worst, type Severity, type Thresholds } from './severity';

/** One end-of-line hint. */
export interface LineHint {
  /** 1-based line. */
  line: number;
  text: string;
  severity: Severity;
}

/** The hints for one file: thrown errors on the lines that threw, outgoing-call p95 on the lines that call. */
export function lineHints(response: SignalsResponse, file: string, thresholds: Thresholds): LineHint[] {
  const hints = new Map<number, LineHint>();
  const errorsByLine = new Map<number, ErrorSignal[]>();
  for (const e of response.errors) {
    if (e.file !== file || e.count === 0) continue;
    const list = errorsByLine.get(e.line) ?? [];
    list.push(e);
    errorsByLine.set(e.line, list);
  }
  for (const [line, list] of errorsByLine) {
    list.sort((a, b) => b.count - a.count);
    const top = list[0];
    const more = list.length > 1 ? ` +${list.length - 1} more` : '';
    hints.set(line, { line, text: `✖ ${formatCount(top.count)}× ${clip(top.type, 90)}: ${clip(top.message, 90)} (${plainText(response.window)})${more}`, severity: 'error' });
  }
  const callsByLine = new Map<number, CallSignal[]>();
  for (const c of response.calls ?? []) {
    // A call placed on its function's own line says nothing about which line calls: the hover lists it instead.
    if (c.file !== file || c.count === 0 || c.lineMatch === 'function') continue;
    const list = callsByLine.get(c.line) ?? [];
    list.push(c);
    callsByLine.set(c.line, list);
  }
  for (const [line, list] of callsByLine) {
    if (hints.has(line)) continue;
    const slowest = list.reduce((a, b) => (b.p95Ms > a.p95Ms ? b : a));
    const severity = list.reduce<Severity>((s, c) => worst(s, worst(latencySeverity(c.p95Ms, thresholds), errorRateSeverity(c.errorRate, thresholds))), 'ok');
    hints.set(line, { line, text: `~${formatMs(slowest.p95Ms)}`, severity });
  }
  return [...hints.values()].sort((a, b) => a.line - b.line);
}

function clip(text: string, max: number): string {
  const oneLine = plainText(text).replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
