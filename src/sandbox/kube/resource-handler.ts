// Serves resource requests (get, list, watch, create, update, patch, delete, deletecollection,
// status and log subresources) against the Cluster.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import YAML from 'yaml';
import type { Cluster } from './cluster.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import type { PodLogStore } from './pod-logs.js';
import { parseLogQuery } from './pod-logs.js';
import type { RequestInfo } from './request-info.js';
import { groupVersion, type ResourceInfo } from './resources.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError, badRequest, gone, statusObject } from './status.js';
import { toTable, wantsTable } from './table.js';
import { serveWatch, type WatchRegistry } from './watch.js';

const MAX_BODY = 16 * 1024 * 1024;

export interface HandlerContext {
  cluster: Cluster;
  logs: PodLogStore;
  watches: WatchRegistry;
  bookmarkIntervalMs: number;
  watchExpiredAs: 'event' | 'status';
}

/** Writes a JSON response; returns the status for the audit log. */
export function sendJson(res: ServerResponse, status: number, body: unknown): number {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), 'Cache-Control': 'no-cache, private' });
  res.end(data);
  return status;
}

export async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'request entity too large', 'RequestEntityTooLarge');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  try {
    return type.includes('yaml') ? YAML.parse(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
}

/** List snapshots for `limit`/`continue` paging: a consistent list like the apiserver's. */
class ListSnapshots {
  private readonly snaps = new Map<string, { rv: number; items: any[] }>();

  put(rv: number, items: any[]): string {
    const id = randomBytes(8).toString('hex');
    this.snaps.set(id, { rv, items });
    while (this.snaps.size > 64) this.snaps.delete(this.snaps.keys().next().value as string);
    return id;
  }

  get(id: string): { rv: number; items: any[] } | undefined {
    return this.snaps.get(id);
  }
}

const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response to get an inconsistent list.';

export class ResourceHandler {
  private readonly snapshots = new ListSnapshots();

  constructor(private readonly ctx: HandlerContext) {}

  /** Handles one resource request; returns the HTTP status sent. */
  async handle(req: IncomingMessage, res: ServerResponse, ri: RequestInfo, query: Record<string, string>): Promise<number> {
    const { cluster } = this.ctx;
    const info = cluster.catalog.byResource(ri.group, ri.version, ri.resource);
    if (!info) throw new ApiError(404, 'the server could not find the requested resource', 'NotFound');
    if (ri.subresource && !info.subresources.includes(ri.subresource)) throw new ApiError(404, 'the server could not find the requested resource', 'NotFound');
    if (!info.namespaced && ri.namespace !== undefined && info.resource !== 'namespaces') {
      throw new ApiError(404, 'the server could not find the requested resource', 'NotFound');
    }
    const ns = info.namespaced ? ri.namespace : undefined;
    if (info.namespaced && ns === undefined && ri.verb !== 'list' && ri.verb !== 'watch' && ri.verb !== 'deletecollection') {
      throw new ApiError(404, 'the server could not find the requested resource', 'NotFound');
    }
    const table = wantsTable(req.headers.accept);
    const dryRun = query.dryRun === 'All';

    if (ri.subresource === 'log') {
      if (req.method !== 'GET') throw new ApiError(405, `${req.method} is not supported on pods/log`, 'MethodNotAllowed');
      const pod = cluster.get(info, ns, ri.name!);
      let status = 200;
      this.ctx.logs.serve(res, pod, parseLogQuery(query), (s) => (status = s));
      return status;
    }

    switch (ri.verb) {
      case 'get': {
        const obj = cluster.get(info, ns, ri.name!);
        return sendJson(res, 200, table ? toTable(info, [obj], { resourceVersion: obj.metadata.resourceVersion }, query.includeObject) : obj);
      }
      case 'list':
        return this.list(res, info, ns, query, table);
      case 'watch': {
        let fieldSelector = query.fieldSelector;
        if (ri.name) fieldSelector = [fieldSelector, `metadata.name=${ri.name}`].filter(Boolean).join(',');
        return serveWatch(
          res,
          cluster,
          this.ctx.watches,
          {
            info,
            namespace: ns,
            labels: parseLabelSelector(query.labelSelector),
            fields: parseFieldSelector(fieldSelector, `${info.group}/${info.resource}`),
            resourceVersion: query.resourceVersion,
            allowBookmarks: query.allowWatchBookmarks === 'true' || query.allowWatchBookmarks === '1',
            sendInitialEvents: query.sendInitialEvents === 'true' ? true : undefined,
            timeoutSeconds: query.timeoutSeconds ? Number(query.timeoutSeconds) : undefined,
            table,
            includeObject: query.includeObject,
          },
          { bookmarkIntervalMs: this.ctx.bookmarkIntervalMs, expiredAs: this.ctx.watchExpiredAs },
        );
      }
      case 'create': {
        if (ri.name) throw new ApiError(405, `POST is not supported on a named ${info.resource}`, 'MethodNotAllowed');
        const body = await readBody(req);
        return sendJson(res, 201, cluster.create(info, ns, body, { dryRun }));
      }
      case 'update': {
        const body = await readBody(req);
        const sub = ri.subresource === 'status' ? 'status' : undefined;
        return sendJson(res, 200, cluster.update(info, ns, ri.name!, body, { dryRun, subresource: sub }));
      }
      case 'patch':
        return this.patch(req, res, info, ns, ri, dryRun);
      case 'delete': {
        const body = (await readBody(req)) ?? {};
        const dry = dryRun || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
        const deleted = cluster.delete(info, ns, ri.name!, { dryRun: dry, preconditions: body.preconditions });
        // Pods (graceful deletion) and objects held by finalizers come back as objects; others as a Status.
        if (info.group === '' && info.resource === 'pods') return sendJson(res, 200, deleted);
        if (deleted.metadata.deletionTimestamp && deleted.metadata.finalizers?.length) return sendJson(res, 200, deleted);
        return sendJson(res, 200, {
          ...statusObject(200, ''),
          details: { name: ri.name, group: info.group, kind: info.resource, uid: deleted.metadata.uid },
        });
      }
      case 'deletecollection': {
        const labels = parseLabelSelector(query.labelSelector);
        const fields = parseFieldSelector(query.fieldSelector, `${info.group}/${info.resource}`);
        const victims = cluster.list(info, ns).filter((o) => matchLabels(labels, o.metadata.labels) && matchFields(fields, o));
        const items = victims.map((o) => cluster.delete(info, o.metadata.namespace, o.metadata.name, { dryRun }));
        return sendJson(res, 200, { kind: info.listKind, apiVersion: groupVersion(info), metadata: { resourceVersion: String(cluster.store.currentRv()) }, items });
      }
    }
    throw new ApiError(405, 'method not allowed', 'MethodNotAllowed');
  }

  private list(res: ServerResponse, info: ResourceInfo, ns: string | undefined, query: Record<string, string>, table: boolean): number {
    const { cluster } = this.ctx;
    const limit = query.limit ? Number(query.limit) : 0;
    if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit: Invalid value: "${query.limit}": must be a non-negative integer`);
    let rv: number;
    let items: any[];
    let offset = 0;
    let snapId: string | undefined;
    if (query.continue) {
      let token: { id: string; offset: number; rv: number };
      try {
        token = JSON.parse(Buffer.from(query.continue, 'base64url').toString('utf8'));
      } catch {
        throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
      }
      const snap = this.snapshots.get(token.id);
      if (!snap || token.rv < cluster.store.compactedRv()) throw gone(CONTINUE_TOO_OLD);
      ({ rv, items } = snap);
      offset = token.offset;
      snapId = token.id;
    } else {
      const labels = parseLabelSelector(query.labelSelector);
      const fields = parseFieldSelector(query.fieldSelector, `${info.group}/${info.resource}`);
      rv = cluster.store.currentRv();
      items = cluster.list(info, ns).filter((o) => matchLabels(labels, o.metadata.labels) && matchFields(fields, o));
    }
    const meta: any = { resourceVersion: String(rv) };
    let page = items.slice(offset);
    if (limit > 0 && page.length > limit) {
      page = page.slice(0, limit);
      snapId ??= this.snapshots.put(rv, items);
      meta.continue = Buffer.from(JSON.stringify({ id: snapId, offset: offset + limit, rv })).toString('base64url');
      if (!query.labelSelector && !query.fieldSelector) meta.remainingItemCount = items.length - offset - limit;
    }
    if (table) return sendJson(res, 200, toTable(info, page, meta, query.includeObject));
    return sendJson(res, 200, { kind: info.listKind, apiVersion: groupVersion(info), metadata: meta, items: page });
  }

  private async patch(req: IncomingMessage, res: ServerResponse, info: ResourceInfo, ns: string | undefined, ri: RequestInfo, dryRun: boolean): Promise<number> {
    const { cluster } = this.ctx;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const accepted = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
    if (!info.crd) accepted.push('application/strategic-merge-patch+json');
    if (!accepted.includes(type)) {
      throw new ApiError(415, `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, 'UnsupportedMediaType');
    }
    const patch = await readBody(req);
    if (patch === undefined) throw badRequest('the body of the request is empty');
    const sub = ri.subresource === 'status' ? 'status' : undefined;
    if (type === 'application/apply-patch+yaml') {
      // Server-side apply, simplified: create when missing, otherwise merge the applied configuration.
      let existing: any;
      try {
        existing = cluster.get(info, ns, ri.name!);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
      if (!existing) return sendJson(res, 201, cluster.create(info, ns, { ...patch, metadata: { ...patch.metadata, name: ri.name } }, { dryRun }));
      const merged = info.crd ? mergePatch(existing, patch) : strategicMergePatch(existing, patch);
      return sendJson(res, 200, cluster.update(info, ns, ri.name!, merged, { dryRun, subresource: sub }));
    }
    const current = cluster.get(info, ns, ri.name!);
    let next: any;
    if (type === 'application/json-patch+json') next = jsonPatch(current, patch);
    else if (type === 'application/merge-patch+json') next = mergePatch(current, patch);
    else next = strategicMergePatch(current, patch);
    // `next` carries the resourceVersion just read unless the patch sets one: a patch is unconditional
    // unless it asks for a precondition, exactly like the apiserver.
    return sendJson(res, 200, cluster.update(info, ns, ri.name!, next, { dryRun, subresource: sub }));
  }
}
