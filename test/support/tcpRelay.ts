/**
 * A fixed loopback address in front of a backend, which a test can cut (connections refused, as
 * with a backend that is down), restore on the same port, and point at a restarted backend.
 */
import * as net from 'node:net';

/** A loopback TCP relay to `127.0.0.1:target`. */
export class TcpRelay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  private constructor(private target: number) {}

  /** Opens a relay to `target` (a URL or a port) on a free port. */
  static async open(target: string | number): Promise<TcpRelay> {
    const relay = new TcpRelay(typeof target === 'number' ? target : Number(new URL(target).port));
    await relay.restore();
    return relay;
  }

  /** `http://127.0.0.1:PORT`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens again (on the same port once it had one). */
  async restore(): Promise<void> {
    if (this.server !== undefined) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Nothing listens any more and open connections are dropped. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Relays to another port from now on (a backend restarted elsewhere). */
  retarget(port: number): void {
    this.target = port;
  }

  close(): Promise<void> {
    return this.cut();
  }
}
