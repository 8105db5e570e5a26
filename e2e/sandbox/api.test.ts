// HTTP-level behaviour of the kube API emulator: discovery, CRUD, concurrency, patch, selectors,
// paging, tables, auth and fault injection.
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';

let api: KubeEmulator;

beforeAll(async () => {
  api = await startKubeEmulator({ token: 't0k', user: 'tester' });
});
afterAll(async () => {
  await api.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; type: string }> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { Authorization: 'Bearer t0k', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, type: res.headers.get('content-type') ?? '' };
}

const cm = (name: string, labels: Record<string, string> = {}, ns = 'default') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { k: name } });

describe('discovery', () => {
  test('legacy documents', async () => {
    const v = await call('GET', '/version');
    expect(v.json.major).toBe('1');
    const core = await call('GET', '/api/v1');
    const pods = core.json.resources.find((r: any) => r.name === 'pods');
    expect(pods).toMatchObject({ namespaced: true, kind: 'Pod', shortNames: ['po'] });
    expect(pods.verbs).toEqual(expect.arrayContaining(['list', 'watch', 'create', 'patch']));
    expect(core.json.resources.map((r: any) => r.name)).toEqual(expect.arrayContaining(['pods/log', 'pods/status', 'nodes', 'namespaces']));
    expect(core.json.resources.find((r: any) => r.name === 'nodes').namespaced).toBe(false);
    const apis = await call('GET', '/apis');
    const apps = apis.json.groups.find((g: any) => g.name === 'apps');
    expect(apps.preferredVersion).toEqual({ groupVersion: 'apps/v1', version: 'v1' });
    const appsV1 = await call('GET', '/apis/apps/v1');
    expect(appsV1.json.resources.find((r: any) => r.name === 'deployments').shortNames).toEqual(['deploy']);
  });

  test('aggregated discovery v2 when asked for', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const r = await call('GET', '/apis', undefined, { Accept: accept });
    expect(r.type).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(r.json.kind).toBe('APIGroupDiscoveryList');
    const disc = r.json.items.find((g: any) => g.metadata.name === 'discovery.k8s.io');
    expect(disc.versions[0].resources[0]).toMatchObject({ resource: 'endpointslices', scope: 'Namespaced', responseKind: { kind: 'EndpointSlice' } });
    const core = await call('GET', '/api', undefined, { Accept: accept });
    const pods = core.json.items[0].versions[0].resources.find((x: any) => x.resource === 'pods');
    expect(pods.subresources.map((s: any) => s.subresource).sort()).toEqual(['log', 'status']);
  });
});

describe('CRUD', () => {
  test('create, conflict, update, generation, delete', async () => {
    const c = await call('POST', '/api/v1/namespaces/default/configmaps', cm('a'));
    expect(c.status).toBe(201);
    expect(c.json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.json.metadata.creationTimestamp).toMatch(/Z$/);
    const dup = await call('POST', '/api/v1/namespaces/default/configmaps', cm('a'));
    expect(dup.status).toBe(409);
    expect(dup.json.reason).toBe('AlreadyExists');

    const u = await call('PUT', '/api/v1/namespaces/default/configmaps/a', { ...c.json, data: { k: 'v2' } });
    expect(u.status).toBe(200);
    expect(Number(u.json.metadata.resourceVersion)).toBeGreaterThan(Number(c.json.metadata.resourceVersion));
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/a', { ...c.json, data: { k: 'v3' } });
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe('Conflict');

    const d = await call('POST', '/apis/apps/v1/namespaces/default/deployments', {
      metadata: { name: 'd1' },
      spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    expect(d.json.metadata.generation).toBe(1);
    const d2 = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/d1', { spec: { replicas: 3 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(d2.json.metadata.generation).toBe(2);
    const d3 = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/d1', { metadata: { labels: { x: 'y' } } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(d3.json.metadata.generation).toBe(2);

    const del = await call('DELETE', '/api/v1/namespaces/default/configmaps/a');
    expect(del.status).toBe(200);
    expect(del.json).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'a', kind: 'configmaps' } });
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/a')).status).toBe(404);
  });

  test('namespaces must exist; names are validated', async () => {
    const r = await call('POST', '/api/v1/namespaces/nope/configmaps', cm('x', {}, 'nope'));
    expect(r.status).toBe(404);
    expect(r.json.message).toBe('namespaces "nope" not found');
    const bad = await call('POST', '/api/v1/namespaces/default/configmaps', cm('Bad_Name'));
    expect(bad.status).toBe(422);
    expect(() => api.apply(cm('y', {}, 'nope'))).toThrow(/namespaces "nope" not found/);
  });

  test('strategic merge patch merges containers by name and honours $patch: delete', async () => {
    api.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'smp', namespace: 'default' },
      spec: { containers: [{ name: 'a', image: 'a:1', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'b:1' }] },
    });
    const patch = {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }],
        containers: [{ name: 'a', image: 'a:2', ports: [{ containerPort: 81 }] }, { name: 'b', $patch: 'delete' }],
      },
    };
    const r = await call('PATCH', '/api/v1/namespaces/default/pods/smp', patch, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(r.status).toBe(200);
    // Container defaults as a real apiserver applies them on every write (scheme-defaults.ts).
    const containerDefaults = { imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };
    expect(r.json.spec.containers).toEqual([
      { name: 'a', image: 'a:2', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 81, protocol: 'TCP' }], ...containerDefaults },
    ]);
    const jp = await call('PATCH', '/api/v1/namespaces/default/pods/smp', [{ op: 'add', path: '/metadata/labels', value: { j: 'p' } }], { 'Content-Type': 'application/json-patch+json' });
    expect(jp.json.metadata.labels).toEqual({ j: 'p' });
  });

  test('status subresource: main resource writes keep status', async () => {
    const p = api.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'st', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Running' } });
    const u = await call('PUT', '/api/v1/namespaces/default/pods/st', { ...p, status: { phase: 'Failed' } });
    expect(u.json.status.phase).toBe('Running');
    const s = await call('PUT', '/api/v1/namespaces/default/pods/st/status', { ...u.json, status: { phase: 'Succeeded' } });
    expect(s.json.status.phase).toBe('Succeeded');
  });
});

describe('list', () => {
  beforeAll(() => {
    api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sel' } });
    for (let i = 0; i < 7; i++) api.apply(cm(`c${i}`, { idx: String(i), tier: i % 2 ? 'odd' : 'even', ...(i === 3 ? { special: 'yes' } : {}) }, 'sel'));
  });

  const names = async (q: string) => (await call('GET', `/api/v1/namespaces/sel/configmaps?${q}`)).json.items.map((o: any) => o.metadata.name);

  test('label selectors', async () => {
    expect(await names('labelSelector=tier%3Dodd')).toEqual(['c1', 'c3', 'c5']);
    expect(await names('labelSelector=tier%3D%3Dodd,idx!%3D3')).toEqual(['c1', 'c5']);
    expect(await names(`labelSelector=${encodeURIComponent('idx in (0, 6),tier notin (odd)')}`)).toEqual(['c0', 'c6']);
    expect(await names('labelSelector=special')).toEqual(['c3']);
    expect(await names(`labelSelector=${encodeURIComponent('!special,tier=odd')}`)).toEqual(['c1', 'c5']);
    const bad = await call('GET', `/api/v1/namespaces/sel/configmaps?labelSelector=${encodeURIComponent('a in b')}`);
    expect(bad.status).toBe(400);
  });

  test('field selectors', async () => {
    expect(await names('fieldSelector=metadata.name%3Dc2')).toEqual(['c2']);
    expect((await names('fieldSelector=metadata.name!%3Dc2')).length).toBe(6);
    const all = (await call('GET', '/api/v1/configmaps?fieldSelector=metadata.namespace%3Dsel')).json;
    expect(all.kind).toBe('ConfigMapList');
    expect(all.items).toHaveLength(7);
    const bad = await call('GET', '/api/v1/configmaps?fieldSelector=spec.nodeName%3Dx');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('field label not supported: spec.nodeName');
  });

  test('limit and continue give a consistent snapshot', async () => {
    const p1 = (await call('GET', '/api/v1/namespaces/sel/configmaps?limit=3')).json;
    expect(p1.items.map((o: any) => o.metadata.name)).toEqual(['c0', 'c1', 'c2']);
    expect(p1.metadata.remainingItemCount).toBe(4);
    api.apply(cm('c10', {}, 'sel')); // not in the snapshot
    const p2 = (await call('GET', `/api/v1/namespaces/sel/configmaps?limit=3&continue=${p1.metadata.continue}`)).json;
    expect(p2.items.map((o: any) => o.metadata.name)).toEqual(['c3', 'c4', 'c5']);
    expect(p2.metadata.resourceVersion).toBe(p1.metadata.resourceVersion);
    const p3 = (await call('GET', `/api/v1/namespaces/sel/configmaps?limit=3&continue=${p2.metadata.continue}`)).json;
    expect(p3.items.map((o: any) => o.metadata.name)).toEqual(['c6']);
    expect(p3.metadata.continue).toBeUndefined();
    api.faults.expireHistory();
    const expired = await call('GET', `/api/v1/namespaces/sel/configmaps?limit=3&continue=${p1.metadata.continue}`);
    expect(expired.status).toBe(410);
    expect(expired.json.reason).toBe('Expired');
    api.remove('v1', 'ConfigMap', 'sel', 'c10');
  });

  test('deletecollection removes the selected objects and emits their deletion', async () => {
    api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dc' } });
    for (const n of ['x1', 'x2', 'y1']) api.apply(cm(n, { g: n[0] }, 'dc'));
    const r = await call('DELETE', '/api/v1/namespaces/dc/configmaps?labelSelector=g%3Dx');
    expect(r.status).toBe(200);
    expect(r.json.items.map((o: any) => o.metadata.name)).toEqual(['x1', 'x2']);
    expect(api.list('v1', 'ConfigMap', 'dc').map((o) => o.metadata.name)).toEqual(['y1']);
    expect((await call('DELETE', '/api/v1/namespaces/dc')).status).toBe(200);
    expect(api.list('v1', 'ConfigMap', 'dc')).toEqual([]);
  });

  test('Table output for kubectl', async () => {
    const t = (await call('GET', '/api/v1/namespaces/sel/configmaps?limit=2', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' })).json;
    expect(t.kind).toBe('Table');
    expect(t.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(t.rows[0].cells[0]).toBe('c0');
    expect(t.rows[0].object.kind).toBe('PartialObjectMetadata');
    expect(t.metadata.continue).toBeDefined();
  });
});

describe('CRDs', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Cluster',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };

  test('a CRD adds discovery and serves its resources until deleted', async () => {
    expect((await call('GET', '/apis/example.com/v1/widgets')).status).toBe(404);
    const c = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    expect(c.status).toBe(201);
    expect(c.json.status.conditions.find((x: any) => x.type === 'Established').status).toBe('True');
    const disc = await call('GET', '/apis/example.com/v1');
    expect(disc.json.resources[0]).toMatchObject({ name: 'widgets', namespaced: false, kind: 'Widget', shortNames: ['wd'] });
    const w = await call('POST', '/apis/example.com/v1/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 1 } });
    expect(w.status).toBe(201);
    const smp = await call('PATCH', '/apis/example.com/v1/widgets/w1', { spec: { size: 2 } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(smp.status).toBe(415);
    const mp = await call('PATCH', '/apis/example.com/v1/widgets/w1', { spec: { size: 2 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(mp.json.spec.size).toBe(2);
    expect(api.list('example.com/v1', 'Widget')).toHaveLength(1);
    expect((await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).status).toBe(200);
    expect((await call('GET', '/apis/example.com/v1/widgets')).status).toBe(404);
    expect(() => api.list('example.com/v1', 'Widget')).toThrow(/no matches for kind "Widget"/);
  });

  test('invalid CRDs are rejected with 422', async () => {
    const bad = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { ...crd, metadata: { name: 'wrong.example.com' } });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toContain('must be spec.names.plural+"."+spec.group');
  });
});

describe('auth, audit and faults', () => {
  test('missing or wrong token gets 401 and is audited', async () => {
    const r = await fetch(`${api.url}/api/v1/pods`, { headers: { Authorization: 'Bearer wrong' } });
    expect(r.status).toBe(401);
    expect(((await r.json()) as any).reason).toBe('Unauthorized');
    const last = api.requests[api.requests.length - 1];
    expect(last).toMatchObject({ verb: 'list', resource: 'pods', status: 401, user: 'system:anonymous' });
    await call('GET', '/api/v1/namespaces/default/pods/st');
    expect(api.requests[api.requests.length - 1]).toMatchObject({ verb: 'get', name: 'st', namespace: 'default', user: 'tester', status: 200 });
  });

  test('failNext answers matching requests with a Status, then recovers', async () => {
    api.faults.failNext(2, 403, { resource: 'pods', verb: 'list' });
    expect((await call('GET', '/api/v1/namespaces/default/configmaps')).status).toBe(200);
    const f1 = await call('GET', '/api/v1/pods');
    expect(f1.status).toBe(403);
    expect(f1.json).toMatchObject({ kind: 'Status', code: 403, reason: 'Forbidden' });
    expect((await call('GET', '/api/v1/pods')).status).toBe(403);
    expect((await call('GET', '/api/v1/pods')).status).toBe(200);
  });

  test('stall delays responses; setDown refuses connections and comes back on the same port', async () => {
    api.faults.stall(150);
    const t0 = Date.now();
    await call('GET', '/api/v1/namespaces');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    api.faults.stall(0);
    api.faults.setDown(true);
    await api.faults.settled();
    await expect(fetch(`${api.url}/version`)).rejects.toThrow();
    api.faults.setDown(false);
    await api.faults.settled();
    expect((await call('GET', '/version')).status).toBe(200);
  });
});
