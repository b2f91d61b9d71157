/**
 * One route's running figures while exchanges arrive: differences between the candidate and the
 * baseline and between the two baseline answers (the noise), counted per request and key; status
 * examples; durations; and, at the end, the RouteDelta with only what clears the noise rule.
 */
import type { ErrorDelta, RouteDelta, ShapeChange, StatusExample } from '../api/shadowReport';
import { type AnswerDiff, diffKeys } from './answerDiff';
import { beyondNoise, HitCounter, type NoiseOptions } from './noise';
import { latencyDelta } from './percentiles';

/** One request's comparison as the route keeps it. */
export interface RouteRequest {
  requestId: string;
  request: string;
  candidateStatus: number;
  baselineStatus?: number;
  productionStatus?: number;
  candidateMs?: number;
  baselineMs?: number;
  /** Candidate against baseline; absent without a baseline answer. */
  diff?: AnswerDiff;
  /** Baseline against baseline again; absent without a second baseline answer. */
  noise?: AnswerDiff;
}

/** Counts of one route; `finish` turns them into its RouteDelta. */
export class RouteTally {
  requests = 0;
  private compared = 0;
  private noiseCompared = 0;
  private readonly hits = new HitCounter();
  private readonly noiseHits = new HitCounter();
  private readonly shapes = new Map<string, ShapeChange>();
  /** Per request with value or header differences: its keys (to count requests once the noisy keys are known). */
  private readonly valueKeys: string[][] = [];
  private productionMismatches = 0;
  private readonly statusExamples: StatusExample[] = [];
  private readonly productionExamples: StatusExample[] = [];
  private readonly candidateMs: number[] = [];
  private readonly baselineMs: number[] = [];

  constructor(
    readonly method: string,
    readonly route: string,
    private readonly maxExamples: number,
  ) {}

  /** Adds one request. */
  add(r: RouteRequest): void {
    this.requests++;
    const example = (): StatusExample => ({
      requestId: r.requestId,
      request: r.request,
      candidate: r.candidateStatus,
      ...(r.baselineStatus !== undefined ? { baseline: r.baselineStatus } : {}),
      ...(r.productionStatus !== undefined ? { production: r.productionStatus } : {}),
    });
    if (r.productionStatus !== undefined && r.productionStatus > 0 && r.candidateStatus !== r.productionStatus) {
      this.productionMismatches++;
      if (this.productionExamples.length < this.maxExamples) this.productionExamples.push(example());
    }
    if (r.diff !== undefined) {
      this.compared++;
      this.hits.addRequest(diffKeys(r.diff));
      if (r.diff.status && this.statusExamples.length < this.maxExamples) this.statusExamples.push(example());
      for (const s of r.diff.shape) if (!this.shapes.has(`shape:${s.path}`)) this.shapes.set(`shape:${s.path}`, s);
      const values = [...r.diff.values.map((v) => `value:${v}`), ...r.diff.headers.map((h) => `header:${h}`)];
      if (values.length > 0) this.valueKeys.push(values);
      if (r.candidateMs !== undefined && r.baselineMs !== undefined) {
        this.candidateMs.push(r.candidateMs);
        this.baselineMs.push(r.baselineMs);
      }
    }
    if (r.noise !== undefined) {
      this.noiseCompared++;
      this.noiseHits.addRequest(diffKeys(r.noise));
    }
  }

  /** True when key `key` clears the noise rule for this route. */
  counts(key: string, noise: NoiseOptions): boolean {
    return beyondNoise(this.hits.get(key), this.compared, this.noiseHits.get(key), this.noiseCompared, noise);
  }

  /** The route's delta; `newErrors` are worked out by the caller (error groups span routes). */
  finish(noise: NoiseOptions, newErrors: ErrorDelta[]): RouteDelta & { valueChanges: number } {
    const statusMismatches = this.counts('status', noise) ? this.hits.get('status') : 0;
    const shapeChanges: ShapeChange[] = [];
    for (const [key, s] of this.shapes) if (this.counts(key, noise)) shapeChanges.push({ ...s, requests: this.hits.get(key) });
    shapeChanges.sort((a, b) => b.requests - a.requests || a.path.localeCompare(b.path));
    const counted = new Map<string, boolean>();
    let valueChanges = 0;
    for (const keys of this.valueKeys) {
      const any = keys.some((k) => {
        let c = counted.get(k);
        if (c === undefined) counted.set(k, (c = this.counts(k, noise)));
        return c;
      });
      if (any) valueChanges++;
    }
    const examples: StatusExample[] = [];
    for (const e of [...(statusMismatches > 0 ? this.statusExamples : []), ...this.productionExamples]) {
      if (examples.length < this.maxExamples && !examples.some((x) => x.requestId === e.requestId)) examples.push(e);
    }
    return {
      method: this.method,
      route: this.route,
      requests: this.requests,
      statusMismatches,
      productionMismatches: this.productionMismatches,
      examples,
      shapeChanges,
      // Pushed together, so index i of both is one request answered by both sides at once.
      latency: latencyDelta(
        this.candidateMs,
        this.baselineMs,
        this.candidateMs.map((c, i) => [c, this.baselineMs[i]!] as const),
      ),
      newErrors,
      valueChanges,
    };
  }
}
