/**
 * The panel's focus card: one function's figures per window (1m / 5m / 1h), its error groups and
 * exemplar traces, built from per-window `file=` answers (cheap queries, one file each).
 */
import type { FunctionSignal, SignalsResponse } from '../api/signals';
import { errorGroupRow, functionKey, mappedByLabel, rowFigures } from './panelModel';
import { DEFAULT_THRESHOLDS } from './severity';
import type { Thresholds } from './severity';
import { formatMs } from '../format';
import type { FocusDetail, FocusTarget, FocusWindow } from '../api/panelView';
export type { FocusDetail, FocusTarget, FocusWindow } from '../api/panelView';

/** Builds the focus card; windows are shown in the order given. */
export function buildFocusDetail(target: FocusTarget, perWindow: Array<{ window: string; response: SignalsResponse | undefined }>, thresholds: Thresholds = DEFAULT_THRESHOLDS): FocusDetail {
  const windows: FocusWindow[] = [];
  let widest: FunctionSignal | undefined;
  let widestResponse: SignalsResponse | undefined;
  for (const { window, response } of perWindow) {
    const f = response ? findFunction(response.functions, target) : undefined;
    if (f && f.count > 0) {
      windows.push({ window, figures: { ...rowFigures(f, thresholds), p50: formatMs(f.p50Ms), p99: formatMs(f.p99Ms) } });
      widest = f;
      widestResponse = response;
    } else {
      windows.push({ window });
    }
  }
  const errors = widestResponse
    ? widestResponse.errors
        .filter((e) => e.service === target.service && e.file === target.file && e.function === target.function)
        .sort((a, b) => b.count - a.count)
        .slice(0, 5)
        .map(errorGroupRow)
    : [];
  const seen = new Set<string>();
  const exemplars = (widest?.exemplars ?? [])
    .filter((x) => !seen.has(x.traceId) && seen.add(x.traceId))
    .slice(0, 4)
    .map((x) => ({ traceId: x.traceId, label: x.kind === 'error' ? `failed · ${formatMs(x.durationMs)}` : formatMs(x.durationMs) }));
  const shown = widest ?? target;
  return {
    service: shown.service,
    environment: shown.environment,
    file: shown.file,
    line: shown.line,
    function: shown.function,
    key: functionKey(shown),
    found: widest !== undefined,
    windows,
    errors,
    exemplars,
    mapping: widest ? `${mappedByLabel(widest.mappedBy)} · ${Math.round(widest.confidence * 100)}% confidence` : '',
  };
}

/** The exact location first; then the same function in the file (revision drift may move its line). */
function findFunction(functions: FunctionSignal[], t: FocusTarget): FunctionSignal | undefined {
  const same = (f: FunctionSignal) => f.service === t.service && f.environment === t.environment && f.file === t.file;
  return functions.find((f) => same(f) && f.line === t.line && f.function === t.function) ?? functions.find((f) => same(f) && f.function === t.function) ?? functions.find((f) => same(f) && f.line === t.line);
}
