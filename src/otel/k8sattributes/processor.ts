// Adds pod metadata to each resource of a request, as the Collector's
// k8sattributes processor: find the pod identifier of the resource (the first
// association rule whose every source resolves; without rules: k8s.pod.ip,
// ip, the connection's address, then an IP-valued host.name), record a
// connection-sourced IP as k8s.pod.ip, and (unless passthrough) add the pod's
// attributes, then its container's. Attributes already on the resource win.
// The input is never modified: resources that change are copied.
import type { KeyValue, OtelContext, Resource, Signal, SignalData } from '../../pipeline/otel.js';
import type { Rules } from './config.js';
import { identifierKey, type PodTable } from './pod-table.js';

const TOP: Record<Signal, string> = { traces: 'resourceSpans', metrics: 'resourceMetrics', logs: 'resourceLogs' };

function stringAttr(attrs: readonly KeyValue[], key: string): string | undefined {
  const v = attrs.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue || undefined;
  if (v.intValue !== undefined) return v.intValue;
  return undefined;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const looksLikeIp = (s: string) => IPV4.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));

interface Identifier {
  key: string;
  /** The connection's IP when a connection source produced it (recorded as k8s.pod.ip). */
  connectionIp?: string;
}

export function resourceIdentifier(attrs: readonly KeyValue[], ctx: OtelContext | undefined, rules: Rules): Identifier | undefined {
  const conn = ctx?.clientAddress;
  if (rules.associations.length === 0) {
    const ip = stringAttr(attrs, 'k8s.pod.ip') ?? stringAttr(attrs, 'ip');
    if (ip) return { key: identifierKey([{ from: 'connection', value: ip }]) };
    if (conn) return { key: identifierKey([{ from: 'connection', value: conn }]), connectionIp: conn };
    const host = stringAttr(attrs, 'host.name');
    if (host && looksLikeIp(host)) return { key: identifierKey([{ from: 'connection', value: host }]) };
    return undefined;
  }
  for (const rule of rules.associations) {
    const parts: { from: string; name?: string; value: string }[] = [];
    for (const s of rule) {
      const value = s.from === 'connection' ? conn : stringAttr(attrs, s.name!);
      if (!value) break;
      parts.push({ ...s, value });
    }
    if (parts.length === rule.length) return { key: identifierKey(parts), connectionIp: rule.some((s) => s.from === 'connection') ? conn : undefined };
  }
  return undefined;
}

export class K8sAttributesProcessor {
  constructor(
    private readonly rules: Rules,
    private readonly table: PodTable | undefined,
    private readonly passthrough: boolean,
  ) {}

  /** The resource with the pod's attributes added, or the same object when nothing was added. */
  resource(resource: Resource | undefined, ctx: OtelContext | undefined): Resource | undefined {
    const attrs = resource?.attributes ?? [];
    const id = resourceIdentifier(attrs, ctx, this.rules);
    if (!id) return resource;
    const added: KeyValue[] = [];
    const have = new Set(attrs.map((a) => a.key));
    const put = (key: string, value: string) => {
      if (have.has(key)) return;
      have.add(key);
      added.push({ key, value: { stringValue: value } });
    };
    if (id.connectionIp) put('k8s.pod.ip', id.connectionIp);
    const pod = this.passthrough ? undefined : this.table?.get(id.key);
    if (pod) {
      for (const [k, v] of Object.entries(pod.attributes)) put(k, v);
      const byId = stringAttr(attrs, 'container.id');
      const name = stringAttr(attrs, 'k8s.container.name') ?? (byId ? pod.containerIds.get(byId) : undefined);
      const container = name ? pod.containers.get(name) : undefined;
      if (container) for (const [k, v] of Object.entries(container)) put(k, v);
    }
    if (added.length === 0) return resource;
    return { ...(resource ?? {}), attributes: [...attrs, ...added] };
  }

  process<S extends Signal>(signal: S, data: SignalData[S], ctx: OtelContext | undefined): SignalData[S] {
    const top = TOP[signal];
    const list = (data as unknown as Record<string, { resource?: Resource }[]>)[top] ?? [];
    let changed = false;
    const out = list.map((r) => {
      const res = this.resource(r.resource, ctx);
      if (res === r.resource) return r;
      changed = true;
      return { ...r, resource: res };
    });
    return changed ? ({ ...data, [top]: out } as SignalData[S]) : data;
  }
}
