/**
 * Ties a span-metrics group to workspace code. Groups with `code_function_name`/`code_file_path`
 * labels go through the receiver's CodeMapper exactly as a span with those attributes would (path
 * rules, suffix matching, source maps); others through what sampled traces taught about their
 * (service, span name); failing that, the mapper's route and span-name rules.
 */
import type { CodeMapper, MappingResult } from '../../mapping/codeMapper';
import type { CodeLocation } from '../../mapping/codeLocation';
import type { SpanRecord } from '../../ingest/records';
import type { SpanNameIndex } from '../spanNameIndex';
import { CODE_LABELS } from './spanMetricsNaming';

/** The part of CodeMapper the join uses. */
export type SpanMapper = Pick<CodeMapper, 'lookup' | 'resolve'>;

/** A group's place in code, or why it has none. */
export type JoinResult = { location: CodeLocation; viaProductionPath?: string } | { location: null; reason: string };

/** How much surer a trace-learned span name is than a bare name match: traces showed where it runs, metrics only name it. */
const SPAN_NAME_INDEX_FACTOR = 0.9;

const KINDS = new Map([
  ['SPAN_KIND_UNSPECIFIED', 0],
  ['SPAN_KIND_INTERNAL', 1],
  ['SPAN_KIND_SERVER', 2],
  ['SPAN_KIND_CLIENT', 3],
  ['SPAN_KIND_PRODUCER', 4],
  ['SPAN_KIND_CONSUMER', 5],
]);

/** The OTLP span kind number of a `span_kind` label value (0 when unknown). */
export function spanKindOf(label: string): number {
  return KINDS.get(label) ?? 0;
}

/** Joins groups to code; one per source, caching nothing itself (the mapper and the index cache). */
export class SpanMetricsJoin {
  constructor(
    private readonly mapper: SpanMapper | undefined,
    private readonly spanNames: SpanNameIndex | undefined,
  ) {}

  /** Where the group of these labels runs. `serviceLabel` names the label holding the service. */
  async locate(labels: ReadonlyMap<string, string>, serviceLabel: string): Promise<JoinResult> {
    const service = labels.get(serviceLabel) ?? '';
    const spanName = labels.get('span_name') ?? '';
    const fn = labels.get(CODE_LABELS.function) ?? '';
    const file = labels.get(CODE_LABELS.file) ?? '';
    if ((fn || file) && this.mapper !== undefined) {
      const mapped = await this.map(labels, service, spanName);
      if (mapped.location !== null) return { location: mapped.location, ...(file ? { viaProductionPath: file } : {}) };
      if (this.spanNames === undefined) return { location: null, reason: mapped.reason };
    }
    const learned = this.spanNames?.lookup(service, spanName);
    if (learned !== undefined) return { location: { ...learned, confidence: learned.confidence * SPAN_NAME_INDEX_FACTOR } };
    if (this.mapper === undefined) return { location: null, reason: 'no code labels, and no trace source has shown where this span name runs' };
    const mapped = await this.map(labels, service, spanName);
    return mapped.location !== null ? { location: mapped.location } : { location: null, reason: mapped.reason };
  }

  private async map(labels: ReadonlyMap<string, string>, service: string, spanName: string): Promise<MappingResult> {
    const span = spanOf(labels, service, spanName);
    return this.mapper!.lookup(span) ?? (await this.mapper!.resolve(span));
  }
}

/** The span a group stands for, with the attributes its labels carry, as the mapper reads spans. */
function spanOf(labels: ReadonlyMap<string, string>, service: string, spanName: string): SpanRecord {
  const line = Number(labels.get(CODE_LABELS.line) ?? '');
  return {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: spanName,
    kind: spanKindOf(labels.get('span_kind') ?? ''),
    startMs: 0,
    durationMs: 0,
    error: false,
    statusMessage: '',
    // Metrics carry no deployment revision: lines are placed as reported.
    resource: { service, environment: '', revision: '', serviceVersion: '', language: '' },
    code: {
      function: labels.get(CODE_LABELS.function) ?? '',
      namespace: '',
      file: labels.get(CODE_LABELS.file) ?? '',
      line: Number.isInteger(line) && line > 0 ? line : 0,
      column: 0,
      stacktrace: '',
    },
    httpRoute: labels.get(CODE_LABELS.route) ?? '',
    httpMethod: labels.get(CODE_LABELS.method) ?? '',
    exceptions: [],
  };
}
