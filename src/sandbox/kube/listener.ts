// An HTTP(S) listener that can go down (listener closed, every connection destroyed) and come
// back on the same port, for the setDown faults of both emulators.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export class Listener {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private transition: Promise<void> = Promise.resolve();
  private isUp = false;

  constructor(
    handler: Handler,
    private readonly host: string,
    tls?: { cert: string; key: string },
  ) {
    this.server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
    // Watches and log follows are long-lived; the server must not time them out.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
    this.server.keepAliveTimeout = 30_000;
    const track = (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    };
    this.server.on(tls ? 'secureConnection' : 'connection', track);
    // A TLS connection still in (or stuck before) its handshake has no secure socket yet: track the
    // raw one too, or going down would wait for it forever.
    if (tls) this.server.on('connection', track);
  }

  /**
   * Creates a listener serving `handler` (a rejected handler destroys the response) and
   * binds it; on failure the certificate is disposed and the error names `what`.
   */
  static async open(
    what: string,
    handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
    host: string,
    port: number,
    cert?: { cert: string; key: string; dispose(): void },
  ): Promise<{ listener: Listener; port: number }> {
    const listener = new Listener((req, res) => void handler(req, res).catch(() => res.destroy()), host, cert);
    try {
      return { listener, port: await listener.listen(port) };
    } catch (e) {
      cert?.dispose();
      throw new Error(`${what}: cannot listen on ${host}:${port}: ${(e as Error).message}`);
    }
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.isUp = true;
    return this.port;
  }

  /** Queues a down/up transition; `settled()` resolves when all queued transitions are done. */
  setDown(down: boolean): void {
    this.transition = this.transition.then(async () => {
      if (down && this.isUp) await this.stop();
      else if (!down && !this.isUp) await this.listen(this.port);
    });
    this.transition.catch(() => {});
  }

  settled(): Promise<void> {
    return this.transition;
  }

  up(): boolean {
    return this.isUp;
  }

  private async stop(): Promise<void> {
    this.isUp = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  async close(): Promise<void> {
    await this.transition.catch(() => {});
    if (this.isUp) await this.stop();
  }
}
