// The remotecfg service: asks a fleet management server (alloy-remote-config's
// collector.v1 API) for this collector's configuration and runs it in a
// controller of its own, beside the main config's, as Alloy does.
//
// - At start and on every change of the block: GetConfig; if the server cannot
//   be reached, the last configuration it served (cached on disk under
//   <storage>/remotecfg/, keyed by url and id) runs instead. Then
//   RegisterCollector; a refused registration is retried at each poll.
// - Every poll_frequency (+ up to 100 ms jitter): GetConfig with the hash the
//   server last sent, so an unchanged config answers not_modified.
// - A new config is checked whole before anything changes: one that does not
//   parse or load is reported FAILED with the reason and the running remote
//   pipelines are left as they were (our controller applies a config all or
//   nothing, so there is no half-loaded state to restore from the cache).
// - The status (APPLYING, APPLIED, FAILED + message) travels in the next
//   GetConfig, sent at once when it changed, as Alloy's notifyStatusUpdate.
// - Removing the block (or its url) stops the remote pipelines; shutting down
//   sends UnregisterCollector (bounded by 1 s).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Controller } from '../runtime/controller.js';
import { parse } from '../syntax/parser.js';
import { Diagnostic } from '../syntax/diagnostic.js';
import { Secret } from '../syntax/secret.js';
import { VERSION } from '../version.js';
import { CollectorApiClient } from './connect-client.js';
import { RemoteConfigStatus, type GetConfigRequest, type GetConfigResponse, type RemoteConfigStatusValue } from './collector-proto.js';
import { RESERVED_ATTRIBUTE_PREFIX, type RemotecfgArgs } from './remotecfg-args.js';
import { RemotecfgMetrics } from './remotecfg-metrics.js';
import { loadSeed } from './seed.js';

export const REMOTECFG_NAMESPACE = 'remotecfg';
const JITTER_MS = 100;
const UNREGISTER_TIMEOUT_MS = 1000;
/** Top-level blocks that configure the process: only the main config may have them. */
const MAIN_ONLY_BLOCKS = new Set(['logging', 'http', 'tracing', 'livedebugging', 'remotecfg']);

export interface RemotecfgServiceOptions {
  logger: Logger;
  metrics: Registry;
  storagePath: string;
  /** The controller the remote config runs in (its own, namespace "remotecfg"). */
  controller: Controller;
  /** Where the remote config's import.file paths are relative to (the main config's). */
  configFile: string;
}

/** What GET /api/v0/web/remotecfg and the UI show. */
export interface RemotecfgState {
  enabled: boolean;
  url?: string;
  id?: string;
  name?: string;
  status: keyof typeof RemoteConfigStatus;
  error_message: string;
  registered: boolean;
  last_received_hash: string;
  last_loaded_hash: string;
  /** Where the running remote config came from. */
  source: 'none' | 'server' | 'cache';
  last_fetch_error?: string;
  last_success_time?: string;
}

/** Go's hash/fnv New32 (FNV-1, 32-bit) as lowercase hex: Alloy's config hash. */
export function fnv1Hash(text: string): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** A stable text of the arguments with secrets hashed, to tell whether they changed. */
function fingerprint(v: unknown): string {
  if (v instanceof Secret) return JSON.stringify(`secret:${crypto.createHash('sha256').update(v.reveal()).digest('hex')}`);
  if (Array.isArray(v)) return `[${v.map(fingerprint).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${fingerprint((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const statusName = (s: RemoteConfigStatusValue) => (Object.keys(RemoteConfigStatus) as (keyof typeof RemoteConfigStatus)[]).find((k) => RemoteConfigStatus[k] === s)!;

export class RemotecfgService {
  private readonly log: Logger;
  private readonly m: RemotecfgMetrics;
  private readonly cacheDir: string;
  private args?: RemotecfgArgs & { id: string };
  private argsPrint = '';
  private client?: CollectorApiClient;
  private attrs: Record<string, string> = {};
  private timer?: NodeJS.Timeout;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private registered = false;
  private remoteHash = '';
  private lastReceived = '';
  private lastLoaded = '';
  private source: RemotecfgState['source'] = 'none';
  private status: { status: RemoteConfigStatusValue; errorMessage: string } = { status: RemoteConfigStatus.UNSET, errorMessage: '' };
  private lastSentStatus?: { status: RemoteConfigStatusValue; errorMessage: string };
  private lastFetchError?: string;
  private lastSuccess?: string;

  constructor(private readonly o: RemotecfgServiceOptions) {
    this.log = o.logger.child({ service: REMOTECFG_NAMESPACE });
    this.m = new RemotecfgMetrics(o.metrics);
    this.cacheDir = path.join(o.storagePath, REMOTECFG_NAMESPACE);
  }

  get controller(): Controller {
    return this.o.controller;
  }

  /** Applies the main config's remotecfg block (undefined: none, or no url). */
  update(next: RemotecfgArgs | undefined): Promise<void> {
    return this.serialize(async () => {
      if (this.stopped) return;
      if (!next || next.url === '') {
        if (this.args) await this.disable();
        return;
      }
      const args = { ...next, id: next.id ?? loadSeed(this.o.storagePath).UID };
      const print = fingerprint(args);
      if (print === this.argsPrint) return;
      const client = new CollectorApiClient(args.url, args); // a bad url or TLS file refuses the main config's load
      this.client?.close();
      this.client = client;
      const keyChanged = !this.args || this.args.url !== args.url || this.args.id !== args.id;
      this.args = args;
      this.argsPrint = print;
      this.attrs = { [`${RESERVED_ATTRIBUTE_PREFIX}os`]: os.platform(), [`${RESERVED_ATTRIBUTE_PREFIX}version`]: VERSION, ...args.attributes };
      if (keyChanged) {
        // Another server or identity: its hashes say nothing about ours.
        this.remoteHash = '';
        this.lastReceived = '';
      }
      this.registered = false;
      await this.fetchLoad(true);
      await this.register();
      this.schedule();
    });
  }

  /** Sends UnregisterCollector (bounded) and stops the remote pipelines. */
  async stop(): Promise<void> {
    await this.serialize(async () => {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      if (this.client && this.args) {
        const signal = AbortSignal.timeout(UNREGISTER_TIMEOUT_MS);
        await this.client.call('UnregisterCollector', { id: this.args.id }, signal).catch((e) => this.log.warn({ err: (e as Error).message }, 'remotecfg: could not unregister the collector'));
      }
      this.client?.close();
    });
    await this.o.controller.stop();
  }

  state(): RemotecfgState {
    return {
      enabled: this.args !== undefined,
      ...(this.args ? { url: this.args.url, id: this.args.id, name: this.args.name } : {}),
      status: statusName(this.status.status),
      error_message: this.status.errorMessage,
      registered: this.registered,
      last_received_hash: this.lastReceived,
      last_loaded_hash: this.lastLoaded,
      source: this.source,
      ...(this.lastFetchError ? { last_fetch_error: this.lastFetchError } : {}),
      ...(this.lastSuccess ? { last_success_time: this.lastSuccess } : {}),
    };
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.args || this.stopped) return;
    const delay = this.args.poll_frequency + Math.floor(Math.random() * JITTER_MS);
    this.timer = setTimeout(() => {
      void this.serialize(async () => {
        if (!this.args || this.stopped) return;
        await this.fetchLoad(false);
        if (!this.registered) await this.register();
      }).finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  private async disable(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.client?.close();
    this.client = undefined;
    this.args = undefined;
    this.argsPrint = '';
    this.remoteHash = this.lastReceived = this.lastLoaded = '';
    this.source = 'none';
    this.registered = false;
    this.status = { status: RemoteConfigStatus.UNSET, errorMessage: '' };
    RemotecfgMetrics.setHash(this.m.configHash, '');
    RemotecfgMetrics.setHash(this.m.lastReceivedHash, '');
    await this.o.controller.load('', path.join(path.dirname(this.o.configFile), `${REMOTECFG_NAMESPACE}.alloy`));
    this.log.info('remotecfg: block removed; the remote pipelines were stopped');
  }

  private async getConfig(): Promise<GetConfigResponse> {
    const args = this.args!;
    const req: GetConfigRequest = { id: args.id, localAttributes: this.attrs, hash: this.remoteHash };
    const changed = !this.lastSentStatus || this.lastSentStatus.status !== this.status.status || this.lastSentStatus.errorMessage !== this.status.errorMessage;
    if (changed && this.status.status !== RemoteConfigStatus.UNSET) req.remoteConfigStatus = { ...this.status };
    const end = this.m.requestDuration.startTimer();
    try {
      const res = await this.client!.call<GetConfigResponse>('GetConfig', req);
      end();
      if (req.remoteConfigStatus) this.lastSentStatus = req.remoteConfigStatus;
      return res;
    } catch (e) {
      this.lastSentStatus = undefined; // not delivered: send it again next time
      throw e;
    }
  }

  private setStatus(status: RemoteConfigStatusValue, message = ''): void {
    this.status = { status, errorMessage: message };
  }

  private async fetchLoad(cacheFallback: boolean): Promise<void> {
    this.m.loadAttempts.inc();
    let res: GetConfigResponse;
    try {
      res = await this.getConfig();
    } catch (e) {
      const reason = (e as Error).message;
      this.lastFetchError = reason;
      this.m.loadFailures.inc();
      this.m.lastLoadSuccessful.set(0);
      this.log.error({ err: reason, id: this.args!.id }, cacheFallback ? 'remotecfg: failed to fetch the remote config; falling back to the cached one' : 'remotecfg: failed to fetch the remote config; the running one stays');
      this.setStatus(RemoteConfigStatus.FAILED, reason);
      if (cacheFallback) await this.loadCache();
      return;
    }
    this.lastFetchError = undefined;
    if (res.notModified) {
      this.m.lastLoadNotModified.set(1);
      // APPLIED only when what runs is what the server last sent (not a config that failed to load).
      if (this.lastLoaded !== '' && this.lastLoaded === this.lastReceived) this.setStatus(RemoteConfigStatus.APPLIED);
      await this.notifyStatus();
      return;
    }
    this.m.lastLoadSuccessTimestamp.setToCurrentTime();
    this.m.lastLoadNotModified.set(0);
    if (res.hash) this.remoteHash = res.hash;
    const hash = fnv1Hash(res.content);
    if (hash === this.lastReceived) return;
    this.lastReceived = hash;
    RemotecfgMetrics.setHash(this.m.lastReceivedHash, hash);
    if (hash === this.lastLoaded) {
      this.source = 'server';
      this.setStatus(RemoteConfigStatus.APPLIED);
      await this.notifyStatus();
      return;
    }
    this.setStatus(RemoteConfigStatus.APPLYING);
    try {
      await this.loadContent(res.content);
    } catch (e) {
      const reason = e instanceof Diagnostic ? e.message : (e as Error).message;
      this.m.lastLoadSuccessful.set(0);
      this.setStatus(RemoteConfigStatus.FAILED, reason);
      this.log.error({ err: reason, received_hash: hash, loaded_hash: this.lastLoaded }, 'remotecfg: the new remote config was refused; the running one stays');
      await this.notifyStatus();
      return;
    }
    this.loaded(hash, 'server');
    this.writeCache(res.content);
    this.log.info({ config_hash: hash, config_size: res.content.length }, 'remotecfg: loaded the remote config');
    await this.notifyStatus();
  }

  /** Parses and runs a remote config; throws (nothing changed) when it cannot. */
  private async loadContent(content: string): Promise<void> {
    const file = parse(content, `${REMOTECFG_NAMESPACE}.alloy`);
    for (const st of file.body) {
      if (st.kind === 'block' && MAIN_ONLY_BLOCKS.has(st.name)) throw new Diagnostic(st.pos, `the ${st.name} block is only allowed in the main configuration, not in a remote one`);
    }
    await this.o.controller.load(file, this.o.configFile);
  }

  private loaded(hash: string, source: RemotecfgState['source']): void {
    this.lastLoaded = hash;
    this.source = source;
    this.lastSuccess = new Date().toISOString();
    RemotecfgMetrics.setHash(this.m.configHash, hash);
    this.m.lastLoadSuccessful.set(1);
    if (source === 'server') this.setStatus(RemoteConfigStatus.APPLIED);
  }

  /** A changed status goes to the server now rather than at the next poll (its answer is not used). */
  private async notifyStatus(): Promise<void> {
    const s = this.lastSentStatus;
    if (s && s.status === this.status.status && s.errorMessage === this.status.errorMessage) return;
    await this.getConfig().catch((e) => this.log.debug({ err: (e as Error).message }, 'remotecfg: status report failed; it goes with the next poll'));
  }

  private async register(): Promise<void> {
    const args = this.args!;
    try {
      await this.client!.call('RegisterCollector', { id: args.id, localAttributes: this.attrs, name: args.name });
      this.registered = true;
    } catch (e) {
      this.log.error({ err: (e as Error).message, id: args.id, name: args.name }, 'remotecfg: failed to register the collector; retrying at the next poll');
    }
  }

  private cacheFile(): string {
    const key = fnv1Hash(JSON.stringify([this.args!.url, this.args!.id]));
    return path.join(this.cacheDir, key);
  }

  private writeCache(content: string): void {
    try {
      fs.mkdirSync(this.cacheDir, { recursive: true });
      const file = this.cacheFile();
      fs.writeFileSync(`${file}.tmp`, content);
      fs.renameSync(`${file}.tmp`, file);
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'remotecfg: could not write the config cache');
    }
  }

  private async loadCache(): Promise<void> {
    if (this.lastLoaded !== '') return; // something runs already: keep it
    const file = this.cacheFile();
    let content: string;
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch {
      this.log.warn({ cache_path: file }, 'remotecfg: no cached config to fall back to');
      return;
    }
    try {
      await this.loadContent(content);
    } catch (e) {
      this.log.error({ err: (e as Error).message, cache_path: file }, 'remotecfg: the cached config did not load');
      return;
    }
    this.loaded(fnv1Hash(content), 'cache');
    this.log.info({ config_hash: this.lastLoaded, cache_path: file }, 'remotecfg: running the cached config');
  }
}
