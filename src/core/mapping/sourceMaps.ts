import { AnyMap, LEAST_UPPER_BOUND, decodedMappings, originalPositionFor, traceSegment } from '@jridgewell/trace-mapping';
import type { TraceMap } from '@jridgewell/trace-mapping';
import { silentLogger } from '../logger';
import type { Logger } from '../logger';
import { normalizeProductionPath } from './pathResolver';
import { OldestFirst } from '../oldestFirst';

/** Reads workspace files for the resolver; injected so tests and the CLI share it. */
export interface FileReader {
  read(relPath: string): Promise<string | undefined>;
}

/** An original source position; `line` and `column` are 1-based. */
export interface OriginalPosition {
  /**
   * Workspace-relative posix path for sources given relative to the map. Bundler URLs
   * (`webpack://`) become paths relative to the bundler's context and absolute sources stay
   * absolute: pass those through a PathResolver.
   */
  file: string;
  line: number;
  column: number;
  name: string | null;
}

interface LoadedMap {
  map: TraceMap;
  /** `map.resolvedSources[i]` -> our workspace-relative reading of `map.sources[i]`. */
  files: Map<string, string>;
}

const maxCachedMaps = 200;
/**
 * Built files known to have no usable map, kept apart from the maps and many more of them: a service
 * whose spans name thousands of built files without maps would otherwise have every span read a file
 * (the 200 maps' LRU cycling through them). The index replaces the resolver when a JS or map file
 * changes, so nothing here outlives the files it describes.
 */
const maxNoMap = 50_000;
const NO_MAP: Promise<null> = Promise.resolve(null);
const maxWarned = 1_000;
const base64Prefix = /^data:application\/json(?:;[^,;]*)*;base64,/i;
const plainDataPrefix = /^data:application\/json(?:;[^,;]*)*,/i;

/** Traces built JavaScript positions back to original sources through the file's source map. */
export class SourceMapResolver {
  // Keyed by the built file; holds the promise so concurrent lookups share one read, and null for "no map".
  private readonly maps = new Map<string, Promise<LoadedMap | null>>();
  private readonly mapsOldest = new OldestFirst(this.maps);
  private readonly noMap = new Set<string>();
  private readonly warned = new Set<string>();

  /** `reader` reads workspace-relative files; malformed maps are reported once to `logger`. */
  constructor(
    private readonly reader: FileReader,
    private readonly logger: Logger = silentLogger,
  ) {}

  /**
   * For a workspace-relative built JS file and a 1-based line and 1-based column (as OTel and V8
   * report them; 0 means unknown and takes the first mapping on the line), the original
   * position with a 1-based line and column, or null when there is no map or no mapping.
   */
  async resolve(jsFile: string, line: number, column: number): Promise<OriginalPosition | null> {
    if (!Number.isFinite(line) || line < 1) return null;
    const loaded = await this.load(jsFile);
    if (!loaded) return null;
    try {
      return this.trace(loaded, Math.floor(line), Number.isFinite(column) ? Math.floor(column) : 0);
    } catch (err) {
      // trace-mapping decodes lazily, so a corrupt `mappings` string can surface here.
      this.warnOnce(jsFile, `source map for ${jsFile} could not be decoded: ${errorText(err)}`);
      this.maps.set(jsFile, Promise.resolve(null));
      return null;
    }
  }

  private trace(loaded: LoadedMap, line: number, column: number): OriginalPosition | null {
    const { map } = loaded;
    let col0: number;
    if (column >= 1) {
      col0 = column - 1;
      const segment = traceSegment(map, line - 1, col0);
      // A one-field segment marks generated code with no original: that is an answer, not a gap.
      if (segment && segment.length === 1) return null;
    } else {
      const segments = decodedMappings(map)[line - 1];
      const first = segments?.find((s) => s.length >= 4);
      if (!first) return null;
      col0 = first[0];
    }
    let pos = originalPositionFor(map, { line, column: col0 });
    // A column before the line's first mapping (indentation, say) belongs to what follows it.
    if (pos.source == null) pos = originalPositionFor(map, { line, column: col0, bias: LEAST_UPPER_BOUND });
    // `== null` also catches a source index past the end of `sources` in a hand-damaged map.
    if (pos.source == null || pos.line == null || pos.line < 1) return null;
    const file = loaded.files.get(pos.source) ?? normalizeProductionPath(pos.source).full;
    return { file, line: pos.line, column: Math.max(0, pos.column) + 1, name: pos.name ?? null };
  }

  private load(jsFile: string): Promise<LoadedMap | null> {
    if (this.noMap.has(jsFile)) return NO_MAP;
    const hit = this.maps.get(jsFile);
    if (hit) {
      // Re-insert so the Map's insertion order doubles as recency order.
      this.maps.delete(jsFile);
      this.maps.set(jsFile, hit);
      return hit;
    }
    const pending = this.readMap(jsFile).then((loaded) => {
      if (loaded === null && this.maps.get(jsFile) === pending) {
        this.maps.delete(jsFile);
        if (this.noMap.size >= maxNoMap) this.noMap.clear();
        this.noMap.add(jsFile);
      }
      return loaded;
    });
    if (this.maps.size >= maxCachedMaps) this.mapsOldest.drop();
    this.maps.set(jsFile, pending);
    return pending;
  }

  private async readMap(jsFile: string): Promise<LoadedMap | null> {
    const code = await this.readQuietly(jsFile);
    if (code === undefined) return null;
    const jsDir = dirname(jsFile);
    const url = findSourceMappingUrl(code);
    let text: string | undefined;
    let mapPath = `${jsFile}.map`;
    if (url !== undefined && url.startsWith('data:')) {
      text = decodeDataUrl(url);
      mapPath = jsFile;
      if (text === undefined) {
        this.warnOnce(jsFile, `inline source map in ${jsFile} is not a JSON data URL`);
        return null;
      }
    } else if (url !== undefined && !/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(url)) {
      const referenced = joinPosix(jsDir, safeDecode(url.replace(/[?#].*$/, '')));
      text = await this.readQuietly(referenced);
      if (text !== undefined) mapPath = referenced;
    }
    // Deployments often drop or rewrite the comment while the map still sits beside the file.
    text ??= await this.readQuietly(`${jsFile}.map`);
    if (text === undefined) return null;
    return this.parse(jsFile, mapPath, text);
  }

  private parse(jsFile: string, mapPath: string, text: string): LoadedMap | null {
    try {
      // Some servers prefix maps with )]}' to defeat JSON hijacking; the spec allows skipping that line.
      const json: unknown = JSON.parse(text.startsWith(')]}') ? text.slice(text.indexOf('\n') + 1) : text);
      if (!isMapShape(json)) throw new Error('not a version 3 source map');
      const map = AnyMap(json as Parameters<typeof AnyMap>[0]);
      decodedMappings(map);
      const mapDir = dirname(mapPath);
      const files = new Map<string, string>();
      map.sources.forEach((source, i) => {
        const resolved = map.resolvedSources[i];
        if (source !== null && resolved !== undefined && resolved !== null) {
          files.set(resolved, sourceToWorkspacePath(mapDir, map.sourceRoot, source));
        }
      });
      return { map, files };
    } catch (err) {
      this.warnOnce(jsFile, `ignoring malformed source map ${mapPath} for ${jsFile}: ${errorText(err)}`);
      return null;
    }
  }

  private async readQuietly(relPath: string): Promise<string | undefined> {
    try {
      return await this.reader.read(relPath);
    } catch {
      return undefined;
    }
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    if (this.warned.size >= maxWarned) this.warned.clear();
    this.warned.add(key);
    this.logger.warn(message);
  }
}

/** The URL of the last `sourceMappingURL` comment, which is the one that counts. */
function findSourceMappingUrl(code: string): string | undefined {
  let at = code.length;
  while (at > 0) {
    const hit = code.lastIndexOf('sourceMappingURL=', at - 1);
    if (hit < 3) return undefined;
    if (/(\/\/|\/\*)[#@][ \t]*$/.test(code.slice(Math.max(0, hit - 8), hit))) {
      const rest = code.slice(hit + 'sourceMappingURL='.length);
      const url = /^[^\s*'"]+/.exec(rest)?.[0];
      return url;
    }
    at = hit;
  }
  return undefined;
}

function decodeDataUrl(url: string): string | undefined {
  const b64 = base64Prefix.exec(url);
  if (b64) return Buffer.from(url.slice(b64[0].length), 'base64').toString('utf8');
  const plain = plainDataPrefix.exec(url);
  return plain ? safeDecode(url.slice(plain[0].length)) : undefined;
}

/** Maps a `sources` entry to a workspace path: relative ones against the map's folder. */
function sourceToWorkspacePath(mapDir: string, sourceRoot: string | undefined, source: string): string {
  const root = sourceRoot ?? '';
  const joined = root === '' || isAbsoluteSource(source) ? source : `${root.replace(/\/+$/, '')}/${source}`;
  if (isAbsoluteSource(joined)) return normalizeProductionPath(joined).full;
  return joinPosix(mapDir, joined);
}

function isAbsoluteSource(s: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(s) || /^[a-zA-Z]:[\\/]/.test(s) || s.startsWith('/') || s.startsWith('\\');
}

function isMapShape(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const m = json as Record<string, unknown>;
  if (m.version !== 3) return false;
  if (Array.isArray(m.sections)) return true;
  return typeof m.mappings === 'string' && Array.isArray(m.sources);
}

function dirname(p: string): string {
  const slash = p.lastIndexOf('/');
  return slash === -1 ? '' : p.slice(0, slash);
}

/** Joins and folds `.`/`..`; a path climbing above the workspace keeps its leading `..`. */
function joinPosix(dir: string, rel: string): string {
  const out: string[] = [];
  for (const seg of `${dir}/${rel.replace(/\\/g, '/')}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
