// Structural checks every render of our charts must pass (jest `expect` inside).
import { allRunFlags } from '../../src/cli/run.js';
import { parseFlags } from '../../src/cli/flags.js';
import { checkConfig, envNames, type ConfigCheck } from './config-check.js';
import { configOf, find, workload, type KubeObject } from './render.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CLUSTER_KINDS = new Set(['ClusterRole', 'ClusterRoleBinding', 'Namespace', 'CustomResourceDefinition']);

export interface RenderFacts {
  workload: KubeObject;
  podLabels: Record<string, string>;
  args: string[];
  flags: Record<string, string | boolean>;
  env: Map<string, any>;
  config: string;
  configCheck: ConfigCheck;
}

const subset = (sel: Record<string, string>, labels: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);

export function checkRender(objs: KubeObject[], namespace: string): RenderFacts {
  expect(objs.length).toBeGreaterThan(0);
  for (const o of objs) {
    const what = `${o.kind ?? '?'} ${o.metadata?.name ?? '?'}`;
    expect({ what, apiVersion: typeof o.apiVersion, kind: typeof o.kind, name: typeof o.metadata?.name }).toEqual({ what, apiVersion: 'string', kind: 'string', name: 'string' });
    expect({ what, dns: DNS_SUBDOMAIN.test(o.metadata.name) && o.metadata.name.length <= 253 }).toEqual({ what, dns: true });
    if (!CLUSTER_KINDS.has(o.kind)) expect({ what, namespaced: typeof o.metadata.namespace }).toEqual({ what, namespaced: 'string' });
    if (!['Role', 'RoleBinding'].includes(o.kind) && !CLUSTER_KINDS.has(o.kind)) expect({ what, ns: o.metadata.namespace }).toEqual({ what, ns: namespace });
  }
  const names = objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  expect(new Set(names).size).toBe(names.length);

  const w = workload(objs);
  const pod = w.spec.template;
  const podLabels = pod.metadata.labels as Record<string, string>;
  expect(Object.keys(w.spec.selector.matchLabels).length).toBeGreaterThan(0);
  expect(subset(w.spec.selector.matchLabels, podLabels)).toBe(true);

  const c = pod.spec.containers[0];
  const portNames = new Set((c.ports ?? []).map((p: any) => p.name));
  for (const svc of find(objs, 'Service')) {
    expect({ svc: svc.metadata.name, selects: subset(svc.spec.selector, podLabels) }).toEqual({ svc: svc.metadata.name, selects: true });
    for (const p of svc.spec.ports) expect({ svc: svc.metadata.name, port: p.targetPort, declared: portNames.has(p.targetPort) }).toEqual({ svc: svc.metadata.name, port: p.targetPort, declared: true });
  }
  for (const pdb of find(objs, 'PodDisruptionBudget')) expect(subset(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
  if (w.kind === 'StatefulSet') expect(find(objs, 'Service', w.spec.serviceName)).toHaveLength(1);

  // Arguments: exactly what our CLI accepts.
  const args = c.args as string[];
  expect(args[0]).toBe('run');
  const parsed = parseFlags(args.slice(1), allRunFlags());
  expect(parsed.positionals).toHaveLength(1);
  const configMount = c.volumeMounts.find((m: any) => m.name === 'config');
  expect(parsed.positionals[0].startsWith(`${configMount.mountPath}/`)).toBe(true);
  // The pod's IP must be bound (probes and Services come in on it): every interface, or $(POD_IP).
  expect(parsed.flags['server.http.listen-addr']).toMatch(/^(0\.0\.0\.0|\[::\]|\$\(POD_IP\)):\d+$/);
  const storageMount = c.volumeMounts.find((m: any) => m.mountPath === parsed.flags['storage.path']);
  expect(storageMount).toBeDefined();

  // Every mount has a volume (or a claim template).
  const volumes = new Set([...(pod.spec.volumes ?? []).map((v: any) => v.name), ...(w.spec.volumeClaimTemplates ?? []).map((v: any) => v.metadata.name)]);
  for (const m of c.volumeMounts) expect({ mount: m.name, hasVolume: volumes.has(m.name) }).toEqual({ mount: m.name, hasVolume: true });

  // Environment: unique names; $(VAR) in args and sys.env in the config are defined.
  const envList = (c.env ?? []) as any[];
  const env = new Map(envList.map((e) => [e.name, e]));
  expect(env.size).toBe(envList.length);
  for (const a of args) for (const m of a.matchAll(/\$\(([A-Z_][A-Z0-9_]*)\)/g)) expect({ arg: a, defined: env.has(m[1]) }).toEqual({ arg: a, defined: true });
  for (const e of envList) {
    if (e.valueFrom?.secretKeyRef) expect(typeof e.valueFrom.secretKeyRef.name === 'string' && e.valueFrom.secretKeyRef.name.length > 0 && typeof e.valueFrom.secretKeyRef.key === 'string').toBe(true);
  }
  const config = configOf(objs);
  for (const name of envNames(config)) expect({ env: name, defined: env.has(name) }).toEqual({ env: name, defined: true });
  // Values from Secrets or the downward API are unknown here: a URL-shaped placeholder stands in.
  const envValues = Object.fromEntries(envList.map((e) => [e.name, typeof e.value === 'string' ? e.value : `http://from-${e.name.toLowerCase().replace(/_/g, '-')}.invalid/`]));
  const configCheck = checkConfig(config, `${w.metadata.name}/config.alloy`, envValues);

  // Hardening.
  expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  expect(c.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'http' });
  expect(portNames.has('http')).toBe(true);
  expect(c.ports.find((p: any) => p.name === 'http').containerPort).toBe(Number(String(parsed.flags['server.http.listen-addr']).split(':').pop()));

  // A NetworkPolicy selects these pods and opens only ports they declare.
  const containerPorts = new Set((c.ports ?? []).map((p: any) => p.containerPort));
  for (const np of find(objs, 'NetworkPolicy')) {
    expect(subset(np.spec.podSelector.matchLabels, podLabels)).toBe(true);
    for (const rule of np.spec.ingress ?? []) for (const p of rule.ports ?? []) expect({ np: np.metadata.name, port: p.port, declared: containerPorts.has(p.port) || portNames.has(p.port) }).toEqual({ np: np.metadata.name, port: p.port, declared: true });
  }

  // The ServiceAccount is part of the render (or named explicitly) and bindings point at it.
  const sa = pod.spec.serviceAccountName;
  for (const b of objs.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: sa, namespace }]);
    const role = objs.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name);
    expect({ binding: b.metadata.name, roleInRender: !!role }).toEqual({ binding: b.metadata.name, roleInRender: true });
  }

  return { workload: w, podLabels, args, flags: parsed.flags, env, config, configCheck };
}
