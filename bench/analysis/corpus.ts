/**
 * The analysis benchmark's corpus: pinned npm package tarballs, PyPI sdists, Go modules and Maven
 * `-sources.jar`s, fetched from the registries, checked against pinned digests (npm
 * `dist.integrity`, PyPI sha256, the Go checksum `h1:` sum, the sha1 Maven Central publishes beside
 * the jar), unpacked under bench/.corpus-analysis and committed there as one git repository of its
 * own (so the scan's attribution blames real history instead of failing on files the project's repo ignores).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One pinned package: where it comes from and the digest its bytes must have. */
export interface PinnedPackage {
  registry: 'npm' | 'pypi' | 'go' | 'maven';
  /** npm/PyPI: the package name; Go: the module path; Maven: `groupId:artifactId`. */
  name: string;
  version: string;
  /** npm: the `dist.integrity` (sha512, base64); PyPI: the sdist's sha256 (hex); Go: the module's `h1:` sum; Maven: the sources jar's sha1 (hex). */
  digest: string;
  /** PyPI only: the sdist's file name. */
  file?: string;
  /** Added after the rules were tuned on the rest and labelled blind (1: after the first fixes, 2: after the confidence split). */
  heldOut?: 1 | 2;
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
  // held out: added after the swallowed-error fixes of issue 11 §2 and labelled after them, to check they generalise
  { registry: 'npm', name: 'ioredis', version: '5.8.2', digest: 'sha512-C6uC+kleiIMmjViJINWk80sOQw5lEzse1ZmvD+S/s8p8CWapftSaC+kocGTx6xrbrJ4WmYQGC08ffHLr6ToR6Q==', heldOut: 1 },
  { registry: 'npm', name: 'pg', version: '8.16.3', digest: 'sha512-enxc1h0jA/aq5oSDMvqyW3q89ra6XIIDZgCX9vkMrnz5DFTw/Ny3Li2lFQ+pt3L6MCgm/5o2o8HW9hiJji+xvw==', heldOut: 1 },
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
  // held out: added after the swallowed-error fixes of issue 11 §2 and labelled after them, to check they generalise
  { registry: 'pypi', name: 'slack-sdk', version: '3.48.0', file: 'slack_sdk-3.48.0.tar.gz', digest: 'e54389b4b9b221c9d57f1d98bc1e28f4918e4e0bc435cc5d430216cb1ab6ad7c', heldOut: 1 },
  { registry: 'pypi', name: 'redis', version: '8.2.0', file: 'redis-8.2.0.tar.gz', digest: '58b1493d83ba8f0e3ffe6bd781194ca5c01c91267ae03d29c1087b0b3c7d79c9', heldOut: 1 },
  { registry: 'pypi', name: 'sentry-sdk', version: '2.76.0', file: 'sentry_sdk-2.76.0.tar.gz', digest: '08115d93eab60ab6e49e2b867254aaa0babaca4dfa4d8fcf905c5d980e157041', heldOut: 1 },
  // held out a second time: added after swallowed-error's confidence split, labelled blind after it
  { registry: 'pypi', name: 'litellm', version: '1.110.2', file: 'litellm-1.110.2.tar.gz', digest: 'a483c8d3078c1bd27a9fe9c831ac2ce09d41b728a7ea6e9a3ce48db276edeef5', heldOut: 2 },
  { registry: 'pypi', name: 'mlflow-skinny', version: '3.18.0', file: 'mlflow_skinny-3.18.0.tar.gz', digest: '2653292a390d399ee2dd49e81380a89b16265a05747eb5ea0e6c1b7987e398dd', heldOut: 2 },
  { registry: 'pypi', name: 'llama-index-core', version: '0.14.25', file: 'llama_index_core-0.14.25.tar.gz', digest: '4ebfdc5317f0382501fa80262d7a7382715f80741cf41a7b11a52d4335e6f696', heldOut: 2 },
];

// Go modules whose code makes HTTP calls and handles their errors (clients of real APIs), through
// the Go module proxy by version; the h1: sum is the one go.sum would record.
const GO: PinnedPackage[] = [
  { registry: 'go', name: 'github.com/go-resty/resty/v2', version: 'v2.16.5', digest: 'h1:hBKqmWrr7uRc3euHVqmh1HTHcKn99Smr7o5spptdhTM=' },
  { registry: 'go', name: 'github.com/hashicorp/consul/api', version: 'v1.33.4', digest: 'h1:AJkZp6qzgAYcMIU0+CjJ0Rb7+byfh0dazFK/gzlOcJk=' },
  { registry: 'go', name: 'github.com/sashabaranov/go-openai', version: 'v1.41.2', digest: 'h1:vfPRBZNMpnqu8ELsclWcAvF19lDNgh1t6TVfFFOPiSM=' },
  { registry: 'go', name: 'github.com/google/go-github/v68', version: 'v68.0.0', digest: 'h1:ZW57zeNZiXTdQ16qrDiZ0k6XucrxZ2CGmoTvcCyQG6s=' },
  { registry: 'go', name: 'github.com/slack-go/slack', version: 'v0.15.0', digest: 'h1:LE2lj2y9vqqiOf+qIIy0GvEoxgF1N5yLGZffmEZykt0=' },
];

// Java HTTP clients and API clients (java.net.http, HttpURLConnection, Apache), as Maven Central
// publishes their sources by version.
const MAVEN: PinnedPackage[] = [
  { registry: 'maven', name: 'org.kohsuke:github-api', version: '1.326', digest: 'f08fc27faec18466363f2db7e7eacfdd1bd39b65' },
  { registry: 'maven', name: 'com.konghq:unirest-java-core', version: '4.4.5', digest: '4721435e53789325392d6186cd199b125a479c86' },
  { registry: 'maven', name: 'io.github.openfeign:feign-core', version: '13.5', digest: '39b54dbfe59b0d9c166f1cffc2e5bb3e5390768c' },
  { registry: 'maven', name: 'org.jsoup:jsoup', version: '1.22.1', digest: 'c75019dd00ff7a7faf432f089886ccde8e4f5e7c' },
  { registry: 'maven', name: 'org.elasticsearch.client:elasticsearch-rest-client', version: '8.17.0', digest: 'd9e345bcf93a4dd98acf81a92be8fa67cd3facc3' },
];

/** Every pinned package of the corpus. */
export const CORPUS_PACKAGES: readonly PinnedPackage[] = [...NPM, ...PYPI, ...GO, ...MAVEN];

/** Where a fetched corpus lives: `root`, with npm packages under `npm/` and sdists under `pypi/`. */
export interface CorpusLayout {
  root: string;
  npmDir: string;
  pypiDir: string;
}

const NPM_REGISTRY = 'https://registry.npmjs.org';
const PYPI_SIMPLE = 'https://pypi.org/simple';
const MAVEN_CENTRAL = 'https://repo1.maven.org/maven2';
// Fixed identity and dates: the corpus commit is the same on every machine.
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Runtime Lens bench',
  GIT_AUTHOR_EMAIL: 'bench@runtime-lens.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'Runtime Lens bench',
  GIT_COMMITTER_EMAIL: 'bench@runtime-lens.invalid',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
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

/** Fetches one Go module through the module proxy (`go mod download`); its h1: sum must match the pin. Returns the module cache folder. */
function fetchGo(p: PinnedPackage, cacheRoot: string): string {
  const modcache = path.join(cacheRoot, 'gomodcache');
  const cwd = path.join(cacheRoot, 'go-download');
  mkdirSync(cwd, { recursive: true });
  // outside any module, so the download is by path@version alone
  const env = { ...process.env, GOMODCACHE: modcache, GOFLAGS: '-mod=mod', GO111MODULE: 'on' };
  let out: string;
  try {
    out = execFileSync('go', ['mod', 'download', '-json', `${p.name}@${p.version}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (e) {
    const o = (e as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`go mod download ${p.name}@${p.version} failed: ${/"Error": "([^"]*)"/.exec(o)?.[1] ?? (e as Error).message}`);
  }
  const doc = JSON.parse(out) as { Dir?: string; Sum?: string };
  if (doc.Sum !== p.digest) throw new Error(`${p.name}@${p.version}: go mod download gave sum ${doc.Sum}, pinned ${p.digest}`);
  if (!doc.Dir) throw new Error(`${p.name}@${p.version}: go mod download gave no Dir`);
  return doc.Dir;
}

/** Fetches one `-sources.jar` from Maven Central; the sha1 published beside it and the bytes must both match the pin. */
async function fetchMaven(p: PinnedPackage): Promise<Buffer> {
  const [group, artifact] = p.name.split(':');
  if (!group || !artifact) throw new Error(`${p.name}: a Maven pin is groupId:artifactId`);
  const url = `${MAVEN_CENTRAL}/${group.split('.').join('/')}/${artifact}/${p.version}/${artifact}-${p.version}-sources.jar`;
  const published = (await getBytes(`${url}.sha1`)).toString('utf8').trim().split(/\s+/)[0];
  if (published !== p.digest) throw new Error(`${p.name}:${p.version}: Maven Central publishes sha1 ${published}, pinned ${p.digest}`);
  const bytes = await getBytes(url);
  const actual = createHash('sha1').update(bytes).digest('hex');
  if (actual !== p.digest) throw new Error(`${p.name}:${p.version}: downloaded sha1 ${actual} does not match the pin ${p.digest}`);
  return bytes;
}

/** Folder a package unpacks into (relative to the corpus root). */
export function packageDir(p: PinnedPackage): string {
  const name =
    p.registry === 'maven'
      ? p.name.split(':')[1]
      : p.registry === 'go'
        ? p.name
            .replace(/^github\.com\//, '')
            .split('/')
            .join('__')
        : p.name.replace('/', '__');
  return path.posix.join(p.registry, `${name}-${p.version}`);
}

/** The cache outside the clone where downloaded toolchain state (the Go module cache) lives. */
export function cacheRoot(): string {
  return process.env.RUNTIME_LENS_CACHE || path.join(os.homedir(), '.cache', 'runtime-lens');
}

async function fetchInto(p: PinnedPackage, dest: string, archives: string, cache: string): Promise<number> {
  mkdirSync(dest, { recursive: true });
  if (p.registry === 'go') {
    const dir = fetchGo(p, cache);
    execFileSync('cp', ['-R', `${dir}/.`, dest]);
    execFileSync('chmod', ['-R', 'u+w', dest]); // the module cache is read-only
    return 0;
  }
  const bytes = p.registry === 'npm' ? await fetchNpm(p) : p.registry === 'pypi' ? await fetchPypi(p) : await fetchMaven(p);
  const archive = path.join(archives, `${packageDir(p).split('/').join('__')}.${p.registry === 'maven' ? 'jar' : 'tgz'}`);
  writeFileSync(archive, bytes);
  if (p.registry === 'maven') execFileSync('unzip', ['-q', '-o', archive, '-d', dest], { stdio: 'inherit' });
  // npm and sdists are gzipped tars with one top folder (npm: `package/`, sdists: `name-version/`)
  else execFileSync('tar', ['-xzf', archive, '-C', dest, '--strip-components=1', '--no-same-owner'], { stdio: 'inherit' });
  return bytes.length;
}

/**
 * Makes sure the corpus is in `root`: a package already unpacked from the same pin is kept, the
 * missing ones are fetched, verified and unpacked, the ones no longer pinned are removed, and the
 * tree is committed again. Returns its layout.
 */
export async function ensureCorpus(root: string, log: (line: string) => void, packages: readonly PinnedPackage[] = CORPUS_PACKAGES): Promise<CorpusLayout> {
  const layout = { root, npmDir: path.join(root, 'npm'), pypiDir: path.join(root, 'pypi') };
  const stamp = path.join(root, '.manifest');
  const key = manifestKey(packages);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return layout;
  const pins = path.join(root, '.pins');
  mkdirSync(pins, { recursive: true });
  const archives = path.join(root, '.archives');
  mkdirSync(archives, { recursive: true });
  const wanted = new Set(packages.map(packageDir));
  for (const registry of ['npm', 'pypi', 'go', 'maven']) {
    const dir = path.join(root, registry);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (!wanted.has(`${registry}/${name}`)) rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
  const cache = cacheRoot();
  for (const p of packages) {
    const dest = path.join(root, packageDir(p));
    const pin = path.join(pins, `${packageDir(p).split('/').join('__')}.json`);
    const pinText = JSON.stringify(p);
    if (existsSync(dest) && existsSync(pin) && readFileSync(pin, 'utf8') === pinText) continue;
    rmSync(dest, { recursive: true, force: true });
    const size = await fetchInto(p, dest, archives, cache);
    writeFileSync(pin, pinText);
    log(`  fetched ${p.registry} ${p.name} ${p.version}${size ? ` (${(size / 1e6).toFixed(1)} MB)` : ''}, digest verified`);
  }
  rmSync(archives, { recursive: true, force: true });
  // a repository of its own: attribution blames this commit (a human one) instead of the project's repo
  rmSync(path.join(root, '.git'), { recursive: true, force: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env: { ...process.env, ...GIT_ENV }, stdio: ['ignore', 'ignore', 'inherit'] });
  git('init', '-q');
  git('add', '-A', '-f', '--', ...['npm', 'pypi', 'go', 'maven'].filter((d) => existsSync(path.join(root, d))));
  git('commit', '-q', '--no-gpg-sign', '--no-verify', '-m', 'bench corpus');
  writeFileSync(stamp, key);
  return layout;
}
