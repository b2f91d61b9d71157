import type { CodeAttributes } from '../ingest/records';
import type { MappingResult } from './codeMapper';

/** A cached result, with the position (line * 100,000 + column) it was cached at. */
interface CachedResult extends MappingResult {
  position: number;
}

/** What a function holds: the result for the one position seen, or a Map by position. */
type Held = CachedResult | Map<number, CachedResult>;

/**
 * Mapping results of spans with code attributes (the common case), per deployment, file, function
 * and position, in nested maps rather than by a concatenated key: the decoder interns short
 * strings, so each level is a lookup with a hash V8 already holds, with no string built per span.
 * A function holds its one position's result itself (checked by its `position`) until a second
 * position comes: nearly every function is reported at one, and a one-entry Map and its table were
 * two more cache misses per span.
 */
export class CodeCache {
  private readonly byDeployment = new Map<string, Map<string, Map<string, Held>>>();
  private count = 0;

  /** Results cached since the last clear. */
  get size(): number {
    return this.count;
  }

  /** The result cached for `code` in deployment `deployed`. */
  get(deployed: string, code: CodeAttributes): MappingResult | undefined {
    const held = this.byDeployment.get(deployed)?.get(code.file)?.get(functionKey(code));
    if (held === undefined) return undefined;
    const position = positionOf(code);
    if (held instanceof Map) return held.get(position);
    return held.position === position ? held : undefined;
  }

  /** Caches `result` for `code` and returns what is cached: a copy of its own, so its `position` belongs to this entry alone. */
  set(deployed: string, code: CodeAttributes, result: MappingResult): MappingResult {
    const position = positionOf(code);
    const cached: CachedResult = { ...result, position };
    let byFile = this.byDeployment.get(deployed);
    if (byFile === undefined) this.byDeployment.set(deployed, (byFile = new Map()));
    let byFunction = byFile.get(code.file);
    if (byFunction === undefined) byFile.set(code.file, (byFunction = new Map()));
    const fn = functionKey(code);
    const held = byFunction.get(fn);
    if (held instanceof Map) held.set(position, cached);
    else if (held === undefined || held.position === position) byFunction.set(fn, cached);
    else {
      const positions = new Map<number, CachedResult>();
      positions.set(held.position, held);
      byFunction.set(fn, positions.set(position, cached));
    }
    this.count++;
    return cached;
  }

  clear(): void {
    this.byDeployment.clear();
    this.count = 0;
  }
}

function functionKey(code: CodeAttributes): string {
  return code.namespace ? `${code.namespace}\u0000${code.function}` : code.function;
}

function positionOf(code: CodeAttributes): number {
  return code.line * 100_000 + code.column;
}
