/**
 * Error groups (exception type and message, ids folded) counted per request on each side, for the
 * whole run and per route. A group is new for the candidate when its spans raise it in more
 * requests than the baseline's do, by more than the baseline's own run-to-run difference
 * (|baseline - baseline again|, over the requests that have both answers).
 */
import type { ErrorDelta } from '../api/shadowReport';
import type { FunctionPlace, RaisedError, SpanDigest } from './spanDigest';

interface GroupCounts {
  candidate: number;
  baseline: number;
  /** Over requests with a second baseline answer: the baseline's and the second baseline's counts. */
  noiseA: number;
  noiseB: number;
}

interface Group extends GroupCounts {
  type: string;
  message: string;
  functionKey: string;
  place?: FunctionPlace;
  byRoute: Map<string, GroupCounts>;
}

/** Per error group: requests raising it on each side, in all and per route. */
export class ErrorTally {
  private readonly groups = new Map<string, Group>();

  /** Adds one request's digests (candidate and baseline required; the second baseline optional). */
  add(route: string, candidate: SpanDigest, baseline: SpanDigest, baseline2: SpanDigest | undefined): void {
    const bump = (key: string, sample: RaisedError, field: keyof GroupCounts): void => {
      let g = this.groups.get(key);
      if (g === undefined) {
        g = { type: sample.type, message: sample.message, functionKey: sample.functionKey, candidate: 0, baseline: 0, noiseA: 0, noiseB: 0, byRoute: new Map() };
        if (sample.place) g.place = sample.place;
        this.groups.set(key, g);
      } else if (field === 'candidate' && g.candidate === 0) {
        // Where the candidate raised it is what the report points at.
        g.functionKey = sample.functionKey;
        if (sample.place) g.place = sample.place;
      }
      g[field]++;
      let r = g.byRoute.get(route);
      if (r === undefined) g.byRoute.set(route, (r = { candidate: 0, baseline: 0, noiseA: 0, noiseB: 0 }));
      r[field]++;
    };
    for (const [key, e] of candidate.errors) bump(key, e, 'candidate');
    for (const [key, e] of baseline.errors) bump(key, e, 'baseline');
    if (baseline2 !== undefined) {
      for (const [key, e] of baseline.errors) bump(key, e, 'noiseA');
      for (const [key, e] of baseline2.errors) bump(key, e, 'noiseB');
    }
  }

  /** New error groups of the whole run. */
  newErrors(): ErrorDelta[] {
    return this.collect((g) => g);
  }

  /** New error groups of one route (its own counts). */
  newErrorsOfRoute(route: string): ErrorDelta[] {
    return this.collect((g) => g.byRoute.get(route));
  }

  /** New error groups (run-wide counts) raised in one function. */
  newErrorsOfFunction(functionKey: string): ErrorDelta[] {
    return this.collect((g) => (g.functionKey === functionKey ? g : undefined));
  }

  private collect(countsOf: (g: Group) => GroupCounts | undefined): ErrorDelta[] {
    const out: ErrorDelta[] = [];
    for (const g of this.groups.values()) {
      const c = countsOf(g);
      if (c === undefined || !isNew(c)) continue;
      out.push({
        type: g.type,
        message: g.message,
        candidate: c.candidate,
        baseline: c.baseline,
        ...(g.place ? { file: g.place.file, line: g.place.line, function: g.place.function } : {}),
      });
    }
    return out.sort((a, b) => b.candidate - b.baseline - (a.candidate - a.baseline) || a.type.localeCompare(b.type));
  }
}

function isNew(c: GroupCounts): boolean {
  return c.candidate > c.baseline && c.candidate - c.baseline > Math.abs(c.noiseA - c.noiseB);
}
