/** How each kind of remote source is made from its spec and transport. */
import { LokiSource } from '../sources/loki/lokiSource';
import { JaegerSource } from '../sources/jaeger/jaegerSource';
import { PrometheusSource } from '../sources/prometheus/prometheusSource';
import type { SpanNameIndex } from '../sources/spanNameIndex';
import type { TelemetrySource } from '../sources/telemetrySource';
import { TempoSource } from '../sources/tempo/tempoSource';
import type { SourceBuilders, SourceContext } from './remoteSources';

/** A source that learns where span names lead in the code (a trace backend's sampled traces). */
interface LearnsSpanNames {
  spanNames: SpanNameIndex;
}

/** What the trace sources built so far learned, asked in order. */
function spanNamesOf(built: readonly TelemetrySource[]): SpanNameIndex {
  const indexes = built.filter((s): s is TelemetrySource & LearnsSpanNames => typeof (s as Partial<LearnsSpanNames>).spanNames?.lookup === 'function').map((s) => s.spanNames);
  return {
    lookup: (service, spanName) => {
      for (const index of indexes) {
        const found = index.lookup(service, spanName);
        if (found !== undefined) return found;
      }
      return undefined;
    },
  };
}

function prometheus(ctx: SourceContext): TelemetrySource {
  return new PrometheusSource({
    name: ctx.spec.name,
    remote: ctx.transportOptions,
    transport: ctx.transport,
    refreshMs: ctx.spec.refreshMs,
    mapper: ctx.shared.mapper,
    ready: ctx.shared.ready,
    spanNames: spanNamesOf(ctx.built),
  });
}

function tempo(ctx: SourceContext): TelemetrySource {
  return new TempoSource({ name: ctx.spec.name, url: ctx.spec.url, refreshMs: ctx.spec.refreshMs }, { mapper: ctx.shared.mapper, ready: ctx.shared.ready, logger: ctx.logger, remote: ctx.transport });
}

function loki(ctx: SourceContext): TelemetrySource {
  return new LokiSource({
    name: ctx.spec.name,
    baseUrl: ctx.spec.url,
    headers: ctx.headers,
    caFile: ctx.spec.caFile,
    authHint: ctx.transportOptions.authHint,
    transport: ctx.transport,
    mapper: ctx.shared.mapper,
    ready: ctx.shared.ready,
    refreshMs: ctx.spec.refreshMs,
    logger: ctx.logger,
  });
}

function jaeger(ctx: SourceContext): TelemetrySource {
  return new JaegerSource({ name: ctx.spec.name, url: ctx.spec.url, refreshMs: ctx.spec.refreshMs }, { mapper: ctx.shared.mapper, ready: ctx.shared.ready, logger: ctx.logger, remote: ctx.transport });
}

/** The builder of each kind. */
export const SOURCE_BUILDERS: SourceBuilders = {
  jaeger,
  prometheus,
  tempo,
  loki,
};
