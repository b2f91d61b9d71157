/**
 * code-server (VS Code in the browser, from npm) for the demo and the test harness: finds or
 * installs it, installs a .vsix into an extensions folder, and starts it headless and quiet on
 * loopback with private config dirs, killing its whole process group on stop.
 */
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGroup } from './processGroup';

/** The repository root (this file lives in scripts/lib). */
export const repoRoot = resolve(__dirname, '..', '..');

/** The version `scripts/setup-test-deps.sh` installs. */
export const CODE_SERVER_VERSION = '4.139.1';

const codeServerDir = join(repoRoot, '.tools', 'code-server');
/** A wrapper the setup script writes: runs code-server on the Node 24 it needs, whatever `node` is on PATH. */
const codeServerBin = join(codeServerDir, 'bin', 'code-server');
const setupScript = join(repoRoot, 'scripts', 'setup-test-deps.sh');
const READY = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/;
const START_TIMEOUT_MS = 60_000;

/** A dark workbench with nothing in the way: no welcome page, tips, trust prompt, update or AI nags. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  // Offline here and not part of the demo: no npm type downloads, no JSON schema fetches.
  'typescript.disableAutomaticTypeAcquisition': true,
  'json.schemaDownload.enable': false,
  // The service's ports are local already: no "your application is available" toasts.
  'remote.autoForwardPorts': false,
  // The sample folder sits inside this repository; the Git extension's scan of it would only
  // delay the startup-finished activation the extension waits for.
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
};

/** Options for `startCodeServer`. */
export interface CodeServerOptions {
  /** The folder the workbench opens (absolute or relative to the current directory). */
  folder: string;
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  userDataDir: string;
  extensionsDir: string;
  /** Written as `<userDataDir>/User/settings.json`. */
  settings: Record<string, unknown>;
  /** Each is passed as `--vscode-option X` (e.g. `enable-smoke-test-driver`). */
  vscodeOptions?: string[];
  /** Extra environment for code-server and the extension host it forks. */
  env?: Record<string, string>;
  /** code-server's stdout and stderr are appended here. */
  logFile?: string;
}

/** A running code-server. */
export interface RunningCodeServer {
  /** The workbench URL with the folder open: `http://127.0.0.1:PORT/?folder=...`. */
  url: string;
  port: number;
  /** Resolves with the exit code (or signal) if code-server ends on its own or is stopped. */
  exited: Promise<string>;
  /** SIGTERM to the process group, SIGKILL after a grace period; resolves when none of it is left. */
  stop(): Promise<void>;
}

/** Path to the code-server executable; runs the setup script to install it when it is missing. */
export async function ensureCodeServer(): Promise<string> {
  if (isInstalled()) return codeServerBin;
  // The setup script is the one place that knows how to install it: Debian's libkrb5-dev for its
  // native module, then Node 24, then code-server with npm running under that Node.
  await run('bash', [setupScript, 'debian', 'code-server'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!isInstalled()) throw new Error(`code-server is still missing after ${setupScript} debian code-server`);
  return codeServerBin;
}

function isInstalled(): boolean {
  const stamp = join(codeServerDir, '.runtime-lens-version');
  return existsSync(codeServerBin) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === CODE_SERVER_VERSION;
}

/** Installs (or reinstalls, the same version included) a .vsix into `extensionsDir`. */
export async function installExtension(vsix: string, extensionsDir: string): Promise<void> {
  const bin = await ensureCodeServer();
  mkdirSync(extensionsDir, { recursive: true });
  // A throwaway home for code-server's own files, so nothing lands in ~/.config or ~/.local.
  const scratch = mkdtempSync(join(tmpdir(), 'runtime-lens-cs-install-'));
  try {
    const configFile = writeConfig(scratch);
    const args = ['--config', configFile, '--user-data-dir', join(scratch, 'user-data'), '--extensions-dir', resolve(extensionsDir), '--force', '--install-extension', resolve(vsix)];
    await run(bin, args, { env: serverEnv(scratch, {}) });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Starts code-server on 127.0.0.1 with the folder open; resolves once it listens. */
export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const bin = await ensureCodeServer();
  const folder = resolve(options.folder);
  const userDataDir = resolve(options.userDataDir);
  const extensionsDir = resolve(options.extensionsDir);
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(options.settings, null, 2)}\n`);
  // code-server's own config and XDG dirs live beside the user data, never in the real home.
  const home = join(userDataDir, '.code-server');
  const configFile = writeConfig(home);
  const args = [
    '--bind-addr',
    `127.0.0.1:${options.port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    // Without it a closed browser tab keeps the extension host waiting for three hours.
    '--reconnection-grace-time',
    '5',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--config',
    configFile,
    ...(options.vscodeOptions ?? []).flatMap((o) => ['--vscode-option', o]),
    folder,
  ];
  // Its own process group, so stop() reaches the extension host and everything else it forks.
  const group = await startGroup(bin, args, {
    name: 'code-server',
    cwd: folder,
    env: serverEnv(home, options.env ?? {}),
    logFile: options.logFile,
    ready: READY,
    timeoutMs: START_TIMEOUT_MS,
  });
  const port = Number(group.match[1]);
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder).replace(/%2F/g, '/')}`;
  return { url, port, exited: group.exited, stop: () => group.stop() };
}

/** The environment code-server runs with: private XDG dirs, nothing inherited that would steer it elsewhere. */
function serverEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // $PORT overrides --bind-addr; VS Code's own variables (when run from its terminal) and
    // NODE_OPTIONS (tsx's loader) would leak into the server and the extension host.
    if (key === 'PORT' || key === 'NODE_OPTIONS' || key === 'ELECTRON_RUN_AS_NODE' || key.startsWith('VSCODE_')) continue;
    env[key] = value;
  }
  env.XDG_CONFIG_HOME = join(home, 'config');
  env.XDG_DATA_HOME = join(home, 'data');
  env.XDG_CACHE_HOME = join(home, 'cache');
  return { ...env, ...extra };
}

/** A config file that says what the flags say, so code-server never writes a default one with a password. */
function writeConfig(home: string): string {
  mkdirSync(home, { recursive: true });
  const file = join(home, 'config.yaml');
  writeFileSync(file, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  return file;
}

/** Runs a command to completion; rejects with its output's last lines when it fails. */
function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdio?: ['ignore', 'inherit', 'inherit'] }): Promise<void> {
  return new Promise((resolveRun, reject) => {
    if (options.stdio) {
      const child = spawn(command, args, { env: options.env ?? process.env, stdio: options.stdio });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`${command} ${args.join(' ')} failed with code ${code}`))));
      return;
    }
    execFile(command, args, { env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${tail(`${stdout}${stderr}`) || error.message}`));
      else resolveRun();
    });
  });
}

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-15).join('\n');
}
