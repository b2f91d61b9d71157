/**
 * runtimeLens_errors: the error groups (one exception type + message + first in-app frame) of a
 * file, function or service in a window, most frequent or newest first, with counts, first/last
 * seen, where they are thrown, the requests they happened in and a trace id each.
 */
import type { ErrorSignal } from '../../api/signals';
import { type TrimStackOptions, trimStack } from '../agentStack';
import { connectedSource, knownEnvironments, sourceLine, unknownEnvironment } from '../agentPreamble';
import { figureNote, fileLine, fmtWhen, safeText } from '../agentText';
import type { AgentTool } from '../agentTool';
import { sameFunctionName } from '../agentNames';
import { fitRows } from '../answerBudget';
import { answerBudget, inputObject, readBoolean, readEnum, readInteger, readString, readWorkspaceFile, TOOL_WINDOWS, WINDOW_SCHEMA } from '../toolInput';

const ORDERS = ['frequent', 'newest'] as const;

/** The errors tool. */
export const errorsTool: AgentTool = {
  name: 'runtimeLens_errors',
  title: 'Production errors',
  description: 'Production error groups of a file, function or service (else all): type, message, counts, first/last seen, file:line, trace id; stacks with detail. Default window 1h.',
  inputSchema: {
    type: 'object',
    properties: {
      file: { type: 'string' },
      function: { type: 'string' },
      service: { type: 'string' },
      window: WINDOW_SCHEMA,
      environment: { type: 'string' },
      order: { type: 'string', enum: [...ORDERS] },
      limit: { type: 'integer', maximum: 50 },
      detail: { type: 'boolean' },
    },
  },
  readOnly: true,
  async run(input, data, options) {
    const obj = inputObject(input, ['file', 'function', 'service', 'window', 'environment', 'order', 'limit', 'detail']);
    const file = readWorkspaceFile(obj, 'file');
    const fn = readString(obj, 'function', 300);
    const service = readString(obj, 'service', 200);
    const window = readEnum(obj, 'window', TOOL_WINDOWS) ?? '1h';
    const environment = readString(obj, 'environment', 200);
    const order = readEnum(obj, 'order', ORDERS) ?? 'frequent';
    const limit = readInteger(obj, 'limit', 1, 50) ?? 10;
    const detail = readBoolean(obj, 'detail') ?? false;
    const budget = answerBudget(options, detail);

    const connected = await connectedSource(data);
    if ('answer' in connected) return connected.answer;
    // The most frequent groups of the whole workspace are the read API's own top rows: asking for
    // only those (and one more, to know whether there are more) keeps a 10,000-function store's
    // answer small: the full one is ~10 MB of JSON, over the 300 ms an answer may take.
    const topOnly = order === 'frequent' && file === undefined && fn === undefined && service === undefined;
    const response = await data.signals({ window, ...(environment !== undefined ? { environment } : {}), ...(file !== undefined ? { file } : {}), ...(topOnly ? { top: limit + 1 } : {}) });
    const scope = [file && `file ${safeText(file, 120)}`, fn && `function ${safeText(fn, 80)}`, service && `service ${safeText(service, 60)}`].filter(Boolean).join(', ');
    const first = `Errors${scope ? ` in ${scope}` : ''}, ${order} first · ${sourceLine(connected.source, window, environment ?? response.environment, response)}`;
    const unknown = unknownEnvironment(response, environment, first);
    if (unknown) return unknown;

    const groups = response.errors.filter((e) => (fn === undefined || sameFunctionName(e.function, fn)) && (service === undefined || e.service === service));
    if (groups.length === 0) {
      const calls = response.functions.filter((s) => (fn === undefined || sameFunctionName(s.function, fn)) && (service === undefined || s.service === service));
      const seen = calls.reduce((n, s) => n + s.count, 0);
      const why =
        seen > 0
          ? `${seen} calls in this window, none failed with an exception.`
          : `no calls${scope ? ' there' : ''} in this window either (never called, not mapped, or another environment). ${knownEnvironments(response)}`;
      return { text: `${first}\nNo error groups. ${why}`, empty: true };
    }
    groups.sort(order === 'newest' ? (a, b) => b.lastSeen - a.lastSeen || b.count - a.count : (a, b) => b.count - a.count || b.lastSeen - a.lastSeen);
    const shown = groups.slice(0, limit);
    const now = response.generatedAt || Date.now();
    const files = [...new Set(response.errors.map((e) => e.file).concat(response.functions.map((s) => s.file)))];
    const rows = shown.map((e, i) => groupBlock(e, i + 1, window, now, detail ? { workspaceFiles: files, workspaceRoot: data.workspace } : null));
    const notes = [...new Set(shown.map((e) => figureNote(e.figures)).filter((n) => n !== ''))];
    const more = limit < 50 ? 'a larger limit or a filter shows more' : 'filter by file, function or service for more';
    const shownLine = !topOnly
      ? `${shown.length} of ${groups.length} groups shown.`
      : groups.length > limit
        ? `The ${shown.length} most frequent groups shown; there are more (${more}).`
        : `All ${shown.length} groups shown.`;
    const footer = [`${shownLine}${detail ? '' : ' Stacks: ask with detail: true.'}`, ...notes.map((n) => `counts: ${n}`)];
    return { text: fitRows([first], rows, budget, footer) };
  },
};

/** One group as a few lines; with `stackOptions` (detail), its stack trimmed to in-app frames. */
function groupBlock(e: ErrorSignal, rank: number, window: string, now: number, stackOptions: TrimStackOptions | null): string {
  const where = e.file ? `at ${fileLine(e.file, e.line)} ${safeText(e.function, 60)}`.trimEnd() : 'not mapped to workspace code';
  const lines = [
    `${rank}. ${safeText(e.type, 60)}: ${safeText(e.message, 140)}`,
    `   ${e.count} in ${window} / ${e.totalCount} total · service ${safeText(e.service, 40)} · ${where}`,
    `   first ${fmtWhen(e.firstSeen, now)} · last ${fmtWhen(e.lastSeen, now)}`,
  ];
  const ops = (e.operations ?? []).map((o) => safeText(o, 60));
  const trace = e.traceIds[0];
  if (ops.length > 0 || trace) lines.push(`   ${[ops.length > 0 ? `requests ${ops.join(', ')}` : '', trace ? `trace ${safeText(trace, 32)}` : ''].filter(Boolean).join(' · ')}`);
  if (stackOptions) {
    const stack = trimStack(e.stacktrace, { ...stackOptions, maxFrames: 10 });
    lines.push(...(stack.length > 0 ? stack.map((l) => `   ${l}`) : ['   (no stack recorded)']));
  }
  return lines.join('\n');
}
