/**
 * `npm run package`: a production build, then `vsce package --no-dependencies` (everything the
 * extension runs is bundled into dist/) to dist/runtime-lens-<version>.vsix. What ships is listed
 * in .vscodeignore; `npx vsce ls --no-dependencies` shows it. `--with-tests` also ships
 * dist/test/ (the suites that run inside a real VS Code) as dist/runtime-lens-<version>-tests.vsix.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');
const vsceBin = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');

/** Options for `packageExtension`. */
export interface PackageOptions {
  /** Also ship dist/test/ for the integration suites (a separate .vsix). */
  withTests?: boolean;
  /** Progress lines go here (default: stderr). */
  log?: (line: string) => void;
}

/** Builds for production and packages the extension; resolves with the .vsix path. */
export async function packageExtension(options: PackageOptions = {}): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = join(root, 'dist', `${manifest.name}-${manifest.version}${options.withTests ? '-tests' : ''}.vsix`);

  log('package: building (production)');
  await run(process.execPath, ['esbuild.config.mjs', '--production']);

  // vsce walks every file under its folder (here .git and .tools: tens of thousands) and matches each
  // against .vscodeignore, which takes ~20 s; a copy of the candidates gives the same result at once.
  const stage = mkdtempSync(join(tmpdir(), 'runtime-lens-package-'));
  try {
    let ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
    // What to copy comes from the same allow-list (the first segment of each `!` line), so the two never disagree.
    for (const name of shippedTopLevel(ignore)) {
      cpSync(join(root, name), join(stage, name), { recursive: true, filter: (src) => !src.endsWith('.vsix') });
    }
    // The test build ships the suites too, so they run against exactly what users install.
    if (options.withTests) ignore += '\n!dist/test/*.js\n';
    writeFileSync(join(stage, '.vscodeignore'), ignore);
    log(`package: vsce package -> ${relative(root, vsix)}`);
    await run(
      process.execPath,
      [
        vsceBin,
        'package',
        '--no-dependencies',
        '--out',
        vsix,
        // The project has no public repository URL yet: README links stay relative instead of failing
        // the build. Set `repository` in package.json to have vsce rewrite them for the Marketplace.
        '--allow-missing-repository',
        '--no-rewrite-relative-links',
      ],
      stage,
    );
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  log(`package: ${relative(root, vsix)} (${Math.round(statSync(vsix).size / 1024)} KiB)`);
  return vsix;
}

/** The top-level files and folders `.vscodeignore`'s `!` lines let through. */
export function shippedTopLevel(vscodeignore: string): string[] {
  const names = new Set<string>();
  for (const line of vscodeignore.split('\n')) {
    const m = /^!([^/*\s]+)/.exec(line.trim());
    if (m) names.add(m[1]);
  }
  return [...names];
}

/** Runs a command (in the repository root by default); rejects with its output when it fails. */
function run(command: string, args: string[], cwd = root): Promise<string> {
  return new Promise((resolveRun, reject) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${relative(root, args[0] ?? command) || command} ${args.slice(1).join(' ')} failed:\n${`${stdout}${stderr}`.trim() || error.message}`));
      else resolveRun(stdout);
    });
  });
}

if (require.main === module) {
  packageExtension({ withTests: process.argv.includes('--with-tests') })
    .then((vsix) => process.stdout.write(`${vsix}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`package: ${(err as Error).message}\n`);
      process.exit(1);
    });
}
