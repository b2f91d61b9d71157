/**
 * Ties a metrics series' function (service, `code.function.name`, `code.file.path`) to workspace code
 * through the same mapper spans go through, so a function from metrics is the same row as the same
 * function from traces. Results are cached per series key for a minute, so a re-indexed workspace is seen soon after.
 */
import type { ResourceInfo, SpanRecord } from '../../ingest/records';
import type { CodeLocation } from '../../mapping/codeLocation';
import type { CodeMapper } from '../../mapping/codeMapper';
import type { FunctionKey } from './tempoFigures';

/** Where a metrics series' function is in the workspace, or null. */
export type MetricLocator = (key: FunctionKey) => Promise<CodeLocation | null>;

const MAX_CACHED = 20_000;
const CACHE_MS = 60_000;

/** A locator over `mapper` (which must be ready: `ready` resolves once the workspace is indexed). */
export function metricLocator(mapper: CodeMapper, ready: Promise<unknown>, now: () => number = Date.now): MetricLocator {
  const cache = new Map<string, { at: number; location: CodeLocation | null }>();
  return async (key) => {
    const id = JSON.stringify([key.service, key.environment, key.function, key.file]);
    const hit = cache.get(id);
    if (hit !== undefined && now() - hit.at < CACHE_MS) return hit.location;
    await ready;
    const resource: ResourceInfo = { service: key.service, environment: key.environment, revision: '', serviceVersion: '', language: '' };
    const span: SpanRecord = {
      traceId: '',
      spanId: '',
      parentSpanId: '',
      name: key.function,
      kind: 1,
      startMs: 0,
      durationMs: 0,
      error: false,
      statusMessage: '',
      resource,
      code: { function: key.function, namespace: '', file: key.file, line: 0, column: 0, stacktrace: '' },
      httpRoute: '',
      httpMethod: '',
      exceptions: [],
    };
    const location = (await mapper.resolve(span)).location;
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(id, { at: now(), location });
    return location;
  };
}
