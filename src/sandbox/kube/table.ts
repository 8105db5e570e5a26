// meta.k8s.io/v1 Table rendering (what `kubectl get` asks for), with the columns the apiserver's
// printers produce for the common kinds, additionalPrinterColumns for custom resources, and
// NAME/AGE otherwise.
import type { ResourceInfo } from './resources.js';

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean | null;

const col = (name: string, type = 'string', priority = 0, format = ''): Column => ({ name, type, format, description: name, priority });
const NAME = col('Name', 'string', 0, 'name');
const AGE = col('Age');

/** Go's duration.HumanDuration, as kubectl shows ages. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (d < 365 * 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

function age(obj: any): string {
  const t = Date.parse(obj?.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? '<unknown>' : humanDuration(Date.now() - t);
}

function podRow(p: any): Cell[] {
  const statuses: any[] = p.status?.containerStatuses ?? [];
  const total = (p.spec?.containers ?? []).length;
  const ready = statuses.filter((s) => s.ready).length;
  const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
  let reason: string = p.status?.reason ?? p.status?.phase ?? 'Unknown';
  for (const s of statuses) {
    if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
    else if (s.state?.terminated?.reason && reason === 'Running') reason = s.state.terminated.reason;
  }
  if (p.metadata?.deletionTimestamp) reason = 'Terminating';
  return [p.metadata.name, `${ready}/${total}`, reason, restarts, age(p), p.status?.podIP ?? '<none>', p.spec?.nodeName ?? '<none>', '<none>', '<none>'];
}

function servicePorts(s: any): string {
  const ports: any[] = s.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function endpointsCell(e: any): string {
  const out: string[] = [];
  for (const sub of e.subsets ?? []) {
    for (const a of sub.addresses ?? []) for (const p of sub.ports ?? [{}]) out.push(p.port ? `${a.ip}:${p.port}` : a.ip);
  }
  if (out.length === 0) return '<none>';
  return out.length > 3 ? `${out.slice(0, 3).join(',')} + ${out.length - 3} more...` : out.join(',');
}

function nodeStatus(n: any): string {
  const ready = (n.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  let s = ready?.status === 'True' ? 'Ready' : 'NotReady';
  if (n.spec?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function nodeRoles(n: any): string {
  const roles = Object.keys(n.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length ? roles.join(',') : '<none>';
}

/** Evaluates the simple JSONPath subset CRD printer columns use (`.spec.a.b`, `.items[0].x`). */
function jsonPath(obj: any, path: string): Cell {
  let cur: any = obj;
  for (const part of path.replace(/^\{?\.?/, '').replace(/\}$/, '').split('.')) {
    if (!part) continue;
    const m = /^([^[]*)(?:\[(\d+)\])?$/.exec(part);
    if (!m) return null;
    if (m[1]) cur = cur?.[m[1]];
    if (m[2] !== undefined) cur = cur?.[Number(m[2])];
  }
  if (cur === undefined) return null;
  return typeof cur === 'object' ? JSON.stringify(cur) : cur;
}

interface Printer {
  columns: Column[];
  row(obj: any): Cell[];
}

function printerFor(info: ResourceInfo): Printer {
  if (info.crd) {
    const extra = info.crd.printerColumns;
    if (extra.length === 0) return { columns: [NAME, AGE], row: (o) => [o.metadata.name, age(o)] };
    return {
      columns: [NAME, ...extra.map((c) => col(c.name, c.type, c.priority ?? 0, c.format ?? ''))],
      row: (o) => [
        o.metadata.name,
        ...extra.map((c) => {
          const v = jsonPath(o, c.jsonPath);
          return c.type === 'date' && typeof v === 'string' ? humanDuration(Date.now() - Date.parse(v)) : v;
        }),
      ],
    };
  }
  const key = `${info.group}/${info.resource}`;
  switch (key) {
    case '/pods':
      return {
        columns: [NAME, col('Ready'), col('Status'), col('Restarts', 'string'), AGE, col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
        row: podRow,
      };
    case '/services':
      return {
        columns: [NAME, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), AGE, col('Selector', 'string', 1)],
        row: (s) => [
          s.metadata.name,
          s.spec?.type ?? 'ClusterIP',
          s.spec?.type === 'ExternalName' ? '<none>' : (s.spec?.clusterIP ?? '<none>'),
          s.spec?.type === 'ExternalName' ? (s.spec?.externalName ?? '<none>') : (s.status?.loadBalancer?.ingress?.map((i: any) => i.ip ?? i.hostname).join(',') || '<none>'),
          servicePorts(s),
          age(s),
          s.spec?.selector ? Object.entries(s.spec.selector).map(([k, v]) => `${k}=${v}`).join(',') : '<none>',
        ],
      };
    case '/endpoints':
      return { columns: [NAME, col('Endpoints'), AGE], row: (e) => [e.metadata.name, endpointsCell(e), age(e)] };
    case '/nodes':
      return {
        columns: [NAME, col('Status'), col('Roles'), AGE, col('Version'), col('Internal-IP', 'string', 1)],
        row: (n) => [
          n.metadata.name,
          nodeStatus(n),
          nodeRoles(n),
          age(n),
          n.status?.nodeInfo?.kubeletVersion ?? '',
          (n.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '<none>',
        ],
      };
    case '/namespaces':
      return { columns: [NAME, col('Status'), AGE], row: (n) => [n.metadata.name, n.status?.phase ?? 'Active', age(n)] };
    case '/configmaps':
      return { columns: [NAME, col('Data', 'integer'), AGE], row: (c) => [c.metadata.name, Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, age(c)] };
    case '/secrets':
      return { columns: [NAME, col('Type'), col('Data', 'integer'), AGE], row: (s) => [s.metadata.name, s.type ?? 'Opaque', Object.keys(s.data ?? {}).length, age(s)] };
    case 'apps/deployments':
      return {
        columns: [NAME, col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), AGE],
        row: (d) => [d.metadata.name, `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`, d.status?.updatedReplicas ?? 0, d.status?.availableReplicas ?? 0, age(d)],
      };
    case 'discovery.k8s.io/endpointslices':
      return {
        columns: [NAME, col('AddressType'), col('Ports'), col('Endpoints'), AGE],
        row: (e) => [
          e.metadata.name,
          e.addressType ?? '',
          (e.ports ?? []).map((p: any) => p.port ?? '<unset>').join(',') || '<unset>',
          (e.endpoints ?? []).flatMap((x: any) => x.addresses ?? []).slice(0, 3).join(',') || '<unset>',
          age(e),
        ],
      };
    case 'networking.k8s.io/ingresses':
      return {
        columns: [NAME, col('Class'), col('Hosts'), col('Address'), col('Ports'), AGE],
        row: (i) => [
          i.metadata.name,
          i.spec?.ingressClassName ?? '<none>',
          (i.spec?.rules ?? []).map((r: any) => r.host ?? '*').join(',') || '*',
          (i.status?.loadBalancer?.ingress ?? []).map((x: any) => x.ip ?? x.hostname).join(','),
          i.spec?.tls?.length ? '80, 443' : '80',
          age(i),
        ],
      };
    case 'apiextensions.k8s.io/customresourcedefinitions':
      return { columns: [NAME, col('Created At', 'date')], row: (c) => [c.metadata.name, c.metadata.creationTimestamp] };
    default:
      return { columns: [NAME, AGE], row: (o) => [o.metadata.name, age(o)] };
  }
}

function partialMetadata(obj: any): any {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** A Table of `objs`; `includeObject` is the query parameter (None|Metadata|Object, default Metadata). */
export function toTable(info: ResourceInfo, objs: any[], listMeta: any, includeObject = 'Metadata'): any {
  const p = printerFor(info);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: p.columns,
    rows: objs.map((o) => {
      const row: any = { cells: p.row(o) };
      if (includeObject === 'Object') row.object = o;
      else if (includeObject !== 'None') row.object = partialMetadata(o);
      return row;
    }),
  };
}

/** Does the Accept header ask for a Table? */
export function wantsTable(accept: string | undefined): boolean {
  for (const part of (accept ?? '').split(',')) {
    const params = part.split(';').map((s) => s.trim());
    if (params.includes('as=Table') && params.includes('g=meta.k8s.io')) return true;
  }
  return false;
}
