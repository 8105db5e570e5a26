// The role registry's claim: a role is its descriptor. A toy role registered
// here (no other code changed) is validated and discovered end to end, and
// every built-in descriptor is consistent with the API it watches and with the
// lookups its target builder reads.
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.js';
import { canon, runDiscovery, type Running } from '../../../e2e/discovery/helpers.js';
import { loadFixture } from '../../../e2e/discovery/fixture.js';
import { contextOf } from '../../../e2e/lib/fixtures/kube-objects.js';
import type { Target } from '../../relabel/targets.js';
import { validateDiscoveryArgs, watchedSelectorRoles, type DiscoveryArgs } from './arguments.js';
import { ADDRESS, META, NAMESPACE_LABEL, namespaceMetaLabels, nm, ns } from './labels.js';
import { NAMESPACE_METADATA } from './metadata.js';
import { SERVICES } from './resources.js';
import { ATTACH_METADATA_FLAGS, LOOKUP_NAMESPACED, type ResourceRef, type RoleDescriptor } from './role.js';
import { registerRole, roleDescriptor, roleDescriptors, roleNames } from './roles.js';
import { serviceLabels } from './service.js';
import type { KubeObject, RoleContext } from './types.js';

const allOn = Object.fromEntries(ATTACH_METADATA_FLAGS.map((f) => [f, true]));

function apiPath(r: ResourceRef): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

async function getJson(emu: KubeEmulator, path: string): Promise<any> {
  const res = await fetch(`${emu.url}${path}`);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  return res.json();
}

/** A role no built-in code knows: one target per ConfigMap with an `address` key, joined with the Service of the same name. */
const configMapRole: RoleDescriptor<KubeObject & { data?: Record<string, string> }> = {
  role: 'configmap',
  resource: { group: '', version: 'v1', resource: 'configmaps', namespaced: true },
  extraWatches: [{ resource: SERVICES, lookup: 'service', selectorRole: 'service' }, NAMESPACE_METADATA],
  build(cm, ctx) {
    const namespace = ns(cm.metadata);
    const name = nm(cm.metadata);
    const svc = ctx.service?.(namespace, name);
    const address = cm.data?.address;
    return {
      source: `configmap/${namespace}/${name}`,
      labels: { [NAMESPACE_LABEL]: namespace, ...(svc ? serviceLabels(svc) : {}), ...namespaceMetaLabels(ctx, namespace) },
      targets: address ? [{ [ADDRESS]: address, [`${META}configmap_name`]: name }] : [],
    };
  },
};

describe('discovery roles are descriptors', () => {
  let emu: KubeEmulator;
  const running: Running[] = [];
  beforeEach(async () => {
    emu = await startKubeEmulator();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
    await emu.close();
  });

  test('a toy role registered from its descriptor alone is validated and discovered, selectors and lookups included', async () => {
    const args: Omit<DiscoveryArgs, 'api_server'> = {
      role: 'configmap',
      selectors: [
        { role: 'configmap', label: 'scrape=yes' },
        { role: 'service', label: 'tier=front' },
      ],
      attach_metadata: { namespace: true },
    };
    expect(() => validateDiscoveryArgs(args)).toThrow(/role "configmap" is not one of pod, service, endpoints, endpointslice, node, ingress$/);
    const unregister = registerRole(configMapRole);
    try {
      expect(roleNames()).toEqual(['pod', 'service', 'endpoints', 'endpointslice', 'node', 'ingress', 'configmap']);
      expect(() => registerRole(configMapRole)).toThrow(/"configmap" is already registered/);
      expect(validateDiscoveryArgs(args)).toEqual([]);
      expect([...watchedSelectorRoles(args)].sort()).toEqual(['configmap', 'service']);
      expect(validateDiscoveryArgs({ ...args, selectors: [{ role: 'pod' }] })).toEqual(['selectors: the pod selector is ignored: the configmap role does not watch pods']);

      for (const [name, team] of [['toy-a', 'a'], ['toy-b', 'b']]) emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team } } });
      const cm = (namespace: string, name: string, scrape: string, address: string) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace, labels: { scrape } },
        data: { address },
      });
      emu.apply(cm('toy-a', 'web', 'yes', '127.0.0.5:9100'));
      emu.apply(cm('toy-a', 'skip', 'no', '127.0.0.6:1'));
      emu.apply(cm('toy-b', 'db', 'yes', '127.0.0.7:5432'));
      const svc = (namespace: string, name: string, tier: string) => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace, labels: { tier } },
        spec: { ports: [{ port: 80 }] },
      });
      emu.apply(svc('toy-a', 'web', 'front'));
      emu.apply(svc('toy-b', 'db', 'back'));

      const r = await runDiscovery(emu, args);
      running.push(r);
      const byAddress = () => new Map(r.targets().map((t) => [t.__address__, t]));
      await r.ctx.waitForExports((e) => ((e.targets as Target[]) ?? []).length === 2, 10000);
      await r.waitHealth('healthy');
      const web = byAddress().get('127.0.0.5:9100')!;
      const db = byAddress().get('127.0.0.7:5432')!;
      expect(web).toMatchObject({
        __meta_kubernetes_configmap_name: 'web',
        __meta_kubernetes_namespace: 'toy-a',
        __meta_kubernetes_service_name: 'web',
        __meta_kubernetes_service_label_tier: 'front',
        __meta_kubernetes_namespace_label_team: 'a',
      });
      // The service selector of the descriptor's extra watch filtered the back-tier service out.
      expect(db).toMatchObject({ __meta_kubernetes_configmap_name: 'db', __meta_kubernetes_namespace_label_team: 'b' });
      expect(Object.keys(db).filter((k) => k.startsWith('__meta_kubernetes_service_'))).toEqual([]);
      // The role's own selector went to the API server on the configmaps list.
      const lists = emu.requests.filter((q) => q.resource === 'configmaps' && q.verb === 'list');
      expect(lists.length).toBeGreaterThan(0);
      expect(lists.every((q) => q.query.labelSelector === 'scrape=yes')).toBe(true);

      // Changes of the role's resource are watched like any built-in role's.
      emu.apply(cm('toy-a', 'skip', 'yes', '127.0.0.6:1'));
      await r.ctx.waitForExports((e) => ((e.targets as Target[]) ?? []).some((t) => t.__address__ === '127.0.0.6:1'), 10000);
      expect(canon(r.targets()).length).toBe(3);
    } finally {
      unregister();
    }
    expect(roleDescriptor('configmap')).toBeUndefined();
    expect(() => validateDiscoveryArgs(args)).toThrow(/role "configmap" is not one of/);
  }, 30000);

  test("every built-in role's resources are served by the API (emulator) with the scope the descriptor states", async () => {
    expect(roleNames()).toEqual(['pod', 'service', 'endpoints', 'endpointslice', 'node', 'ingress']);
    const checked = new Set<string>();
    for (const d of roleDescriptors()) {
      for (const r of [d.resource, ...d.extraWatches.map((w) => w.resource)]) {
        const list = await getJson(emu, apiPath(r));
        const served = (list.resources as { name: string; namespaced: boolean }[]).find((x) => x.name === r.resource);
        expect({ role: d.role, resource: r.resource, served: served !== undefined, namespaced: served?.namespaced }).toEqual({
          role: d.role,
          resource: r.resource,
          served: true,
          namespaced: r.namespaced,
        });
        checked.add(`${r.group}/${r.resource}`);
      }
    }
    expect([...checked].sort()).toEqual(
      ['/pods', '/services', '/endpoints', '/nodes', '/namespaces', 'apps/replicasets', 'batch/jobs', 'discovery.k8s.io/endpointslices', 'networking.k8s.io/ingresses'].sort(),
    );
  }, 15000);

  test('every extra watch names a real selector role of its resource, and a lookup of its scope', () => {
    for (const d of roleDescriptors()) {
      for (const w of d.extraWatches) {
        const at = { role: d.role, watch: w.resource.resource };
        // A selector role names the role whose own resource it filters.
        if (w.selectorRole) expect({ ...at, selects: roleDescriptor(w.selectorRole)?.resource }).toEqual({ ...at, selects: w.resource });
        if (w.lookup) expect({ ...at, lookup: w.lookup, namespaced: w.resource.namespaced }).toEqual({ ...at, lookup: w.lookup, namespaced: LOOKUP_NAMESPACED[w.lookup] });
        for (const f of w.attachMetadata ?? []) expect(ATTACH_METADATA_FLAGS).toContain(f);
      }
    }
  });

  test('selectors are validated from the descriptors: effective exactly where a watch of that role is on', () => {
    for (const d of roleDescriptors()) {
      for (const sel of roleNames()) {
        for (const am of [{}, allOn]) {
          const args: DiscoveryArgs = { role: d.role, selectors: [{ role: sel, label: 'a=b' }], attach_metadata: am };
          const watched = sel === d.role || d.extraWatches.some((w) => w.selectorRole === sel && (!w.attachMetadata || am === allOn));
          const at = { role: d.role, selector: sel, am };
          expect({ ...at, warned: validateDiscoveryArgs(args).length > 0 }).toEqual({ ...at, warned: !watched });
        }
      }
    }
  });

  test("a role's builder reads only the lookups its watches provide (and its options)", async () => {
    loadFixture(emu);
    // Owners so that the pod metadata lookups are exercised too.
    emu.apply({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs-1', namespace: 'disco-a', ownerReferences: [{ kind: 'Deployment', name: 'dep', controller: true }] } });
    emu.apply({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job-1', namespace: 'disco-a', ownerReferences: [{ kind: 'CronJob', name: 'cron', controller: true }] } });
    const owned = (name: string, ip: string, kind: string, owner: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'disco-a', ownerReferences: [{ kind, name: owner, controller: true }] },
      spec: { nodeName: 'node-a', containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
      status: { podIP: ip },
    });
    emu.apply(owned('rs-pod', '10.0.0.31', 'ReplicaSet', 'rs-1'));
    emu.apply(owned('job-pod', '10.0.0.32', 'Job', 'job-1'));
    const items = async (r: ResourceRef) => (await getJson(emu, `${apiPath(r)}/${r.resource}`)).items as KubeObject[];
    const full = contextOf({
      pods: await items({ group: '', version: 'v1', resource: 'pods', namespaced: true }),
      services: await items(SERVICES),
      nodes: await items({ group: '', version: 'v1', resource: 'nodes', namespaced: false }),
      namespaces: await items({ group: '', version: 'v1', resource: 'namespaces', namespaced: false }),
      replicaSets: await items({ group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true }),
      jobs: await items({ group: 'batch', version: 'v1', resource: 'jobs', namespaced: true }),
      jobName: true,
    });
    for (const d of roleDescriptors()) {
      const read = new Set<string>();
      const spy = new Proxy(full, { get: (t, k) => (read.add(String(k)), t[k as keyof RoleContext]) });
      const objects = await items(d.resource);
      expect(objects.length).toBeGreaterThan(0);
      let targets = 0;
      for (const o of objects) targets += d.build(o, spy).targets.length;
      expect(targets).toBeGreaterThan(0);
      const provided = new Set([...d.extraWatches.flatMap((w) => (w.lookup ? [w.lookup] : [])), ...Object.keys(d.options?.(allOn) ?? {})]);
      expect({ role: d.role, undeclared: [...read].filter((k) => !provided.has(k)) }).toEqual({ role: d.role, undeclared: [] });
    }
  }, 15000);
});
