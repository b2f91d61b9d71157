import type { Logger } from '../core/logger';
import type { LiveSignals } from './liveSignals';
import { ReceiverProcess, type ReceiverProcessOptions } from './receiverProcess';

/**
 * One receiver session at a time: start probes/attaches/spawns and connects the live data
 * side; stop disconnects and stops the child we spawned. A crash shows as an error state.
 */
export class ReceiverController {
  private process: ReceiverProcess | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly live: LiveSignals,
    /** Read at each start (async: the sources' secrets come from SecretStorage). */
    private readonly options: () => ReceiverProcessOptions | Promise<ReceiverProcessOptions>,
    private readonly log: Logger,
    /** Shows a one-line failure to the user (once per failure). */
    private readonly showError: (message: string) => void,
  ) {}

  /** True while a receiver is attached or spawned (or starting). */
  get active(): boolean {
    return this.process !== undefined;
  }

  /** Starts or attaches; resolves when connected, or after reporting the failure (it never rejects). */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    if (this.process) return Promise.resolve();
    this.starting = this.run().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Disconnects and stops a spawned child (an attached receiver keeps running). */
  async stop(): Promise<void> {
    await this.starting;
    const current = this.process;
    this.process = undefined;
    this.live.disconnect();
    await current?.stop();
  }

  /** Stops and starts again (the sources or the receiver switch changed); does nothing while stopped. */
  async restart(): Promise<void> {
    await this.starting;
    if (!this.process) return;
    await this.stop();
    await this.start();
  }

  /** Stops what this window started. */
  dispose(): Promise<void> {
    return this.stop();
  }

  private async run(): Promise<void> {
    let options: ReceiverProcessOptions;
    try {
      options = await this.options();
    } catch (err) {
      const message = `could not prepare the receiver: ${(err as Error).message}`;
      this.log.error(message);
      this.live.setError(message);
      this.showError(`Runtime Lens: ${message}`);
      return;
    }
    const proc = new ReceiverProcess(options, this.log);
    this.process = proc;
    this.live.setStarting(proc.endpoint);
    proc.onUnexpectedExit((message) => {
      if (this.process !== proc) return;
      this.process = undefined;
      this.live.setError(message);
      this.showError(`Runtime Lens: ${message}. Run "Runtime Lens: Start Receiver" to start it again.`);
    });
    try {
      const { attached, status, token } = await proc.start();
      if (this.process !== proc) return;
      this.live.connect(proc.endpoint, attached, status, token);
    } catch (err) {
      if (this.process === proc) this.process = undefined;
      await proc.stop().catch(() => undefined);
      const message = (err as Error).message;
      this.log.error(message);
      this.live.setError(message);
      this.showError(`Runtime Lens: ${message}`);
    }
  }
}
