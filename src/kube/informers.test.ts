// Shared informers against a fake API server: sharing, paging, resume,
// 410 (status and ERROR event), dropped watches, 403 health and recovery.
import { informerRegistry } from './metrics.js';
import { makeKubeConfig, loadKubeClient } from './client.js';
import { acquireInformer, activeInformerCount, type InformerHandle } from './informers.js';
import { FakeApiServer } from '../../e2e/lib/fake-apiserver.js';

const names = (h: InformerHandle) => h.objects().map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).sort();

/** Wait until `pred` holds, re-checking on every informer change or health change (bounded by time). */
function until(h: InformerHandle, pred: () => boolean, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const timer = setTimeout(() => {
      u1();
      u2();
      reject(new Error('condition not reached in time'));
    }, ms);
    const check = () => {
      if (!pred()) return;
      clearTimeout(timer);
      u1();
      u2();
      resolve();
    };
    const u1 = h.onChange(check);
    const u2 = h.onHealth(check);
  });
}

/** Wait for a server-side condition, polling the fake (bounded). */
async function serverUntil(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('server condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('shared informers', () => {
  beforeAll(() => loadKubeClient()); // makeKubeConfig needs the client module, loaded lazily
  let api: FakeApiServer;
  const handles: InformerHandle[] = [];
  const acquire = (extra: { namespace?: string; labelSelector?: string } = {}) => {
    const h = acquireInformer({
      kubeConfig: makeKubeConfig({ api_server: api.url }),
      group: '',
      version: 'v1',
      resource: 'pods',
      initialBackoffMs: 20,
      ...extra,
    });
    handles.push(h);
    return h;
  };

  beforeEach(async () => {
    api = await new FakeApiServer().start();
  });
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.release()));
    await api.close();
  });

  test('one list+watch per (cluster, resource, scope, selectors), ref-counted', async () => {
    api.apply(api.pod('a', 'p1'));
    const before = activeInformerCount();
    const h1 = acquire();
    const h2 = acquire();
    const h3 = acquire({ namespace: 'a' });
    await Promise.all([h1.whenSynced(), h2.whenSynced(), h3.whenSynced()]);
    await serverUntil(() => api.openWatches === 2);
    expect(activeInformerCount() - before).toBe(2);
    expect(api.requests.filter((r) => !r.watch).length).toBe(2);
    expect(names(h2)).toEqual(['a/p1']);
    await h1.release();
    expect(activeInformerCount() - before).toBe(2);
    await h2.release();
    await h3.release();
    expect(activeInformerCount() - before).toBe(0);
    await serverUntil(() => api.openWatches === 0);
  });

  test('watches from the list resourceVersion with bookmarks; selectors are sent', async () => {
    for (let i = 0; i < 7; i++) api.apply(api.pod('a', `p${i}`));
    const h = acquireInformer({ kubeConfig: makeKubeConfig({ api_server: api.url }), group: '', version: 'v1', resource: 'pods', namespace: 'a' });
    handles.push(h);
    const paged = acquireInformer({
      kubeConfig: makeKubeConfig({ api_server: api.url }),
      group: '',
      version: 'v1',
      resource: 'pods',
      labelSelector: 'x!=y',
    });
    handles.push(paged);
    await Promise.all([h.whenSynced(), paged.whenSynced()]);
    expect(names(h)).toHaveLength(7);
    await serverUntil(() => api.requests.some((r) => r.watch));
    const w = api.requests.find((r) => r.watch && r.path === '/api/v1/namespaces/a/pods')!;
    expect(w.query.allowWatchBookmarks).toBe('true');
    expect(w.query.resourceVersion).toBe('8');
    expect(api.requests.find((r) => r.query.labelSelector === 'x!=y')).toBeDefined();
  });

  test('paging follows continue tokens', async () => {
    for (let i = 0; i < 5; i++) api.apply(api.pod('b', `p${i}`));
    const { Reflector } = await import('./reflector.js');
    const r = new Reflector({ kubeConfig: makeKubeConfig({ api_server: api.url }), group: '', version: 'v1', resource: 'pods', pageSize: 2 });
    r.start();
    await r.whenSynced();
    expect(r.cache.size).toBe(5);
    expect(api.requests.filter((q) => !q.watch).map((q) => q.query.continue ?? '')).toEqual(['', '2', '4']);
    await r.stop();
  });

  test('watch events update the cache; a normal end resumes from the last (bookmarked) resourceVersion', async () => {
    const h = acquire();
    await h.whenSynced();
    await serverUntil(() => api.openWatches === 1);
    api.apply(api.pod('a', 'p1'));
    await until(h, () => names(h).length === 1);
    api.bookmark();
    api.endWatches();
    await serverUntil(() => api.requests.filter((r) => r.watch).length === 2);
    const second = api.requests.filter((r) => r.watch)[1];
    expect(second.query.resourceVersion).toBe('3'); // the bookmark's, newer than the last object
    expect(api.requests.filter((r) => !r.watch).length).toBe(1); // no re-list
    api.remove('a', 'p1');
    await until(h, () => names(h).length === 0);
  });

  test.each(['status', 'event'] as const)('410 as %s: re-list and replace the cache, deleting vanished objects', async (form) => {
    api.apply(api.pod('a', 'keep'));
    api.apply(api.pod('a', 'gone'));
    const h = acquire();
    await h.whenSynced();
    await serverUntil(() => api.openWatches === 1);
    const deleted: string[] = [];
    h.onChange((evs) => evs.filter((e) => e.type === 'DELETED').forEach((e) => deleted.push(e.object.metadata!.name!)));
    api.silentRemove('a', 'gone');
    api.expireHistory();
    if (form === 'status') api.endWatches();
    else api.errorEventOnWatches(410);
    await until(h, () => names(h).length === 1);
    expect(names(h)).toEqual(['a/keep']);
    expect(deleted).toEqual(['gone']);
    expect(api.requests.filter((r) => !r.watch).length).toBe(2);
    expect(h.health().state).toBe('healthy');
  });

  test('dropped watch: reconnect from the last resourceVersion without re-list, events after the drop arrive', async () => {
    const h = acquire();
    await h.whenSynced();
    await serverUntil(() => api.openWatches === 1);
    api.dropWatches();
    api.apply(api.pod('a', 'after-drop'));
    await until(h, () => names(h).length === 1);
    expect(api.requests.filter((r) => !r.watch).length).toBe(1);
  });

  test('403 -> unhealthy naming resource and verb, then recovers by itself', async () => {
    api.failNext(3, 403);
    api.apply(api.pod('a', 'p'));
    const h = acquire();
    await until(h, () => h.health().state === 'unhealthy');
    expect(h.health().message).toMatch(/^cannot list pods at the cluster scope: forbidden \(RBAC: grant list\+watch on pods\)/);
    await until(h, () => h.health().state === 'healthy' && names(h).length === 1, 5000);
  });

  test('403 on watch in a namespace names the watch verb and namespace', async () => {
    api.failNext(1, 403, true);
    const h = acquire({ namespace: 'ns1' });
    await until(h, () => h.health().state === 'unhealthy');
    expect(h.health().message).toMatch(/^cannot watch pods in the namespace "ns1": forbidden/);
    await until(h, () => h.health().state === 'healthy');
  });

  test('metrics: list calls, open watches, objects cached, watch restarts', async () => {
    // The informers are shared by the process, and so is their registry: read the changes this test causes.
    const value = async (name: string, labels: Record<string, string>) =>
      ((await informerRegistry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0);
    const lists0 = await value('alloy_kube_list_calls_total', { resource: 'pods', outcome: 'success' });
    const restarts0 = await value('alloy_kube_watch_restarts_total', { resource: 'pods', reason: 'closed' });
    const cached0 = await value('alloy_kube_objects_cached', { resource: 'pods' });
    const watches0 = await value('alloy_kube_open_watches', { resource: 'pods' });
    api.apply(api.pod('a', 'p1'));
    api.apply(api.pod('a', 'p2'));
    const h = acquire();
    await h.whenSynced();
    await serverUntil(() => api.openWatches === 1);
    api.endWatches();
    await serverUntil(() => api.requests.filter((r) => r.watch).length === 2 && api.openWatches === 1);
    expect((await value('alloy_kube_list_calls_total', { resource: 'pods', outcome: 'success' })) - lists0).toBe(1);
    expect((await value('alloy_kube_objects_cached', { resource: 'pods' })) - cached0).toBe(2);
    expect((await value('alloy_kube_watch_restarts_total', { resource: 'pods', reason: 'closed' })) - restarts0).toBe(1);
    expect((await value('alloy_kube_open_watches', { resource: 'pods' })) - watches0).toBe(1);
    expect(await informerRegistry.metrics()).toMatch(/alloy_kube_objects_cached\{resource="pods"\} \d+/);
  });
});
