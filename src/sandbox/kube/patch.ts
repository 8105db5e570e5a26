// PATCH bodies: RFC 6902 JSON patch, RFC 7386 merge patch and the strategic merge patch that
// kubectl apply sends for built-in kinds (merge keys from the Kubernetes API types).
import { ApiError } from './status.js';

type Json = any;

const isObj = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new ApiError(422, `invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: Json, path: string[]): Json {
  let cur = doc;
  for (const p of path) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObj(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

export function jsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new ApiError(400, 'json patch must be an array of operations');
  let out = clone(doc);
  const fail = (op: Json, why: string): never => {
    throw new ApiError(422, `the server rejected our request due to an error in our request: ${why} (op ${JSON.stringify(op)})`);
  };
  const parentOf = (path: string[], op: Json): { parent: Json; key: string } => {
    if (path.length === 0) fail(op, 'cannot operate on the document root');
    const parent = getAt(out, path.slice(0, -1));
    if (!isObj(parent) && !Array.isArray(parent)) fail(op, `missing path "/${path.slice(0, -1).join('/')}"`);
    return { parent, key: path[path.length - 1] };
  };
  const remove = (path: string[], op: Json): Json => {
    const { parent, key } = parentOf(path, op);
    if (Array.isArray(parent)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= parent.length) fail(op, `index ${key} out of range`);
      return parent.splice(i, 1)[0];
    }
    if (!(key in parent)) fail(op, `missing key "${key}"`);
    const v = parent[key];
    delete parent[key];
    return v;
  };
  const add = (path: string[], value: Json, op: Json) => {
    if (path.length === 0) {
      out = clone(value);
      return;
    }
    const { parent, key } = parentOf(path, op);
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : Number(key);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) fail(op, `index ${key} out of range`);
      parent.splice(i, 0, clone(value));
    } else parent[key] = clone(value);
  };
  for (const op of ops) {
    const path = decodePointer(String(op?.path ?? ''));
    switch (op?.op) {
      case 'add':
        add(path, op.value, op);
        break;
      case 'remove':
        remove(path, op);
        break;
      case 'replace':
        if (path.length) remove(path, op);
        add(path, op.value, op);
        break;
      case 'move': {
        const v = remove(decodePointer(String(op.from ?? '')), op);
        add(path, v, op);
        break;
      }
      case 'copy':
        add(path, getAt(out, decodePointer(String(op.from ?? ''))), op);
        break;
      case 'test':
        if (JSON.stringify(getAt(out, path)) !== JSON.stringify(op.value)) fail(op, 'test failed');
        break;
      default:
        fail(op, `unknown operation ${JSON.stringify(op?.op)}`);
    }
  }
  return out;
}

/**
 * Merge key of a list field, from the `patchMergeKey` tags of the Kubernetes Go types.
 * `path` is the list's path of field names (array levels omitted), e.g. ['spec','template','spec','containers'].
 * Returns '' for lists of primitives merged as sets, undefined for atomic lists (replaced).
 */
function mergeKeyFor(path: string[]): string | undefined {
  const field = path[path.length - 1];
  const parent = path[path.length - 2];
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'resourceClaims':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'hostAliases':
      return 'ip';
    case 'ownerReferences':
      return 'uid';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'conditions':
      return 'type';
    case 'finalizers':
      return '';
    case 'ports':
      // Container ports merge on containerPort, Service ports on port; EndpointSubset ports are atomic.
      if (parent === 'containers' || parent === 'initContainers' || parent === 'ephemeralContainers') return 'containerPort';
      if (path.length === 2 && path[0] === 'spec') return 'port';
      return undefined;
    default:
      return undefined;
  }
}

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

/** Strategic merge patch of `original` with `patch`. */
export function strategicMergePatch(original: Json, patch: Json, path: string[] = []): Json {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, Json> = isObj(original) ? clone(original) : {};
  const orders: Record<string, Json[]> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith(SET_ORDER)) {
      orders[k.slice(SET_ORDER.length)] = v as Json[];
      continue;
    }
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      if (Array.isArray(out[field])) out[field] = out[field].filter((x: Json) => !(v as Json[]).includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const childPath = [...path, k];
    if (Array.isArray(v)) {
      out[k] = mergeList(out[k], v, childPath);
    } else if (isObj(v)) {
      const merged = strategicMergePatch(out[k], v, childPath);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  for (const [field, order] of Object.entries(orders)) {
    if (Array.isArray(out[field])) out[field] = applyOrder(out[field], order, mergeKeyFor([...path, field]));
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
  }
  return out;
}

function mergeList(original: Json, patch: Json[], path: string[]): Json[] {
  const key = mergeKeyFor(path);
  if (key === undefined) return clone(patch.filter((x) => !(isObj(x) && x.$patch)));
  if (patch.some((x) => isObj(x) && x.$patch === 'replace')) return clone(patch.filter((x) => !(isObj(x) && x.$patch)));
  const out: Json[] = Array.isArray(original) ? clone(original) : [];
  if (key === '') {
    for (const x of patch) if (!out.includes(x)) out.push(x);
    return out;
  }
  for (const item of patch) {
    if (!isObj(item)) continue;
    const idx = out.findIndex((o) => isObj(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], item, path);
    else out.push(strategicMergePatch({}, item, path));
  }
  return out;
}

function applyOrder(list: Json[], order: Json[], key: string | undefined): Json[] {
  const id = (x: Json) => (key && isObj(x) ? JSON.stringify(x[key]) : JSON.stringify(x));
  const wanted = order.map((o) => (key && isObj(o) ? JSON.stringify(o[key]) : JSON.stringify(o)));
  const ordered = wanted.map((w) => list.find((x) => id(x) === w)).filter((x) => x !== undefined);
  const rest = list.filter((x) => !wanted.includes(id(x)));
  return [...ordered, ...rest];
}
