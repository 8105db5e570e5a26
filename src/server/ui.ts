// Mounts the debug UI: its static files at --server.http.ui-path-prefix and
// the UI's extra JSON endpoints (/api/v0/web/cluster, /api/v0/web/targets).
// The page fetches the API by relative URL, so under a prefix the whole
// /api/v0/web tree is also served below the prefix (a proxy that forwards
// only the prefix still works).
import express, { Router } from 'express';
import type { ClusterOwnership } from '../clustering/ownership.js';
import type { ComponentHost } from '../runtime/component-host.js';
import { clusterView, type ClusterExtras } from '../ui/cluster-view.js';
import { uiStaticDir } from '../ui/static-dir.js';
import { clusterTargets, localTargets, parseAddressList, peerEndpoints } from '../ui/targets-view.js';
import { apiRouter } from './api.js';

export interface UiOptions {
  controller: ComponentHost;
  cluster: ClusterOwnership;
  /** --server.http.ui-path-prefix ("/" by default). */
  pathPrefix?: string;
  /**
   * HTTP addresses (host:port or URLs) of the peers, read on every request.
   * Default: ALLOY_UI_PEER_HTTP_ADDRESSES (comma-separated), else the HTTP
   * address each peer advertises in its gossip record, else derived from its
   * gossip address (HTTP port = gossip port - 1, the default).
   */
  peerHttpAddresses?: () => string[];
  /** How long a peer may take to answer (ms). */
  peerTimeoutMs?: number;
}

/** "/", "/alloy" -> "/alloy" (no trailing slash, leading slash added). */
export function normalizePrefix(prefix: string | undefined): string {
  const p = `/${(prefix ?? '/').trim().replace(/^\/+|\/+$/g, '')}`;
  return p === '/' ? '' : p;
}

/** The endpoints the UI adds to /api/v0/web. */
export function uiApiRouter(o: UiOptions): Router {
  const r = Router();
  const cluster = o.cluster as ClusterOwnership & ClusterExtras;
  // A failure here goes to the server's error handler (src/server/errors.ts): logged, answered as a JSON 500.
  r.get('/cluster', (_req, res) => {
    res.json(clusterView(cluster));
  });
  r.get('/targets', async (req, res) => {
    if (req.query.local === '1') {
      res.json(localTargets(o.controller, cluster.self));
      return;
    }
    const explicit = o.peerHttpAddresses ? o.peerHttpAddresses() : parseAddressList(process.env.ALLOY_UI_PEER_HTTP_ADDRESSES);
    res.json(
      await clusterTargets({
        controller: o.controller,
        cluster,
        peers: peerEndpoints(cluster, explicit),
        timeoutMs: o.peerTimeoutMs ?? 1500,
      }),
    );
  });
  return r;
}

/** Routers for createApp's `mounts`, in the order they must be mounted. */
export function uiMounts(o: UiOptions): { path: string; router: Router }[] {
  const prefix = normalizePrefix(o.pathPrefix);
  const extras = uiApiRouter(o);
  const mounts = [{ path: '/api/v0/web', router: extras }];
  if (prefix) {
    const prefixed = Router();
    prefixed.use(apiRouter(o.controller, o.cluster), extras);
    mounts.push({ path: `${prefix}/api/v0/web`, router: prefixed });
  }
  const ui = Router();
  // Relative asset and API URLs need the page at "<prefix>/", not "<prefix>".
  ui.use((req, res, next) => {
    if (prefix && req.originalUrl.split('?')[0] === prefix) {
      res.redirect(301, `${prefix}/`);
      return;
    }
    next();
  });
  ui.use(
    express.static(uiStaticDir(), {
      index: 'index.html',
      fallthrough: true,
      // The UI is small and changes with the binary: always revalidate.
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
  mounts.push({ path: prefix || '/', router: ui });
  return mounts;
}
