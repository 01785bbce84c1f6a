import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './embedded-stack';

/**
 * A TCP proxy in front of a real server (Postgres, the emulator) that a spec can cut and restore:
 * `cut()` drops every connection and refuses new ones, as a database failover or a network
 * partition would; `restore()` accepts again on the same port. Nothing is mocked: clients talk
 * to the real server through it.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  /** Listens on `port` (or a free one) and forwards to the target, unless `cut` is asked for from the start. */
  static async start(target: { host: string; port: number }, options: { port?: number; cut?: boolean } = {}): Promise<TcpProxy> {
    const port = options.port ?? (await freePort());
    const proxy = new TcpProxy(target, port);
    if (!options.cut) await proxy.restore();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  stop(): Promise<void> {
    return this.cut();
  }
}
