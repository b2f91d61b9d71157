/**
 * runtimeLens_hotspots: the workspace's functions ranked by production impact, errors or p95 in a
 * window and environment, optionally only the AI-written ones, as one compact table.
 */
import type { FunctionSignal } from '../../api/signals';
import { authoredAt, readAuthored } from '../agentAuthorship';
import { ERROR_COST_MS, fmtImpact, impactScore } from '../agentImpact';
import { connectedSource, emptyWindow, sourceLine, unknownEnvironment } from '../agentPreamble';
import { table } from '../agentTable';
import { approx, figureNote, fileLine, fmtMs, fmtPercent, fmtRate, safeText } from '../agentText';
import type { AgentTool } from '../agentTool';
import { fitRows } from '../answerBudget';
import { answerBudget, inputObject, readBoolean, readEnum, readInteger, readString, WINDOW_SCHEMA, TOOL_WINDOWS } from '../toolInput';

const ORDERS = ['impact', 'errors', 'p95'] as const;
type Order = (typeof ORDERS)[number];

const COMPARE: Record<Order, (a: FunctionSignal, b: FunctionSignal) => number> = {
  impact: (a, b) => impactScore(b) - impactScore(a),
  errors: (a, b) => b.errorRate - a.errorRate || b.errors - a.errors || impactScore(b) - impactScore(a),
  p95: (a, b) => b.p95Ms - a.p95Ms || impactScore(b) - impactScore(a),
};

/** The hotspots tool. */
export const hotspotsTool: AgentTool = {
  name: 'runtimeLens_hotspots',
  title: 'Production hotspots',
  description: 'Top workspace functions in production by impact (rate × p95 plus errors; default), errors or p95: file:line, rate, p95, error rate, AI mark. Default window 1h.',
  inputSchema: {
    type: 'object',
    properties: {
      window: WINDOW_SCHEMA,
      environment: { type: 'string' },
      by: { type: 'string', enum: [...ORDERS] },
      aiOnly: { type: 'boolean' },
      limit: { type: 'integer', maximum: 50 },
      detail: { type: 'boolean' },
    },
  },
  readOnly: true,
  async run(input, data, options) {
    const obj = inputObject(input, ['window', 'environment', 'by', 'aiOnly', 'limit', 'detail']);
    const window = readEnum(obj, 'window', TOOL_WINDOWS) ?? '1h';
    const environment = readString(obj, 'environment', 200);
    const by = readEnum(obj, 'by', ORDERS) ?? 'impact';
    const aiOnly = readBoolean(obj, 'aiOnly') ?? false;
    const limit = readInteger(obj, 'limit', 1, 50) ?? 10;
    const detail = readBoolean(obj, 'detail');
    const budget = answerBudget(options, detail);

    const connected = await connectedSource(data);
    if ('answer' in connected) return connected.answer;
    const response = await data.signals({ window, ...(environment !== undefined ? { environment } : {}) });
    const first = `Hotspots by ${by}${aiOnly ? ', AI-written only' : ''} · ${sourceLine(connected.source, window, environment ?? response.environment, response)}`;
    const problem = unknownEnvironment(response, environment, first) ?? (response.functions.length === 0 ? emptyWindow({ ...response, errors: [] }, first) : null);
    if (problem) return problem;

    const authored = await readAuthored(data);
    const aiOf = (s: FunctionSignal) => authoredAt(authored.functions, s.file, s.line);
    const candidates = aiOnly ? response.functions.filter((s) => aiOf(s) !== undefined) : response.functions;
    if (candidates.length === 0) {
      const why = authored.error ? `authorship could not be read: ${authored.error}` : `none of the ${response.functions.length} functions called in this window is known to be AI-written`;
      return { text: `${first}\nNo AI-written hotspots: ${why}.`, empty: true };
    }
    const ranked = [...candidates].sort(COMPARE[by]).slice(0, limit);
    const services = new Set(ranked.map((s) => s.service));
    const withService = services.size > 1;
    const cells = ranked.map((s, i) => {
      const a = approx(s.figures?.traffic);
      const ai = aiOf(s);
      return [
        String(i + 1),
        safeText(s.function, 50),
        fileLine(s.file, s.line),
        ...(withService ? [safeText(s.service, 30)] : []),
        `${a}${fmtRate(s.ratePerMin)}`,
        `${a}${fmtMs(s.p95Ms)}`,
        `${a}${fmtPercent(s.errorRate)}`,
        fmtImpact(impactScore(s)),
        ai ? 'AI' : authored.error ? '?' : '',
      ];
    });
    const t = table(
      [
        { title: '#', align: 'right' },
        { title: 'function', max: 50 },
        { title: 'file:line', max: 80 },
        ...(withService ? [{ title: 'service', max: 30 }] : []),
        { title: 'rate', align: 'right' },
        { title: 'p95', align: 'right' },
        { title: 'errors', align: 'right' },
        { title: 'impact', align: 'right' },
        { title: 'AI' },
      ],
      cells,
    );
    const notes = [...new Set(ranked.map((s) => figureNote(s.figures?.traffic)).filter((n) => n !== ''))];
    const footer = [
      `impact = rate × p95 + rate × error rate × ${ERROR_COST_MS / 1000} s (ms of waiting per minute). ${ranked.length} of ${candidates.length} functions shown.`,
      ...notes.map((n) => `~ figures: ${n}`),
      ...(authored.error ? [`AI mark unknown (?): ${authored.error}`] : []),
    ];
    return { text: fitRows([first, ...t.header], t.rows, budget, footer) };
  },
};
