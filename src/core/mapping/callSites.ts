import type { CodeLocation } from './codeLocation';
import { chooseCallLine, findCallLines, inlineHandlerLines, peerKey, type CallLine, type LineMatch, type PeerParts } from './callLines';
import type { FunctionIndex } from './functionIndex';
import type { FileReader } from './sourceMaps';

/** The line inside a function that makes an outgoing call. */
export interface CallSite {
  file: string;
  line: number;
  function: string;
  lineMatch: LineMatch;
}

const MAX_FUNCTIONS = 5_000;
const MAX_CHOICES = 20_000;

/**
 * Ties outgoing calls to lines: per function (from the workspace index's ranges) the candidate
 * call lines are read once and cached; per function and peer the chosen line is cached too. Both
 * caches are dropped when the index changes.
 */
export class CallSites {
  private readonly byFunction = new Map<string, Promise<CallLine[]>>();
  private readonly choices = new Map<string, CallSite>();

  constructor(
    private functions: FunctionIndex,
    private reader: FileReader,
  ) {}

  /** Uses a rebuilt index (and its reader) and forgets everything cached. */
  setSources(functions: FunctionIndex, reader: FileReader): void {
    this.functions = functions;
    this.reader = reader;
    this.invalidate();
  }

  /** Forgets cached lines, of one file or of all. */
  invalidate(file?: string): void {
    if (file === undefined) {
      this.byFunction.clear();
      this.choices.clear();
      return;
    }
    const prefix = file + '\u0000';
    for (const key of this.byFunction.keys()) if (key.startsWith(prefix)) this.byFunction.delete(key);
    for (const key of this.choices.keys()) if (key.startsWith(prefix)) this.choices.delete(key);
  }

  /** The cached site of a call from `caller` to `peer`, without reading anything. */
  lookup(caller: CodeLocation, peer: PeerParts): CallSite | undefined {
    return this.choices.get(choiceKey(caller, peer));
  }

  /** The site of a call from `caller` (a span's mapped function) to `peer`, reading the file on first use. */
  async resolve(caller: CodeLocation, peer: PeerParts): Promise<CallSite> {
    const key = choiceKey(caller, peer);
    const known = this.choices.get(key);
    if (known !== undefined) return known;
    const range = caller.line > 0 ? await this.range(caller.file, caller.line) : undefined;
    let site: CallSite = { file: caller.file, line: caller.line, function: caller.function, lineMatch: 'function' };
    if (range !== undefined) {
      const lines = await this.callLines(caller.file, range.from, range.to);
      const chosen = chooseCallLine(lines, peer);
      site = { file: caller.file, line: chosen?.line ?? range.from, function: caller.function, lineMatch: chosen?.lineMatch ?? 'function' };
    }
    if (this.choices.size >= MAX_CHOICES) this.choices.clear();
    this.choices.set(key, site);
    return site;
  }

  /**
   * The lines of the caller: the function starting on its line; else, for a handler written
   * inline where a route is registered (mapped to the registration line, which starts no indexed
   * function), the registration's brackets; else the function around the line.
   */
  private async range(file: string, line: number): Promise<{ from: number; to: number } | undefined> {
    const def = this.functions.enclosing(file, line);
    if (def !== undefined && def.line === line) return { from: def.line, to: def.endLine };
    const text = await this.reader.read(file).catch(() => undefined);
    const inline = text === undefined ? undefined : inlineHandlerLines(file, text, line);
    return inline ?? (def === undefined ? undefined : { from: def.line, to: def.endLine });
  }

  private callLines(file: string, from: number, to: number): Promise<CallLine[]> {
    const key = `${file}\u0000${from}`;
    let lines = this.byFunction.get(key);
    if (lines === undefined) {
      lines = this.reader.read(file).then(
        (text) => (text === undefined ? [] : findCallLines(file, text, from, to)),
        () => [],
      );
      if (this.byFunction.size >= MAX_FUNCTIONS) this.byFunction.clear();
      this.byFunction.set(key, lines);
    }
    return lines;
  }
}

function choiceKey(caller: CodeLocation, peer: PeerParts): string {
  return `${caller.file}\u0000${caller.line}\u0000${caller.function}\u0000${peerKey(peer)}`;
}
