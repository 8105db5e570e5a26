// The Kubernetes API emulator: HTTP front (auth, audit log, fault injection, discovery routing)
// over the Cluster, plus the control API tests and the demo drive it with.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Cluster } from './cluster.js';
import {
  AGGREGATED_V2,
  AGGREGATED_V2BETA1,
  aggregatedDiscovery,
  apiGroupFor,
  apiGroupList,
  apiResourceList,
  apiVersions,
  openApiV3GroupVersion,
  openApiV3Root,
  versionInfo,
  wantsAggregated,
} from './discovery.js';
import { writeKubeconfigFile } from './kubeconfig.js';
import { Listener } from './listener.js';
import { isNodeProxy, serveNodeProxy, type NodeProxyStore } from './node-proxy.js';
import { PodLogStore } from './pod-logs.js';
import { parseRequestInfo } from './request-info.js';
import { ResourceHandler, sendJson } from './resource-handler.js';
import { ApiError, statusObject } from './status.js';
import { makeCert, type SelfSignedCert } from '../../net/certs.js';
import type { KubeEmulator, KubeEmulatorOptions, RequestLogEntry } from './types.js';
import { WatchRegistry } from './watch.js';

interface PendingFailure {
  remaining: number;
  status: number;
  match?: { resource?: string; verb?: string };
}

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);

export async function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const cluster = new Cluster(opts.historyLimit ?? 10_000);
  const logs = new PodLogStore();
  const watches = new WatchRegistry();
  const handler = new ResourceHandler({
    cluster,
    logs,
    watches,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    watchExpiredAs: opts.watchExpiredAs ?? 'event',
  });
  const requests: RequestLogEntry[] = [];
  const failures: PendingFailure[] = [];
  let stallMs = 0;
  const users = new Map<string, string>();
  if (opts.token) users.set(opts.token, opts.user ?? 'system:admin');
  for (const [token, user] of Object.entries(opts.tokens ?? {})) users.set(token, user);

  // A deleted pod's logs and follow streams go with it (a recreated pod starts empty).
  cluster.store.subscribe((ev) => {
    if (ev.key === '/pods' && ev.type === 'DELETED') logs.dropPod(ev.obj.metadata.namespace, ev.obj.metadata.name);
  });

  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    cluster.applyControl({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }

  const nodeProxyStore: NodeProxyStore = {
    node: (name) => cluster.store.get('/nodes', undefined, name),
    pods: () => cluster.list(cluster.infoForKind('v1', 'Pod')),
  };

  const takeFailure = (resource: string, verb: string): number | undefined => {
    const f = failures.find(
      (x) => x.remaining > 0 && (!x.match?.resource || x.match.resource === resource) && (!x.match?.verb || x.match.verb === verb),
    );
    if (!f) return undefined;
    f.remaining--;
    if (f.remaining === 0) failures.splice(failures.indexOf(f), 1);
    return f.status;
  };

  const authenticate = (req: IncomingMessage): string | undefined => {
    const auth = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
    if (users.size === 0) return bearer ? (users.get(bearer) ?? 'system:anonymous') : 'system:anonymous';
    return bearer ? users.get(bearer) : undefined;
  };

  const serveDiscovery = (req: IncomingMessage, res: ServerResponse, path: string, parts: string[]): number => {
    const aggregated = wantsAggregated(req.headers.accept);
    const sendAggregated = (core: boolean) => {
      const v = aggregated!;
      const body = JSON.stringify(aggregatedDiscovery(cluster.catalog, core, v));
      res.writeHead(200, { 'Content-Type': v === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1, 'Content-Length': Buffer.byteLength(body), Vary: 'Accept' });
      res.end(body);
      return 200;
    };
    if (path === '/version') return sendJson(res, 200, versionInfo());
    if (path === '/api') return aggregated ? sendAggregated(true) : sendJson(res, 200, apiVersions(`${host}:${listener.up() ? port : 0}`));
    if (path === '/apis') return aggregated ? sendAggregated(false) : sendJson(res, 200, apiGroupList(cluster.catalog));
    if (parts[0] === 'api' && parts.length === 2) {
      const list = apiResourceList(cluster.catalog, '', parts[1]);
      if (list) return sendJson(res, 200, list);
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const g = apiGroupFor(cluster.catalog, parts[1]);
      if (g) return sendJson(res, 200, g);
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const list = apiResourceList(cluster.catalog, parts[1], parts[2]);
      if (list) return sendJson(res, 200, list);
    }
    if (path === '/openapi/v3') return sendJson(res, 200, openApiV3Root(cluster.catalog));
    if (parts[0] === 'openapi' && parts[1] === 'v3' && parts.length >= 4) {
      const [group, version] = parts[2] === 'api' ? ['', parts[3]] : [parts[3], parts[4]];
      const doc = version ? openApiV3GroupVersion(cluster.catalog, group ?? '', version) : undefined;
      if (doc) return sendJson(res, 200, doc);
    }
    // Everything else, /openapi/v2 included, is absent; kubectl copes (it uses OpenAPI v3).
    return sendJson(res, 404, statusObject(404, 'the server could not find the requested resource', 'NotFound'));
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (stallMs > 0) await new Promise((r) => setTimeout(r, stallMs));
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => (query[k] = v));
    const ri = parseRequestInfo(req.method ?? 'GET', path, query);
    if (HEALTH_PATHS.has(path)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    const user = authenticate(req);
    let entry: RequestLogEntry | undefined;
    if (ri.isResource) {
      entry = {
        time: new Date().toISOString(),
        verb: ri.verb,
        method: req.method ?? 'GET',
        path,
        group: ri.group,
        version: ri.version,
        resource: ri.resource,
        user: user ?? 'system:anonymous',
        query,
        status: 0,
      };
      if (ri.subresource) entry.subresource = ri.subresource;
      if (ri.namespace !== undefined) entry.namespace = ri.namespace;
      if (ri.name !== undefined) entry.name = ri.name;
      requests.push(entry);
    }
    const done = (status: number) => {
      if (entry) entry.status = status;
    };
    try {
      if (user === undefined) {
        done(sendJson(res, 401, statusObject(401, 'Unauthorized', 'Unauthorized')));
        return;
      }
      if (!ri.isResource) {
        serveDiscovery(req, res, path, ri.parts);
        return;
      }
      const injected = takeFailure(ri.resource, ri.verb);
      if (injected !== undefined) {
        if (injected === 429) res.setHeader('Retry-After', '1');
        done(sendJson(res, injected, statusObject(injected, `injected failure: ${injected} for ${ri.verb} ${ri.resource}`)));
        return;
      }
      // Status is recorded before the body is written so a test sees it as soon as it has the response.
      const origWriteHead = res.writeHead.bind(res) as (...a: any[]) => ServerResponse;
      (res as any).writeHead = (code: number, ...rest: any[]) => {
        done(code);
        return origWriteHead(code, ...rest);
      };
      if (isNodeProxy(ri)) {
        serveNodeProxy(req, res, ri, nodeProxyStore);
        return;
      }
      await handler.handle(req, res, ri, query);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, `internal error: ${(e as Error).message}`);
      if (!res.headersSent) done(sendJson(res, err.code, err.toStatus()));
      else res.destroy();
    }
  };

  let cert: SelfSignedCert | undefined;
  if (opts.tls) cert = makeCert({ commonName: 'kube-apiserver-emulator', hosts: [host] });
  const { listener, port } = await Listener.open('kube emulator', route, host, opts.port ?? 0, cert);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `${opts.tls ? 'https' : 'http'}://${urlHost}:${port}`;

  const podInfo = () => cluster.infoForKind('v1', 'Pod');
  const requirePod = (ns: string, pod: string, container: string): any => {
    const p = cluster.store.get('/pods', ns, pod);
    if (!p) throw new Error(`logs: pod ${ns}/${pod} does not exist`);
    const names = [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? []), ...(p.spec?.ephemeralContainers ?? [])].map((c: any) => c.name);
    if (!names.includes(container)) throw new Error(`logs: pod ${ns}/${pod} has no container ${container} (has: ${names.join(', ')})`);
    return p;
  };

  const emulator: KubeEmulator = {
    url,
    requests,
    caCertPath: cert?.certPath,
    apply: (obj) => structuredClone(cluster.applyControl(obj)),
    remove(apiVersion, kind, namespace, name) {
      const info = cluster.infoForKind(apiVersion, kind);
      try {
        cluster.delete(info, info.namespaced ? (namespace ?? 'default') : undefined, name);
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return false;
        throw e;
      }
    },
    get(apiVersion, kind, namespace, name) {
      const info = cluster.infoForKind(apiVersion, kind);
      const o = cluster.store.get(`${info.group}/${info.resource}`, info.namespaced ? (namespace ?? 'default') : undefined, name);
      return o ? structuredClone(cluster.present(info, o)) : undefined;
    },
    list(apiVersion, kind, namespace) {
      const info = cluster.infoForKind(apiVersion, kind);
      return structuredClone(cluster.list(info, namespace));
    },
    faults: {
      failNext(count, status, match) {
        if (!Number.isInteger(count) || count < 1) throw new Error('faults.failNext: count must be a positive integer');
        if (status < 400 || status > 599) throw new Error('faults.failNext: status must be 4xx or 5xx');
        failures.push({ remaining: count, status, match });
      },
      dropWatches: () => watches.dropAll(),
      endWatches: () => watches.endAll(),
      expireHistory: () => cluster.store.expireHistory(),
      setDown: (down) => listener.setDown(down),
      settled: () => listener.settled(),
      stall(ms) {
        stallMs = Math.max(0, ms);
      },
      sendErrorEventOnWatches(code) {
        const msg = code === 410 ? `too old resource version: ${cluster.store.compactedRv()} (${cluster.store.currentRv()})` : `injected watch error ${code}`;
        watches.failAll(code, msg);
      },
    },
    logs: {
      append(namespace, pod, container, lines, at) {
        requirePod(namespace, pod, container);
        logs.append(namespace, pod, container, lines, at);
      },
      restartContainer(namespace, pod, container) {
        const p = requirePod(namespace, pod, container);
        logs.restart(namespace, pod, container);
        const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        const statuses: any[] = structuredClone(p.status?.containerStatuses ?? []);
        let s = statuses.find((x) => x.name === container);
        if (!s) statuses.push((s = { name: container, ready: true, restartCount: 0, image: '', imageID: '', started: true }));
        s.lastState = { terminated: { exitCode: 1, reason: 'Error', startedAt: s.state?.running?.startedAt ?? now, finishedAt: now } };
        s.state = { running: { startedAt: now } };
        s.restartCount = (s.restartCount ?? 0) + 1;
        cluster.update(podInfo(), namespace, pod, { ...p, status: { ...p.status, containerStatuses: statuses } }, { control: true });
      },
    },
    writeKubeconfig: (path) => writeKubeconfigFile(path, { server: url, token: opts.token, caPem: cert?.cert }),
    async close() {
      watches.endAll();
      logs.endAll();
      await listener.close();
      cert?.dispose();
    },
  };
  return emulator;
}
