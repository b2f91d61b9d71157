/**
 * A function's call differences summed over the requests that showed them (against the baseline, or
 * against production), and the report rows they become: calls per request on each side, the line
 * seen most often.
 */
import type { CallDelta } from '../api/shadowReport';
import type { CallChange, RequestCallDelta } from './spanTreeDiff';

/** One target's change under one function, over the requests that showed it. */
export interface CallCount {
  target: string;
  change: CallChange;
  requests: number;
  candidateCalls: number;
  /** Calls on the other side (the baseline, or production). */
  otherCalls: number;
  lines: Map<number, number>;
}

/** The call differences of one function. */
export class FunctionCalls {
  private readonly calls = new Map<string, CallCount>();

  /** Adds one request's difference. */
  add(d: RequestCallDelta): void {
    const id = `${d.target}\u0000${d.change}`;
    let c = this.calls.get(id);
    if (c === undefined) this.calls.set(id, (c = { target: d.target, change: d.change, requests: 0, candidateCalls: 0, otherCalls: 0, lines: new Map() }));
    c.requests++;
    c.candidateCalls += d.candidate;
    c.otherCalls += d.baseline;
    if (d.line !== undefined) c.lines.set(d.line, (c.lines.get(d.line) ?? 0) + 1);
  }

  /** The differences `keep` lets through, as report rows, the most frequent first. */
  deltas(keep: (c: CallCount) => boolean): CallDelta[] {
    const out: CallDelta[] = [];
    for (const c of this.calls.values()) {
      if (!keep(c)) continue;
      const line = mostCommon(c.lines);
      out.push({
        target: c.target,
        ...(line !== undefined ? { line } : {}),
        change: c.change,
        candidatePerRequest: round(c.candidateCalls / c.requests),
        baselinePerRequest: round(c.otherCalls / c.requests),
        requests: c.requests,
      });
    }
    return out.sort((a, b) => b.requests - a.requests || a.target.localeCompare(b.target));
  }
}

function mostCommon(counts: Map<number, number>): number | undefined {
  let best: number | undefined;
  let n = 0;
  for (const [line, c] of counts) if (c > n || (c === n && best !== undefined && line < best)) [best, n] = [line, c];
  return best;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
