// The kubelet emulator: HTTPS with a self-signed certificate, bearer-token auth, and `GET /pods`
// returning the node's pods live from the API emulator (what discovery.kubelet reads). Every
// request is logged; `stall(ms)` holds answers back like a kubelet under heavy load.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Listener } from './listener.js';
import { nodePodList } from './node-pods.js';
import { makeCert } from '../../net/certs.js';
import type { KubeletEmulator, KubeletEmulatorOptions, KubeletRequestLogEntry } from './types.js';

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Requests held back by `stall`; each can be let through (answered) or dropped (never answered). */
class Stalls {
  ms = 0;
  private readonly held = new Set<(answer: boolean) => void>();

  /** Resolves true when the request should be answered, false when its client has gone (or the emulator closes). */
  hold(res: ServerResponse): Promise<boolean> {
    if (this.ms === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (answer: boolean) => {
        clearTimeout(timer);
        res.off('close', onClose);
        this.held.delete(finish);
        resolve(answer);
      };
      const onClose = () => finish(false);
      const timer = setTimeout(() => finish(true), this.ms);
      res.on('close', onClose);
      this.held.add(finish);
    });
  }

  set(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`kubelet emulator: stall(${ms}): ms must be a non-negative number`);
    this.ms = ms;
    // Lifting the stall lets every held request through at once, as a kubelet that catches up.
    if (ms === 0) this.releaseAll(true);
  }

  releaseAll(answer: boolean): void {
    for (const f of [...this.held]) f(answer);
  }
}

export async function startKubeletEmulator(opts: KubeletEmulatorOptions): Promise<KubeletEmulator> {
  if (!opts.nodeName) throw new Error('kubelet emulator: nodeName is required');
  if (!opts.token) throw new Error('kubelet emulator: token is required');
  const host = opts.host ?? '127.0.0.1';
  const user = opts.user ?? 'kubelet-client';
  const cert = makeCert({ commonName: opts.nodeName, hosts: [host] });
  const requests: KubeletRequestLogEntry[] = [];
  const stalls = new Stalls();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const path = new URL(req.url ?? '/', 'https://kubelet').pathname;
    const auth = /^(\S+)\s+(.+)$/.exec(req.headers.authorization ?? '');
    const bearer = auth && auth[1].toLowerCase() === 'bearer' ? auth[2].trim() : undefined;
    const tokenOk = bearer === opts.token;
    const entry: KubeletRequestLogEntry = {
      time: new Date(started).toISOString(),
      method: req.method ?? 'GET',
      path,
      tokenOk,
      user: tokenOk ? user : 'system:anonymous',
      status: 0,
    };
    if (auth) entry.authScheme = auth[1];
    requests.push(entry);
    // Recorded when the head is sent, so a test that has the response sees its status.
    const writeHead = res.writeHead.bind(res) as (...a: any[]) => ServerResponse;
    (res as any).writeHead = (code: number, ...rest: any[]) => {
      entry.status = code;
      entry.durationMs = Date.now() - started;
      return writeHead(code, ...rest);
    };

    if (!(await stalls.hold(res)) || res.destroyed || req.socket.destroyed) {
      entry.durationMs = Date.now() - started; // status stays 0: never answered
      return;
    }
    if (path === '/healthz') return send(res, 200, 'text/plain', 'ok');
    // The kubelet answers failed authentication with a plain-text 401.
    if (!tokenOk) return send(res, 401, 'text/plain; charset=utf-8', 'Unauthorized');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'Method Not Allowed');
    if (path === '/pods' || path === '/pods/') {
      return send(res, 200, 'application/json', JSON.stringify(nodePodList(opts.api.list('v1', 'Pod'), opts.nodeName)));
    }
    return send(res, 404, 'text/plain; charset=utf-8', '404 page not found');
  };

  const { listener, port } = await Listener.open(`kubelet emulator ${opts.nodeName}`, handle, host, opts.port ?? 0, cert);
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    caCertPath: cert.certPath,
    requests,
    stall: (ms) => stalls.set(ms),
    setDown: (down) => listener.setDown(down),
    settled: () => listener.settled(),
    async close() {
      stalls.releaseAll(false);
      await listener.close();
      cert.dispose();
    },
  };
}
