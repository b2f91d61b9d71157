import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StatusResponse } from '../core/api/signals';
import { ReadApiClient, type ProbeResult } from '../core/client/readApiClient';
import { isLoopbackHost } from '../core/ingest/requestGuard';
import type { Logger } from '../core/logger';
import { createReceiverToken, readReceiverToken, removeReceiverToken } from './receiverToken';
import { SECRET_ENV_PREFIX, type SourceLaunch } from './sourcesArgs';
import { streamLines } from '../core/client/streamLines';

/**
 * Node flags the receiver child runs with. Its heap is garbage-heavy (a batch of spans every few ms):
 * by default V8 lets the young generation take ~30 MB and the old one grow to 2-3x the live store
 * before collecting. A 2 MB semi-space and 1.5x growth keep RSS flat under 200 MB over 10M spans
 * across 10,000 locations (bench:ingest) at the same throughput; a soft bound, no hard heap limit.
 */
export const RECEIVER_NODE_FLAGS: string[] = ['--max-semi-space-size=2', '--heap-growing-percent=50'];

/**
 * Environment the receiver child gets unless the editor's sets it. glibc gives every thread that
 * mallocs (decode workers, V8's GC helpers, libuv's pool) an arena of its own, each keeping freed
 * memory: over 10M spans that was 20 MB of RSS in 11 arenas. Two arenas hold it at 6 MB at the same
 * throughput (bench:ingest --only rss: 219 to 206 MB at the end, 248k to 254k spans/s). Other C
 * libraries ignore it.
 */
export const RECEIVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** How to run or find the receiver. */
export interface ReceiverProcessOptions {
  host: string;
  port: number;
  /** Workspace folder to map against ('' = none). */
  workspace: string;
  /** Service folders inside the workspace (the `serviceRoots` setting), passed as `--service-root`. */
  serviceRoots?: readonly { name: string; dir: string }[];
  /** Snapshot file ('' = none); its folder is created. */
  snapshotFile: string;
  /** Where the per-session read token is written for a spawned receiver and read from to attach (see receiverTokenFile). */
  tokenFile: string;
  /** The bundled CLI (dist/cli.js). */
  cliPath: string;
  /** Defaults to process.execPath, run as Node through ELECTRON_RUN_AS_NODE. */
  execPath?: string;
  /** Node flags before the CLI path (default RECEIVER_NODE_FLAGS; tests run src/cli.ts through `--import tsx`). */
  execArgv?: string[];
  /** The setting named in "port in use" messages. */
  portSetting: string;
  /** How long the child may take to listen (default 20 s). */
  startTimeoutMs?: number;
  /** Waits for `/api/status`, one per try, while the port takes connections without answering (tests shorten them). */
  probeTimeoutsMs?: readonly number[];
  /** The team's backends (`runtimeLens.sources`) and whether the embedded receiver accepts OTLP, as serve flags and child environment. */
  sources?: SourceLaunch;
  /** The command that adds a source, named when there is nothing to read. */
  addSourceCommand?: string;
  /** Browser origins allowed to send Grafana Faro telemetry (`--faro-origin`). */
  faroOrigins?: readonly string[];
  /** The Faro endpoint's API key from SecretStorage, if one is set; handed to the child in its environment, never as an argument. */
  faroApiKey?: () => PromiseLike<string | undefined>;
}

/**
 * How long to wait for `/api/status`, try after try, while the port takes connections but does not
 * answer: a receiver starting or busy on a loaded machine is not mistaken for something else.
 */
const PATIENT_PROBE_TIMEOUTS_MS = [1_500, 3_000, 5_000, 10_000];

/** The environment variable the child reads the Faro API key from (`--faro-api-key-env`). */
export const FARO_API_KEY_ENV = 'RUNTIME_LENS_FARO_API_KEY';

/** A start failure with a one-line message fit for the user. */
export class ReceiverStartFailure extends Error {}

/** `http://host:port`, bracketing IPv6 literals. */
export function endpointOf(host: string, port: number): string {
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/** Asks `GET /api/status` what listens on the endpoint, with `token` as the bearer token when given. */
export function probeReceiver(endpoint: string, token = '', timeoutMs = 1500): Promise<ProbeResult> {
  return new ReadApiClient({ server: endpoint, token, timeoutMs }).probe();
}

/** probeReceiver, asked again with longer waits while the answer is `silent` (and `alive()` holds). */
async function probePatiently(endpoint: string, token: string, timeouts: readonly number[], alive = (): boolean => true): Promise<ProbeResult> {
  let probe: ProbeResult = { kind: 'silent', detail: 'not asked' };
  for (const timeoutMs of timeouts) {
    probe = await probeReceiver(endpoint, token, timeoutMs);
    if (probe.kind !== 'silent' || !alive()) break;
  }
  return probe;
}

/** Whether a receiver maps against this workspace (the paths as the OS would compare them). */
export function sameWorkspace(a: string, b: string): boolean {
  const norm = (p: string): string => {
    const resolved = p ? path.resolve(p) : '';
    return process.platform === 'win32' || process.platform === 'darwin' ? resolved.toLowerCase() : resolved;
  };
  return norm(a) === norm(b);
}

/**
 * The embedded receiver as a child process (`cli.js serve`), kept off the extension host: probes
 * the port first, attaches to a Runtime Lens receiver already serving the same workspace,
 * refuses anything else on the port, otherwise spawns and waits until it listens.
 */
export class ReceiverProcess {
  readonly endpoint: string;
  private child: ChildProcess | undefined;
  private stopping = false;
  private exitListeners: ((message: string) => void)[] = [];
  private attachedTo = false;
  /** The read token of the child we spawned ('' when attached). */
  private token = '';
  private readonly killOnExit = (): void => void this.child?.kill();

  constructor(
    private readonly options: ReceiverProcessOptions,
    private readonly log: Logger,
  ) {
    this.endpoint = endpointOf(options.host, options.port);
  }

  /** True when start() found a receiver already running and did not spawn one. */
  get attached(): boolean {
    return this.attachedTo;
  }

  /** The spawned child's pid (undefined when attached or stopped). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Called once if the spawned child exits without stop() (a crash), with a one-line reason. */
  onUnexpectedExit(listener: (message: string) => void): void {
    this.exitListeners.push(listener);
  }

  /** Attaches or spawns; rejects with a ReceiverStartFailure whose message names the port and the setting. */
  async start(): Promise<{ attached: boolean; status: StatusResponse; token: string }> {
    const { port, portSetting } = this.options;
    const { tokenFile, sources } = this.options;
    if (sources && !sources.receiving && sources.count === 0) {
      throw new ReceiverStartFailure(
        `the embedded receiver is switched off (runtimeLens.receiver.enabled) and runtimeLens.sources lists no backend: there is nothing to read; add one with "${this.options.addSourceCommand ?? 'Runtime Lens: Add Telemetry Source…'}" or switch the receiver on`,
      );
    }
    // A receiver this editor started on the port left its token here; one started otherwise has none for us.
    const existing = readReceiverToken(tokenFile);
    const probe = await probePatiently(this.endpoint, existing, this.probeTimeouts());
    if (probe.kind === 'silent') {
      throw new ReceiverStartFailure(`port ${port} takes connections but gives ${probe.detail} to /api/status; stop what holds it or choose another port with the ${portSetting} setting`);
    }
    if (probe.kind === 'locked') {
      throw new ReceiverStartFailure(
        `port ${port} is used by a Runtime Lens receiver (${probe.version}) that does not accept this editor's read token (started with --token or --read-token?); stop it or choose another port with the ${portSetting} setting`,
      );
    }
    if (probe.kind === 'runtimeLens') {
      if (!sameWorkspace(probe.status.workspace ?? '', this.options.workspace)) {
        throw new ReceiverStartFailure(`port ${port} is used by a Runtime Lens receiver for ${probe.status.workspace || 'no workspace'}; stop it or choose another port with the ${portSetting} setting`);
      }
      this.attachedTo = true;
      this.log.info(`attached to the receiver already running at ${this.endpoint} (pid not ours; it keeps running when this window closes)`);
      if (sources && sources.count > 0) this.log.warn(`the receiver already running at ${this.endpoint} reads the sources it was started with, not this window's runtimeLens.sources; stop it to use them`);
      return { attached: true, status: probe.status, token: existing };
    }
    if (probe.kind === 'foreign') {
      throw new ReceiverStartFailure(`port ${port} is in use by something other than Runtime Lens (${probe.detail}); choose another port with the ${portSetting} setting`);
    }
    this.token = createReceiverToken(tokenFile);
    await this.spawnChild((await this.options.faroApiKey?.()) ?? '');
    return { attached: false, status: await this.ownStatus(), token: this.token };
  }

  /**
   * The status of the child that just said it listens. A loaded machine (an editor starting, a
   * build, a first burst of spans) can hold the first answer past one probe's timeout.
   */
  private async ownStatus(): Promise<StatusResponse> {
    const probe = await probePatiently(this.endpoint, this.token, this.probeTimeouts(), () => this.child !== undefined);
    if (probe.kind === 'runtimeLens') return probe.status;
    const why = probe.kind === 'foreign' || probe.kind === 'silent' ? ` (${probe.detail})` : probe.kind === 'locked' ? " (it refused this editor's token)" : '';
    throw new ReceiverStartFailure(`the receiver started but ${this.endpoint}/api/status does not answer${why}`);
  }

  private probeTimeouts(): readonly number[] {
    return this.options.probeTimeoutsMs ?? PATIENT_PROBE_TIMEOUTS_MS;
  }

  /** Stops the child we spawned (SIGTERM so it writes its snapshot, SIGKILL after 5 s); detaches otherwise. */
  async stop(): Promise<void> {
    this.attachedTo = false;
    // The child read its token at start; the file only serves windows attaching to it.
    removeReceiverToken(this.options.tokenFile, this.token);
    this.token = '';
    const child = this.child;
    if (!child) return;
    this.stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    this.child = undefined;
    process.off('exit', this.killOnExit);
  }

  private spawnChild(faroApiKey: string): Promise<void> {
    const o = this.options;
    const args = [...(o.execArgv ?? RECEIVER_NODE_FLAGS), o.cliPath, 'serve', '--host', o.host, '--port', String(o.port)];
    if (o.workspace) {
      args.push('--workspace', o.workspace);
      for (const r of o.serviceRoots ?? []) {
        // serve refuses a missing folder; a stale setting must not keep the receiver from starting.
        // One `--flag=value` argument: a name starting with `-` must not read as another flag.
        if (fs.statSync(path.join(o.workspace, r.dir), { throwIfNoEntry: false })?.isDirectory()) args.push(`--service-root=${r.name}=${r.dir || '.'}`);
        else this.log.warn(`serviceRoots: "${r.name}" names ${r.dir}, which is not a folder of ${o.workspace}; ignored`);
      }
    }
    if (o.snapshotFile) {
      fs.mkdirSync(path.dirname(o.snapshotFile), { recursive: true });
      args.push('--snapshot', o.snapshotFile);
    }
    // A file, not the token itself: arguments show in process lists.
    args.push('--read-token-file', o.tokenFile);
    if (o.sources) {
      args.push(...o.sources.args);
      for (const w of o.sources.warnings) this.log.warn(`sources: ${w}`);
    }
    // Off loopback, ingest needs a token too: the same one, which the user hands to remote senders.
    if (!isLoopbackHost(o.host)) {
      args.push('--token-file', o.tokenFile);
      this.log.warn(`the receiver listens on ${o.host}: senders need "Authorization: Bearer <the token in ${o.tokenFile}>" (a new token every start)`);
    }
    const env: NodeJS.ProcessEnv = { ...RECEIVER_ENV, ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    // A token in the editor's environment would lock the extension out of its own receiver.
    delete env.RUNTIME_LENS_TOKEN;
    // Secrets reach the child as environment variables only: arguments show in process lists.
    for (const name of Object.keys(env)) if (name.startsWith(SECRET_ENV_PREFIX)) delete env[name];
    Object.assign(env, o.sources?.env);
    delete env[FARO_API_KEY_ENV];
    for (const origin of o.faroOrigins ?? []) args.push(`--faro-origin=${origin}`);
    if (faroApiKey) {
      env[FARO_API_KEY_ENV] = faroApiKey;
      args.push('--faro-api-key-env', FARO_API_KEY_ENV);
    }
    const child = spawn(o.execPath ?? process.execPath, args, {
      env,
      // The IPC channel closes when this process dies however it dies; the receiver then stops itself.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      windowsHide: true,
    });
    this.child = child;
    this.stopping = false;
    // A crashed or killed extension host must not leave a receiver holding the port.
    process.on('exit', this.killOnExit);
    this.log.info(`starting receiver: pid ${child.pid ?? '?'}, ${path.basename(o.cliPath)} serve on ${this.endpoint}`);
    let lastError = '';
    let lastLine = '';
    streamLines(child.stderr!, (line) => {
      const text = line.replace(/^runtime-lens: /, '');
      lastLine = text;
      if (text.startsWith('error: ') || text.startsWith('unexpected error')) {
        lastError = text.replace(/^error: /, '');
        this.log.error(`receiver: ${lastError}`);
      } else if (text.startsWith('warning: ')) this.log.warn(`receiver: ${text.slice(9)}`);
      else this.log.info(`receiver: ${text}`);
    });
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        if (ready) return;
        child.kill('SIGKILL');
        reject(new ReceiverStartFailure(`the receiver did not start listening within ${(o.startTimeoutMs ?? 20_000) / 1000} s`));
      }, o.startTimeoutMs ?? 20_000);
      streamLines(child.stdout!, (line) => {
        if (!ready && /listening on /.test(line)) {
          ready = true;
          clearTimeout(timer);
          this.log.info(`receiver ${line.replace(/^Runtime Lens (receiver )?/, '')}`);
          resolve();
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new ReceiverStartFailure(`could not start the receiver: ${err.message}`));
      });
      child.once('exit', (code, signal) => {
        process.off('exit', this.killOnExit);
        if (this.child === child) this.child = undefined;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const why = lastError || lastLine;
        if (!ready) {
          clearTimeout(timer);
          // The CLI prints usage errors (a taken port among them) without an "error:" prefix.
          const inUse = /already in use|EADDRINUSE/.test(why);
          reject(new ReceiverStartFailure(inUse ? `port ${o.port} is already in use; choose another port with the ${o.portSetting} setting` : `the receiver ${how}${why ? `: ${why}` : ''}`));
          return;
        }
        if (this.stopping) {
          this.log.info(`receiver stopped (${how})`);
          return;
        }
        // After start, info lines are routine; only an error line explains a crash.
        const message = `the receiver ${how}${lastError ? ` (${lastError})` : ''}`;
        this.log.error(message);
        for (const l of this.exitListeners) l(message);
      });
    });
  }
}
