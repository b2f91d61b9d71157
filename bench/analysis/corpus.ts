/**
 * The analysis benchmark's corpus: pinned npm package tarballs and PyPI sdists, fetched from the
 * registries, checked against pinned digests (npm `dist.integrity`, PyPI sha256), unpacked under
 * bench/.corpus-analysis and committed there as one git repository of its own (so the scan's
 * attribution blames real history instead of failing on files the project's repo ignores).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** One pinned package: where it comes from and the digest its bytes must have. */
export interface PinnedPackage {
  registry: 'npm' | 'pypi';
  name: string;
  version: string;
  /** npm: the `dist.integrity` (sha512, base64); PyPI: the sdist's sha256 (hex). */
  digest: string;
  /** PyPI only: the sdist's file name. */
  file?: string;
}

// Many-file JavaScript packages (source as shipped, not single bundles), a few of them HTTP and
// database clients, so the JS rules meet real calls.
const NPM: PinnedPackage[] = [
  { registry: 'npm', name: 'eslint', version: '9.17.0', digest: 'sha512-evtlNcpJg+cZLcnVKwsai8fExnqjGPicK7gnUtlNuzu+Fv9bI0aLpND5T44VLQtoMEnI57LoXO9XAkIXwohKrA==' },
  { registry: 'npm', name: 'webpack', version: '5.97.1', digest: 'sha512-EksG6gFY3L1eFMROS/7Wzgrii5mBAFe4rIr3r2BTfo7bcc+DWwFZ4OJ/miOuHJO/A85HwyI4eQ0F6IKXesO7Fg==' },
  { registry: 'npm', name: 'mongodb', version: '6.12.0', digest: 'sha512-RM7AHlvYfS7jv7+BXund/kR64DryVI+cHbVAy9P61fnb1RcWZqOW1/Wj2YhqMCx+MuYhqTRGv7AwHBzmsCKBfA==' },
  { registry: 'npm', name: 'axios', version: '1.7.9', digest: 'sha512-LhLcE7Hbiryz8oMDdDptSrWowmB4Bl6RCt6sIJKpRB4XtVf0iEgewX3au/pJqm+Py1kCASkb/FFKjxQaLtxJvw==' },
  { registry: 'npm', name: 'express', version: '4.21.2', digest: 'sha512-28HqgMZAmih1Czt9ny7qr6ek2qddF4FclbMzwhCREB6OFfH+rXAnuNCwo1/wFvrtbgsQDb4kSbX9de9lFbrXnA==' },
  { registry: 'npm', name: 'got', version: '14.4.5', digest: 'sha512-sq+uET8TnNKRNnjEOPJzMcxeI0irT8BBNmf+GtZcJpmhYsQM1DSKmCROUjPWKsXZ5HzwD5Cf5/RV+QD9BSTxJg==' },
];

// Python packages that call `requests` a lot (API clients, integrations), tests included as the
// sdists ship them: what Bandit B113, Ruff S113 and Semgrep's use-timeout look for.
const PYPI: PinnedPackage[] = [
  { registry: 'pypi', name: 'langchain-community', version: '0.4.1', file: 'langchain_community-0.4.1.tar.gz', digest: 'f3b211832728ee89f169ddce8579b80a085222ddb4f4ed445a46e977d17b1e85' },
  { registry: 'pypi', name: 'atlassian-python-api', version: '5.0.5', file: 'atlassian_python_api-5.0.5.tar.gz', digest: 'ae7f34349939ec0674ffb9bea812bc3f4acb4b6ace9a7cf1c15141719669f3bb' },
  { registry: 'pypi', name: 'PyGithub', version: '2.9.1', file: 'pygithub-2.9.1.tar.gz', digest: '59771d7ff63d54d427be2e7d0dad2208dfffc2b0a045fec959263787739b611c' },
  { registry: 'pypi', name: 'hvac', version: '2.4.0', file: 'hvac-2.4.0.tar.gz', digest: 'e0056ad9064e7923e874e6769015b032580b639e29246f5ab1044f7959c1c7e0' },
  { registry: 'pypi', name: 'python-gitlab', version: '8.6.0', file: 'python_gitlab-8.6.0.tar.gz', digest: 'd1602164fb58ab280ceef460faf015cec6e7d83bb2d9cbae44ba448adb5568ef' },
  { registry: 'pypi', name: 'httpie', version: '3.2.4', file: 'httpie-3.2.4.tar.gz', digest: '302ad436c3dc14fd0d1b19d4572ef8d62b146bcd94b505f3c2521f701e2e7a2a' },
  { registry: 'pypi', name: 'docker', version: '7.2.0', file: 'docker-7.2.0.tar.gz', digest: 'cebb93773d334f778e023a7ee352a8d6e13ab1bd3b863a4d4a59dec897df43ac' },
  { registry: 'pypi', name: 'jira', version: '3.8.0', file: 'jira-3.8.0.tar.gz', digest: '63719c529a570aaa01c3373dbb5a104dab70381c5be447f6c27f997302fa335a' },
];

/** Every pinned package of the corpus. */
export const CORPUS_PACKAGES: readonly PinnedPackage[] = [...NPM, ...PYPI];

/** Where a fetched corpus lives: `root`, with npm packages under `npm/` and sdists under `pypi/`. */
export interface CorpusLayout {
  root: string;
  npmDir: string;
  pypiDir: string;
}

const NPM_REGISTRY = 'https://registry.npmjs.org';
const PYPI_SIMPLE = 'https://pypi.org/simple';
// Fixed identity and dates: the corpus commit is the same on every machine.
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Runtime Lens bench', GIT_AUTHOR_EMAIL: 'bench@runtime-lens.invalid', GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'Runtime Lens bench', GIT_COMMITTER_EMAIL: 'bench@runtime-lens.invalid', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

function manifestKey(packages: readonly PinnedPackage[]): string {
  return createHash('sha256').update(JSON.stringify(packages)).digest('hex');
}

async function getJson(url: string, accept = 'application/json'): Promise<unknown> {
  const res = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

async function getBytes(url: string): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(300_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Fetches one npm tarball; the registry's integrity and the bytes must both match the pin. */
async function fetchNpm(p: PinnedPackage): Promise<Buffer> {
  const doc = (await getJson(`${NPM_REGISTRY}/${p.name.replace('/', '%2f')}/${p.version}`)) as { dist?: { tarball?: string; integrity?: string } };
  if (doc.dist?.integrity !== p.digest) throw new Error(`${p.name}@${p.version}: registry integrity ${doc.dist?.integrity} differs from the pinned ${p.digest}`);
  const bytes = await getBytes(doc.dist.tarball!);
  const [algo, expected] = p.digest.split(/-(.*)/s);
  const actual = createHash(algo).update(bytes).digest('base64');
  if (actual !== expected) throw new Error(`${p.name}@${p.version}: tarball ${algo} ${actual} does not match the pinned integrity`);
  return bytes;
}

/** Fetches one sdist through PyPI's simple JSON API; its listed sha256 and the bytes must match the pin. */
async function fetchPypi(p: PinnedPackage): Promise<Buffer> {
  const index = (await getJson(`${PYPI_SIMPLE}/${p.name.toLowerCase()}/`, 'application/vnd.pypi.simple.v1+json')) as { files: { filename: string; url: string; hashes: { sha256?: string } }[] };
  const entry = index.files.find((f) => f.filename === p.file);
  if (!entry) throw new Error(`${p.name} ${p.version}: ${p.file} is not listed on PyPI`);
  if (entry.hashes.sha256 !== p.digest) throw new Error(`${p.file}: PyPI lists sha256 ${entry.hashes.sha256}, pinned ${p.digest}`);
  const bytes = await getBytes(entry.url);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== p.digest) throw new Error(`${p.file}: downloaded sha256 ${actual} does not match the pin ${p.digest}`);
  return bytes;
}

/** Folder a package unpacks into (relative to the corpus root). */
export function packageDir(p: PinnedPackage): string {
  return path.posix.join(p.registry, `${p.name.replace('/', '__')}-${p.version}`);
}

/**
 * Makes sure the corpus is in `root` (fetching, verifying and unpacking what is missing); a
 * corpus made from another manifest is removed first. Returns its layout.
 */
export async function ensureCorpus(root: string, log: (line: string) => void, packages: readonly PinnedPackage[] = CORPUS_PACKAGES): Promise<CorpusLayout> {
  const layout = { root, npmDir: path.join(root, 'npm'), pypiDir: path.join(root, 'pypi') };
  const stamp = path.join(root, '.manifest');
  const key = manifestKey(packages);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return layout;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(layout.npmDir, { recursive: true });
  mkdirSync(layout.pypiDir, { recursive: true });
  const archives = path.join(root, '.archives');
  mkdirSync(archives, { recursive: true });
  for (const p of packages) {
    const bytes = p.registry === 'npm' ? await fetchNpm(p) : await fetchPypi(p);
    const archive = path.join(archives, `${p.name.replace('/', '__')}-${p.version}.tgz`);
    writeFileSync(archive, bytes);
    const dest = path.join(root, packageDir(p));
    mkdirSync(dest, { recursive: true });
    // both kinds are gzipped tars with one top folder (npm: `package/`, sdists: `name-version/`)
    execFileSync('tar', ['-xzf', archive, '-C', dest, '--strip-components=1', '--no-same-owner'], { stdio: 'inherit' });
    log(`  fetched ${p.registry} ${p.name} ${p.version} (${(bytes.length / 1e6).toFixed(1)} MB, digest verified)`);
  }
  rmSync(archives, { recursive: true, force: true });
  // a repository of its own: attribution blames this commit (a human one) instead of the project's repo
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env: { ...process.env, ...GIT_ENV }, stdio: ['ignore', 'ignore', 'inherit'] });
  git('init', '-q');
  git('add', '-A', '-f', '.');
  git('commit', '-q', '--no-gpg-sign', '--no-verify', '-m', 'bench corpus');
  writeFileSync(stamp, key);
  return layout;
}
