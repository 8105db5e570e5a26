// One list+watch loop keeping a local cache of one resource in one scope.
// Guarantees: list with paging, watch from the list's resourceVersion with
// bookmarks; a normal watch end resumes from the last seen resourceVersion;
// 410 (status or ERROR event) re-lists and replaces the cache (deletes emitted
// for vanished objects); other errors back off and keep the last good state.
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../net/backoff.js';
import type { InformerMetrics } from './metrics.js';
import { KubeApiError, errorFrom, getJSON, isGone, openGet } from './request.js';
import { objectKey, qualifiedResource, resourcePath, scopeText, type ResourceRef } from './resource.js';

export type KubeObj = { metadata?: { name?: string; namespace?: string; resourceVersion?: string }; [k: string]: unknown };

export interface InformerEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObj;
}

export interface InformerHealth {
  state: 'healthy' | 'unhealthy' | 'unknown';
  message: string;
}

export interface ReflectorOptions extends ResourceRef {
  kubeConfig: KubeConfig;
  labelSelector?: string;
  fieldSelector?: string;
  metrics?: InformerMetrics;
  logger?: Logger;
  /** Items per list page (default 500). */
  pageSize?: number;
  /** First retry delay (default 500 ms); doubles up to maxBackoffMs (default 30 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Watches are closed by the server after timeoutSeconds; choose 5-10 min like client-go. */
function watchTimeoutSeconds(): number {
  return Math.floor(300 * (1 + Math.random()));
}

class WatchEnded extends Error {}

export class Reflector {
  readonly cache = new Map<string, KubeObj>();
  #rv: string | undefined;
  #synced = false;
  #health: InformerHealth = { state: 'unknown', message: 'not started' };
  readonly #abort = new AbortController();
  readonly #backoff: Backoff;
  readonly #listeners = new Set<(events: InformerEvent[]) => void>();
  readonly #healthListeners = new Set<(h: InformerHealth) => void>();
  readonly #syncWaiters: (() => void)[] = [];
  readonly #label: string;
  #running: Promise<void> | undefined;

  constructor(private readonly o: ReflectorOptions) {
    this.#backoff = new Backoff({ minMs: o.initialBackoffMs ?? 500, maxMs: o.maxBackoffMs ?? 30_000, jitter: 'half' });
    this.#label = qualifiedResource(o);
  }

  get synced(): boolean {
    return this.#synced;
  }
  get health(): InformerHealth {
    return this.#health;
  }
  get resourceVersion(): string | undefined {
    return this.#rv;
  }

  onChange(cb: (events: InformerEvent[]) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }
  onHealth(cb: (h: InformerHealth) => void): () => void {
    this.#healthListeners.add(cb);
    return () => this.#healthListeners.delete(cb);
  }
  /** Resolves after the first successful list (never rejects; stop() resolves it too). */
  whenSynced(): Promise<void> {
    if (this.#synced || this.#abort.signal.aborted) return Promise.resolve();
    return new Promise((r) => this.#syncWaiters.push(r));
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    for (const w of this.#syncWaiters.splice(0)) w();
    await this.#running;
    this.o.metrics?.objectsCached.dec({ resource: this.#label }, this.cache.size);
    this.cache.clear();
  }

  #setHealth(state: InformerHealth['state'], message: string): void {
    if (this.#health.state === state && this.#health.message === message) return;
    this.#health = { state, message };
    for (const cb of this.#healthListeners) cb(this.#health);
  }

  #emit(events: InformerEvent[]): void {
    if (events.length === 0) return;
    for (const cb of this.#listeners) {
      try {
        cb(events);
      } catch (e) {
        this.o.logger?.error({ err: e, resource: this.#label }, 'informer listener failed');
      }
    }
  }

  /** The message for a failed request: RBAC hints for 401/403, the server's words otherwise. */
  #describe(verb: 'list' | 'watch', e: unknown): string {
    const what = `${this.#label} ${scopeText(this.o)}`;
    if (e instanceof KubeApiError) {
      if (e.status === 403) return `cannot ${verb} ${what}: forbidden (RBAC: grant list+watch on ${this.#label}): ${e.message}`;
      if (e.status === 401) return `cannot ${verb} ${what}: unauthorized (check the bearer token or client certificate): ${e.message}`;
      return `cannot ${verb} ${what}: HTTP ${e.status} ${e.reason}: ${e.message}`;
    }
    return `cannot ${verb} ${what}: ${(e as Error)?.message ?? String(e)}`;
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      let verb: 'list' | 'watch' = 'list';
      try {
        if (this.#rv === undefined) await this.#list();
        verb = 'watch';
        await this.#watch(this.#rv!);
        this.o.metrics?.watchRestarts.inc({ resource: this.#label, reason: 'closed' });
      } catch (e) {
        if (signal.aborted) break;
        if (e instanceof WatchEnded) {
          // The connection was cut (proxy, server restart): resume from the last resourceVersion
          // after a short pause; health only changes if the reconnect itself fails.
          this.o.metrics?.watchRestarts.inc({ resource: this.#label, reason: 'dropped' });
          await this.#sleep(this.#backoff.next());
          continue;
        }
        if (isGone(e)) {
          // Our resourceVersion is too old: start over from a fresh list (no delay needed).
          this.o.logger?.info({ resource: this.#label }, 'watch history expired (410), re-listing');
          this.o.metrics?.watchRestarts.inc({ resource: this.#label, reason: 'gone' });
          this.#rv = undefined;
          continue;
        }
        const msg = this.#describe(verb, e);
        this.o.logger?.warn({ resource: this.#label, err: (e as Error)?.message }, msg);
        if (verb === 'watch') this.o.metrics?.watchRestarts.inc({ resource: this.#label, reason: 'error' });
        this.#setHealth('unhealthy', msg);
        await this.#sleep(this.#backoff.next());
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return sleep(ms, this.#abort.signal);
  }

  /** List every page, then replace the cache and emit the differences. */
  async #list(): Promise<void> {
    const fresh = new Map<string, KubeObj>();
    let cont: string | undefined;
    let rv = '';
    for (let page = 0; page < 100_000; page++) {
      let body: any;
      try {
        body = await getJSON(
          this.o.kubeConfig,
          resourcePath(this.o),
          {
            limit: String(this.o.pageSize ?? 500),
            continue: cont,
            labelSelector: this.o.labelSelector,
            fieldSelector: this.o.fieldSelector,
          },
          this.#abort.signal,
        );
      } catch (e) {
        this.o.metrics?.listCalls.inc({ resource: this.#label, outcome: 'error' });
        // A continue token that expired mid-way: restart the list from the beginning.
        if (isGone(e) && cont !== undefined) {
          fresh.clear();
          cont = undefined;
          continue;
        }
        throw e;
      }
      this.o.metrics?.listCalls.inc({ resource: this.#label, outcome: 'success' });
      for (const item of (body?.items ?? []) as KubeObj[]) fresh.set(objectKey(item), item);
      rv = body?.metadata?.resourceVersion ?? '';
      cont = body?.metadata?.continue || undefined;
      if (!cont) break;
    }
    this.#replace(fresh);
    this.#rv = rv;
    this.#backoff.reset();
    this.#setHealth('healthy', '');
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters.splice(0)) w();
    }
  }

  #replace(fresh: Map<string, KubeObj>): void {
    const events: InformerEvent[] = [];
    for (const [k, old] of this.cache) {
      if (!fresh.has(k)) events.push({ type: 'DELETED', object: old });
    }
    for (const [k, obj] of fresh) {
      const old = this.cache.get(k);
      if (!old) events.push({ type: 'ADDED', object: obj });
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) events.push({ type: 'MODIFIED', object: obj });
    }
    const delta = fresh.size - this.cache.size;
    this.cache.clear();
    for (const [k, v] of fresh) this.cache.set(k, v);
    if (delta > 0) this.o.metrics?.objectsCached.inc({ resource: this.#label }, delta);
    if (delta < 0) this.o.metrics?.objectsCached.dec({ resource: this.#label }, -delta);
    this.#emit(events);
  }

  #apply(type: string, obj: KubeObj): InformerEvent | undefined {
    const k = objectKey(obj);
    if (type === 'DELETED') {
      const old = this.cache.get(k);
      if (!old) return undefined;
      this.cache.delete(k);
      this.o.metrics?.objectsCached.dec({ resource: this.#label });
      return { type: 'DELETED', object: obj };
    }
    const existed = this.cache.has(k);
    this.cache.set(k, obj);
    if (!existed) this.o.metrics?.objectsCached.inc({ resource: this.#label });
    return { type: existed ? 'MODIFIED' : 'ADDED', object: obj };
  }

  /** One watch request; resolves on a normal end, rejects on errors (410 included). */
  async #watch(rv: string): Promise<void> {
    const signal = this.#abort.signal;
    const timeout = watchTimeoutSeconds();
    const res = await openGet(
      this.o.kubeConfig,
      resourcePath(this.o),
      {
        watch: 'true',
        resourceVersion: rv,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(timeout),
        labelSelector: this.o.labelSelector,
        fieldSelector: this.o.fieldSelector,
      },
      signal,
    );
    if (res.statusCode !== 200) throw await errorFrom(res);
    this.#setHealth('healthy', '');
    const gauge = this.o.metrics?.openWatches;
    gauge?.inc({ resource: this.#label });
    // Guard against a silently dead connection: the server must end the watch by timeoutSeconds.
    const idle = setTimeout(() => res.destroy(new Error('watch exceeded its timeout without closing')), (timeout + 60) * 1000);
    let gotEvent = false;
    let pending: InformerEvent[] = [];
    let flush: NodeJS.Immediate | undefined;
    const flushNow = () => {
      flush = undefined;
      const batch = pending;
      pending = [];
      this.#emit(batch);
    };
    try {
      await new Promise<void>((resolve, reject) => {
        let failed = false;
        const fail = (e: Error) => {
          if (failed) return;
          failed = true;
          res.destroy();
          reject(e);
        };
        const lines = createInterface({ input: res, crlfDelay: Infinity });
        lines.on('line', (line) => {
          if (failed || line.trim() === '') return;
          let ev: { type?: string; object?: any };
          try {
            ev = JSON.parse(line);
          } catch {
            return fail(new KubeApiError(0, 'BadResponse', 'undecodable watch event'));
          }
          const obj = ev.object ?? {};
          if (ev.type === 'ERROR') {
            return fail(new KubeApiError(Number(obj.code) || 0, String(obj.reason ?? ''), String(obj.message ?? 'watch ERROR event')));
          }
          const newRv = obj.metadata?.resourceVersion;
          if (ev.type === 'BOOKMARK') {
            if (newRv) this.#rv = newRv;
            return;
          }
          if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') return;
          if (!gotEvent) {
            gotEvent = true;
            this.#backoff.reset();
          }
          const applied = this.#apply(ev.type, obj);
          if (newRv) this.#rv = newRv;
          if (applied) {
            pending.push(applied);
            flush ??= setImmediate(flushNow);
          }
        });
        res.on('error', (e) => fail(e));
        lines.on('error', (e) => fail(e));
        res.on('aborted', () => fail(new WatchEnded('watch connection aborted')));
        lines.on('close', () => {
          if (failed) return;
          // A clean end ('end' seen) is normal; a cut connection is an error to back off from.
          if (res.complete) resolve();
          else fail(new WatchEnded('watch connection closed before the end of the stream'));
        });
      });
    } finally {
      clearTimeout(idle);
      if (flush) clearImmediate(flush);
      flushNow();
      gauge?.dec({ resource: this.#label });
    }
  }
}
