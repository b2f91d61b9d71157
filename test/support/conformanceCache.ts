/**
 * Where the conformance tier's toolchains live: a cache OUTSIDE the clone (venvs, Maven artifacts,
 * Go binaries, npm trees), keyed by version so later runs on the same machine reuse them. The
 * scripts in scripts/conformance/ use the same rule.
 */
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

/** `$RUNTIME_LENS_CACHE`, else `~/.cache/runtime-lens`. */
export function conformanceCacheRoot(): string {
  return process.env['RUNTIME_LENS_CACHE'] || join(homedir(), '.cache', 'runtime-lens');
}

/** What the Java conformance test runs: the agent and the app's jar, as scripts/conformance/java.sh left them. */
export interface JavaConformancePaths {
  agentJar: string;
  appJar: string;
}

/**
 * The paths scripts/conformance/java.sh builds, by its rule: the agent keyed by AGENT_VERSION (read
 * from the script), the jar by sha256 over `sha256sum` lines of pom.xml and src/** sorted by path.
 * Throws one line naming the script when they are missing.
 */
export function javaConformancePaths(repoRoot: string): JavaConformancePaths {
  const script = join(repoRoot, 'scripts', 'conformance', 'java.sh');
  const version = /^AGENT_VERSION=(\S+)$/m.exec(readFileSync(script, 'utf8'))?.[1];
  if (!version) throw new Error(`${script} names no AGENT_VERSION`);
  const app = join(repoRoot, 'test', 'fixtures', 'conformance', 'java-spring');
  const files = ['pom.xml', ...listFiles(app, join(app, 'src'))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = files
    .map(
      (f) =>
        `${createHash('sha256')
          .update(readFileSync(join(app, f)))
          .digest('hex')}  ${f}\n`,
    )
    .join('');
  const hash = createHash('sha256').update(lines).digest('hex').slice(0, 16);
  const root = conformanceCacheRoot();
  const paths = {
    agentJar: join(root, `otel-javaagent-${version}`, 'opentelemetry-javaagent.jar'),
    appJar: join(root, `java-spring-${hash}`, 'app.jar'),
  };
  for (const p of Object.values(paths)) if (!existsSync(p)) throw new Error(`${p} is missing: run \`bash scripts/conformance/java.sh\``);
  return paths;
}

// Posix paths relative to `base`, as `find` prints them there.
function listFiles(base: string, dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(base, join(dir, e.name)) : e.isFile() ? [relative(base, join(dir, e.name)).split('\\').join('/')] : []));
}

/**
 * The venv scripts/conformance/python.sh builds, by its rule: `python-venv-` + the first 16 hex of
 * sha256 over the bytes of both fixture pin files, concatenated in this order. Throws one line naming
 * the script when it is missing.
 */
export function pythonVenvDir(repoRoot: string): string {
  const pins = ['test/fixtures/python-app/requirements.txt', 'test/fixtures/conformance/python-flask/requirements.txt'];
  const hash = createHash('sha256');
  for (const f of pins) hash.update(readFileSync(join(repoRoot, f)));
  const venv = join(conformanceCacheRoot(), `python-venv-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(join(venv, '.runtime-lens-done'))) throw new Error(`${venv} is missing: run \`bash scripts/conformance/python.sh\``);
  return venv;
}

/**
 * The binary scripts/conformance/go.sh builds, by its rule: `go-nethttp-` + the first 16 hex of
 * sha256 over `sha256sum` lines of go.mod, go.sum and every *.go file sorted by path, then the app
 * folder's absolute path and a newline. Throws one line naming the script when it is missing.
 */
export function goConformanceBinary(repoRoot: string): string {
  const app = join(repoRoot, 'test', 'fixtures', 'conformance', 'go-nethttp');
  const files = listFiles(app, app)
    .filter((f) => /(^|\/)(go\.mod|go\.sum|[^/]*\.go)$/.test(f))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = files
    .map(
      (f) =>
        `${createHash('sha256')
          .update(readFileSync(join(app, f)))
          .digest('hex')}  ${f}\n`,
    )
    .join('');
  const hash = createHash('sha256').update(`${lines}${app}\n`).digest('hex').slice(0, 16);
  const dir = join(conformanceCacheRoot(), `go-nethttp-${hash}`);
  if (!existsSync(join(dir, '.runtime-lens-done'))) throw new Error(`${dir} is missing: run \`bash scripts/conformance/go.sh\``);
  return join(dir, 'conf-go');
}

/**
 * The npm tree scripts/conformance/node.sh installs, by its rule: `node-express-` + the first 16 hex
 * of sha256 over the fixture's package-lock.json; the script links its node_modules into the app.
 */
export function nodeExpressTreeDir(repoRoot: string): string {
  const lock = readFileSync(join(repoRoot, 'test', 'fixtures', 'conformance', 'node-express', 'package-lock.json'));
  return join(conformanceCacheRoot(), `node-express-${createHash('sha256').update(lock).digest('hex').slice(0, 16)}`);
}
