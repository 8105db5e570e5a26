// Parses a request path into the apiserver's RequestInfo (group, version, namespace, resource,
// name, subresource) and derives the verb.
import type { Verb } from './types.js';

export interface RequestInfo {
  isResource: boolean;
  path: string;
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  verb: Verb;
  /** For the `proxy` subresource: the path after `/proxy` (`/pods`), `/` when none. */
  proxyPath?: string;
  /** Remaining parts for non-resource and discovery paths. */
  parts: string[];
}

// Subresources of a namespace object (`/api/v1/namespaces/x/status`), not namespaced resources.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, pathname: string, query: Record<string, string>): RequestInfo {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const base: RequestInfo = { isResource: false, path: pathname, group: '', version: '', resource: '', verb: 'get', parts };
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    base.version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    base.group = parts[1];
    base.version = parts[2];
    rest = parts.slice(3);
  } else return base;
  if (rest.length === 0) return base; // group-version discovery document

  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  const info: RequestInfo = { ...base, isResource: true };
  if (rest[0] === 'namespaces' && rest.length > 1) {
    info.namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1];
  info.subresource = rest[2];
  if (rest[2] === 'proxy') {
    // As the apiserver: the proxy subresource is `proxy` whatever path follows it (RBAC `nodes/proxy`).
    info.proxyPath = `/${rest.slice(3).join('/')}`;
  } else if (rest.length > 3) info.subresource = rest.slice(2).join('/');

  const watch = legacyWatch || query.watch === 'true' || query.watch === '1';
  switch (method) {
    case 'GET':
    case 'HEAD':
      info.verb = info.name ? (watch ? 'watch' : 'get') : watch ? 'watch' : 'list';
      break;
    case 'POST':
      info.verb = 'create';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = info.name ? 'delete' : 'deletecollection';
      break;
    default:
      info.verb = 'get';
  }
  // A proxied GET is a get of the proxy subresource whatever its query says (`watch` is the target's business).
  if (info.proxyPath !== undefined && info.verb === 'watch') info.verb = 'get';
  return info;
}
