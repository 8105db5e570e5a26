// The HTTP server: readiness/health/reload endpoints, /metrics, the web API and the UI.
import { informerRegistry } from '../kube/metrics.js';
import { gatherMetrics } from '../runtime/component-metrics.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ClusterOwnership } from '../clustering/ownership.js';
import type { ComponentHost } from '../runtime/component-host.js';
import { apiRouter } from './api.js';
import { liveDebugRouter } from './live-debug-api.js';
import type { LiveDebuggingHub } from '../runtime/live-debugging.js';
import { authMiddleware } from './auth.js';
import { answerClientError, errorHandler, limitUrlLength, notFound } from './errors.js';
import type { HttpAuthConfig } from '../runtime/config-blocks.js';

export interface ServerOptions {
  controller: ComponentHost;
  metrics: Registry;
  cluster: ClusterOwnership;
  logger: Logger;
  /** Re-reads the config file and loads it; rejects with the reason when invalid. */
  reload: () => Promise<void>;
  uiPathPrefix?: string;
  /** Extra routers mounted by features (e.g. the UI, cluster-wide targets). */
  mounts?: { path: string; router: Router }[];
  /** The http block's auth settings now (they change on reload). */
  auth?: () => HttpAuthConfig | undefined;
  /** The live debugging hub: GET /api/v0/web/debug/<id> streams from it. */
  liveDebugging?: LiveDebuggingHub;
}

export function createApp(opts: ServerOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  const { controller } = opts;
  app.use(limitUrlLength);
  if (opts.auth) app.use(authMiddleware(opts.auth));

  app.get('/-/ready', (_req, res) => {
    if (controller.isLoaded()) res.status(200).send('Alloy is ready.\n');
    else res.status(503).send('Alloy is not ready.\n');
  });
  app.get('/-/healthy', (_req, res) => {
    const bad = controller.unhealthy();
    if (bad.length === 0) {
      res.status(200).send('All Alloy components are healthy.\n');
      return;
    }
    const lines = bad.map((b) => `${b.id}: ${b.message}`).join('\n');
    res.status(500).send(`unhealthy components: ${bad.map((b) => b.id).join(', ')}\n${lines}\n`);
  });
  const reload = async (_req: express.Request, res: express.Response) => {
    try {
      await opts.reload();
      res.status(200).send('config reloaded\n');
    } catch (e) {
      opts.logger.error({ err: (e as Error).message }, 'reload rejected');
      res.status(400).send(`${(e as Error).message}\n`);
    }
  };
  app.post('/-/reload', reload);
  app.get('/-/reload', reload); // Alloy accepts GET too
  app.get('/metrics', async (_req, res, next) => {
    try {
      // Process metrics, the shared informers' and every component's own registry.
      const text = await gatherMetrics([opts.metrics, informerRegistry, ...controller.componentRegistries()]);
      res.set('Content-Type', opts.metrics.contentType).send(text);
    } catch (e) {
      next(e); // a JSON 500, logged; never the error text or its stack
    }
  });
  app.use('/api/v0/web', apiRouter(controller, opts.cluster));
  if (opts.liveDebugging) app.use('/api/v0/web', liveDebugRouter({ components: controller, hub: opts.liveDebugging, logger: opts.logger }));
  for (const m of opts.mounts ?? []) app.use(m.path, m.router);
  // Last: what no route served, and every error, answered as JSON (express's final handler would render the stack).
  app.use(notFound);
  app.use(errorHandler(opts.logger));
  return app;
}

/** Listens on "host:port" (port 0 picks a free one) and resolves with the bound address. */
export function listen(app: Express, addr: string): Promise<{ server: http.Server; url: string }> {
  const idx = addr.lastIndexOf(':');
  const host = addr.slice(0, idx).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(addr.slice(idx + 1));
  return new Promise((resolve, reject) => {
    const server = http.createServer(app);
    server.on('clientError', answerClientError);
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({ server, url: `http://${h}:${a.port}` });
    });
  });
}
