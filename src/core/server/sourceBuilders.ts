/** How each kind of remote source is made from its spec and transport. */
import type { SourceBuilders } from './remoteSources';

const pending = (kind: string) => (): never => {
  throw new Error(`${kind} sources are not available in this build`);
};

/** The builder of each kind. */
export const SOURCE_BUILDERS: SourceBuilders = {
  jaeger: pending('jaeger'),
  prometheus: pending('prometheus'),
  tempo: pending('tempo'),
  loki: pending('loki'),
};
