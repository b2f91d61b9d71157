/**
 * Finds the production figures of the function a model asks about. Telemetry maps each call to a
 * function's first line only, so `file:line` picks the signal of that file with the greatest start
 * line at or above `line` (the enclosing function, unless the line is between functions); a name
 * matches exactly or qualified (`create` ~ `OrderService.create`) and may match in several files.
 */
import type { FunctionSignal } from '../api/signals';
import { sameFunctionName } from './agentNames';

/** What the model asked for. */
export interface FunctionQuery {
  file?: string;
  line?: number;
  function?: string;
}

/** The outcome: the signals of one location (one per service), several locations to choose from, or none. */
export type Located = { kind: 'found'; signals: FunctionSignal[]; how: string } | { kind: 'ambiguous'; locations: FunctionSignal[] } | { kind: 'none'; nearby: FunctionSignal[] };

/** The signals among `functions` that answer `q` (see the file comment). */
export function locateFunction(functions: readonly FunctionSignal[], q: FunctionQuery): Located {
  const inFile = q.file === undefined ? [...functions] : functions.filter((s) => s.file === q.file);
  if (q.line !== undefined) {
    const line = q.line;
    const named = q.function === undefined ? inFile : inFile.filter((s) => sameFunctionName(s.function, q.function!));
    const above = named.filter((s) => s.line <= line);
    if (above.length === 0) return { kind: 'none', nearby: distinctLocations(inFile) };
    const start = Math.max(...above.map((s) => s.line));
    const at = above.filter((s) => s.line === start);
    const how = start === line ? `line ${line} is where the function starts` : `line ${line} maps to the function starting at line ${start} (the nearest function start at or above it with calls)`;
    return { kind: 'found', signals: byCount(at), how };
  }
  const named = inFile.filter((s) => sameFunctionName(s.function, q.function ?? ''));
  if (named.length === 0) return { kind: 'none', nearby: q.file === undefined ? [] : distinctLocations(inFile) };
  const locations = distinctLocations(named);
  if (locations.length > 1) return { kind: 'ambiguous', locations };
  const loc = locations[0];
  return { kind: 'found', signals: byCount(named.filter((s) => sameLocation(s, loc))), how: `matched by name "${q.function}"` };
}

/** The signals of the same location (file, line, function) in another window's answer. */
export function sameLocationIn(functions: readonly FunctionSignal[], like: FunctionSignal): FunctionSignal[] {
  return byCount(functions.filter((s) => sameLocation(s, like)));
}

function sameLocation(a: FunctionSignal, b: FunctionSignal): boolean {
  return a.file === b.file && a.line === b.line && a.function === b.function;
}

/** One signal per (file, line, function), ordered by file then line. */
function distinctLocations(list: readonly FunctionSignal[]): FunctionSignal[] {
  const seen = new Map<string, FunctionSignal>();
  for (const s of list) {
    const key = `${s.file}\u0000${s.line}\u0000${s.function}`;
    if (!seen.has(key)) seen.set(key, s);
  }
  return [...seen.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

function byCount(list: FunctionSignal[]): FunctionSignal[] {
  return [...list].sort((a, b) => b.count - a.count || (a.service < b.service ? -1 : 1));
}
