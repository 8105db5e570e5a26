// The API server's node proxy, `/api/v1/nodes/<node>[:port]/proxy/<path>`, for the one kubelet
// path discovery.kubelet reads: `GET …/proxy/pods` answers the PodList the node's kubelet would.
// The real apiserver forwards to the kubelet; here the answer is built from the same store the
// kubelet emulator reads, so both give the same list. Authorization is RBAC `get` on
// `nodes/proxy`, which is how the request is logged (resource nodes, subresource proxy).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nodePodList } from './node-pods.js';
import type { RequestInfo } from './request-info.js';
import { sendJson } from './resource-handler.js';
import { statusObject } from './status.js';

export interface NodeProxyStore {
  /** The stored Node of that name, if any. */
  node(name: string): any | undefined;
  /** Every stored pod. */
  pods(): any[];
}

export function isNodeProxy(ri: RequestInfo): boolean {
  return ri.isResource && ri.group === '' && ri.resource === 'nodes' && ri.subresource === 'proxy' && !!ri.name;
}

/** `node`, `node:port` or `scheme:node:port`, as the apiserver accepts in the proxy path. */
export function nodeNameOf(name: string): string {
  const parts = name.split(':');
  if (parts.length === 3) return parts[1];
  return parts[0];
}

function sendText(res: ServerResponse, status: number, body: string): number {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  return status;
}

/** Answers one node proxy request; returns the status sent. */
export function serveNodeProxy(req: IncomingMessage, res: ServerResponse, ri: RequestInfo, store: NodeProxyStore): number {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    return sendJson(res, 405, statusObject(405, `the node proxy of this emulator serves GET only, not ${method}`, 'MethodNotAllowed'));
  }
  const node = nodeNameOf(ri.name!);
  if (!store.node(node)) {
    return sendJson(res, 404, statusObject(404, `nodes "${node}" not found`, 'NotFound', { name: node, kind: 'nodes' }));
  }
  const path = (ri.proxyPath ?? '/').replace(/\/+$/, '');
  if (path === '/pods') {
    const body = JSON.stringify(nodePodList(store.pods(), node));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(method === 'HEAD' ? undefined : body);
    return 200;
  }
  // Other kubelet paths are not emulated; the kubelet's own plain-text 404 comes back through the proxy.
  return sendText(res, 404, '404 page not found');
}
