/**
 * Which stack frames belong to the application: one table of "not in-app" rules, each tested
 * against a frame's normalized file, plus the URL-to-path normalization the rules rely on.
 */
import type { StackFormat } from './stackTrace';

/** A rule that marks frames as dependency or runtime code. */
export interface InAppRule {
  /** Formats the rule applies to; a rule for one runtime's paths must not fire on another's. */
  formats: readonly StackFormat[] | 'all';
  /** Tested against the normalized file (URL path, or a Java package path guess). */
  file: RegExp;
  /** Why such frames are not the application's; shown to nobody, kept for whoever extends this. */
  why: string;
}

const JS: readonly StackFormat[] = ['v8', 'gecko'];

/** Frames whose file matches any applicable rule are not in-app. Add rows here to extend. */
export const NOT_IN_APP_RULES: readonly InAppRule[] = [
  { formats: 'all', file: /(?:^|[\\/])node_modules[\\/]/, why: 'npm dependency' },
  { formats: 'all', file: /^<[^>]*>$|^\[native code\]$|^native$|^index \d+$/, why: 'no source file: native, eval or frozen code' },
  { formats: ['v8', 'gecko', 'python', 'go'], file: /(?:^|[\\/])_?vendor[\\/]/, why: 'vendored dependency folder' },
  // Bundler vendor chunks (vendor.js, vendor.chunk.js, vendors~main.js, vendor.3f2a9b1c.js),
  // but not app modules that merely start with the word (vendors.service.js).
  { formats: JS, file: /(?:^|\/)vendors?(?:~[^/]*|\.chunk|-node_modules[^/]*|\.[0-9a-f]{6,}|\.min)*\.m?js$/i, why: 'vendor bundle chunk' },
  { formats: JS, file: /^node:/, why: 'Node.js builtin module' },
  { formats: JS, file: /^internal[\\/]/, why: 'Node.js builtin module (pre-`node:` naming)' },
  { formats: JS, file: /^[a-z][\w-]*-extension:/, why: 'browser extension, not the page' },
  { formats: JS, file: /^webpack\/(?:bootstrap|runtime)/, why: 'bundler runtime' },
  { formats: ['python'], file: /[\\/](?:site|dist)-packages[\\/]/, why: 'installed Python package' },
  { formats: ['python'], file: /^<frozen /, why: 'frozen stdlib module (importlib)' },
  { formats: ['python'], file: /(?:^|[\\/])lib[\\/]python\d+(?:\.\d+)?t?[\\/]|[\\/]Lib[\\/]/, why: 'Python stdlib' },
  {
    formats: ['java'],
    file: /^(?:java|javax|jdk|sun|com\/sun|jakarta|kotlin|kotlinx|scala|groovy|org\/codehaus\/groovy|org\/springframework|org\/apache|org\/hibernate|org\/eclipse|org\/junit|org\/slf4j|org\/jboss|io\/netty|io\/grpc|io\/micrometer|io\/opentelemetry|io\/undertow|io\/reactivex|reactor|com\/fasterxml|com\/google|ch\/qos\/logback|okhttp3|okio|feign|retrofit2)\//,
    why: 'JDK or a common library package',
  },
  // GOROOT/src/<std package>: std import paths never have a dot in their first element, which
  // keeps old GOPATH layouts (go/src/github.com/...) in-app.
  { formats: ['go'], file: /(?:^|[\\/])(?:go|go-[\d.]+|libexec)[\\/]src[\\/][^.\\/]+[\\/]/, why: 'Go standard library (GOROOT)' },
  { formats: ['go'], file: /[\\/]pkg[\\/]mod[\\/]|@v\d[^\\/]*[\\/]/, why: 'Go module cache (or a -trimpath module path)' },
  {
    formats: ['go'],
    file: /^(?:runtime|internal|sync|reflect|sort|syscall|net|os|io|fmt|strings|strconv|bytes|bufio|context|crypto|database|encoding|errors|testing|time|text|html|math|slices|maps|log|compress|regexp|unicode|iter)\//,
    why: 'Go standard library built with -trimpath',
  },
];

const rulesByFormat = new Map<StackFormat, RegExp[]>(
  (['v8', 'python', 'java', 'go', 'gecko'] as const).map((format) => [format, NOT_IN_APP_RULES.filter((r) => r.formats === 'all' || r.formats.includes(format)).map((r) => r.file)]),
);

// Traces repeat the same few files over and over, so decisions are memoized per format; the
// cache is dropped whole when full, which bounds memory without LRU bookkeeping.
const CACHE_LIMIT = 4096;
const decisions = new Map<StackFormat, Map<string, boolean>>();

/** True when no rule for `format` claims `file` as dependency or runtime code. */
export function isInAppFile(format: StackFormat, file: string): boolean {
  if (file === '') return false;
  let cache = decisions.get(format);
  if (cache === undefined) decisions.set(format, (cache = new Map()));
  let inApp = cache.get(file);
  if (inApp === undefined) {
    inApp = !(rulesByFormat.get(format) ?? []).some((rule) => rule.test(file));
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(file, inApp);
  }
  return inApp;
}

const HTTP_URL = /^(?:https?|wss?):\/\/[^/?#]*([^?#]*)/i;
const FILE_URL = /^file:\/\/[^/]*(\/[^?#]*)/i;

/**
 * Turns a frame location into a file: http(s) URLs keep only their path (the host and port
 * change between environments, the path is what maps to the repo); file URLs become paths.
 * Other schemes (extensions, webpack) are kept whole so the rules above can see them.
 */
export function normalizeFile(location: string): string {
  if (!location.includes('://')) return location;
  const http = HTTP_URL.exec(location);
  if (http) return decodePath(http[1] || '/');
  const file = FILE_URL.exec(location);
  if (file) {
    const path = decodePath(file[1]);
    // file:///C:/app/x.js names a Windows drive; drop the slash before the drive letter.
    return /^\/[A-Za-z]:[\\/]/.test(path) ? path.slice(1) : path;
  }
  return location;
}

function decodePath(path: string): string {
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
