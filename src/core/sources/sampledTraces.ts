/**
 * The store of a trace backend's sampled traces (Jaeger, Tempo): whole traces in OTLP JSON, decoded
 * by the OTLP JSON decoder and filed through the same pipeline, mapping, store and trace buffer as
 * spans sent to the embedded receiver, so a function's figures mean the same whichever way its spans
 * came. What it answers says its figures are sampled and how many traces each rests on.
 */
import type { ErrorSignal, FigureSource, FunctionSignal, SignalsResponse, TraceResponse } from '../api/signals';
import { decodeTraceRequestValue } from '../ingest/otlpJson';
import type { DecodedBatch, SpanRecord } from '../ingest/records';
import { silentLogger, systemClock, type Clock, type Logger } from '../logger';
import type { CodeMapper } from '../mapping/codeMapper';
import { SignalStore } from '../signals/signalStore';
import { joinKey, locationKey } from '../signals/storeEntries';
import type { StoreOptions } from '../signals/storeTypes';
import { TraceBuffer, type TraceBufferOptions } from '../signals/traceBuffer';
import { IngestPipeline } from './ingestPipeline';
import { FiledSpans } from './sampledTracesFiled';
import { otlpTracesOf } from './sampledTracesInput';
import { TraceCounts, type TraceCountOptions } from './sampledTracesCounts';
import { LearnedSpanNames, type SpanNameIndex } from './spanNameIndex';
import type { SignalsQuery, TrafficQuery } from './telemetrySource';

/** Bounds of a sampled-trace store. */
export interface SampledTraceOptions {
  store: Partial<StoreOptions>;
  traces: Partial<TraceBufferOptions>;
  counts: Partial<TraceCountOptions>;
  /** Span ids remembered to tell what was already filed (traces overlap across pulls). */
  maxRememberedSpans: number;
}

/** What one `file()` did. */
export interface FilingReport {
  /** Traces in the answer. */
  traces: number;
  /** Traces with at least one span not filed before. */
  newTraces: number;
  /** Spans filed now. */
  spans: number;
  /** Spans the decoder rejected, and why (the first few). */
  rejected: number;
  rejectReasons: string[];
}

/** How the answer's figures are labelled: which source, how old, and whether stale. */
export type FigureLabel = Omit<FigureSource, 'basis' | 'traces'>;

/** A room for one trace backend's sampled traces, answering signals from what was filed. */
export class SampledTraceStore {
  readonly store: SignalStore;
  readonly traces: TraceBuffer;
  readonly pipeline: IngestPipeline;
  private readonly names = new LearnedSpanNames();
  private readonly counts: TraceCounts;
  private readonly errorCounts: TraceCounts;
  private readonly filed: FiledSpans;
  private readonly clock: Clock;
  /** Traces fetched by id for the trace view: mapped for display, never counted in figures. */
  private readonly viewed = new TraceBuffer({ maxSpans: 4_096, maxPinnedTraces: 0, maxPinnedSpans: 0 });
  /** Filing runs one answer at a time, so what a filing learned is read after its own spans are in. */
  private filing: Promise<unknown> = Promise.resolve();
  /** Traces with something new filed, since creation: a generation for caches and change events. */
  newTraces = 0;

  constructor(
    private readonly mapper: CodeMapper,
    private readonly ready: Promise<unknown>,
    options: Partial<SampledTraceOptions> = {},
    clock: Clock = systemClock,
    logger: Logger = silentLogger,
  ) {
    this.clock = clock;
    this.store = new SignalStore(options.store ?? {}, clock);
    this.traces = new TraceBuffer(options.traces ?? {});
    // As in the embedded receiver: traces that an exemplar or error group names outlive the ring.
    this.store.onTraceReferenced = (traceId) => this.traces.pin(traceId);
    // Filing is awaited per answer, so the queue holds at most one answer; its bound is the decoder's.
    this.pipeline = new IngestPipeline(this.store, mapper, Number.MAX_SAFE_INTEGER, ready, logger, { traces: this.traces });
    this.counts = new TraceCounts(options.counts);
    this.errorCounts = new TraceCounts(options.counts);
    this.filed = new FiledSpans(options.maxRememberedSpans ?? 100_000);
  }

  /** (service, span name) -> where such spans mapped, for metric backends without `code.*` labels. */
  get spanNames(): SpanNameIndex {
    return this.names;
  }

  /**
   * Files the traces of a backend answer (`{ resourceSpans }`, or Tempo's `{ batches }`); spans filed
   * before are skipped. Rejects with a one-line Error when the answer is not of that shape.
   */
  file(body: unknown): Promise<FilingReport> {
    let batch: DecodedBatch;
    try {
      batch = decodeTraceRequestValue(otlpTracesOf(body));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const run = this.filing.then(() => this.fileBatch(batch));
    this.filing = run.catch(() => undefined);
    return run;
  }

  /** The figures of `query`, each labelled as sampled with the traces it rests on. */
  query(query: SignalsQuery, label: FigureLabel): SignalsResponse {
    const answer = this.store.query(query);
    const since = this.clock.now() - query.windowMs;
    const functions = answer.functions.map((f): FunctionSignal => {
      const figure: FigureSource = { ...label, basis: 'sampled', traces: this.counts.count(locationKey(f.service, f.environment, f), since) };
      return { ...f, figures: { traffic: figure, errors: figure } };
    });
    const errors = answer.errors.map((e): ErrorSignal => {
      // Each occurrence sits in one trace, so the group rests on at most `count` of its type's traces.
      const traces = Math.min(e.count, this.errorCounts.count(joinKey(e.service, e.environment, e.type), since));
      return { ...e, figures: { ...label, basis: 'sampled', traces } };
    });
    // Operation rates from a sample are not the service's traffic: they say so.
    const operations = answer.operations.map((o) => ({ ...o, source: 'sampled' as const }));
    return { ...answer, functions, errors, operations };
  }

  /** A trace held (filed, or fetched for viewing), or null. */
  trace(id: string): TraceResponse | null {
    const spans = this.traces.get(id) ?? this.viewed.get(id);
    return spans === undefined ? null : { traceId: id, spans };
  }

  /** Filed traces with a recorded request in the window (traces fetched only for viewing are not traffic). */
  traffic(query: TrafficQuery): TraceResponse[] {
    return this.traces.requestTraces(this.clock.now() - query.windowMs, query.limit, query.environment);
  }

  /**
   * Holds a trace fetched by id for the trace view and answers it: mapped to code like filed spans,
   * but not filed, so an exemplar opened (often the slowest or a failing trace) does not skew figures.
   */
  async view(traceId: string, body: unknown): Promise<TraceResponse | null> {
    const batch = decodeTraceRequestValue(otlpTracesOf(body));
    await this.ready;
    for (const span of batch.spans) {
      if (span.traceId !== traceId) continue;
      this.viewed.record(span, (await this.mapper.resolve(span)).location);
    }
    return this.trace(traceId);
  }

  private async fileBatch(decoded: DecodedBatch): Promise<FilingReport> {
    const fresh = this.filed.unseen(decoded.spans);
    const traceIds = new Set(decoded.spans.map((s) => s.traceId));
    const newTraceIds = new Set(fresh.map((s) => s.traceId));
    const report: FilingReport = { traces: traceIds.size, newTraces: newTraceIds.size, spans: fresh.length, rejected: decoded.rejected, rejectReasons: decoded.rejectReasons };
    if (fresh.length === 0) return report;
    this.pipeline.offer({ spans: fresh, logs: [], rejected: decoded.rejected, rejectReasons: decoded.rejectReasons });
    await this.pipeline.idle();
    for (const span of fresh) this.learn(span);
    this.newTraces += newTraceIds.size;
    return report;
  }

  /** Counts the span's trace for its function and error types, and learns where its name leads. */
  private learn(span: SpanRecord): void {
    const time = span.startMs + span.durationMs;
    const res = span.resource;
    for (const e of span.exceptions) this.errorCounts.add(joinKey(res.service, res.environment, e.type), span.traceId, time);
    const location = this.traces.findSpan(span.spanId)?.location ?? null;
    if (location === null) return;
    this.counts.add(locationKey(res.service, res.environment, location), span.traceId, time);
    this.names.learn(res.service, span.name, location);
  }
}
