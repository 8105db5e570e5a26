// Per-holder retention of the shared informer cache (retention.ts): index entries for
// what no holder retains, change events and deletes on them, owned <-> not owned
// switching with the fetch it costs, and whole-object holders joining and leaving.
import { startKubeEmulator, type KubeEmulator } from '../sandbox/kube/index.js';
import { makeKubeConfig, loadKubeClient } from './client.js';
import { acquireInformer, type InformerHandle, type RetentionPolicy } from './informers.js';
import { IndexEntry, isIndexEntry, notOlder, planFill } from './retention.js';

describe('planFill', () => {
  const keys = (ns: string, n: number) => Array.from({ length: n }, (_, i) => `${ns}/p${i}`);
  const all = [...keys('a', 100), ...keys('b', 100), ...keys('c', 1000)];

  test('a few objects: one GET each', () => {
    expect(planFill(['a/p1', 'c/p2'], all, 500, true)).toEqual({ lists: [], gets: ['a/p1', 'c/p2'], requests: 2 });
  });
  test('half or more of one namespace: that namespace listed (pages), the rest by GET', () => {
    const p = planFill([...keys('a', 50), 'b/p1'], all, 500, true);
    expect(p.lists).toEqual(['a']);
    expect(p.gets).toEqual(['b/p1']);
    expect(p.requests).toBe(2);
  });
  test('fewer than half of a namespace: GETs, even when a list would be fewer requests (it moves every object)', () => {
    const p = planFill(keys('a', 49), all, 500, true);
    expect(p).toMatchObject({ lists: [], requests: 49 });
    // The bench's 6 -> 5 takeover: ~167 of 5,000 pods over 50 namespaces.
    const bench = Array.from({ length: 5000 }, (_, i) => `ns${i % 50}/p${i}`);
    expect(planFill(bench.filter((_, i) => i % 30 === 0), bench, 500, true)).toMatchObject({ lists: [], requests: 167 });
  });
  test('a tie goes to GETs (fewer bytes)', () => {
    expect(planFill(['a/p1'], all, 500, true).gets).toEqual(['a/p1']);
  });
  test('most of everything: one paged list of the whole scope', () => {
    const p = planFill(all.slice(0, 900), all, 500, true);
    expect(p).toEqual({ lists: [''], gets: [], requests: 3 });
  });
  test('a one-namespace informer or cluster-scoped keys: no per-namespace list', () => {
    expect(planFill(keys('a', 50), keys('a', 100), 500, false)).toEqual({ lists: [''], gets: [], requests: 1 });
    expect(planFill(keys('a', 3), keys('a', 100), 500, false)).toMatchObject({ lists: [], requests: 3 });
    expect(planFill(['n1', 'n2'], ['n1', 'n2', 'n3'], 500, true)).toEqual({ lists: [''], gets: [], requests: 1 });
    expect(planFill([], all, 500, true)).toEqual({ lists: [], gets: [], requests: 0 });
  });
});

test('notOlder: equal, or a later etcd revision; opaque versions only when equal', () => {
  expect(notOlder('10', '10')).toBe(true);
  expect(notOlder('11', '9')).toBe(true);
  expect(notOlder('9', '11')).toBe(false);
  expect(notOlder('abc', 'abd')).toBe(false);
  expect(notOlder(undefined, '1')).toBe(false);
});

describe('informer retention against the sandbox API', () => {
  beforeAll(() => loadKubeClient());
  let emu: KubeEmulator;
  const handles: InformerHandle[] = [];
  /** Owned: the names in this set (a stand-in for the cluster ring). */
  let owned: Set<string>;
  const policy: RetentionPolicy = { retain: (o) => owned.has(o.metadata?.name ?? '') };
  const acquire = (retention?: RetentionPolicy) => {
    const h = acquireInformer({ kubeConfig: makeKubeConfig({ api_server: emu.url, bearer_token: undefined }), group: '', version: 'v1', resource: 'pods', initialBackoffMs: 20, pageSize: 2, retention });
    handles.push(h);
    return h;
  };
  const pod = (ns: string, name: string, extra: Record<string, string> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: ns, name, labels: { app: name, ...extra } },
    spec: { containers: [{ name: 'c', image: 'img' }] },
  });
  const entry = (h: InformerHandle, k: string) => h.get(k);
  const gets = () => emu.requests.filter((r) => r.verb === 'get' && r.resource === 'pods').length;
  const lists = () => emu.requests.filter((r) => r.verb === 'list' && r.resource === 'pods').length;
  const watches = () => emu.requests.filter((r) => r.verb === 'watch' && r.resource === 'pods').length;
  async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`${what}: not reached in ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  beforeEach(async () => {
    emu = await startKubeEmulator({ host: '127.0.0.1' });
    emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } });
    emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } });
    for (const n of ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']) emu.apply(pod('a', n));
    emu.apply(pod('b', 'q1'));
    owned = new Set(['p1']);
  });
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.release()));
    await emu.close();
  });

  test('only the retained objects are whole; the rest are index entries with name, namespace, uid and resourceVersion', async () => {
    const h = acquire(policy);
    await h.whenSynced();
    expect(h.objects()).toHaveLength(7);
    expect(isIndexEntry(entry(h, 'a/p1'))).toBe(false);
    expect((entry(h, 'a/p1') as any).spec.containers).toHaveLength(1);
    const e = entry(h, 'a/p2') as unknown as IndexEntry;
    expect(e).toBeInstanceOf(IndexEntry);
    expect(Object.keys(e)).toEqual(['metadata']);
    expect(e.metadata.namespace).toBe('a');
    expect(e.metadata.name).toBe('p2');
    expect(e.metadata.uid).toMatch(/./);
    expect(e.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(h.retentionStats().indexed).toBe(6);
  });

  test('a change event for a non-owned object updates its index entry; for an owned one the whole object; deletes remove either', async () => {
    const h = acquire(policy);
    await h.whenSynced();
    await until(() => watches() === 1, 'watch open');
    const rv0 = entry(h, 'a/p2')!.metadata!.resourceVersion;
    emu.apply(pod('a', 'p2', { changed: 'yes' }));
    await until(() => entry(h, 'a/p2')!.metadata!.resourceVersion !== rv0, 'index entry updated');
    expect(isIndexEntry(entry(h, 'a/p2'))).toBe(true);
    emu.apply(pod('a', 'p1', { changed: 'yes' }));
    await until(() => (entry(h, 'a/p1') as any)?.metadata?.labels?.changed === 'yes', 'owned object updated');
    emu.remove('v1', 'Pod', 'a', 'p2');
    emu.remove('v1', 'Pod', 'a', 'p1');
    await until(() => h.objects().length === 5, 'deletes applied');
    expect(entry(h, 'a/p2')).toBeUndefined();
    expect(h.retentionStats().indexed).toBe(5);
    expect(gets()).toBe(0);
  });

  test('owned <-> not owned: a newly owned object is fetched whole (one GET each), a no longer owned one shrinks; no new watch', async () => {
    const h = acquire(policy);
    await h.whenSynced();
    await until(() => watches() === 1, 'watch open');
    const [l0, w0] = [lists(), watches()];
    owned = new Set(['p2', 'q1']);
    await h.retentionChanged();
    expect(isIndexEntry(entry(h, 'a/p1'))).toBe(true);
    expect((entry(h, 'a/p2') as any).spec.containers[0].image).toBe('img');
    expect((entry(h, 'b/q1') as any).metadata.labels.app).toBe('q1');
    expect(isIndexEntry(entry(h, 'a/p3'))).toBe(true);
    expect(gets()).toBe(2);
    expect(h.retentionStats()).toMatchObject({ indexed: 5, gets: 2, filled: 2 });
    expect([lists(), watches()]).toEqual([l0, w0]);
    // All of namespace a (5 index entries): its list (3 pages of 2) costs fewer requests than 5 GETs.
    owned = new Set(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'q1']);
    await h.retentionChanged();
    expect(h.objects().filter(isIndexEntry)).toHaveLength(0);
    expect(gets()).toBe(2);
    expect(lists()).toBe(l0 + 3);
    expect(emu.requests.filter((r) => r.verb === 'list').slice(-3).every((r) => r.namespace === 'a')).toBe(true);
    expect(h.retentionStats()).toMatchObject({ indexed: 0, gets: 2, listPages: 3, filled: 7 });
    expect(watches()).toBe(w0);
  });

  test('the fetched object emits MODIFIED, so holders rebuild', async () => {
    const h = acquire(policy);
    await h.whenSynced();
    const seen: string[] = [];
    h.onChange((evs) => seen.push(...evs.map((e) => `${e.type} ${e.object.metadata?.name}`)));
    owned = new Set(['p1', 'p3']);
    await h.retentionChanged();
    expect(seen).toEqual(['MODIFIED p3']);
  });

  test('a whole-object holder sharing the watch: the cache turns whole (one re-list), the policy holder sees it too; when it leaves, entries shrink again', async () => {
    const sharded = acquire(policy);
    await sharded.whenSynced();
    await until(() => watches() === 1, 'watch open');
    const l0 = lists();
    const whole = acquire();
    expect(whole.synced).toBe(false);
    await whole.whenSynced();
    expect(whole.objects()).toHaveLength(7);
    expect(whole.objects().some(isIndexEntry)).toBe(false);
    expect(sharded.objects().some(isIndexEntry)).toBe(false);
    expect(lists()).toBe(l0 + 4); // 7 pods, pages of 2
    await until(() => watches() === 2, 'watch resumed after the re-list');
    await whole.release();
    await until(() => sharded.retentionStats().indexed === 6, 'shrunk after the whole holder left');
    expect(isIndexEntry(sharded.get('a/p1'))).toBe(false);
  });

  test('a second policy holder joining: what it retains and nobody did is fetched; what neither retains stays an index entry', async () => {
    const first = acquire(policy);
    await first.whenSynced();
    const g0 = gets();
    const second = acquire({ retain: (o) => o.metadata?.name === 'p4' });
    await until(() => !isIndexEntry(second.get('a/p4')), 'p4 fetched');
    expect(gets()).toBe(g0 + 1);
    expect(isIndexEntry(second.get('a/p1'))).toBe(false);
    expect(isIndexEntry(second.get('a/p2'))).toBe(true);
    await second.release();
    await until(() => isIndexEntry(first.get('a/p4')), 'p4 shrunk when its only retainer left');
  });

  test('a holder without a policy never sees index entries, and alone keeps everything whole', async () => {
    const h = acquire();
    await h.whenSynced();
    expect(h.objects().some(isIndexEntry)).toBe(false);
    expect(h.retentionStats().indexed).toBe(0);
  });
});
