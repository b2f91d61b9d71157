/**
 * Where a span name of a service leads in the code, learned from sampled traces whose spans were
 * mapped. Metric backends (Prometheus span metrics) label series with the service and span name
 * only, unless the collector adds `code.*` dimensions; this is how those series find their function.
 */
import type { CodeLocation } from '../mapping/codeLocation';
import { OldestFirst } from '../oldestFirst';

/** Looks up the code location a (service, span name) pair was seen mapping to. */
export interface SpanNameIndex {
  /** The location spans of this name and service mapped to most often, or undefined when never seen mapped. */
  lookup(service: string, spanName: string): CodeLocation | undefined;
}

/** Distinct locations remembered per pair: one name normally means one function; a few rivals cover the rest. */
const MAX_CANDIDATES = 3;

interface Candidates {
  locations: CodeLocation[];
  hits: number[];
}

/** A SpanNameIndex filled as spans are seen mapped; bounded, the least recently seen pairs go first. */
export class LearnedSpanNames implements SpanNameIndex {
  private readonly pairs = new Map<string, Candidates>();
  private readonly pairsOldest = new OldestFirst(this.pairs);

  constructor(private readonly maxPairs = 20_000) {}

  /** Records that a span `spanName` of `service` mapped to `location`. */
  learn(service: string, spanName: string, location: CodeLocation): void {
    const key = `${service}\u0000${spanName}`;
    let entry = this.pairs.get(key);
    if (entry === undefined) {
      entry = { locations: [], hits: [] };
      if (this.pairs.size >= this.maxPairs) this.pairsOldest.drop();
    } else {
      // Re-inserted so Map order is least-recently-seen first.
      this.pairs.delete(key);
    }
    this.pairs.set(key, entry);
    const at = entry.locations.findIndex((l) => l.file === location.file && l.function === location.function && l.line === location.line);
    if (at >= 0) {
      entry.hits[at]++;
      return;
    }
    if (entry.locations.length < MAX_CANDIDATES) {
      entry.locations.push(location);
      entry.hits.push(1);
      return;
    }
    // Full: the rarest candidate gives way, so a renamed function takes over in time.
    const rarest = entry.hits.indexOf(Math.min(...entry.hits));
    entry.locations[rarest] = location;
    entry.hits[rarest] = 1;
  }

  lookup(service: string, spanName: string): CodeLocation | undefined {
    const entry = this.pairs.get(`${service}\u0000${spanName}`);
    if (entry === undefined) return undefined;
    let best = 0;
    for (let i = 1; i < entry.hits.length; i++) if (entry.hits[i] > entry.hits[best]) best = i;
    return entry.locations[best];
  }

  /** Pairs held. */
  get size(): number {
    return this.pairs.size;
  }
}
