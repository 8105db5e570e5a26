// Cluster-wide targets: local collection from debug info, merging per target,
// peer addresses, and asking peers (real HTTP servers on loopback).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterOwnership, Peer } from '../clustering/ownership.js';
import { StandaloneOwnership } from '../clustering/ownership.js';
import type { Controller, NodeView } from '../runtime/controller.js';
import {
  clusterTargets,
  httpFromGossip,
  localTargets,
  mergeTargets,
  normalizeBase,
  parseAddressList,
  parseLocalTargets,
  peerEndpoints,
  type LocalTargets,
} from './targets-view.js';

function target(url: string, extra: Record<string, unknown> = {}) {
  const host = new URL(url).host;
  return {
    job: 'job-a',
    url,
    health: 'up',
    labels: { instance: host, job: 'job-a' },
    discovered_labels: { __address__: host },
    last_scrape: '2024-01-01T00:00:00.000Z',
    last_scrape_duration: '0.001000s',
    last_error: undefined,
    series: 3,
    ...extra,
  };
}

function view(id: string, debugInfo: unknown, args: unknown = {}): NodeView {
  const name = id.split('.').slice(0, -1).join('.');
  return { id, name, label: id.split('.').pop(), health: { state: 'healthy', message: '', updatedTime: '' }, references: [], referencedBy: [], arguments: args, exports: {}, debugInfo };
}

function fakeController(views: NodeView[]): Controller {
  return { list: () => views, view: (id: string) => views.find((v) => v.id === id) } as unknown as Controller;
}

class FakeCluster implements ClusterOwnership {
  readonly enabled = true;
  constructor(
    readonly self: string,
    private readonly members: Peer[],
  ) {}
  ownerOf(): string | undefined {
    return this.self;
  }
  owns(): boolean {
    return true;
  }
  onChange(): () => void {
    return () => {};
  }
  peers(): Peer[] {
    return this.members;
  }
}

describe('local targets', () => {
  test('collects targets from scrape-like debug info only, with the clustering flag', () => {
    const c = fakeController([
      view('prometheus.scrape.a', { job_name: 'job-a', targets: [target('http://10.0.0.1:9100/metrics', { health: 'down', last_error: 'refused' })] }, { clustering: { enabled: true } }),
      view('prometheus.scrape.b', { targets: [target('http://10.0.0.2:9100/metrics', { job: undefined })] }),
      view('prometheus.remote_write.w', { endpoints: [] }),
      view('loki.source.kubernetes.l', { targets: 3 }),
      view('discovery.relabel.r', { targets: [target('http://not-a-scrape')] }),
    ]);
    const r = localTargets(c, 'me');
    expect(r.node).toBe('me');
    expect(r.targets.map((t) => [t.component, t.url, t.clustered, t.health, t.last_error, t.job])).toEqual([
      ['prometheus.scrape.a', 'http://10.0.0.1:9100/metrics', true, 'down', 'refused', 'job-a'],
      ['prometheus.scrape.b', 'http://10.0.0.2:9100/metrics', false, 'up', null, 'prometheus.scrape.b'],
    ]);
    expect(r.targets[0].labels).toEqual({ instance: '10.0.0.1:9100', job: 'job-a' });
  });

  test('a component whose debug info throws or is odd is skipped, not fatal', () => {
    const c = fakeController([view('prometheus.scrape.x', { error: 'boom' }), view('prometheus.scrape.y', 'text'), view('prometheus.scrape.z', { targets: [null, 1, { url: 5 }] })]);
    expect(localTargets(c, 'me').targets).toEqual([]);
  });
});

describe('merging', () => {
  const t = (node: string, url: string, labels: Record<string, string> = { a: '1' }): LocalTargets => ({
    node,
    targets: [{ node, component: 'prometheus.scrape.p', job: 'j', url, labels, clustered: true, health: 'up', last_scrape: null, last_scrape_duration: null, last_error: null, series: 1 }],
  });

  test('one entry per target; owners are every node running it, sorted', () => {
    const m = mergeTargets([t('n2', 'http://x/1'), t('n1', 'http://x/1'), t('n3', 'http://x/2'), t('n1', 'http://x/1', { a: '2' })]);
    expect(m.map((e) => [e.url, e.labels.a, e.owners])).toEqual([
      ['http://x/1', '1', ['n1', 'n2']],
      ['http://x/1', '2', ['n1']],
      ['http://x/2', '1', ['n3']],
    ]);
    expect(m[0].replicas.map((r) => r.node)).toEqual(['n1', 'n2']);
  });

  test('label order does not split a target', () => {
    const m = mergeTargets([t('n1', 'http://x', { a: '1', b: '2' }), t('n2', 'http://x', { b: '2', a: '1' })]);
    expect(m).toHaveLength(1);
    expect(m[0].owners).toEqual(['n1', 'n2']);
  });

  test('a peer answer is validated', () => {
    expect(() => parseLocalTargets({ targets: [] })).toThrow(/want \{node, targets\[\]\}/);
    expect(() => parseLocalTargets('x')).toThrow(/unexpected answer/);
    const p = parseLocalTargets({ node: 'n', targets: [{ url: 'u', component: 'c', node: 'liar', labels: { a: 1, b: 'x' } }, { url: 1 }] });
    expect(p.targets).toHaveLength(1);
    expect(p.targets[0].node).toBe('n'); // the answering node, whatever the row claims
    expect(p.targets[0].labels).toEqual({ b: 'x' });
  });
});

describe('peer addresses', () => {
  test('without an advertised HTTP address the gossip address is the HTTP address (one port by default); explicit lists win', () => {
    expect(httpFromGossip('10.0.0.1:12345')).toBe('10.0.0.1:12345');
    expect(httpFromGossip('[::1]:12345')).toBe('[::1]:12345');
    expect(httpFromGossip('nohost')).toBeUndefined();
    expect(normalizeBase('10.0.0.1:1/')).toBe('http://10.0.0.1:1');
    expect(normalizeBase('https://x:1')).toBe('https://x:1');
    expect(parseAddressList(' a:1, ,b:2 ')).toEqual(['a:1', 'b:2']);
    const cluster = new FakeCluster('a', [
      { name: 'a', address: '10.0.0.1:12346', state: 'participant', isSelf: true },
      { name: 'b', address: '10.0.0.2:12346', state: 'participant', isSelf: false },
      { name: 'c', address: '10.0.0.3:7947', state: 'viewer', isSelf: false, httpAddress: '10.0.0.3:8080' } as Peer,
    ]);
    expect(peerEndpoints(cluster, undefined)).toEqual([
      { name: 'b', base: 'http://10.0.0.2:12346', derived: true },
      { name: 'c', base: 'http://10.0.0.3:8080' },
    ]);
    expect(peerEndpoints(cluster, ['x:1'])).toEqual([{ base: 'http://x:1' }]);
    expect(peerEndpoints(new StandaloneOwnership('s'), undefined)).toEqual([]);
  });
});

describe('asking peers', () => {
  const servers: http.Server[] = [];
  async function serve(handler: http.RequestListener): Promise<string> {
    const s = http.createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `127.0.0.1:${(s.address() as AddressInfo).port}`;
  }
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
  const peerAnswer = (node: string, url: string) =>
    JSON.stringify({ node, targets: [{ node, component: 'prometheus.scrape.p', job: 'j', url, labels: {}, clustered: true, health: 'up', series: 1 }] });

  test('merges answers, skips itself and duplicates, reports failures and silent members', async () => {
    let asked = '';
    const good = await serve((req, res) => {
      asked = req.url ?? '';
      res.setHeader('content-type', 'application/json');
      res.end(peerAnswer('b', 'http://t/2'));
    });
    const dup = await serve((_req, res) => res.end(peerAnswer('b', 'http://t/3')));
    const self = await serve((_req, res) => res.end(peerAnswer('a', 'http://t/9')));
    const broken = await serve((_req, res) => res.writeHead(500).end('{}'));
    const slow = await serve(() => undefined); // never answers
    const closed = await serve(() => undefined);
    servers[servers.length - 1].close(); // nothing listens there any more
    const cluster = new FakeCluster('a', [
      { name: 'a', address: '', state: 'participant', isSelf: true },
      { name: 'b', address: '', state: 'participant', isSelf: false },
      { name: 'z', address: '', state: 'participant', isSelf: false },
    ]);
    const controller = fakeController([view('prometheus.scrape.p', { targets: [target('http://t/1')] }, { clustering: { enabled: true } })]);
    const r = await clusterTargets({ controller, cluster, peers: [...[good, dup, self, broken, slow].map((b) => ({ base: `http://${b}` })), { name: 'y', base: `http://${closed}`, derived: true }], timeoutMs: 300 });
    expect(asked).toBe('/api/v0/web/targets?local=1');
    expect(r.self).toBe('a');
    expect(r.targets.map((t) => [t.url, t.owners])).toEqual([
      ['http://t/1', ['a']],
      ['http://t/2', ['b']],
    ]);
    const byName = Object.fromEntries(r.nodes.map((n) => [n.name, n]));
    expect(r.nodes[0]).toMatchObject({ name: 'a', isSelf: true, ok: true, targets: 1 });
    expect(byName.b).toMatchObject({ ok: true, url: `http://${good}`, targets: 1 });
    expect(byName[`http://${broken}`]).toMatchObject({ ok: false, error: 'HTTP 500' });
    expect(byName[`http://${slow}`]).toMatchObject({ ok: false, error: 'no answer within 300 ms' });
    expect(byName.y.error).toMatch(/ECONNREFUSED.*guessed as the gossip address.*ALLOY_UI_PEER_HTTP_ADDRESSES/);
    expect(byName.z).toMatchObject({ ok: false, error: 'no HTTP address of this peer answered' });
  });
});
