// Watch semantics on the wire, and @kubernetes/client-node 1.4 informers against the emulator
// (ADDED/MODIFIED/DELETED, surviving dropped watches and 410 Gone in both forms).
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';

let api: KubeEmulator;
let dir: string;

beforeAll(async () => {
  api = await startKubeEmulator({ bookmarkIntervalMs: 100 });
  dir = mkdtempSync(join(tmpdir(), 'emu-watch-'));
  api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w' } });
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'w', labels },
  data,
});

/** Reads watch events from a raw stream until `until` says stop or the stream ends (bounded by time). */
async function readWatch(query: string, until: (events: any[]) => boolean, act?: () => void, timeoutMs = 5000): Promise<{ events: any[]; ended: boolean }> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const res = await fetch(`${api.url}/api/v1/namespaces/w/configmaps?watch=true&${query}`, { signal: ctrl.signal });
  expect(res.status).toBe(200);
  const events: any[] = [];
  let ended = false;
  let buf = '';
  const reader = res.body!.getReader();
  act?.();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      buf += Buffer.from(value).toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
      if (until(events)) break;
    }
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
  return { events, ended };
}

describe('watch wire protocol', () => {
  test('resourceVersion=0 starts with synthetic ADDED; selectors turn transitions into ADDED/DELETED', async () => {
    api.apply(cm('s1', { team: 'a' }));
    api.apply(cm('s2', { team: 'b' }));
    const { events } = await readWatch(
      'resourceVersion=0&labelSelector=team%3Da',
      (ev) => ev.length >= 4,
      () => {
        api.apply(cm('s2', { team: 'a' })); // starts matching
        api.apply(cm('s1', { team: 'b' })); // stops matching
        api.apply(cm('s2', { team: 'a' }, { x: '1' }));
      },
    );
    expect(events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(['ADDED:s1', 'ADDED:s2', 'DELETED:s1', 'MODIFIED:s2']);
    expect(events[0].object.kind).toBe('ConfigMap');
  });

  test('resume from a resourceVersion replays later events; too old gets an ERROR 410 event', async () => {
    const start = api.apply(cm('r1')).metadata.resourceVersion;
    api.apply(cm('r1', {}, { v: '2' }));
    api.remove('v1', 'ConfigMap', 'w', 'r1');
    const { events } = await readWatch(`resourceVersion=${start}&fieldSelector=metadata.name%3Dr1`, (ev) => ev.length >= 2);
    expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(Number(events[1].object.metadata.resourceVersion)).toBeGreaterThan(Number(events[0].object.metadata.resourceVersion));

    api.faults.expireHistory();
    const old = await readWatch(`resourceVersion=${start}`, () => false);
    expect(old.ended).toBe(true);
    expect(old.events).toHaveLength(1);
    expect(old.events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  test('sendInitialEvents ends the initial ADDED events with the initial-events-end bookmark', async () => {
    api.apply(cm('ie1', { ie: 'x' }));
    const { events } = await readWatch(
      'sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=ie',
      (ev) => ev.some((e) => e.type === 'BOOKMARK'),
    );
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(events[1].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  test('bookmarks carry the current resourceVersion; timeoutSeconds ends the stream cleanly', async () => {
    const rv = api.apply(cm('b1')).metadata.resourceVersion;
    const { events } = await readWatch(`resourceVersion=${rv}&allowWatchBookmarks=true`, (ev) => ev.some((e) => e.type === 'BOOKMARK'));
    const bm = events.find((e) => e.type === 'BOOKMARK');
    expect(bm.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Number(bm.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(rv));

    const t0 = Date.now();
    const timed = await readWatch(`resourceVersion=${rv}&timeoutSeconds=1`, () => false);
    expect(timed.ended).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });
});

test('watchExpiredAs: status answers a too-old resourceVersion with HTTP 410', async () => {
  const strict = await startKubeEmulator({ watchExpiredAs: 'status' });
  try {
    const rv = strict.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } }).metadata.resourceVersion;
    strict.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y', namespace: 'default' } });
    strict.faults.expireHistory();
    const res = await fetch(`${strict.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`);
    expect(res.status).toBe(410);
    expect(((await res.json()) as any).reason).toBe('Expired');
  } finally {
    await strict.close();
  }
});

describe('client-node informer', () => {
  test('gets ADDED/MODIFIED/DELETED and survives dropWatches, expired history and ERROR 410 events', async () => {
    const kcPath = join(dir, 'kubeconfig');
    api.writeKubeconfig(kcPath);
    const kc = new KubeConfig();
    kc.loadFromFile(kcPath);
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/w/configmaps', () => core.listNamespacedConfigMap({ namespace: 'w' }));

    const log: string[] = [];
    const errors: unknown[] = [];
    const waiters: Array<{ pred: () => boolean; resolve: () => void }> = [];
    const record = (kind: string) => (o: V1ConfigMap) => {
      log.push(`${kind}:${o.metadata!.name}:${o.data?.v ?? ''}`);
      for (const w of [...waiters]) if (w.pred()) w.resolve();
    };
    const waitFor = (entry: string, ms = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (log.includes(entry)) return resolve();
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${entry}; got ${log.join(', ')}`)), ms);
        waiters.push({ pred: () => log.includes(entry), resolve: () => (clearTimeout(t), resolve()) });
      });
    informer.on('add', record('add'));
    informer.on('update', record('update'));
    informer.on('delete', record('delete'));
    // The client-node README's pattern: an informer stops on a broken stream and is restarted;
    // it keeps its last resourceVersion, so the restart resumes the watch without a relist.
    let stopped = false;
    informer.on('error', (e) => {
      errors.push(e);
      if (!stopped) setImmediate(() => void informer.start());
    });
    await informer.start();
    try {
      api.apply(cm('i1', {}, { v: '1' }));
      await waitFor('add:i1:1');
      api.apply(cm('i1', {}, { v: '2' }));
      await waitFor('update:i1:2');

      // A cleanly ended stream (like the apiserver's watch timeout) resumes from the last resourceVersion.
      const listsBefore = api.requests.filter((r) => r.verb === 'list' && r.resource === 'configmaps').length;
      api.faults.endWatches();
      api.apply(cm('i1', {}, { v: '3' }));
      await waitFor('update:i1:3');
      expect(errors).toEqual([]);
      // An abruptly dropped stream surfaces as an error; the restarted informer resumes without a relist.
      api.faults.dropWatches();
      api.apply(cm('i1', {}, { v: '4' }));
      await waitFor('update:i1:4');
      expect(errors.length).toBeGreaterThanOrEqual(1);
      expect(api.requests.filter((r) => r.verb === 'list' && r.resource === 'configmaps').length).toBe(listsBefore);
      const resumed = api.requests.filter((r) => r.verb === 'watch' && r.resource === 'configmaps').pop()!;
      expect(resumed.query.resourceVersion).not.toBe('');

      // History expired while disconnected: the watch gets 410, the informer relists and notices the delete.
      api.faults.expireHistory();
      api.faults.dropWatches();
      api.remove('v1', 'ConfigMap', 'w', 'i1');
      api.faults.expireHistory();
      await waitFor('delete:i1:4');
      expect(api.requests.filter((r) => r.verb === 'list' && r.resource === 'configmaps').length).toBeGreaterThan(listsBefore);

      // An in-stream ERROR 410 also leads to a relist, after which new events flow.
      api.faults.sendErrorEventOnWatches(410);
      api.apply(cm('i2', {}, { v: '1' }));
      await waitFor('add:i2:1');
      const names = (l: ReadonlyArray<{ metadata?: { name?: string } }>) => l.map((o) => o.metadata!.name).sort();
      expect(names(informer.list('w'))).toEqual(names(api.list('v1', 'ConfigMap', 'w')));
      expect(names(informer.list('w'))).toContain('i2');
      expect(names(informer.list('w'))).not.toContain('i1');
    } finally {
      stopped = true;
      await informer.stop();
    }
  }, 20_000);
});
