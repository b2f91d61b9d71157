/**
 * What every source that pulls from a backend on a timer shares (Jaeger, Tempo): one round at a
 * time, rounds every refresh interval until disposed, its health, its change listeners, and the
 * label its figures carry (source name, age, stale).
 */
import type { TraceResponse } from '../api/signals';
import { SourceHealth } from './remote/health';
import type { Outcome } from './remote/transport';
import type { FigureLabel, SampledTraceStore } from './sampledTraces';
import type { Disposable, SourceStatus } from './telemetrySource';

/** A pulling source's timer, health and listeners. */
export class PullLoop<R> {
  readonly health: SourceHealth;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private pulling: Promise<R> | undefined;
  private lastRoundOk = false;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly refreshMs: number,
    private readonly round: () => Promise<R>,
    now: () => number,
  ) {
    this.health = new SourceHealth(refreshMs, now);
  }

  /** True once disposed: rounds stop early and queries are refused. */
  get disposed(): boolean {
    return this.stopped;
  }

  /** Pulls now and then every refresh interval, until disposed. */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    const next = () => {
      void this.pull().finally(() => {
        if (!this.stopped) this.timer = setTimeout(next, this.refreshMs).unref();
      });
    };
    this.timer = setTimeout(next, 0).unref();
  }

  /** One round (a round already running is joined, not doubled). */
  pull(): Promise<R> {
    this.pulling ??= this.round().finally(() => (this.pulling = undefined));
    return this.pulling;
  }

  /**
   * Records how a round went. A round that asked nothing (nothing due, the budget spent) leaves the
   * figures as fresh as the schedule allows, unless the last round that asked failed.
   */
  settle(asked: boolean, error?: string): void {
    if (error !== undefined) {
      this.lastRoundOk = false;
      this.health.failed(error);
      return;
    }
    if (asked) this.lastRoundOk = true;
    if (this.lastRoundOk) this.health.succeeded();
  }

  /** Tells the listeners something new was filed. */
  changed(): void {
    if (!this.stopped) for (const l of [...this.listeners]) l();
  }

  onChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  status(): SourceStatus {
    return this.health.status();
  }

  /** What the figures answered now carry; throws once disposed. */
  label(): FigureLabel {
    if (this.stopped) throw new Error(`${this.name}: source disposed`);
    const state = this.health.status().state;
    const age = this.health.ageMs();
    return { source: this.name, ...(age === null ? {} : { ageMs: age }), ...(state === 'stale' || state === 'error' ? { stale: true } : {}) };
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.health.stop();
    this.listeners.clear();
    await this.pulling?.catch(() => undefined);
  }
}

const TRACE_ID = /^[0-9a-f]{32}$/;

/** A trace from what was pulled, else fetched by id from the backend (held for viewing, never counted in figures). */
export async function traceFromSampled(sampled: SampledTraceStore, id: string, disposed: boolean, fetch: (id: string) => Promise<Outcome<unknown | null>>): Promise<TraceResponse | null> {
  const traceId = id.toLowerCase();
  if (!TRACE_ID.test(traceId)) return null;
  const held = sampled.trace(traceId);
  if (held !== null || disposed) return held;
  const answer = await fetch(traceId);
  if (!answer.ok) throw new Error(answer.error);
  return answer.value === null ? null : sampled.view(traceId, answer.value);
}
