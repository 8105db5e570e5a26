// The kubelet emulator: HTTPS with a self-signed certificate, bearer-token auth, and `GET /pods`
// returning the node's pods live from the API emulator (what discovery.kubelet reads).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Listener } from './listener.js';
import { makeServingCert } from './tls.js';
import type { KubeletEmulator, KubeletEmulatorOptions } from './types.js';

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startKubeletEmulator(opts: KubeletEmulatorOptions): Promise<KubeletEmulator> {
  if (!opts.nodeName) throw new Error('kubelet emulator: nodeName is required');
  if (!opts.token) throw new Error('kubelet emulator: token is required');
  const host = opts.host ?? '127.0.0.1';
  const cert = makeServingCert(opts.nodeName, [host]);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'https://kubelet').pathname;
    if (path === '/healthz') return send(res, 200, 'text/plain', 'ok');
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    // The kubelet answers failed authentication with a plain-text 401.
    if (bearer !== opts.token) return send(res, 401, 'text/plain; charset=utf-8', 'Unauthorized');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'Method Not Allowed');
    if (path === '/pods' || path === '/pods/') {
      const items = opts.api.list('v1', 'Pod').filter((p) => p.spec?.nodeName === opts.nodeName);
      return send(res, 200, 'application/json', JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items }));
    }
    return send(res, 404, 'text/plain; charset=utf-8', '404 page not found');
  };

  const listener = new Listener(handle, host, cert);
  let port: number;
  try {
    port = await listener.listen(opts.port ?? 0);
  } catch (e) {
    cert.dispose();
    throw new Error(`kubelet emulator ${opts.nodeName}: cannot listen on ${host}:${opts.port ?? 0}: ${(e as Error).message}`);
  }
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    caCertPath: cert.certPath,
    setDown: (down) => listener.setDown(down),
    settled: () => listener.settled(),
    async close() {
      await listener.close();
      cert.dispose();
    },
  };
}
