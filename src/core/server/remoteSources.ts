/**
 * Builds the remote sources a server reads from their specs: one transport per source (timeouts,
 * retries, breaker, auth headers, CA), named as configured, with its environment mapping.
 */
import type { Logger } from '../logger';
import type { CompositeMember } from '../sources/compositeSource';
import { RemoteTransport, type RemoteOptions } from '../sources/remote/transport';
import { authHeaders, type SourceKind, type SourceSpec } from '../sources/sourceSpec';
import type { TelemetrySource } from '../sources/telemetrySource';
import type { RemoteSourceFactory, SharedMapping } from './embeddedReceiver';
import { SOURCE_BUILDERS } from './sourceBuilders';

/** What a builder gets to make one kind of source. */
export interface SourceContext {
  spec: SourceSpec;
  transport: RemoteTransport;
  /** What the transport was made from (a source that opens other connections, such as a WebSocket tail, uses the same). */
  transportOptions: RemoteOptions;
  /** Headers for requests that do not go through the transport (WebSockets). */
  headers: Record<string, string>;
  shared: SharedMapping;
  logger: Logger;
  /** Sources built before this one (a metrics source joins through a trace source's span names). */
  built: readonly TelemetrySource[];
}

/** Makes one kind of source. */
export type SourceBuilder = (ctx: SourceContext) => TelemetrySource;

/** The builders by kind; every kind of SOURCE_KINDS has one. */
export type SourceBuilders = Record<SourceKind, SourceBuilder>;

/**
 * The factory for these specs. Reads each secret from `env` now, so a missing variable fails at
 * start with one line. `authHint` says what fixes a 401 where the server was started (CLI or editor).
 */
export function remoteSourceFactory(specs: SourceSpec[], env: Record<string, string | undefined>, logger: Logger, authHint: (spec: SourceSpec) => string): RemoteSourceFactory {
  const prepared = specs.map((spec) => {
    const headers = authHeaders(spec, env);
    const transportOptions: RemoteOptions = { name: spec.name, baseUrl: spec.url, headers, caFile: spec.caFile, authHint: authHint(spec) };
    return { spec, headers, transport: new RemoteTransport(transportOptions), transportOptions };
  });
  // Trace sources first: metrics sources learn span names -> code from them.
  const order = (k: SourceKind) => (k === 'jaeger' || k === 'tempo' ? 0 : 1);
  prepared.sort((a, b) => order(a.spec.kind) - order(b.spec.kind));
  return (shared) => {
    const built: TelemetrySource[] = [];
    const members: CompositeMember[] = [];
    for (const p of prepared) {
      const source = SOURCE_BUILDERS[p.spec.kind]({ ...p, shared, logger, built });
      built.push(source);
      members.push({ source, name: p.spec.name, environments: p.spec.environments, traffic: () => p.transport.counters });
    }
    return members;
  };
}
