// One list+watch loop keeping a local cache of one resource in one scope.
// Guarantees: list with paging, watch from the list's resourceVersion with
// bookmarks; a normal watch end resumes from the last seen resourceVersion;
// 410 (status or ERROR event) re-lists and replaces the cache (deletes emitted
// for vanished objects); other errors back off and keep the last good state.
// Holders choose what the cache keeps (retention.ts): whole objects by default,
// index entries for what no holder's RetentionPolicy retains.
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../net/backoff.js';
import type { InformerMetrics } from './metrics.js';
import { KubeApiError, errorFrom, getJSON, isGone, openGet } from './request.js';
import { objectKey, qualifiedResource, resourcePath, scopeText, type ResourceRef } from './resource.js';
import { IndexEntry, notOlder, planFill, type RetentionPolicy } from './retention.js';

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

/** Concurrent single-object GETs of one fill. */
const FILL_CONCURRENCY = 8;
/** Attempts per object of a fill (a failed GET, or one that returned an older version than the entry). */
const FILL_ATTEMPTS = 3;
/** After a fill left entries unfilled (API errors), when to try again. */
const FILL_RETRY_MS = 5000;

/** What a fill cost, for debug info and tests. */
export interface FillStats {
  /** Single-object GET requests sent. */
  gets: number;
  /** List pages sent to fill (not the informer's own list). */
  listPages: number;
  /** Index entries made whole. */
  filled: number;
}

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
  /** Holders that need every object whole. */
  #wholeHolders = 0;
  readonly #policies = new Set<RetentionPolicy>();
  #indexed = 0;
  /** A whole-object holder joined while index entries exist: list again (the watch goes on from the new list). */
  #relistWanted = false;
  #watchAbort: AbortController | undefined;
  readonly #completeWaiters: (() => void)[] = [];
  /** Keys being fetched now (a second fill does not ask again). */
  readonly #filling = new Set<string>();
  #fillRetry: NodeJS.Timeout | undefined;
  readonly fillStats: FillStats = { gets: 0, listPages: 0, filled: 0 };

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
  /** Objects held as index entries. */
  get indexedCount(): number {
    return this.#indexed;
  }
  /** Synced, and every object whole: what a holder without a policy waits for. */
  get complete(): boolean {
    return this.#synced && this.#indexed === 0;
  }

  /**
   * Registers a holder: without `policy` it needs every object whole (an index entry
   * left by others makes the reflector list again); with one, the cache keeps whole
   * only what some policy retains, once no policy-less holder remains. Returns the
   * release, after which entries nobody retains any more shrink.
   */
  hold(policy?: RetentionPolicy): () => void {
    if (policy) {
      this.#policies.add(policy);
      // What this holder retains and nobody did is an index entry: fetch it.
      if (this.#indexed > 0) void this.reapplyRetention();
    } else {
      this.#wholeHolders++;
      if (this.#indexed > 0) this.#requestRelist();
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (policy) this.#policies.delete(policy);
      else this.#wholeHolders--;
      if (!this.#abort.signal.aborted) void this.reapplyRetention();
    };
  }

  /** Resolves once complete (or stopped). */
  whenComplete(): Promise<void> {
    if (this.complete || this.#abort.signal.aborted) return Promise.resolve();
    return new Promise((r) => this.#completeWaiters.push(r));
  }

  /**
   * A policy changed its mind (the ring moved): shrink whole objects nobody retains
   * now, and fetch the index entries someone retains now (planFill: the fewest
   * requests; never a second watch). Resolves when the fetches are done; their
   * objects are emitted as MODIFIED (same resourceVersion: like a client-go resync).
   */
  async reapplyRetention(): Promise<void> {
    const wanted: string[] = [];
    for (const [k, v] of this.cache) {
      const whole = this.#keepWhole(v);
      if (v instanceof IndexEntry) {
        if (whole && !this.#filling.has(k)) wanted.push(k);
      } else if (!whole) this.#put(k, new IndexEntry(v.metadata) as unknown as KubeObj);
    }
    if (wanted.length > 0) await this.#fill(wanted);
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
    if (this.#fillRetry) clearTimeout(this.#fillRetry);
    for (const w of this.#syncWaiters.splice(0)) w();
    for (const w of this.#completeWaiters.splice(0)) w();
    await this.#running;
    this.o.metrics?.objectsCached.dec({ resource: this.#label }, this.cache.size);
    this.o.metrics?.objectsIndexed.dec({ resource: this.#label }, this.#indexed);
    this.#indexed = 0;
    this.cache.clear();
  }

  #keepWhole(o: KubeObj): boolean {
    if (this.#wholeHolders > 0 || this.#policies.size === 0) return true;
    for (const p of this.#policies) if (p.retain(o)) return true;
    return false;
  }

  /** The form the cache keeps of an object from the API. */
  #form(o: KubeObj): KubeObj {
    return this.#keepWhole(o) ? o : (new IndexEntry(o.metadata) as unknown as KubeObj);
  }

  /** Every cache write goes here (keeps the index-entry count). */
  #put(k: string, v: KubeObj): void {
    const old = this.cache.get(k);
    const d = (v instanceof IndexEntry ? 1 : 0) - (old instanceof IndexEntry ? 1 : 0);
    this.cache.set(k, v);
    this.#countIndexed(d);
  }
  #remove(k: string): void {
    const old = this.cache.get(k);
    this.cache.delete(k);
    if (old instanceof IndexEntry) this.#countIndexed(-1);
  }
  #countIndexed(d: number): void {
    if (d === 0) return;
    this.#indexed += d;
    if (d > 0) this.o.metrics?.objectsIndexed.inc({ resource: this.#label }, d);
    else this.o.metrics?.objectsIndexed.dec({ resource: this.#label }, -d);
    if (this.complete) for (const w of this.#completeWaiters.splice(0)) w();
  }

  #requestRelist(): void {
    this.#relistWanted = true;
    this.#watchAbort?.abort();
  }

  /** Fetch the `wanted` index entries whole, by planFill's plan, with bounded retries. */
  async #fill(wanted: string[]): Promise<void> {
    for (const k of wanted) this.#filling.add(k);
    const signal = this.#abort.signal;
    let left = new Set(wanted);
    try {
      const plan = planFill(wanted, this.cache.keys(), this.o.pageSize ?? 500, !this.o.namespace);
      this.o.logger?.debug({ resource: this.#label, wanted: wanted.length, plan: { lists: plan.lists.length, gets: plan.gets.length } }, 'filling index entries');
      const events: InformerEvent[] = [];
      const take = (item: KubeObj): 'done' | 'stale' => {
        const k = objectKey(item);
        const cur = this.cache.get(k);
        // Deleted meanwhile, made whole by a watch event, or no longer wanted: nothing to do.
        if (!(cur instanceof IndexEntry) || !this.#keepWhole(cur)) return 'done';
        if (!notOlder(item.metadata?.resourceVersion, cur.metadata.resourceVersion)) return 'stale';
        this.#put(k, item);
        this.fillStats.filled++;
        events.push({ type: 'MODIFIED', object: item });
        return 'done';
      };
      for (const ns of plan.lists) {
        if (signal.aborted) return;
        try {
          await this.#listEach(ns, (item) => {
            const k = objectKey(item);
            if (left.has(k) && take(item) === 'done') left.delete(k);
          });
        } catch (e) {
          if (signal.aborted) return;
          this.o.logger?.warn({ resource: this.#label, err: (e as Error)?.message }, `fill list failed: ${this.#describe('list', e)}`);
        }
        // What the list did not settle (gone from the list, or stale) goes by GET below.
      }
      // The planned GETs, and whatever a list did not settle.
      let gets = [...left];
      for (let attempt = 0; attempt < FILL_ATTEMPTS && gets.length > 0 && !signal.aborted; attempt++) {
        if (attempt > 0) await this.#sleep(200 * 2 ** attempt);
        const again: string[] = [];
        let next = 0;
        const worker = async () => {
          while (next < gets.length && !signal.aborted) {
            const k = gets[next++];
            const r = await this.#getOne(k);
            if (r === undefined) again.push(k);
            else if (r === 'gone' || take(r) === 'done') left.delete(k);
            else again.push(k);
          }
        };
        await Promise.all(Array.from({ length: Math.min(FILL_CONCURRENCY, gets.length) }, worker));
        gets = again;
      }
      this.#emit(events);
    } finally {
      for (const k of wanted) this.#filling.delete(k);
    }
    left = new Set([...left].filter((k) => this.cache.get(k) instanceof IndexEntry));
    if (left.size > 0 && !signal.aborted && !this.#fillRetry) {
      this.o.logger?.warn({ resource: this.#label, unfilled: left.size }, 'could not fetch every newly retained object; retrying');
      this.#fillRetry = setTimeout(() => {
        this.#fillRetry = undefined;
        void this.reapplyRetention();
      }, FILL_RETRY_MS);
      this.#fillRetry.unref?.();
    }
  }

  /** GET one object by cache key: the object, 'gone' (404), or undefined (failed). */
  async #getOne(k: string): Promise<KubeObj | 'gone' | undefined> {
    const i = k.indexOf('/');
    const [namespace, name] = i < 0 ? [undefined, k] : [k.slice(0, i), k.slice(i + 1)];
    this.fillStats.gets++;
    try {
      const obj = (await getJSON(this.o.kubeConfig, `${resourcePath({ ...this.o, namespace })}/${encodeURIComponent(name)}`, {}, this.#abort.signal)) as KubeObj;
      this.o.metrics?.getCalls.inc({ resource: this.#label, outcome: 'success' });
      return obj;
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) {
        this.o.metrics?.getCalls.inc({ resource: this.#label, outcome: 'success' });
        return 'gone';
      }
      this.o.metrics?.getCalls.inc({ resource: this.#label, outcome: 'error' });
      if (!this.#abort.signal.aborted) this.o.logger?.warn({ resource: this.#label, object: k, err: (e as Error)?.message }, 'fill GET failed');
      return undefined;
    }
  }

  /** A paged list of one namespace ('' = the informer's scope), with the informer's selectors, item by item. */
  async #listEach(namespace: string, each: (item: KubeObj) => void): Promise<void> {
    const path = resourcePath(namespace ? { ...this.o, namespace } : this.o);
    let cont: string | undefined;
    for (let page = 0; page < 100_000; page++) {
      this.fillStats.listPages++;
      let body: any;
      try {
        body = await getJSON(
          this.o.kubeConfig,
          path,
          { limit: String(this.o.pageSize ?? 500), continue: cont, labelSelector: this.o.labelSelector, fieldSelector: this.o.fieldSelector },
          this.#abort.signal,
        );
      } catch (e) {
        this.o.metrics?.listCalls.inc({ resource: this.#label, outcome: 'error' });
        throw e;
      }
      this.o.metrics?.listCalls.inc({ resource: this.#label, outcome: 'success' });
      for (const item of (body?.items ?? []) as KubeObj[]) each(item);
      cont = body?.metadata?.continue || undefined;
      if (!cont) return;
    }
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
        if (this.#relistWanted) {
          this.#relistWanted = false;
          this.#rv = undefined;
        }
        if (this.#rv === undefined) await this.#list();
        if (this.#relistWanted) continue;
        verb = 'watch';
        await this.#watch(this.#rv!);
        this.o.metrics?.watchRestarts.inc({ resource: this.#label, reason: 'closed' });
      } catch (e) {
        if (signal.aborted) break;
        if (this.#relistWanted) continue;
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
      // Trimmed page by page: the whole list is never held at once when index entries are kept.
      for (const item of (body?.items ?? []) as KubeObj[]) fresh.set(objectKey(item), this.#form(item));
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
    if (this.complete) for (const w of this.#completeWaiters.splice(0)) w();
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
    this.#countIndexed(-this.#indexed);
    for (const [k, v] of fresh) this.#put(k, v);
    if (delta > 0) this.o.metrics?.objectsCached.inc({ resource: this.#label }, delta);
    if (delta < 0) this.o.metrics?.objectsCached.dec({ resource: this.#label }, -delta);
    this.#emit(events);
  }

  #apply(type: string, obj: KubeObj): InformerEvent | undefined {
    const k = objectKey(obj);
    if (type === 'DELETED') {
      const old = this.cache.get(k);
      if (!old) return undefined;
      this.#remove(k);
      this.o.metrics?.objectsCached.dec({ resource: this.#label });
      return { type: 'DELETED', object: obj };
    }
    const existed = this.cache.has(k);
    const kept = this.#form(obj);
    this.#put(k, kept);
    if (!existed) this.o.metrics?.objectsCached.inc({ resource: this.#label });
    return { type: existed ? 'MODIFIED' : 'ADDED', object: kept };
  }

  /** One watch request; resolves on a normal end, rejects on errors (410 included). */
  async #watch(rv: string): Promise<void> {
    // Its own abort, so a re-list (a whole-object holder joined) can end this watch alone.
    const watchAbort = new AbortController();
    this.#watchAbort = watchAbort;
    const stopWatch = () => watchAbort.abort();
    this.#abort.signal.addEventListener('abort', stopWatch, { once: true });
    if (this.#abort.signal.aborted) stopWatch();
    try {
      await this.#watchOn(rv, watchAbort.signal);
    } finally {
      this.#abort.signal.removeEventListener('abort', stopWatch);
      if (this.#watchAbort === watchAbort) this.#watchAbort = undefined;
    }
  }

  async #watchOn(rv: string, signal: AbortSignal): Promise<void> {
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
