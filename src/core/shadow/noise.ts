/**
 * Noise cancellation after Diffy's idea: every request is answered by the candidate, the baseline
 * and the baseline again. What the two baseline answers disagree on is noise, measured per group
 * (a route, or a function) and per difference key (`status`, `shape:$.total`, `value:$.items[].price`,
 * `header:content-type`, a call's change, ...).
 *
 * The rule: a candidate-vs-baseline difference at key K in group G counts when, with rates taken
 * per request (requests of G that showed K over requests of G compared on that side),
 *   - the candidate's rate at K is at least `relative` times the noise rate at K, and
 *   - it exceeds the noise rate by at least `minExcess` (a fraction of G's requests), and
 *   - when the baselines did disagree at K at all, the excess is significant: a one-sided
 *     two-proportion z-test of the candidate's rate against the noise rate gives z >= `minZ`
 *     (a field that flips in 10% of answers shows 8% in one sample and 14% in the other; that is
 *     not a change).
 * The second part holds even when the baselines never disagreed at K: a downstream that fails 1% of
 * the time may fail only in the candidate's answers within a few hundred requests, and one request
 * in a hundred is not a change of behaviour. A group without any second baseline answer has noise
 * rate 0. With the defaults (2x, 5 points, z >= 3), a key the baselines never disagree on must
 * differ in 5% of G's requests (at least one); one they disagree on in 8% of 200 requests must
 * differ in about 20% of them.
 */

/** How far the candidate must exceed the baselines' own disagreement. */
export interface NoiseOptions {
  /** Candidate rate over noise rate at least this (default 2). */
  relative?: number;
  /** Candidate rate minus noise rate at least this, 0..1 (default 0.05). */
  minExcess?: number;
  /** Where the baselines disagreed at all: the z score the candidate's excess must reach (default 3, one-sided p of about 0.001). */
  minZ?: number;
}

/** The defaults of the rule above. */
export const DEFAULT_NOISE: Required<NoiseOptions> = { relative: 2, minExcess: 0.05, minZ: 3 };

/** True when `candidateHits` of `candidateTotal` clearly exceed `noiseHits` of `noiseTotal` (see the rule above). */
export function beyondNoise(candidateHits: number, candidateTotal: number, noiseHits: number, noiseTotal: number, options: NoiseOptions = {}): boolean {
  if (candidateHits <= 0 || candidateTotal <= 0) return false;
  const relative = options.relative ?? DEFAULT_NOISE.relative;
  const minExcess = options.minExcess ?? DEFAULT_NOISE.minExcess;
  const candidateRate = candidateHits / candidateTotal;
  const noiseRate = noiseTotal > 0 ? noiseHits / noiseTotal : 0;
  if (candidateRate < relative * noiseRate || candidateRate - noiseRate < minExcess) return false;
  if (noiseHits <= 0 || noiseTotal <= 0) return true;
  const pooled = (candidateHits + noiseHits) / (candidateTotal + noiseTotal);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / candidateTotal + 1 / noiseTotal));
  return se === 0 || (candidateRate - noiseRate) / se >= (options.minZ ?? DEFAULT_NOISE.minZ);
}

/** Per-request hit counts of difference keys on one side (candidate-vs-baseline, or baseline-vs-baseline). */
export class HitCounter {
  private readonly hits = new Map<string, number>();

  /** Counts each key once for one request. */
  addRequest(keys: Iterable<string>): void {
    const once = new Set(keys);
    for (const key of once) this.hits.set(key, (this.hits.get(key) ?? 0) + 1);
  }

  /** Requests that showed `key`. */
  get(key: string): number {
    return this.hits.get(key) ?? 0;
  }

  /** Every key seen. */
  keys(): IterableIterator<string> {
    return this.hits.keys();
  }
}
