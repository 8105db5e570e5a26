// Watch streams: newline-delimited JSON events over a chunked response, with the apiserver's
// resume, selector-transition, bookmark, timeout and "too old resourceVersion" semantics.
import type { ServerResponse } from 'node:http';
import type { Cluster } from './cluster.js';
import { groupVersion, storageKey, type ResourceInfo } from './resources.js';
import { matchFields, matchLabels, type FieldRequirement, type LabelSelector } from './selectors.js';
import { badRequest, gone, statusObject } from './status.js';
import type { StoreEvent } from './store.js';
import { toTable } from './table.js';

export interface WatchRequest {
  info: ResourceInfo;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldRequirement[];
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  table: boolean;
  includeObject?: string;
}

/** One open watch; the registry can drop or fail it (fault injection, shutdown). */
export interface OpenWatch {
  drop(): void;
  fail(code: number, message: string): void;
  end(): void;
}

export class WatchRegistry {
  readonly open = new Set<OpenWatch>();

  dropAll(): void {
    for (const w of [...this.open]) w.drop();
  }

  failAll(code: number, message: string): void {
    for (const w of [...this.open]) w.fail(code, message);
  }

  endAll(): void {
    for (const w of [...this.open]) w.end();
  }
}

/** Serves a watch; returns the HTTP status sent (the stream then stays open). */
export function serveWatch(
  res: ServerResponse,
  cluster: Cluster,
  reg: WatchRegistry,
  req: WatchRequest,
  opts: { bookmarkIntervalMs: number; expiredAs?: 'event' | 'status' },
): number {
  const { info } = req;
  const key = storageKey(info);
  const ns = info.namespaced ? req.namespace : undefined;
  const matches = (o: any): boolean =>
    !!o &&
    (ns === undefined || o.metadata?.namespace === ns) &&
    matchLabels(req.labels, o.metadata?.labels) &&
    matchFields(req.fields, o);

  const rvParam = req.resourceVersion ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`);
  const fromScratch = rvParam === '' || rvParam === '0' || req.sendInitialEvents === true;

  // Resuming needs history back to the requested resourceVersion; without it the answer is 410,
  // either as the response status or (like the watch cache) as an ERROR event in a 200 stream.
  const backlog = fromScratch ? [] : cluster.store.eventsSince(key, Number(rvParam));
  const tooOld = `too old resource version: ${rvParam} (${cluster.store.compactedRv()})`;
  if (!backlog && opts.expiredAs === 'status') throw gone(tooOld);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};
  const cleanup = () => {
    closed = true;
    timers.forEach((t) => clearTimeout(t));
    unsubscribe();
    reg.open.delete(handle);
  };
  const send = (type: string, object: any) => {
    if (closed) return;
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const render = (o: any) => {
    const obj = cluster.present(info, o);
    return req.table ? toTable(info, [obj], { resourceVersion: obj.metadata.resourceVersion }, req.includeObject) : obj;
  };
  const handle: OpenWatch = {
    drop: () => {
      cleanup();
      res.socket?.destroy();
      res.destroy();
    },
    fail: (code, message) => {
      send('ERROR', statusObject(code, message));
      handle.end();
    },
    end: () => {
      if (closed) return;
      cleanup();
      res.end();
    },
  };
  reg.open.add(handle);
  res.on('close', cleanup);

  const onEvent = (ev: StoreEvent) => {
    if (ev.key === 'apiextensions.k8s.io/customresourcedefinitions' && ev.type === 'DELETED' && info.crd?.name === ev.obj.metadata.name) {
      handle.end(); // the resource no longer exists
      return;
    }
    if (ev.key !== key) return;
    const now = matches(ev.obj);
    const before = ev.type === 'MODIFIED' && matches(ev.old);
    if (ev.type === 'ADDED' && now) send('ADDED', render(ev.obj));
    else if (ev.type === 'DELETED' && (now || matches(ev.old))) send('DELETED', render(ev.obj));
    else if (ev.type === 'MODIFIED') {
      if (now && before) send('MODIFIED', render(ev.obj));
      else if (now) send('ADDED', render(ev.obj));
      else if (before) send('DELETED', render(ev.obj));
    }
  };

  if (fromScratch) {
    const startRv = cluster.store.currentRv();
    for (const o of cluster.store.list(key, ns)) if (matches(o)) send('ADDED', render(o));
    if (req.sendInitialEvents && req.allowBookmarks) {
      send('BOOKMARK', {
        kind: info.kind,
        apiVersion: groupVersion(info),
        metadata: { resourceVersion: String(startRv), annotations: { 'k8s.io/initial-events-end': 'true' } },
      });
    }
  } else if (!backlog) {
    handle.fail(410, tooOld);
    return 200;
  } else backlog.forEach(onEvent);
  unsubscribe = cluster.store.subscribe(onEvent);

  if (req.allowBookmarks && opts.bookmarkIntervalMs > 0) {
    const tick = () => {
      send('BOOKMARK', { kind: info.kind, apiVersion: groupVersion(info), metadata: { resourceVersion: String(cluster.store.currentRv()) } });
      timers[0] = setTimeout(tick, opts.bookmarkIntervalMs);
    };
    timers[0] = setTimeout(tick, opts.bookmarkIntervalMs);
  }
  if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0) {
    timers.push(setTimeout(() => handle.end(), req.timeoutSeconds * 1000));
  }
  return 200;
}
