// The HTTP plumbing every test receiver shares: listen on 127.0.0.1 (port 0 picks
// one), go down (port closed, connections cut: senders see "connection refused")
// and come back up on the same port.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export abstract class LoopbackServer {
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  protected port = 0;
  /** The loopback address listened on (127.0.0.x). */
  protected host = '127.0.0.1';

  /** Listen on another loopback address (before start). */
  bindTo(host: string): this {
    if (!/^127\.\d+\.\d+\.\d+$/.test(host)) throw new Error(`LoopbackServer: ${host} is not a 127.0.0.x address`);
    this.host = host;
    return this;
  }

  /** Answers one request. */
  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;

  async start(port = this.port): Promise<this> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Closes the port and every open connection. */
  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((r) => s.close(() => r()));
  }

  /** Listens again on the same port. */
  up(): Promise<this> {
    return this.start(this.port);
  }

  stop(): Promise<void> {
    return this.down();
  }
}
