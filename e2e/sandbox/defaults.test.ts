// API-server defaulting as clients observe it: through the HTTP API (create, update, patch) and
// through the control API (`apply()`), never overwriting values that are set.
import { applySchemeDefaults } from '../../src/sandbox/kube/scheme-defaults.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';

let api: KubeEmulator;

beforeAll(async () => {
  api = await startKubeEmulator();
});
afterAll(async () => {
  await api.close();
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: any }> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const podBody = (name: string, extra: any = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    containers: [{ name: 'main', image: 'app:1', ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] }],
    initContainers: [{ name: 'init', image: 'init', ports: [{ containerPort: 9000 }] }],
    ...extra.spec,
  },
  ...(extra.status ? { status: extra.status } : {}),
});

describe('Pod', () => {
  test('HTTP create: container and init container port protocols default to TCP; a set protocol stays', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/pods', podBody('p-http'));
    expect(r.status).toBe(201);
    expect(r.json.spec.containers[0].ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { containerPort: 53, protocol: 'UDP' },
    ]);
    expect(r.json.spec.initContainers[0].ports).toEqual([{ containerPort: 9000, protocol: 'TCP' }]);
    expect(r.json.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30, enableServiceLinks: true });
    expect(r.json.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
    // No tag means "latest": Always.
    expect(r.json.spec.initContainers[0].imagePullPolicy).toBe('Always');
  });

  test('HTTP create ignores the given status (Pending + QoS class); apply() keeps it', async () => {
    const status = { phase: 'Running', podIP: '10.1.0.5', conditions: [{ type: 'Ready', status: 'True' }] };
    const r = await call('POST', '/api/v1/namespaces/default/pods', podBody('p-status', { status }));
    expect(r.json.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    const a = api.apply(podBody('p-status-ctl', { status }));
    expect(a.status).toMatchObject({ phase: 'Running', podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }] });
  });

  test('QoS class: limits only -> Guaranteed (requests default to limits); requests only -> Burstable', async () => {
    const limits = { cpu: '100m', memory: '64Mi' };
    const g = await call('POST', '/api/v1/namespaces/default/pods', {
      metadata: { name: 'p-qos-g' },
      spec: { containers: [{ name: 'c', image: 'i:1', resources: { limits } }] },
    });
    expect(g.json.status.qosClass).toBe('Guaranteed');
    const b = await call('POST', '/api/v1/namespaces/default/pods', {
      metadata: { name: 'p-qos-b' },
      spec: { containers: [{ name: 'c', image: 'i:1', resources: { requests: { cpu: '100m' } } }] },
    });
    expect(b.json.status.qosClass).toBe('Burstable');
  });

  test('podIP/podIPs and hostIP/hostIPs stay in step; the singular field wins when both differ', () => {
    const onlyPlural = api.apply(podBody('p-ips-1', { status: { phase: 'Running', podIPs: [{ ip: '10.1.0.7' }, { ip: 'fd00::7' }], hostIPs: [{ ip: '192.168.1.1' }] } }));
    expect(onlyPlural.status).toMatchObject({ podIP: '10.1.0.7', podIPs: [{ ip: '10.1.0.7' }, { ip: 'fd00::7' }], hostIP: '192.168.1.1', hostIPs: [{ ip: '192.168.1.1' }] });
    const onlySingular = api.apply(podBody('p-ips-2', { status: { phase: 'Running', podIP: '10.1.0.8', hostIP: '192.168.1.2' } }));
    expect(onlySingular.status).toMatchObject({ podIPs: [{ ip: '10.1.0.8' }], hostIPs: [{ ip: '192.168.1.2' }] });
    const differ = api.apply(podBody('p-ips-3', { status: { phase: 'Running', podIP: '10.1.0.9', podIPs: [{ ip: '10.1.0.99' }, { ip: 'fd00::9' }] } }));
    expect(differ.status.podIPs).toEqual([{ ip: '10.1.0.9' }, { ip: 'fd00::9' }]);
    const none = api.apply(podBody('p-ips-4', { status: { phase: 'Pending' } }));
    expect(none.status.podIP).toBeUndefined();
    expect(none.status.podIPs).toBeUndefined();
  });

  test('host networking makes container ports host ports unless set', () => {
    const p = api.apply(podBody('p-hostnet', { spec: { hostNetwork: true } }));
    expect(p.spec.containers[0].ports.map((x: any) => x.hostPort)).toEqual([8080, 53]);
  });

  test('a PUT of the stored object without its defaults is no change (generation stays)', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/pods', podBody('p-gen'));
    const bare = { ...podBody('p-gen'), metadata: { ...podBody('p-gen').metadata, resourceVersion: created.json.metadata.resourceVersion } };
    const u = await call('PUT', '/api/v1/namespaces/default/pods/p-gen', bare);
    expect(u.status).toBe(200);
    expect(u.json.metadata.generation).toBe(created.json.metadata.generation);
    expect(u.json.spec.containers[0].ports[0].protocol).toBe('TCP');
  });

  test('a patch that adds a port gets its protocol defaulted', async () => {
    api.apply(podBody('p-patch'));
    const patch = { spec: { containers: [{ name: 'main', ports: [{ containerPort: 9100 }] }] } };
    const r = await call('PATCH', '/api/v1/namespaces/default/pods/p-patch', patch, 'application/strategic-merge-patch+json');
    expect(r.status).toBe(200);
    expect(r.json.spec.containers[0].ports.find((x: any) => x.containerPort === 9100)).toEqual({ containerPort: 9100, protocol: 'TCP' });
  });
});

describe('Service', () => {
  test('type, session affinity, protocol and targetPort defaults; set values stay', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/services', {
      metadata: { name: 's-defaults' },
      spec: { selector: { app: 'x' }, ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }, { name: 'zero', port: 81, targetPort: 0 }] },
    });
    expect(r.status).toBe(201);
    expect(r.json.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] });
    expect(r.json.spec.clusterIP).toMatch(/^10\.96\./);
    expect(r.json.spec.clusterIPs).toEqual([r.json.spec.clusterIP]);
    expect(r.json.spec.ports).toEqual([
      { name: 'http', port: 80, protocol: 'TCP', targetPort: 80 },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
      { name: 'zero', port: 81, protocol: 'TCP', targetPort: 81 },
    ]);
    expect(r.json.spec.externalTrafficPolicy).toBeUndefined();
  });

  test('ExternalName services get port defaults too, but no cluster IP', () => {
    const s = api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's-ext' }, spec: { type: 'ExternalName', externalName: 'db.example.com', ports: [{ name: 'pg', port: 5432 }] } });
    expect(s.spec.ports).toEqual([{ name: 'pg', port: 5432, protocol: 'TCP', targetPort: 5432 }]);
    expect(s.spec.clusterIP).toBeUndefined();
    expect(s.spec.internalTrafficPolicy).toBeUndefined();
  });

  test('NodePort/LoadBalancer: external traffic policy, node ports; ClientIP affinity timeout', () => {
    const s = api.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's-lb' },
      spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ name: 'https', port: 443 }] },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }] } },
    });
    expect(s.spec).toMatchObject({ externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true, sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
    expect(s.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(s.status.loadBalancer.ingress).toEqual([{ ip: '203.0.113.9', ipMode: 'VIP' }, { hostname: 'lb.example.com' }]);
  });

  test('an update without clusterIP or nodePort keeps the allocated ones (HTTP PUT and apply())', async () => {
    const body = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's-keep', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }] } };
    const c = await call('POST', '/api/v1/namespaces/default/services', body);
    const { clusterIP } = c.json.spec;
    const nodePort = c.json.spec.ports[0].nodePort;
    const u = await call('PUT', '/api/v1/namespaces/default/services/s-keep', { ...body, metadata: { ...body.metadata, labels: { v: '2' } } });
    expect(u.status).toBe(200);
    expect(u.json.spec.clusterIP).toBe(clusterIP);
    expect(u.json.spec.ports[0].nodePort).toBe(nodePort);
    const a = api.apply({ ...body, spec: { ...body.spec, ports: [{ name: 'http', port: 80 }, { name: 'extra', port: 81 }] } });
    expect(a.spec.clusterIP).toBe(clusterIP);
    expect(a.spec.ports[0].nodePort).toBe(nodePort);
    expect(a.spec.ports[1].nodePort).not.toBe(nodePort);
    expect(a.spec.ports[1]).toMatchObject({ protocol: 'TCP', targetPort: 81 });
  });
});

describe('Endpoints, EndpointSlice, Ingress, Namespace', () => {
  test('Endpoints subset ports default to TCP', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/endpoints', {
      metadata: { name: 'ep' },
      subsets: [{ addresses: [{ ip: '10.1.0.1' }], ports: [{ port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }] }],
    });
    expect(r.json.subsets[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]);
  });

  test('EndpointSlice ports: name "" and protocol TCP when absent or null; conditions as given', async () => {
    const r = await call('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      metadata: { name: 'eps', labels: { 'kubernetes.io/service-name': 'x' } },
      addressType: 'IPv4',
      ports: [{ port: 8080 }, { name: null, protocol: null, port: 8081 }, { name: 'dns', port: 53, protocol: 'UDP' }],
      endpoints: [{ addresses: ['10.1.0.1'], conditions: { ready: true } }, { addresses: ['10.1.0.2'] }],
    });
    expect(r.status).toBe(201);
    expect(r.json.ports).toEqual([
      { name: '', port: 8080, protocol: 'TCP' },
      { name: '', port: 8081, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ]);
    expect(r.json.endpoints).toEqual([{ addresses: ['10.1.0.1'], conditions: { ready: true } }, { addresses: ['10.1.0.2'] }]);
  });

  test('Ingress pathType stays as given (no default in networking/v1)', () => {
    const i = api.apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'ing' },
      spec: { rules: [{ host: 'a.test', http: { paths: [{ path: '/', backend: { service: { name: 's', port: { number: 80 } } } }, { path: '/x', pathType: 'Exact', backend: { service: { name: 's', port: { number: 80 } } } }] } }] },
    });
    expect(i.spec.rules[0].http.paths.map((p: any) => p.pathType)).toEqual([undefined, 'Exact']);
  });

  test('Namespace: the kubernetes.io/metadata.name label is set on every write and cannot be changed', async () => {
    api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-label', labels: { 'kubernetes.io/metadata.name': 'other', team: 'a' } } });
    expect(api.get('v1', 'Namespace', undefined, 'ns-label')!.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'ns-label', team: 'a' });
    const u = await call('PUT', '/api/v1/namespaces/ns-label', { metadata: { name: 'ns-label', labels: { team: 'b' } } });
    expect(u.json.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'ns-label', team: 'b' });
    expect(u.json.status.phase).toBe('Active');
  });
});

describe('applySchemeDefaults (pure)', () => {
  test('image pull policy follows the tag: latest or none -> Always, a tag or digest -> IfNotPresent', () => {
    const pod = {
      spec: {
        containers: ['r.io:5000/app', 'app:latest', 'r.io:5000/app:2', 'app@sha256:abc', 'app:3@sha256:abc'].map((image, i) => ({ name: `c${i}`, image })),
      },
    };
    applySchemeDefaults('Pod', '', pod);
    expect(pod.spec.containers.map((c: any) => c.imagePullPolicy)).toEqual(['Always', 'Always', 'IfNotPresent', 'IfNotPresent', 'IfNotPresent']);
  });

  test('set values are never overwritten; probes get their defaults', () => {
    const pod: any = {
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
        containers: [{ name: 'c', image: 'i:1', imagePullPolicy: 'Never', readinessProbe: { httpGet: { port: 80 }, periodSeconds: 5 } }],
      },
    };
    applySchemeDefaults('Pod', '', pod);
    expect(pod.spec).toMatchObject({ restartPolicy: 'Never', terminationGracePeriodSeconds: 0, enableServiceLinks: false });
    expect(pod.spec.containers[0].imagePullPolicy).toBe('Never');
    expect(pod.spec.containers[0].readinessProbe).toEqual({ httpGet: { port: 80, path: '/', scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  });

  test('kinds without defaults and malformed objects are left alone', () => {
    const cm = { data: { a: 'b' } };
    applySchemeDefaults('ConfigMap', '', cm);
    expect(cm).toEqual({ data: { a: 'b' } });
    const odd: any = { spec: { containers: [null, 'x', { name: 'c', ports: [null, 7] }] } };
    expect(() => applySchemeDefaults('Pod', '', odd)).not.toThrow();
    const svc: any = { spec: { ports: 'nope' } };
    applySchemeDefaults('Service', '', svc);
    expect(svc.spec.type).toBe('ClusterIP');
  });
});
