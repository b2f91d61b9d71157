/**
 * runtimeLens_trace: one trace's spans as a compact tree mapped to code (`file:line function`), with
 * durations, kinds, errors and HTTP routes; big traces keep the critical path and errors first.
 */
import type { TraceSpan } from '../../api/signals';
import { connectedSource } from '../agentPreamble';
import { fmtMs, safeText } from '../agentText';
import { ToolInputError, type AgentTool } from '../agentTool';
import { estimateTokens, fitRows } from '../answerBudget';
import { answerBudget, inputObject, readBoolean, readString } from '../toolInput';
import { pickSpans, spanLine, treeOrder } from '../traceTree';

/** The trace tool. */
export const traceTool: AgentTool = {
  name: 'runtimeLens_trace',
  title: 'Production trace',
  description: 'One production trace (32-hex id from the other tools) as a span tree mapped to code: duration, kind, errors with exception, file:line function, HTTP route and status.',
  inputSchema: {
    type: 'object',
    properties: {
      traceId: { type: 'string' },
      detail: { type: 'boolean' },
    },
    required: ['traceId'],
  },
  readOnly: true,
  async run(input, data, options) {
    const obj = inputObject(input, ['traceId', 'detail']);
    const raw = readString(obj, 'traceId', 200);
    if (raw === undefined) throw new ToolInputError('"traceId" is required: 32 hex digits, as the other tools print them');
    if (!/^[0-9a-fA-F]{32}$/.test(raw) || /^0+$/.test(raw)) throw new ToolInputError(`"traceId" must be 32 hex digits (not all zero); got "${safeText(raw, 40)}"`);
    const traceId = raw.toLowerCase();
    const budget = answerBudget(options, readBoolean(obj, 'detail'));

    const connected = await connectedSource(data);
    if ('answer' in connected) return connected.answer;
    const source = `source ${safeText(connected.source.description, 120)}`;
    const trace = await data.trace(traceId);
    if (trace === null || trace.spans.length === 0) {
      return {
        text: `Trace ${traceId} · ${source}\nNot held by the source: traces are kept for a limited time (those named as exemplars or by error groups are kept longer), or it never reached it.`,
        empty: true,
      };
    }
    const spans = trace.spans;
    const order = treeOrder(spans);
    const header = [headerLine(traceId, spans, source)];
    const withService = new Set(spans.map((s) => s.service)).size > 1;
    const all = order.map((o) => spanLine(o.span, o.depth, withService));
    if (estimateTokens([...header, ...all].join('\n')) <= budget) return { text: [...header, ...all].join('\n') };
    // fitRows' own measure (with the note as its footer), so it never has to drop a span line itself.
    const noteOf = (left: number) => `… ${left} of ${spans.length} spans left out (kept: the critical path, error spans and the shallowest others; ask with detail: true for more)`;
    const fits = (lines: string[]) => [...header, ...lines, noteOf(spans.length)].reduce((n, l) => n + l.length + 1, 0) + 80 <= budget * 3;

    // Too big: keep the spans that explain the trace, shrinking the set until its lines fit.
    let max = Math.max(1, Math.floor(((budget - 80) * 3) / Math.max(1, averageLength(all))));
    for (;;) {
      const keep = pickSpans(order, max);
      const lines = order.filter((o) => keep.has(o.span.spanId)).map((o) => spanLine(o.span, o.depth, withService));
      if (fits(lines) || max === 1) return { text: fitRows(header, lines, budget, [noteOf(spans.length - lines.length)]) };
      max = Math.max(1, Math.floor(max * 0.8));
    }
  },
};

function headerLine(traceId: string, spans: readonly TraceSpan[], source: string): string {
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const services = [...new Set(spans.map((s) => safeText(s.service, 30)))];
  const envs = [...new Set(spans.map((s) => safeText(s.environment, 30)).filter((e) => e !== ''))];
  const errors = spans.filter((s) => s.error || s.exceptions.length > 0).length;
  const svc = services.length > 5 ? `${services.slice(0, 5).join(', ')} +${services.length - 5}` : services.join(', ');
  return `Trace ${traceId} · ${spans.length} spans · ${fmtMs(end - start)} · ${errors} with errors · services ${svc} · environment ${envs.join(', ') || '(none)'} · ${source} · started ${new Date(start).toISOString()}`;
}

function averageLength(lines: readonly string[]): number {
  return lines.reduce((n, l) => n + l.length + 1, 0) / Math.max(1, lines.length);
}
