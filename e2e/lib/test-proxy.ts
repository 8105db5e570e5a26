// A forward (absolute-URI) and CONNECT proxy on 127.0.0.1 for tests of the
// HTTP clients' proxy settings: it relays requests and tunnels, and records
// what it was asked (targets, Proxy-Authorization, CONNECT headers).
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export class TestProxy {
  readonly forwarded: { url: string; auth?: string }[] = [];
  readonly connects: { target: string; headers: http.IncomingHttpHeaders }[] = [];
  readonly server = http.createServer((req, res) => {
    this.forwarded.push({ url: req.url ?? '', auth: req.headers['proxy-authorization'] });
    const out = http.request(req.url!, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });

  constructor() {
    this.server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      this.connects.push({ target: req.url ?? '', headers: req.headers });
      const [host, port] = (req.url ?? '').split(':');
      const up = net.connect(Number(port), host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) up.write(head);
        up.pipe(client);
        client.pipe(up);
      });
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    });
  }

  get requests(): number {
    return this.forwarded.length + this.connects.length;
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

