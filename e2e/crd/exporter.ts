// A tiny metrics endpoint standing in for a pod's container port: serves a
// fixed exposition on 127.0.0.1 (ephemeral port), optionally demands a
// bearer token, and remembers the Authorization headers it saw.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class Exporter {
  readonly seenAuth: string[] = [];
  /** Request paths with their query (a prober's ?target=...&module=...), latest 200. */
  readonly seenUrls: string[] = [];
  scrapes = 0;
  private server: http.Server | undefined;
  port = 0;

  constructor(
    private readonly body: string,
    public token?: string,
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.scrapes++;
      const auth = req.headers.authorization ?? '';
      this.seenAuth.push(auth);
      this.seenUrls.push(req.url ?? '');
      if (this.seenUrls.length > 200) this.seenUrls.shift();
      if (this.seenAuth.length > 200) this.seenAuth.shift();
      if (this.token !== undefined && auth !== `Bearer ${this.token}`) {
        res.writeHead(401).end('unauthorized');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(this.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
