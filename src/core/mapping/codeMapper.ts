import type { DriftSummary, MappedBy } from '../api/signals';
import type { CodeAttributes, ExceptionInfo, ResourceInfo, SpanRecord } from '../ingest/records';
import { withDrift, type CodeLocation } from './codeLocation';
import type { FunctionIndex } from './functionIndex';
import { pendingWorkOf, provisionalDrift, type PendingWork } from './pendingDrift';
import type { PathResolver } from './pathResolver';
import type { DriftInfo, RevisionDrift } from './revisionDrift';
import type { RouteIndex } from './routeIndex';
import type { RouteRegistration } from './routeScan';
import type { ServiceRoots } from './serviceRoots';
import type { SourceMapResolver } from './sourceMaps';
import { CodeCache } from './codeCache';
import { foldClosureName } from './closureNames';
import { firstInAppFrame, parseStackTrace, stackFramesKey } from './stackTrace';

/** A mapping, or why there is none. */
export interface MappingResult {
  location: CodeLocation | null;
  /** Why `location` is null ('' when mapped). */
  reason: string;
  /** Set when the location's drift is provisional: the cached result is dropped once this settles. */
  pending?: PendingWork;
}

/** Where an exception was thrown, and the frame that names its error group. */
export interface ExceptionMapping {
  location: CodeLocation | null;
  frameKey: string;
  /** As in MappingResult. */
  pending?: PendingWork;
}

/** What the mapper reads; the workspace index provides it. */
export interface MappingSources {
  paths: PathResolver;
  sourceMaps: SourceMapResolver;
  routes: RouteIndex;
  functions: FunctionIndex;
  /** Which folder each service lives in: a route registered in several services' folders resolves by `service.name`. */
  serviceRoots?: ServiceRoots;
}

const CONFIDENCE: Record<MappedBy, number> = {
  'code-attributes': 0.95,
  sourcemap: 0.9,
  stacktrace: 0.85,
  route: 0.7,
  'span-name': 0.5,
};
/** A span name that is a route: `GET /price/{item}` (Go's otelhttp names server spans so). */
const ROUTE_NAME = /^[A-Z]+ \/\S*$/;
const BUILT_JS = /\.(?:m|c)?js$/;
const CACHE_LIMIT = 50_000;
/** Exception mappings are keyed by whole stack traces (~0.5-2 KB each), so fewer are kept. */
const FRAME_CACHE_LIMIT = 5_000;
/**
 * Characters of stack traces a cache may hold in its keys. Counting entries alone let 50,000 keys of
 * up to 32 KB each (MAX_STACK_CHARS) hold over a gigabyte: 12,000 error spans with distinct 30 KB
 * stacks took a receiver to 750 MB. 8 M characters is a few hundred distinct large stacks.
 */
const CACHE_KEY_CHARS = 8 * 1024 * 1024;

/**
 * Ties spans and exceptions to workspace code. A span maps to the function it represents: its
 * `code.*` attributes, else for a server span its route (`http.route`, or `METHOD /path` in its
 * name as Go's otelhttp names spans), else its name; an exception recorded on a span never moves
 * it. An exception maps to the first in-app frame of its stack. Whichever way a function is found,
 * the location is named and placed by its definition, so one function is one row. Results are
 * cached per distinct input, so the hot path is a few Map lookups; the first sight of an input may
 * read source maps.
 */
export class CodeMapper {
  private readonly spanCache = new Map<string, MappingResult>();
  private spanCacheChars = 0;
  /** Spans with code attributes (see CodeCache). */
  private readonly codeCache = new CodeCache();
  /**
   * Exception mappings by deployment, then stack trace, then code attributes. The stack trace is
   * the string the decoder interned (one per distinct trace), so a level keyed by it holds no copy;
   * a key concatenated from it held a 0.5-2 KB string per entry and built one per exception.
   */
  private readonly frameCache = new Map<string, Map<string, Map<string, ExceptionMapping>>>();
  private frameCacheSize = 0;
  private frameCacheChars = 0;
  private readonly driftSummaries = new WeakMap<DriftInfo, DriftSummary>();
  /** The deployment part of cache keys, for the last resource object seen (a batch's spans share theirs). */
  private lastResource: ResourceInfo | null = null;
  private lastDeployed = '';

  /** `drift` carries lines from a deployment's revision to the working copy; null maps lines as reported. */
  constructor(
    private sources: MappingSources,
    private readonly drift: RevisionDrift | null = null,
  ) {}

  /** Switches to new sources (a rebuilt workspace index) and forgets what was mapped with the old ones. */
  setSources(sources: MappingSources): void {
    this.sources = sources;
    this.invalidate();
  }

  /** Forgets cached mappings (after workspace files changed). */
  invalidate(): void {
    this.spanCache.clear();
    this.codeCache.clear();
    this.frameCache.clear();
    this.frameCacheSize = 0;
    this.frameCacheChars = 0;
    this.spanCacheChars = 0;
  }

  /** The cached mapping of a span, if its inputs were mapped before. */
  lookup(span: SpanRecord): MappingResult | undefined {
    const c = span.code;
    const hit = c.file || c.function ? this.codeCache.get(this.deployedKey(span.resource), c) : this.spanCache.get(spanKey(span));
    // A provisional mapping is used until git has answered, then mapped again.
    return hit?.pending?.settled === true ? undefined : hit;
  }

  /** Maps a span whose inputs were not cached, and caches the result. */
  async resolve(span: SpanRecord): Promise<MappingResult> {
    const mapped = withPending(await this.mapSpan(span));
    const c = span.code;
    if (c.file || c.function) {
      if (this.codeCache.size >= CACHE_LIMIT) this.invalidate();
      return this.codeCache.set(this.deployedKey(span.resource), c, mapped);
    }
    const key = spanKey(span);
    this.spanCacheChars += key.length;
    if (this.spanCache.size >= CACHE_LIMIT || this.spanCacheChars > CACHE_KEY_CHARS) {
      this.spanCache.clear();
      this.spanCacheChars = key.length;
    }
    this.spanCache.set(key, mapped);
    return mapped;
  }

  /** Maps where an exception was thrown; falls back to the span's own location. */
  async mapException(resource: ResourceInfo, exception: ExceptionInfo, code: CodeAttributes | null, fallback: CodeLocation | null): Promise<ExceptionMapping> {
    const deployed = `${this.deployedKey(resource)}\u0001${resource.language}`;
    const codeKey = code ? `${code.file}\u0000${code.line}\u0000${code.function}` : '';
    // Keyed by the frames: the same stack with another message maps the same way.
    const stackKey = stackFramesKey(exception.stacktrace, exception.type, exception.message);
    let mapping = this.frameCache.get(deployed)?.get(stackKey)?.get(codeKey);
    if (mapping === undefined || mapping.pending?.settled === true) {
      let location: CodeLocation | null = null;
      if (exception.stacktrace) location = (await this.fromStack(exception.stacktrace, resource, false)).location;
      if (location === null && code && (code.file || code.function)) location = (await this.fromCode(code, resource, false)).location;
      const pending = pendingWorkOf(location?.drift);
      mapping = { location, frameKey: location ? `${location.file}:${location.function}` : '', ...(pending ? { pending } : {}) };
      this.frameCacheChars += stackKey.length;
      if (++this.frameCacheSize > FRAME_CACHE_LIMIT || this.frameCacheChars > CACHE_KEY_CHARS) {
        this.frameCache.clear();
        this.frameCacheSize = 1;
        this.frameCacheChars = stackKey.length;
      }
      let byStack = this.frameCache.get(deployed);
      if (byStack === undefined) this.frameCache.set(deployed, (byStack = new Map()));
      let byCode = byStack.get(stackKey);
      if (byCode === undefined) byStack.set(stackKey, (byCode = new Map()));
      byCode.set(codeKey, mapping);
    }
    if (mapping.location === null && fallback !== null) return { location: fallback, frameKey: `${fallback.file}:${fallback.function}` };
    return mapping;
  }

  private deployedKey(r: ResourceInfo): string {
    if (r !== this.lastResource) {
      this.lastResource = r;
      this.lastDeployed = r.revision || r.serviceVersion ? `${r.revision}\u0001${r.serviceVersion}` : '';
    }
    return this.lastDeployed;
  }

  private async mapSpan(span: SpanRecord): Promise<MappingResult> {
    const c = span.code;
    if (c.file || c.function) return this.fromCode(c, span.resource, true);
    // `code.stacktrace` says where the span was made: a code attribute, unlike an exception's stack.
    if (c.stacktrace) return this.fromStack(c.stacktrace, span.resource, true);
    if (isServerKind(span.kind)) {
      if (span.httpRoute) return this.fromRoute(span.httpMethod, span.httpRoute, span.resource.service);
      if (ROUTE_NAME.test(span.name)) return this.fromRoute('', span.name, span.resource.service);
    }
    return this.fromName(span.name);
  }

  private async fromCode(c: CodeAttributes, resource: ResourceInfo, toFunctionStart: boolean): Promise<MappingResult> {
    const name = qualified(c);
    // Java names lambdas `lambda$inventory$0`: the row is the method that holds it.
    if (!c.file) return this.byFunctionName(foldClosureName(name, resource.language) || name, 'code-attributes', `code.function.name "${name}"`);
    const placed = await this.place(c.file, c.line, c.column, 'code-attributes', resource);
    if (placed.location === null) return placed;
    return { location: this.finish(placed.location, name, toFunctionStart, resource.language), reason: '' };
  }

  private async fromStack(text: string, resource: ResourceInfo, toFunctionStart: boolean): Promise<MappingResult> {
    const { frames } = parseStackTrace(text, resource.language);
    if (frames.length === 0) return { location: null, reason: 'stack trace in an unknown format' };
    const frame = firstInAppFrame(frames);
    if (frame === undefined) return { location: null, reason: 'no in-app frame in the stack trace' };
    const placed = await this.place(frame.file, frame.line, frame.column, 'stacktrace', resource);
    if (placed.location === null) return placed;
    return { location: this.finish(placed.location, frame.function, toFunctionStart, resource.language), reason: '' };
  }

  private fromRoute(method: string, route: string, service: string): MappingResult {
    const hit = this.sources.routes.match(method, route);
    if (hit === undefined) return { location: null, reason: `no route registration for ${method || '*'} ${route} in the workspace` };
    let candidates = [hit.registration, ...hit.ambiguous];
    if (candidates.length > 1) {
      // The same route in several services' folders (a monorepo): the span's service says which.
      const own = this.sources.serviceRoots?.filterByService(service, candidates) ?? [];
      if (own.length > 0) candidates = own;
    }
    if (candidates.length > 1) {
      const files = candidates.map((r) => `${r.file}:${r.line}`).join(', ');
      return { location: null, reason: `route ${method} ${route} is registered in several places (${files})` };
    }
    const r = candidates[0]!;
    // A named handler is its own definition; an inline one starts on the registration line (anonymous
    // handlers are not indexed, so the enclosing function would be the wrong one, e.g. main()).
    // The handler may be defined in another file (Go handlers in another file of the package,
    // `handlers.price` imported in JS): then only when that name is one function in the workspace.
    const hits = r.handler ? this.sources.functions.findByName(r.handler) : [];
    const named = hits.find((h) => h.file === r.file) ?? (hits.length === 1 ? hits[0] : undefined);
    const enclosing = this.sources.functions.enclosing(r.file, r.line);
    const def = named?.def ?? (enclosing?.line === r.line ? enclosing : undefined);
    // An inline handler has no name of its own: it is called after its route, never "(top level)".
    const name = def?.qualifiedName || r.handler || inlineHandlerName(r);
    const location = { file: named?.file ?? r.file, line: def?.line ?? r.line, function: name, mappedBy: 'route' as const, confidence: CONFIDENCE.route };
    return { location, reason: '' };
  }

  private fromName(name: string): MappingResult {
    return this.byFunctionName(name, 'span-name', `span name "${name}"`);
  }

  private byFunctionName(name: string, mappedBy: MappedBy, what: string): MappingResult {
    if (!name) return { location: null, reason: 'no code attributes, stack trace, route or name' };
    const hits = this.sources.functions.findByName(name);
    if (hits.length === 0) return { location: null, reason: `${what} matches no function in the workspace` };
    if (hits.length > 1) {
      const where = hits
        .slice(0, 3)
        .map((h) => `${h.file}:${h.def.line}`)
        .join(', ');
      return { location: null, reason: `${what} matches ${hits.length} functions (${where}${hits.length > 3 ? ', ...' : ''})` };
    }
    const { def, file } = hits[0];
    const confidence = mappedBy === 'code-attributes' ? 0.6 : CONFIDENCE[mappedBy];
    return { location: { file, line: def.line, function: def.qualifiedName, mappedBy, confidence }, reason: '' };
  }

  /** Production path + position -> workspace file + line, through source maps for built JS, then across revision drift. */
  private async place(productionPath: string, line: number, column: number, mappedBy: MappedBy, resource: ResourceInfo): Promise<MappingResult> {
    const match = this.sources.paths.resolve(productionPath);
    if (match.file === null) return { location: null, reason: match.reason };
    let location: CodeLocation = { file: match.file, line, function: '', mappedBy, confidence: CONFIDENCE[mappedBy] * (match.how === 'suffix' ? 0.95 : 1) };
    if (BUILT_JS.test(match.file) && line > 0) {
      const original = await this.sources.sourceMaps.resolve(match.file, line, column);
      if (original !== null) {
        // Map sources may be bundler-relative (webpack://) or absolute: place them like any production path.
        const source = this.sources.paths.resolve(original.file);
        // A source map moves a frame; it cannot make the frame surer than it was.
        const confidence = Math.min(location.confidence, CONFIDENCE.sourcemap);
        location = { file: source.file ?? original.file, line: original.line, function: original.name ?? '', mappedBy: 'sourcemap', confidence };
      }
    }
    return { location: this.carry(location, resource), reason: '' };
  }

  /**
   * Moves a line from the deployed revision to the working copy. A line changed since then
   * becomes 0, so the function is found by name in the file instead of by a stale line. Never
   * waits on git: until git has answered, the line stays as reported and the drift is provisional.
   */
  private carry(location: CodeLocation, resource: ResourceInfo): CodeLocation {
    if (this.drift === null || (!resource.revision && !resource.serviceVersion)) return location;
    const info = this.drift.current(resource.revision, resource.serviceVersion);
    if (info instanceof Promise) return withDrift(location, provisionalDrift(resource.revision || resource.serviceVersion, info));
    const drift = this.summaryOf(info);
    if (info.status !== 'drifted' || location.line <= 0) return withDrift(location, drift);
    const moved = this.drift.currentLine(info, location.file, location.line);
    if (moved instanceof Promise) return withDrift(location, provisionalDrift(info.deployed, moved));
    return withDrift(location, drift, moved?.file ?? location.file, moved?.line ?? 0, location.line);
  }

  /** One summary per revision's drift, shared by every location mapped under it (tens of thousands with many functions). */
  private summaryOf(info: DriftInfo): DriftSummary {
    let summary = this.driftSummaries.get(info);
    if (summary === undefined) {
      summary = { deployed: info.deployed, status: info.status, behind: info.behind, ahead: info.ahead, reason: info.reason };
      this.driftSummaries.set(info, summary);
    }
    return summary;
  }

  /**
   * Names the location by its enclosing named function (closures fold into it: `main.price.func1`
   * is `price`) and, for spans, moves it to that function's first line.
   */
  private finish(location: CodeLocation, name: string, toFunctionStart: boolean, language: string): CodeLocation {
    const folded = foldClosureName(name, language);
    const def = location.line > 0 ? this.sources.functions.enclosingNamed(location.file, location.line) : this.sources.functions.findByName(folded || name).find((h) => h.file === location.file)?.def;
    // A line inside an inline handler (`app.get('/x', (req, res) => ...)`) belongs to that handler,
    // named after its route, not to the function the registration sits in, nor "(top level)".
    const inline = location.line > 0 ? this.sources.routes.inlineHandlerAt(location.file, location.line) : undefined;
    if (inline !== undefined && (def === undefined || inline.line >= def.line)) {
      return { ...location, function: inlineHandlerName(inline), line: toFunctionStart ? inline.line : location.line };
    }
    // The definition names the function as its language does, whichever way it was found.
    const fn = def?.qualifiedName || folded || location.function || '(top level)';
    return { ...location, function: fn, line: def && (toFunctionStart || location.line === 0) ? def.line : location.line };
  }
}

/** The cache key of a span without code attributes: what the mapping reads, and the deployment it came from. */
function spanKey(span: SpanRecord): string {
  const r = span.resource;
  const deployed = r.revision || r.serviceVersion ? `${r.revision}\u0001${r.serviceVersion}\u0001` : '';
  if (span.code.stacktrace) return `${deployed}s\u0000${r.language}\u0000${span.code.stacktrace}`;
  if (isServerKind(span.kind)) {
    const service = r.service;
    if (span.httpRoute) return `${deployed}r\u0000${service}\u0000${span.httpMethod}\u0000${span.httpRoute}`;
    // A server span's name may be its route (see mapSpan): the same name on another kind is not.
    return `${deployed}N\u0000${service}\u0000${span.name}`;
  }
  return `${deployed}n\u0000${span.name}`;
}

/** What an anonymous inline handler is called: after its route (`GET /slow handler`). */
export function inlineHandlerName(r: Pick<RouteRegistration, 'method' | 'route'>): string {
  return `${r.method === '*' ? 'ANY' : r.method} ${r.route} handler`;
}

/** Server spans, and spans that do not say their kind, may be mapped by their route. */
function isServerKind(kind: number): boolean {
  return kind === 2 || kind === 0;
}

/** The result, marked with the git work it waits for when its drift is provisional. */
function withPending(result: MappingResult): MappingResult {
  const pending = pendingWorkOf(result.location?.drift);
  return pending === undefined ? result : { ...result, pending };
}

function qualified(c: CodeAttributes): string {
  if (!c.function) return '';
  return c.namespace && !c.function.includes('.') ? `${c.namespace}.${c.function}` : c.function;
}
