// Wires one collector process: logger, metrics, cluster, component graph,
// HTTP server, config-file watching and signals. Used by `alloy run` and by
// the demo and e2e tests (several processes, or several instances in one).
import fs from 'node:fs';
import os from 'node:os';
import type http from 'node:http';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import './components/index.js';
import { StandaloneOwnership, type ClusterOwnership } from './clustering/ownership.js';
import { Controller } from './runtime/controller.js';
import { decodeBlock } from './runtime/decode.js';
import { createLogger, type LogFormat } from './runtime/logger.js';
import { t } from './runtime/types.js';
import { createApp, listen } from './server/http.js';
import { uiMounts } from './server/ui.js';
import { stdlib } from './syntax/stdlib.js';
import type { Router } from 'express';

export interface AlloyOptions {
  configFile: string;
  listenAddr: string;
  storagePath: string;
  logLevel: string;
  logFormat: LogFormat;
  uiPathPrefix: string;
  /** How often the config file is checked for changes (ms); 0 disables. */
  configWatchIntervalMs: number;
  /** Creates the cluster service; a standalone ownership when absent. */
  cluster?: (deps: { logger: Logger; metrics: Registry }) => Promise<ClusterOwnership & ClusterLifecycle>;
  logger?: Logger;
  /** Routers mounted on the HTTP server (UI, cluster-wide APIs). */
  mounts?: (ctx: { controller: Controller; cluster: ClusterOwnership }) => { path: string; router: Router }[];
  /** HTTP addresses of the cluster peers for the UI's cluster-wide targets (see src/server/ui.ts for the default). */
  uiPeerHttpAddresses?: () => string[];
}

/** What the process needs from a cluster implementation beyond ownership. */
export interface ClusterLifecycle {
  setState?(state: 'participant' | 'terminating'): void;
  /** Advertise the HTTP server's base URL to peers (once it listens). */
  setHttpAddress?(url: string): void;
  leave?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface RunningAlloy {
  url: string;
  controller: Controller;
  cluster: ClusterOwnership & ClusterLifecycle;
  metrics: Registry;
  logger: Logger;
  reload(): Promise<void>;
  shutdown(): Promise<void>;
}

export async function startAlloy(opts: AlloyOptions): Promise<RunningAlloy> {
  const logger = opts.logger ?? createLogger({ level: opts.logLevel, format: opts.logFormat });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  fs.mkdirSync(opts.storagePath, { recursive: true });

  const cluster: ClusterOwnership & ClusterLifecycle = opts.cluster
    ? await opts.cluster({ logger, metrics })
    : new StandaloneOwnership(os.hostname());
  const controller = new Controller({ logger, metrics, storagePath: opts.storagePath, cluster });
  controller.onLoggingBlock = (block) => {
    const args = decodeBlock(block.body, loggingSchema, { lookup: (n) => (stdlib as any)[n] }, block.pos);
    if (args.level) logger.level = args.level;
  };

  let lastSource: string | undefined;
  const reload = async () => {
    const source = fs.readFileSync(opts.configFile, 'utf8');
    await controller.load(source, opts.configFile);
    lastSource = source;
  };

  // The first load must succeed; its error is the caller's to print.
  await reload();
  cluster.setState?.('participant');

  const app = createApp({
    controller,
    metrics,
    cluster,
    logger,
    reload,
    uiPathPrefix: opts.uiPathPrefix,
    mounts: [
      ...(opts.mounts?.({ controller, cluster }) ?? []),
      ...uiMounts({ controller, cluster, pathPrefix: opts.uiPathPrefix, peerHttpAddresses: opts.uiPeerHttpAddresses }),
    ],
  });
  const { server, url } = await listen(app, opts.listenAddr);
  logger.info({ addr: url }, 'now listening for http traffic');
  cluster.setHttpAddress?.(url);

  // Follow the config file (a mounted ConfigMap changes without any signal).
  let watchTimer: NodeJS.Timeout | undefined;
  if (opts.configWatchIntervalMs > 0) {
    watchTimer = setInterval(() => {
      let source: string;
      try {
        source = fs.readFileSync(opts.configFile, 'utf8');
      } catch {
        return;
      }
      if (source === lastSource) return;
      lastSource = source; // do not retry a rejected config until it changes again
      controller
        .load(source, opts.configFile)
        .then(() => logger.info({ file: opts.configFile }, 'config file changed: reloaded'))
        .catch((e) => logger.error({ err: (e as Error).message }, 'config file changed but was rejected; keeping the running config'));
    }, opts.configWatchIntervalMs);
    watchTimer.unref();
  }

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      if (watchTimer) clearInterval(watchTimer);
      cluster.setState?.('terminating');
      await cluster.leave?.().catch(() => undefined);
      await controller.stop();
      await closeServer(server);
      await cluster.stop?.().catch(() => undefined);
    })());

  return { url, controller, cluster, metrics, logger, reload, shutdown };
}

const loggingSchema = {
  attrs: { level: { type: t.string(), default: 'info' }, format: { type: t.string(), default: 'logfmt' } },
};

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
