/** A user rule rewriting a production path prefix, e.g. { from: '/app/', to: '' }. */
export interface PathRule {
  from: string;
  to: string;
}

/** Where a production path landed in the workspace, or why it did not (results are frozen and shared). */
export type PathMatch = { file: string; how: 'rule' | 'exact' | 'suffix'; ambiguous: string[] } | { file: null; reason: string; ambiguous: string[] };

/** A production path in the two forms the resolver matches on. */
export interface NormalizedPath {
  /** Forward slashes, URL wrapper and query removed, `.`/`..` folded; keeps a `/` or `C:/` root. */
  full: string;
  /** The segments that can match a workspace file: `full` without its root or leading `..`. */
  relative: string;
}

// Frames in installed packages must not be pinned on a same-named workspace file.
const thirdPartyDirs = new Set(['node_modules', 'site-packages', 'dist-packages']);
const maxCacheEntries = 10_000;
// A reason naming thousands of files helps nobody; the count is in the reason.
const maxAmbiguousListed = 50;
const emptyList: string[] = Object.freeze([]) as unknown as string[];

/**
 * Normalizes a production file name: backslashes, `file://` URLs (percent-decoded, drive letters
 * kept upper-case), bundler URLs such as `webpack:///./src/x.ts` and `webpack://name/./src/x.ts`
 * (made relative, as they are relative to the bundler's context), other URLs (origin dropped),
 * query strings and hashes, `./` and `..` segments.
 */
export function normalizeProductionPath(raw: string): NormalizedPath {
  let s = raw.trim().replace(/\\/g, '/');
  let forceRelative = false;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):\/\/(.*)$/.exec(s);
  if (scheme) {
    const name = scheme[1].toLowerCase();
    const rest = stripQuery(scheme[2]);
    const slash = rest.indexOf('/');
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    let pathPart = slash === -1 ? '' : rest.slice(slash);
    if (name === 'file') {
      // file://server/share/x is a UNC path; file:///C:/x is a drive path.
      if (authority !== '' && authority.toLowerCase() !== 'localhost') pathPart = `//${authority}${pathPart}`;
      if (/^\/[a-zA-Z]:(\/|$)/.test(pathPart)) pathPart = pathPart.slice(1);
    } else if (name.startsWith('webpack')) {
      forceRelative = true;
      // Next.js prefixes a layer such as `(rsc)/` before the context-relative path.
      pathPart = pathPart.replace(/^\/+\([^/]*\)(?=\/)/, '');
    }
    s = percentDecode(pathPart);
  } else {
    s = stripQuery(s);
  }

  let root = '';
  const drive = /^([a-zA-Z]):(\/|$)/.exec(s);
  if (drive) {
    root = `${drive[1].toUpperCase()}:/`;
    s = s.slice(2);
  } else if (s.startsWith('/') && !forceRelative) {
    root = '/';
  }

  const segments: string[] = [];
  for (const seg of s.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (segments.length > 0 && segments[segments.length - 1] !== '..') segments.pop();
      else if (root === '') segments.push('..');
      continue;
    }
    segments.push(seg);
  }
  let firstReal = 0;
  while (firstReal < segments.length && segments[firstReal] === '..') firstReal++;
  return { full: root + segments.join('/'), relative: segments.slice(firstReal).join('/') };
}

/** Maps production file paths to workspace-relative files by path rules, then exact, then suffix match. */
export class PathResolver {
  private fileSet = new Set<string>();
  // basename -> the files with that name, pre-split so resolve never splits workspace paths.
  private byBasename = new Map<string, Array<{ file: string; segments: string[] }>>();
  // Two generations approximate LRU without Map deletions, whose tombstones make V8 iteration crawl.
  private recent = new Map<string, PathMatch>();
  private older = new Map<string, PathMatch>();
  private readonly rules: ReadonlyArray<{ rule: PathRule; slashed: string; full: string; to: string }>;

  /** `files` are workspace-relative posix paths; `rules` are tried in order before any matching. */
  constructor(files: readonly string[], rules: readonly PathRule[] = []) {
    this.rules = rules
      .filter((rule) => rule.from.trim() !== '')
      .map((rule) => {
        const slashed = rule.from.trim().replace(/\\/g, '/');
        const norm = normalizeProductionPath(rule.from).full;
        // Keep the rule's trailing slash so the remainder starts at a segment boundary.
        const full = slashed.endsWith('/') && !norm.endsWith('/') ? `${norm}/` : norm;
        return { rule, slashed, full, to: normalizeProductionPath(rule.to).relative };
      });
    this.setFiles(files);
  }

  /** Replaces the workspace file list and forgets every memoized answer. */
  setFiles(files: readonly string[]): void {
    this.fileSet = new Set();
    this.byBasename = new Map();
    this.recent = new Map();
    this.older = new Map();
    // Sorted input keeps every basename list sorted, so ambiguous candidates come out in order.
    for (const raw of [...files].sort()) {
      const file = isPlainRelative(raw) ? raw : cleanRelative(raw);
      if (file === '' || this.fileSet.has(file)) continue;
      this.fileSet.add(file);
      const segments = file.split('/');
      const base = segments[segments.length - 1];
      const list = this.byBasename.get(base);
      if (list) list.push({ file, segments });
      else this.byBasename.set(base, [{ file, segments }]);
    }
  }

  /** Maps a production path to a workspace-relative file. */
  resolve(productionPath: string): PathMatch {
    const hit = this.recent.get(productionPath);
    if (hit) return hit;
    const result = this.older.get(productionPath) ?? deepFreeze(this.compute(productionPath));
    if (this.recent.size >= maxCacheEntries / 2) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(productionPath, result);
    return result;
  }

  private compute(productionPath: string): PathMatch {
    const trimmed = productionPath.trim();
    if (trimmed === '') return miss('empty production path');
    if (/^node:/.test(trimmed)) return miss(`"${trimmed}" is a Node.js built-in module`);

    const norm = normalizeProductionPath(trimmed);
    let rulePrefix = '';
    const ruleResult = this.applyRules(trimmed.replace(/\\/g, '/'), norm.full);
    if (ruleResult) {
      if (this.fileSet.has(ruleResult.file)) return { file: ruleResult.file, how: 'rule', ambiguous: emptyList };
      rulePrefix = `rule "${ruleResult.from}" gave "${ruleResult.file}", which is not in the workspace; `;
    }

    if (norm.relative === '') return miss(`${rulePrefix}"${trimmed}" names no file`);
    if (this.fileSet.has(norm.relative)) return { file: norm.relative, how: 'exact', ambiguous: emptyList };

    const segments = norm.relative.split('/');
    const thirdParty = segments.find((seg, i) => thirdPartyDirs.has(seg) || isPythonLibDir(segments, i));
    if (thirdParty !== undefined) {
      return miss(`${rulePrefix}"${trimmed}" is in third-party code (${thirdParty}); add a path rule to map it`);
    }
    return this.matchSuffix(trimmed, segments, rulePrefix);
  }

  /** The first rule whose `from` prefixes the path (raw or normalized) rewrites it; later rules are not tried. */
  private applyRules(slashed: string, full: string): { from: string; file: string } | undefined {
    for (const r of this.rules) {
      const rest = afterPrefix(slashed, r.slashed) ?? afterPrefix(full, r.full);
      if (rest === undefined) continue;
      const joined = r.to === '' ? rest : `${r.to}/${rest}`;
      return { from: r.rule.from, file: normalizeProductionPath(joined).relative };
    }
    return undefined;
  }

  private matchSuffix(original: string, segments: string[], rulePrefix: string): PathMatch {
    const base = segments[segments.length - 1];
    const candidates = this.byBasename.get(base);
    if (!candidates) {
      return miss(`${rulePrefix}no workspace file is named "${base}" (production path "${original}")`);
    }
    let best = 0;
    let winners: string[] = [];
    for (const c of candidates) {
      const n = sharedSuffixLength(segments, c.segments);
      if (n > best) {
        best = n;
        winners = [c.file];
      } else if (n === best) {
        winners.push(c.file);
      }
    }
    if (winners.length === 1) return { file: winners[0], how: 'suffix', ambiguous: emptyList };
    const suffix = segments.slice(segments.length - best).join('/');
    return {
      file: null,
      reason: `${rulePrefix}"${suffix}" matches ${winners.length} workspace files; add a path rule`,
      ambiguous: winners.slice(0, maxAmbiguousListed),
    };
  }
}

/** Already a clean workspace-relative posix path, the common case worth a fast path at 50k files. */
function isPlainRelative(p: string): boolean {
  return !p.includes('\\') && !p.includes('//') && !p.includes('/.') && !p.startsWith('/') && !p.startsWith('.') && !p.endsWith('/');
}

/** Workspace paths are names, not URLs: only slashes and dot segments are tidied, `?` and `#` are kept. */
function cleanRelative(p: string): string {
  const out: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

function miss(reason: string): PathMatch {
  return { file: null, reason, ambiguous: emptyList };
}

function stripQuery(s: string): string {
  const cut = s.search(/[?#]/);
  return cut === -1 ? s : s.slice(0, cut);
}

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The part of `s` after `prefix` when the prefix ends on a path segment boundary. */
function afterPrefix(s: string, prefix: string): string | undefined {
  if (prefix === '' || !s.startsWith(prefix)) return undefined;
  if (!prefix.endsWith('/') && s.length > prefix.length && s[prefix.length] !== '/') return undefined;
  return s.slice(prefix.length).replace(/^\/+/, '');
}

function sharedSuffixLength(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/** CPython's standard library lives in `lib/pythonX.Y/`; its files are not the user's. */
function isPythonLibDir(segments: readonly string[], i: number): boolean {
  return i > 0 && segments[i].startsWith('python') && /^python\d+(\.\d+)?$/.test(segments[i]) && /^lib(64)?$/i.test(segments[i - 1]);
}

function deepFreeze(match: PathMatch): PathMatch {
  Object.freeze(match.ambiguous);
  return Object.freeze(match);
}
