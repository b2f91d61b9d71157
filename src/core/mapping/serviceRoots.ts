import type { FileReader } from './sourceMaps';

/** A service's folder: `--service-root NAME=DIR`, the `runtimeLens.serviceRoots` setting, or a manifest. */
export interface ServiceRootRule {
  name: string;
  /** Workspace-relative posix folder; '' is the workspace root. */
  dir: string;
}

/** Manifest file names that name the service of their folder. */
export const MANIFEST_NAMES: ReadonlySet<string> = new Set(['package.json', 'go.mod', 'pyproject.toml', 'setup.py', 'setup.cfg', 'pom.xml']);

/** Manifests past this size are not service manifests worth reading (a vendored lock file, say). */
const MAX_MANIFEST_CHARS = 1_000_000;

/** True when `file` (a workspace-relative path) is a manifest that can name a service. */
export function isManifest(file: string): boolean {
  return MANIFEST_NAMES.has(file.slice(file.lastIndexOf('/') + 1));
}

/**
 * Which workspace folder each service lives in, so a route registered in several services'
 * folders resolves by the span's `service.name`. A file belongs to the deepest service folder
 * holding it: in a monorepo whose root package.json names `shop`, `services/orders/` belongs to
 * `orders`, not to `shop`. Names compare without case and with `-` and `_` alike.
 */
export class ServiceRoots {
  /** Normalized name -> folders. */
  private readonly dirsByName = new Map<string, string[]>();
  /** Every folder that is some service's root, deepest first. */
  private readonly rootDirs: string[];

  /** `explicit` rules win over `discovered` ones of the same name. */
  constructor(discovered: readonly ServiceRootRule[], explicit: readonly ServiceRootRule[] = []) {
    const explicitNames = new Set(explicit.map((r) => normalizeServiceName(r.name)));
    for (const rule of [...explicit, ...discovered.filter((r) => !explicitNames.has(normalizeServiceName(r.name)))]) {
      const name = normalizeServiceName(rule.name);
      if (!name) continue;
      const list = this.dirsByName.get(name) ?? [];
      if (!list.includes(rule.dir)) list.push(rule.dir);
      this.dirsByName.set(name, list);
    }
    const dirs = new Set<string>();
    for (const list of this.dirsByName.values()) for (const dir of list) dirs.add(dir);
    this.rootDirs = [...dirs].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Number of distinct service folders known. */
  get size(): number {
    return this.rootDirs.length;
  }

  /** The folder of `service`, or undefined when it has none or several. */
  dirFor(service: string): string | undefined {
    const dirs = this.dirsFor(service);
    return dirs.length === 1 ? dirs[0] : undefined;
  }

  /** Every folder named `service` (usually one). */
  dirsFor(service: string): readonly string[] {
    return this.dirsByName.get(normalizeServiceName(service)) ?? [];
  }

  /** The candidates whose file belongs to `service`'s folder; empty when none does or the service has no folder. */
  filterByService<T extends { file: string }>(service: string, candidates: readonly T[]): T[] {
    const dirs = this.dirsFor(service);
    if (dirs.length === 0) return [];
    return candidates.filter((c) => {
      const owner = this.ownerDir(c.file);
      return owner !== undefined && dirs.includes(owner);
    });
  }

  /** The deepest service folder holding `file`. */
  private ownerDir(file: string): string | undefined {
    return this.rootDirs.find((dir) => dir === '' || file.startsWith(`${dir}/`));
  }
}

/** The form names are compared in: lower case, `_` as `-`, trimmed. */
export function normalizeServiceName(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, '-');
}

/** Parses `NAME=DIR` (the CLI flag), or throws an Error with a one-line reason. */
export function parseServiceRootRule(text: string): ServiceRootRule {
  const at = text.indexOf('=');
  const name = at > 0 ? text.slice(0, at).trim() : '';
  if (!name) throw new Error(`takes NAME=DIR (e.g. orders=services/orders), got "${text}"`);
  return { name, dir: text.slice(at + 1) };
}

/**
 * A rule's folder as a clean workspace-relative posix path ('' for the root), or undefined when
 * it leaves the workspace or is absolute (callers turn absolute folders inside it relative first).
 */
export function cleanServiceDir(dir: string): string | undefined {
  const slashed = dir.trim().replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) return undefined;
  const parts: string[] = [];
  for (const seg of slashed.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return undefined;
    parts.push(seg);
  }
  return parts.join('/');
}

/** The service names a manifest gives its folder (none when it names nothing or cannot be read). */
export function manifestServiceNames(file: string, text: string): string[] {
  if (text.length > MAX_MANIFEST_CHARS) return [];
  const base = file.slice(file.lastIndexOf('/') + 1);
  const names = (() => {
    switch (base) {
      case 'package.json':
        return packageJsonNames(text);
      case 'go.mod':
        return goModNames(text);
      case 'pyproject.toml':
        return tomlNames(text, ['project', 'tool.poetry']);
      case 'setup.cfg':
        return tomlNames(text, ['metadata']);
      case 'setup.py':
        return setupPyNames(text);
      case 'pom.xml':
        return pomNames(text);
      default:
        return [];
    }
  })();
  return [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
}

/** Reads `manifests` (workspace-relative paths) and returns the rules they imply. */
export async function discoverServiceRoots(manifests: readonly string[], reader: FileReader): Promise<ServiceRootRule[]> {
  const rules: ServiceRootRule[] = [];
  for (const file of [...manifests].sort()) {
    const text = await reader.read(file);
    if (text === undefined) continue;
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    for (const name of manifestServiceNames(file, text)) rules.push({ name, dir });
  }
  return rules;
}

function packageJsonNames(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null || !Object.hasOwn(parsed, 'name')) return [];
  const name = (parsed as { name: unknown }).name;
  if (typeof name !== 'string') return [];
  // `@acme/orders` is usually reported as service `orders`.
  const scoped = /^@[^/]+\/(.+)$/.exec(name);
  return scoped ? [name, scoped[1]!] : [name];
}

function goModNames(text: string): string[] {
  const m = /^\s*module\s+"?([^\s"]+)"?/m.exec(text);
  if (!m) return [];
  const parts = m[1]!.split('/');
  // `example.com/orders/v2`: the major-version suffix names nothing.
  if (parts.length > 1 && /^v\d+$/.test(parts[parts.length - 1]!)) parts.pop();
  return [m[1]!, parts[parts.length - 1]!];
}

/** `name = "x"` inside one of `sections` of a TOML or INI file (enough of both for a name). */
function tomlNames(text: string, sections: readonly string[]): string[] {
  const names: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      current = header[1]!.replace(/\s*\.\s*/g, '.');
      continue;
    }
    if (!sections.includes(current)) continue;
    const m = /^name\s*[=:]\s*(?:"([^"]*)"|'([^']*)'|([^\s#;"']+))/.exec(line);
    if (m) names.push(m[1] ?? m[2] ?? m[3] ?? '');
  }
  return names;
}

function setupPyNames(text: string): string[] {
  const call = text.search(/\bsetup\s*\(/);
  if (call < 0) return [];
  const m = /\bname\s*=\s*(?:"([^"\n]+)"|'([^'\n]+)')/.exec(text.slice(call));
  return m ? [m[1] ?? m[2] ?? ''] : [];
}

/** The project's own `artifactId`: a direct child of `<project>`, not the `<parent>`'s or a dependency's. */
function pomNames(text: string): string[] {
  const xml = text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '')
    .replace(/<\?[\s\S]*?\?>/g, '');
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>/g;
  let level = 0;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    const [, closing, name, selfClosing] = m;
    if (closing) {
      level--;
      continue;
    }
    if (selfClosing) continue;
    if (level === 1 && localName(name!) === 'artifactId') {
      const end = xml.indexOf('<', tag.lastIndex);
      return end < 0 ? [] : [decodeXml(xml.slice(tag.lastIndex, end))];
    }
    level++;
  }
  return [];
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function depth(dir: string): number {
  return dir === '' ? 0 : dir.split('/').length;
}
