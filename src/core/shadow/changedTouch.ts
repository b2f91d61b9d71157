/**
 * Whether a request's production trace ran through changed code: the spans of the request's own
 * part of its trace (its server span and everything below it, downstream calls included) are
 * matched, by the code they mapped to, against the functions changed since the base ref.
 */
import type { TraceResponse, TraceSpan } from '../api/signals';
import type { ChangedCode, ChangedFunction } from './changedFunctions';
import { requestSpans } from './productionSpans';
import type { ShadowRequest } from './shadowRequest';

type Mapping = NonNullable<TraceSpan['mapping']>;

/** The last segment of a dotted name (`Orders.load` -> `load`). */
const lastSegment = (name: string): string => name.slice(name.lastIndexOf('.') + 1);

/**
 * A predicate for the sampler: true when the request's production trace (found among `traces` by
 * its recorded trace id) has a span below the request's server span mapped to a changed function.
 * Requests without a trace (HAR, GoReplay) never touch.
 */
export function touchesChangedCode(changed: ChangedCode, traces: readonly TraceResponse[]): (r: ShadowRequest) => boolean {
  const byFile = new Map<string, ChangedFunction[]>();
  for (const f of changed.functions) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const byTrace = new Map<string, readonly TraceSpan[]>();
  for (const t of traces) byTrace.set(t.traceId, t.spans);
  const memo = new Map<string, boolean>();
  return (r) => {
    const traceId = r.recorded.traceId;
    if (traceId === undefined || byFile.size === 0) return false;
    const key = `${traceId}:${r.recorded.spanId ?? ''}`;
    let touches = memo.get(key);
    if (touches === undefined) {
      const spans = byTrace.get(traceId) ?? [];
      touches = subtree(spans, r.recorded.spanId).some((s) => s.mapping !== undefined && isChanged(s.mapping, byFile));
      memo.set(key, touches);
    }
    return touches;
  };
}

/** The mapped code is a changed function: by name within its file, else by line for a mapping without a name. */
function isChanged(m: Mapping, byFile: ReadonlyMap<string, ChangedFunction[]>): boolean {
  const list = byFile.get(m.file);
  if (list === undefined) return false;
  if (m.function !== '') return list.some((f) => f.qualifiedName === m.function || f.name === m.function || f.name === lastSegment(m.function));
  return list.some((f) => f.side === 'working tree' && m.line >= f.line && m.line <= f.endLine);
}

/** The span `rootId` and its descendants; the whole trace when the root is unknown. */
function subtree(spans: readonly TraceSpan[], rootId: string | undefined): readonly TraceSpan[] {
  if (rootId === undefined || !spans.some((s) => s.spanId === rootId)) return spans;
  return requestSpans(spans, rootId);
}
