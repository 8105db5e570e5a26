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
import type { HttpGossipMount } from './clustering/cluster.js';
import { Controller } from './runtime/controller.js';
import { CombinedComponentHost } from './runtime/component-host.js';
import { LiveDebuggingHub } from './runtime/live-debugging.js';
import { decodeRemotecfg } from './fleet/remotecfg-args.js';
import { checkCollectorApiClient } from './fleet/connect-client.js';
import { REMOTECFG_NAMESPACE, RemotecfgService } from './fleet/remotecfg-service.js';
import path from 'node:path';
import { Router } from 'express';
import { decodeConfigBlocks, resolveLoggingWriteTo, type ConfigBlocks } from './runtime/config-blocks.js';
import { fingerprint, parseSources, readConfigSources } from './runtime/config-files.js';
import { createLogger, type LogFormat } from './runtime/logger.js';
import { SwitchableLogOutput } from './runtime/log-output.js';
import { deprecatedFunctionUses, type StabilityLevel } from './runtime/stability.js';
import { createApp } from './server/http.js';
import { buildTls, listenSwitchable } from './server/listener.js';
import { uiMounts } from './server/ui.js';
import type { RequestListener } from 'node:http';

export interface AlloyOptions {
  /** A config file, or a directory whose *.alloy files form one config. */
  configFile: string;
  listenAddr: string;
  storagePath: string;
  logLevel: string;
  logFormat: LogFormat;
  uiPathPrefix: string;
  /** How often the config file is checked for changes (ms); 0 disables. */
  configWatchIntervalMs: number;
  /** Creates the cluster service; a standalone ownership when absent. */
  cluster?: (deps: { logger: Logger; metrics: Registry; http?: HttpGossipMount }) => Promise<ClusterOwnership & ClusterLifecycle>;
  logger?: Logger;
  /** Routers mounted on the HTTP server (UI, cluster-wide APIs). */
  mounts?: (ctx: { controller: Controller; cluster: ClusterOwnership }) => { path: string; router: Router }[];
  /** HTTP addresses of the cluster peers for the UI's cluster-wide targets (see src/server/ui.ts for the default). */
  uiPeerHttpAddresses?: () => string[];
  /** --stability.level (generally-available by default). */
  minStability?: StabilityLevel;
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
  /** The logging, http and tracing blocks of the running config. */
  configBlocks(): ConfigBlocks;
  reload(): Promise<void>;
  shutdown(): Promise<void>;
}

export async function startAlloy(opts: AlloyOptions): Promise<RunningAlloy> {
  // The logging block may change the format on reload: our own logger writes through a switchable output.
  const logOutput = opts.logger ? undefined : new SwitchableLogOutput(process.stderr, opts.logFormat);
  const logger = opts.logger ?? createLogger({ level: opts.logLevel, format: 'json', destination: logOutput });
  const startLevel = logger.level;
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  fs.mkdirSync(opts.storagePath, { recursive: true });

  // The HTTP port listens before the cluster joins: gossip may ride on it, and
  // peers reach us there from the moment we join. Until the config is loaded
  // it answers 503; its TLS comes from the config's http block, read now.
  const preTls = (() => {
    const next = decodeConfigBlocks(parseSources(readConfigSources(opts.configFile), opts.configFile));
    return next.http?.tls ? buildTls(next.http.tls) : undefined;
  })();
  let handler: RequestListener = (_req, res) => void res.writeHead(503, { 'content-type': 'text/plain' }).end('Alloy is not ready.\n');
  const listener = await listenSwitchable((req, res) => handler(req, res), opts.listenAddr, preTls);
  let cluster: ClusterOwnership & ClusterLifecycle;
  try {
    cluster = opts.cluster ? await opts.cluster({ logger, metrics, http: listener }) : new StandaloneOwnership(os.hostname());
  } catch (e) {
    await listener.close();
    throw e;
  }
  const liveDebugging = new LiveDebuggingHub();
  const controller = new Controller({ logger, metrics, storagePath: opts.storagePath, cluster, minStability: opts.minStability, liveDebugging });
  // The remotecfg block's config runs in a controller of its own (Alloy's
  // service controller): its components show as "remotecfg/<id>"; its own
  // controller metrics stay out of /metrics (they would sum with the main one's).
  const remotecfg = new RemotecfgService({
    logger,
    metrics,
    storagePath: opts.storagePath,
    configFile: opts.configFile,
    controller: new Controller({
      logger: logger.child({ controller: REMOTECFG_NAMESPACE }),
      metrics: new Registry(),
      storagePath: path.join(opts.storagePath, REMOTECFG_NAMESPACE, 'data'),
      cluster,
      minStability: opts.minStability,
      namespace: REMOTECFG_NAMESPACE,
      liveDebugging,
    }),
  });
  const components = new CombinedComponentHost(controller, () => [{ namespace: REMOTECFG_NAMESPACE, controller: remotecfg.controller }]);

  let blocks: ConfigBlocks = {};
  let lastFingerprint: string | undefined;

  // Everything that can fail (syntax, config blocks, TLS files, components) is checked before anything is applied.
  const load = async () => {
    const sources = readConfigSources(opts.configFile);
    const print = fingerprint(sources);
    lastFingerprint = print; // a rejected config is not retried until it changes again
    const file = parseSources(sources, opts.configFile);
    const next = decodeConfigBlocks(file);
    const remote = decodeRemotecfg(file);
    if (remote?.url) checkCollectorApiClient(remote.url, remote);
    const tls = next.http?.tls ? buildTls(next.http.tls) : undefined;
    await controller.load(file, opts.configFile);
    // Not awaited: a slow fleet server must not hold the main config back.
    remotecfg.update(remote).catch((e) => logger.error({ err: (e as Error).message }, 'remotecfg: the block could not be applied'));
    for (const d of deprecatedFunctionUses(file.body)) {
      logger.warn({ function: d.name, replacement: d.replacement, at: `${d.pos.file}:${d.pos.line}:${d.pos.col}` }, 'this stdlib function is deprecated; use its replacement');
    }
    blocks = next;
    liveDebugging.setEnabled(next.livedebugging?.enabled ?? false);
    // No logging block: the level the process started with (the flag, or the injected logger's own).
    logger.level = next.logging?.level ?? startLevel;
    if (logOutput) {
      logOutput.format = next.logging?.format ?? opts.logFormat;
      try {
        logOutput.receivers = resolveLoggingWriteTo(file, (id) => controller.view(id)?.exports);
      } catch (e) {
        logOutput.receivers = [];
        logger.warn({ err: (e as Error).message }, 'logging: write_to could not be resolved; logs go to stderr only');
      }
    }
    listener.setTls(tls);
    return tls;
  };

  // The first load must succeed; its error is the caller's to print.
  try {
    await load();
  } catch (e) {
    await cluster.stop?.().catch(() => undefined);
    await remotecfg.stop().catch(() => undefined);
    await controller.stop().catch(() => undefined);
    await listener.close();
    throw e;
  }
  cluster.setState?.('participant');

  const remotecfgApi = Router();
  remotecfgApi.get('/', (_req, res) => void res.json(remotecfg.state()));
  const app = createApp({
    controller: components,
    metrics,
    cluster,
    logger,
    reload: async () => {
      await load();
    },
    auth: () => blocks.http?.auth,
    liveDebugging,
    uiPathPrefix: opts.uiPathPrefix,
    mounts: [
      { path: '/api/v0/web/remotecfg', router: remotecfgApi },
      ...(opts.mounts?.({ controller, cluster }) ?? []),
      ...uiMounts({ controller: components, cluster, pathPrefix: opts.uiPathPrefix, peerHttpAddresses: opts.uiPeerHttpAddresses }),
    ],
  });
  handler = app;
  const { url } = listener;
  logger.info({ addr: url }, 'now listening for http traffic');
  cluster.setHttpAddress?.(url);

  // Follow the config (a mounted ConfigMap changes without any signal).
  let watchTimer: NodeJS.Timeout | undefined;
  if (opts.configWatchIntervalMs > 0) {
    watchTimer = setInterval(() => {
      let print: string;
      try {
        print = fingerprint(readConfigSources(opts.configFile));
      } catch {
        return;
      }
      if (print === lastFingerprint) return;
      load()
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
      await remotecfg.stop().catch(() => undefined);
      await controller.stop();
      await listener.close();
      await cluster.stop?.().catch(() => undefined);
    })());

  return { url, controller, cluster, metrics, logger, configBlocks: () => blocks, reload: async () => void (await load()), shutdown };
}

