// A minimal Kubernetes API stand-in for unit tests of the reflector: one
// namespaced resource (pods), paged lists, watches with history replay,
// bookmarks and the faults the informer must survive. Loopback, port 0.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Ev {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: any;
}

export interface FakeRequest {
  path: string;
  query: Record<string, string>;
  watch: boolean;
}

export class FakeApiServer {
  readonly requests: FakeRequest[] = [];
  #server = http.createServer((req, res) => this.#handle(req, res));
  #rv = 1;
  #objs = new Map<string, any>();
  #history: Ev[] = [];
  #oldest = 0;
  #watches = new Set<{ res: http.ServerResponse; ns?: string }>();
  #fail: { count: number; status: number; watchOnly: boolean } | undefined;
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const w of this.#watches) w.res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  pod(ns: string, name: string, labels: Record<string, string> = {}): any {
    return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name, labels }, status: { podIP: '10.0.0.1' } };
  }

  apply(obj: any): void {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const type = this.#objs.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } };
    this.#objs.set(key, stored);
    this.#record({ rv: this.#rv, type, obj: stored });
  }

  remove(ns: string, name: string): void {
    const key = `${ns}/${name}`;
    const old = this.#objs.get(key);
    if (!old) return;
    this.#objs.delete(key);
    const obj = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.#rv) } };
    this.#record({ rv: this.#rv, type: 'DELETED', obj });
  }

  /** Change the store without telling open watches (as if events were lost), for 410 re-list tests. */
  silentRemove(ns: string, name: string): void {
    this.#objs.delete(`${ns}/${name}`);
    this.#rv++;
  }

  objects(): any[] {
    return [...this.#objs.values()];
  }

  failNext(count: number, status: number, watchOnly = false): void {
    this.#fail = { count, status, watchOnly };
  }
  dropWatches(): void {
    for (const w of this.#watches) w.res.socket?.destroy();
  }
  endWatches(): void {
    for (const w of this.#watches) w.res.end();
  }
  errorEventOnWatches(code: number): void {
    for (const w of this.#watches) {
      w.res.write(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code, reason: code === 410 ? 'Expired' : 'InternalError', message: `code ${code}` } }) + '\n');
      w.res.end();
    }
  }
  /** A bookmark carrying a newer resourceVersion than any object (as real servers send). */
  bookmark(): void {
    const rv = String(++this.#rv);
    for (const w of this.#watches) w.res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: rv } } }) + '\n');
  }
  /** Every resourceVersion before now gets 410. */
  expireHistory(): void {
    this.#oldest = this.#rv;
    this.#history = [];
  }
  get openWatches(): number {
    return this.#watches.size;
  }

  #record(ev: Ev): void {
    this.#history.push(ev);
    for (const w of this.#watches) {
      if (w.ns && ev.obj.metadata.namespace !== w.ns) continue;
      w.res.write(JSON.stringify({ type: ev.type, object: ev.obj }) + '\n');
    }
  }

  #status(res: http.ServerResponse, code: number, reason: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message: `${reason} (fake)` }));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const watch = query.watch === 'true';
    this.requests.push({ path: url.pathname, query, watch });
    const m = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods$/.exec(url.pathname);
    if (!m) return this.#status(res, 404, 'NotFound');
    if (this.#fail && this.#fail.count > 0 && (!this.#fail.watchOnly || watch)) {
      this.#fail.count--;
      return this.#status(res, this.#fail.status, this.#fail.status === 403 ? 'Forbidden' : 'InternalError');
    }
    const ns = m[1];
    const inScope = (o: any) => !ns || o.metadata.namespace === ns;
    if (!watch) {
      const all = [...this.#objs.values()].filter(inScope);
      const start = Number(query.continue ?? 0);
      const limit = Number(query.limit ?? all.length) || all.length;
      const items = all.slice(start, start + limit);
      const next = start + limit < all.length ? String(start + limit) : '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: String(this.#rv), continue: next || undefined }, items }));
      return;
    }
    const from = Number(query.resourceVersion ?? 0);
    if (from < this.#oldest) return this.#status(res, 410, 'Expired');
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    for (const ev of this.#history) {
      if (ev.rv > from && inScope(ev.obj)) res.write(JSON.stringify({ type: ev.type, object: ev.obj }) + '\n');
    }
    const w = { res, ns };
    this.#watches.add(w);
    res.on('close', () => this.#watches.delete(w));
  }
}
