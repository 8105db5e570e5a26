// charts/alloy rendered with tools/helm-render for the defaults, each
// controller type, each feature toggle and rbac.namespaces: structure, CLI
// args, the generated config (parse + plan + argument decoding) and RBAC
// that grants exactly what the enabled features need.
import { checkRender } from './checks.js';
import { CLUSTER_SCOPED, expectedAtoms, grantsOf, POSITIONS_RBAC, type Feature } from './rbac.js';
import { find, renderChart, renderObjects, type KubeObject } from './render.js';

const NS = 'alloy';

interface Scenario {
  name: string;
  set?: string[];
  values?: Record<string, unknown>;
  features: Feature[];
  positions?: boolean;
  namespaces?: string[];
  more?: (objs: KubeObject[], facts: ReturnType<typeof checkRender>) => void;
}

const scenarios: Scenario[] = [
  {
    name: 'defaults (clustered statefulset)',
    features: ['discovery.pod', 'discovery.service'],
    more: (objs, f) => {
      const w = f.workload;
      expect(w.kind).toBe('StatefulSet');
      expect(w.spec.replicas).toBe(3);
      expect(w.spec.podManagementPolicy).toBe('Parallel');
      const headless = find(objs, 'Service', 'alloy-cluster')[0];
      expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      expect(w.spec.serviceName).toBe('alloy-cluster');
      // One port, as in Alloy: gossip (HTTP/2) rides on the HTTP port, no --cluster.listen-addr.
      expect(headless.spec.ports.map((p: any) => `${p.name}:${p.port}`)).toEqual(['http:12345']);
      expect(w.spec.template.spec.containers[0].ports.map((p: any) => `${p.name}:${p.containerPort}`)).toEqual(['http:12345']);
      expect(f.flags).toMatchObject({
        'server.http.listen-addr': '0.0.0.0:12345',
        'cluster.enabled': true,
        'cluster.node-name': '$(POD_NAME)',
        'cluster.advertise-address': '$(POD_IP):12345',
        'cluster.join-addresses': `alloy-cluster.${NS}.svc.cluster.local:12345`,
      });
      expect(f.args.some((a: string) => a.startsWith('--cluster.listen-addr'))).toBe(false);
      expect(f.env.get('POD_IP').valueFrom.fieldRef.fieldPath).toBe('status.podIP');
      expect(f.env.get('POD_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
      // WAL and positions on a claim per replica, mounted at --storage.path.
      expect(w.spec.volumeClaimTemplates.map((v: any) => v.metadata.name)).toEqual(['storage']);
      expect(w.spec.template.spec.volumes.some((v: any) => v.name === 'storage')).toBe(false);
      expect(w.spec.template.spec.containers[0].image).toBe('ghcr.io/alloy-ts/alloy-ts:0.1.0');
      expect(f.config).toContain('clustering {');
      expect(f.configCheck.components).toEqual(expect.arrayContaining(['discovery.kubernetes', 'discovery.annotations', 'prometheus.scrape', 'prometheus.remote_write']));
      expect(f.env.get('REMOTE_WRITE_URL').value).toMatch(/^http/);
      expect(find(objs, 'PodDisruptionBudget')).toHaveLength(0);
      expect(find(objs, 'HorizontalPodAutoscaler')).toHaveLength(0);
    },
  },
  {
    name: 'deployment',
    set: ['controller.type=deployment'],
    features: ['discovery.pod', 'discovery.service'],
    more: (objs, f) => {
      expect(f.workload.kind).toBe('Deployment');
      expect(f.flags['cluster.enabled']).toBe(true);
      expect(f.workload.spec.template.spec.volumes.find((v: any) => v.name === 'storage').emptyDir).toBeDefined();
    },
  },
  {
    name: 'daemonset (kubelet discovery, node-local)',
    set: ['controller.type=daemonset'],
    features: ['kubelet'],
    more: (objs, f) => {
      expect(f.workload.kind).toBe('DaemonSet');
      expect(f.flags['cluster.enabled']).toBe(false);
      expect(f.args.some((a) => a.startsWith('--cluster.'))).toBe(false);
      expect(find(objs, 'Service', 'alloy-cluster')).toHaveLength(0);
      expect(f.env.get('HOSTNAME').valueFrom.fieldRef.fieldPath).toBe('spec.nodeName');
      expect(f.workload.spec.template.spec.tolerations).toEqual([{ operator: 'Exists' }]);
      expect(f.configCheck.components).toContain('discovery.kubelet');
      expect(f.configCheck.components).not.toContain('discovery.kubernetes');
      expect(f.config).not.toContain('clustering');
    },
  },
  {
    name: 'daemonset + pod logs + nodes/proxy',
    set: ['controller.type=daemonset', 'features.podLogs.enabled=true', 'rbac.kubeletProxy=true'],
    features: ['kubelet', 'kubeletProxy', 'podLogs'],
    positions: true,
  },
  {
    name: 'pod logs (statefulset)',
    set: ['features.podLogs.enabled=true', 'loki.tenant=team-a'],
    features: ['discovery.pod', 'discovery.service', 'podLogs'],
    positions: true,
    more: (objs, f) => {
      expect(f.configCheck.components).toEqual(expect.arrayContaining(['loki.source.kubernetes', 'loki.write']));
      expect(f.env.get('LOKI_URL')).toBeDefined();
      expect(f.env.get('POD_NAMESPACE').valueFrom.fieldRef.fieldPath).toBe('metadata.namespace');
      expect(f.config).toContain('tenant_id = "team-a"');
    },
  },
  {
    name: 'pod logs only (no annotation scraping)',
    set: ['features.podLogs.enabled=true', 'features.annotations.enabled=false'],
    features: ['discovery.pod', 'podLogs'],
    positions: true,
    more: (objs, f) => {
      expect(f.configCheck.components).not.toContain('prometheus.remote_write');
      expect(f.env.has('REMOTE_WRITE_URL')).toBe(false);
    },
  },
  {
    name: 'PodLogs objects + Kubernetes events (statefulset): podlogs, pods, pods/log, namespaces, events read; positions shared',
    set: ['features.podLogsObjects.enabled=true', 'features.kubernetesEvents.enabled=true', 'features.kubernetesEvents.logFormat=json', 'features.annotations.enabled=false'],
    features: ['podLogsObjects', 'kubernetesEvents'],
    positions: true,
    more: (objs, f) => {
      expect(f.configCheck.components).toEqual(expect.arrayContaining(['loki.source.podlogs', 'loki.source.kubernetes_events', 'loki.write']));
      expect(f.configCheck.components).not.toContain('loki.source.kubernetes');
      expect(f.configCheck.components).not.toContain('prometheus.remote_write');
      expect(f.env.get('LOKI_URL')).toBeDefined();
      expect(f.config).toContain('log_format = "json"');
      expect(f.config).not.toContain('node_filter');
      expect((f.config.match(/clustering \{\n    enabled = true/g) ?? []).length).toBe(2);
      const rules = find(objs, 'ClusterRole')[0].rules;
      // Cluster-scoped rules first, then the namespaced ones, each grouped by API group and verbs.
      expect(rules).toEqual([
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events', 'pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['monitoring.grafana.com'], resources: ['podlogs'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      ]);
    },
  },
  {
    name: 'PodLogs objects alone: no events rule',
    set: ['features.podLogsObjects.enabled=true'],
    features: ['discovery.pod', 'discovery.service', 'podLogsObjects'],
    positions: true,
    more: (objs, f) => {
      expect(f.configCheck.components).toContain('loki.source.podlogs');
      expect(f.configCheck.components).not.toContain('loki.source.kubernetes_events');
      expect(JSON.stringify(find(objs, 'ClusterRole'))).not.toContain('events');
    },
  },
  {
    name: 'Kubernetes events alone, limited to rbac.namespaces: events in Roles, no positions, no podlogs rule',
    values: { rbac: { namespaces: ['shop'] }, features: { kubernetesEvents: { enabled: true } } },
    features: ['discovery.pod', 'discovery.service', 'kubernetesEvents'],
    namespaces: ['shop'],
    more: (objs, f) => {
      expect(f.config).toMatch(/loki\.source\.kubernetes_events "default" \{[^}]*namespaces = \["shop"\]/);
      expect(f.config).toContain('log_format = "logfmt"');
      expect(JSON.stringify(objs.filter((o) => /Role$/.test(o.kind)))).not.toContain('podlogs');
    },
  },
  {
    name: 'daemonset + PodLogs objects: only this node\'s pods (node_filter), the API read for them',
    set: ['controller.type=daemonset', 'features.podLogsObjects.enabled=true'],
    features: ['kubelet', 'podLogsObjects'],
    positions: true,
    more: (objs, f) => {
      expect(f.config).toMatch(/node_filter \{\n    enabled   = true\n    node_name = sys\.env\("HOSTNAME"\)/);
      expect(f.env.get('HOSTNAME').valueFrom.fieldRef.fieldPath).toBe('spec.nodeName');
      expect(f.config).not.toContain('clustering');
    },
  },
  {
    name: 'ServiceMonitors + PodMonitors with CR credentials',
    set: ['features.serviceMonitors.enabled=true', 'features.podMonitors.enabled=true', 'rbac.crCredentials=true'],
    features: ['discovery.pod', 'discovery.service', 'serviceMonitors', 'podMonitors', 'crCredentials'],
    more: (objs, f) => expect(f.configCheck.components).toEqual(expect.arrayContaining(['prometheus.operator.servicemonitors', 'prometheus.operator.podmonitors'])),
  },
  {
    name: 'Probes + ScrapeConfigs (experimental: the stability flag comes with it), with status writes',
    set: ['features.probes.enabled=true', 'features.scrapeConfigs.enabled=true'],
    features: ['discovery.pod', 'discovery.service', 'probes', 'scrapeConfigs'],
    more: (objs, f) => {
      expect(f.configCheck.components).toEqual(expect.arrayContaining(['prometheus.operator.probes', 'prometheus.operator.scrapeconfigs']));
      expect(f.workload.spec.template.spec.containers[0].args).toContain('--stability.level=experimental');
    },
  },
  {
    name: 'Probes alone: no experimental flag',
    set: ['features.probes.enabled=true'],
    features: ['discovery.pod', 'discovery.service', 'probes'],
    more: (objs, f) => expect(f.workload.spec.template.spec.containers[0].args).not.toContain('--stability.level=experimental'),
  },
  {
    name: 'rule sync (Mimir + Loki)',
    set: ['features.mimirRules.enabled=true', 'features.lokiRules.enabled=true', 'features.mimirRules.tenant=t1'],
    features: ['discovery.pod', 'discovery.service', 'rules'],
    more: (objs, f) => {
      expect(f.configCheck.components).toEqual(expect.arrayContaining(['mimir.rules.kubernetes', 'loki.rules.kubernetes']));
      expect(f.config).toContain('tenant_id = "t1"');
    },
  },
  {
    name: 'Alertmanager sync (mimirAlerts): experimental flag, global_config and tenant header',
    set: ['features.mimirAlerts.enabled=true', 'features.mimirAlerts.tenant=t1'],
    features: ['discovery.pod', 'discovery.service', 'alerts'],
    more: (objs, f) => {
      expect(f.configCheck.components).toContain('mimir.alerts.kubernetes');
      expect(f.workload.spec.template.spec.containers[0].args).toContain('--stability.level=experimental');
      expect(f.config).toContain('http_headers  = { "X-Scope-OrgID" = ["t1"] }');
      // The multi-line base configuration arrives as one Alloy string.
      expect(f.config).toContain('global_config = "route:\\n  receiver: \\"null\\"\\nreceivers:\\n- name: \\"null\\"\\n"');
    },
  },
  {
    name: 'Alertmanager sync with rbac.crCredentials: Secrets too',
    set: ['features.mimirAlerts.enabled=true', 'rbac.crCredentials=true'],
    features: ['discovery.pod', 'discovery.service', 'alerts', 'crCredentials'],
  },
  {
    name: 'every discovery role',
    values: { features: { annotations: { roles: ['pod', 'service', 'endpoints', 'endpointslice', 'ingress', 'node'] } } },
    features: ['discovery.pod', 'discovery.service', 'discovery.endpoints', 'discovery.endpointslice', 'discovery.ingress', 'discovery.node'],
  },
  {
    name: 'rbac.namespaces (namespaced Roles, discovery limited)',
    values: { rbac: { namespaces: ['shop', 'monitoring'] }, features: { podLogs: { enabled: true } } },
    features: ['discovery.pod', 'discovery.service', 'podLogs'],
    positions: true,
    namespaces: ['shop', 'monitoring'],
    more: (objs, f) => {
      expect(find(objs, 'ClusterRole')).toHaveLength(0);
      expect(find(objs, 'Role').map((r) => r.metadata.namespace).sort()).toEqual(['alloy', 'monitoring', 'shop']);
      expect((f.config.match(/names = \["shop", "monitoring"\]/g) ?? []).length).toBe(2);
    },
  },
  {
    name: 'credentials from Secrets, tenant, external labels',
    values: {
      remoteWrite: { urlSecret: { name: 'rw-url', key: 'endpoint' }, auth: { type: 'basic', secretName: 'rw-auth' }, tenant: 'acme', externalLabels: { cluster: 'prod', 'region.name': 'eu' } },
      loki: { auth: { type: 'bearer', secretName: 'loki-auth' } },
      features: { podLogs: { enabled: true } },
    },
    features: ['discovery.pod', 'discovery.service', 'podLogs'],
    positions: true,
    more: (objs, f) => {
      expect(f.env.get('REMOTE_WRITE_URL').valueFrom.secretKeyRef).toEqual({ name: 'rw-url', key: 'endpoint' });
      expect(f.env.get('REMOTE_WRITE_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'rw-auth', key: 'password' });
      expect(f.env.get('LOKI_TOKEN').valueFrom.secretKeyRef).toEqual({ name: 'loki-auth', key: 'token' });
      expect(f.config).toContain('"X-Scope-OrgID" = "acme"');
      expect(f.config).toContain('external_labels = {"cluster" = "prod", "region.name" = "eu"}');
      // No secret value is ever in the ConfigMap.
      expect(JSON.stringify(find(objs, 'ConfigMap'))).not.toMatch(/rw-auth|loki-auth/);
    },
  },
  {
    name: 'PDB, HPA, ServiceMonitor, extra args/env/volumes, wait-for-size',
    values: {
      controller: { pdb: { enabled: true }, autoscaling: { enabled: true, targetMemoryUtilizationPercentage: 80 } },
      serviceMonitor: { enabled: true },
      clustering: { name: 'prod', waitForSize: 2, waitTimeout: '5m' },
      alloy: {
        extraArgs: ['--disable-reporting'],
        extraEnv: [{ name: 'EXTRA', value: '1' }],
        extraVolumes: [{ name: 'certs', secret: { secretName: 'certs' } }],
        extraVolumeMounts: [{ name: 'certs', mountPath: '/etc/certs' }],
      },
    },
    features: ['discovery.pod', 'discovery.service'],
    more: (objs, f) => {
      expect(find(objs, 'PodDisruptionBudget')[0].spec.maxUnavailable).toBe(1);
      const hpa = find(objs, 'HorizontalPodAutoscaler')[0];
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'alloy' });
      expect(hpa.spec.metrics).toHaveLength(2);
      expect(f.workload.spec.replicas).toBeUndefined();
      const sm = find(objs, 'ServiceMonitor')[0];
      expect(sm.spec.selector.matchLabels).toEqual(find(objs, 'Service', 'alloy')[0].spec.selector);
      expect(f.flags).toMatchObject({ 'cluster.name': 'prod', 'cluster.wait-for-size': '2', 'cluster.wait-timeout': '5m', 'disable-reporting': true });
      expect(f.env.get('EXTRA').value).toBe('1');
    },
  },
  {
    name: 'inline config (tpl) instead of the generated one',
    values: { alloy: { configMap: { content: 'discovery.kubernetes "nodes" {\n  role = "node"\n}\n// release {{ .Release.Name }}\n' } } },
    // RBAC follows the features, not the inline config: the default features stay on.
    features: ['discovery.pod', 'discovery.service'],
    more: (objs, f) => {
      expect(f.config).toContain('// release alloy');
      expect(f.configCheck.components).toEqual(['discovery.kubernetes']);
    },
  },
  {
    name: 'everything off: no RBAC at all',
    set: ['features.annotations.enabled=false'],
    features: [],
    more: (objs) => {
      expect(objs.filter((o) => /Role/.test(o.kind))).toHaveLength(0);
    },
  },
];

describe('charts/alloy', () => {
  test.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const objs = renderObjects('alloy', { name: 'alloy', namespace: NS, set: s.set, values: s.values });
    const facts = checkRender(objs, NS);
    if (facts.configCheck.deferred.length) console.warn(`[${s.name}] config parsed; plan check deferred until registered: ${facts.configCheck.deferred.join(', ')}`);

    // RBAC: exactly the union of the enabled features' needs.
    const sa = facts.workload.spec.template.spec.serviceAccountName;
    const g = grantsOf(objs, sa, NS);
    const want = expectedAtoms(s.features);
    if (!s.namespaces) {
      expect([...g.cluster].sort()).toEqual(want);
    } else {
      const cluster = want.filter((a) => CLUSTER_SCOPED.has(a.split('|')[1]));
      const namespaced = want.filter((a) => !CLUSTER_SCOPED.has(a.split('|')[1]));
      expect([...g.cluster].sort()).toEqual(cluster);
      for (const ns of s.namespaces) expect([...(g.namespaced.get(ns) ?? [])].sort()).toEqual(namespaced);
    }
    const own = [...(g.namespaced.get(NS) ?? [])].filter((a) => !(s.namespaces ?? []).includes(NS)).sort();
    expect(own).toEqual(s.positions ? [...POSITIONS_RBAC].sort() : []);
    s.more?.(objs, facts);
  });

  test('configMap.name uses an existing ConfigMap and creates none', () => {
    const objs = renderObjects('alloy', { set: ['alloy.configMap.create=false', 'alloy.configMap.name=mine', 'alloy.configMap.key=main.alloy'] });
    expect(find(objs, 'ConfigMap')).toHaveLength(0);
    const c = find(objs, 'StatefulSet')[0].spec.template.spec;
    expect(c.volumes.find((v: any) => v.name === 'config').configMap.name).toBe('mine');
    expect(c.containers[0].args[1]).toBe('/etc/alloy/main.alloy');
  });

  test.each([
    [['controller.type=replicaset'], /controller.type must be statefulset, daemonset or deployment/],
    [['controller.type=daemonset', 'features.serviceMonitors.enabled=true'], /work cluster-wide/],
    [['controller.type=daemonset', 'features.probes.enabled=true'], /work cluster-wide/],
    [['controller.type=daemonset', 'features.kubernetesEvents.enabled=true'], /kubernetesEvents work cluster-wide/],
    [['features.podLogsObjects.enabled=true', 'rbac.namespaces={shop}'], /features\.podLogsObjects .* cannot run with rbac\.namespaces/],
    [['remoteWrite.auth.type=basic'], /auth.secretName is required/],
    [['remoteWrite.auth.type=digest', 'remoteWrite.auth.secretName=x'], /auth.type must be none, basic or bearer/],
    [['alloy.configMap.create=false'], /alloy.configMap.name is required/],
    [['features.annotations.roles={pods}'], /unknown role "pods"/],
  ])('bad values fail with a clear message: %j', (set, msg) => {
    expect(() => renderChart('alloy', { set })).toThrow(msg);
  });
});
