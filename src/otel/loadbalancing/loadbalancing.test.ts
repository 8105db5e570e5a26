import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { OtelContext, Signal, SignalData, Traces } from '../../pipeline/otel.js';
import type { ClusterOwnership, Peer } from '../../clustering/ownership.js';
import { LoadBalancer, type Backend } from './balancer.js';
import { kubernetesEndpoints, parseService } from './kubernetes-endpoints.js';
import { ClusterResolver, DnsResolver, StaticResolver, withDefaultPort } from './resolvers.js';
import { splitByRoutingKey } from './routing.js';

const logger = pino({ level: 'silent' });

function tracesOf(traceIds: Buffer[], spansPerTrace: number, service = 'svc'): Traces {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 's' }, spans: traceIds.flatMap((t) => Array.from({ length: spansPerTrace }, () => ({ traceId: t, spanId: randomBytes(8), name: 'x', attributes: [] }))) }],
      },
    ],
  };
}

class RecordingBackend implements Backend {
  readonly got: Traces[] = [];
  stopped = false;
  async send<S extends Signal>(_s: S, data: SignalData[S], _c?: OtelContext): Promise<void> {
    this.got.push(data as Traces);
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

test('traceID routing: one part per trace, resource and scope copied, input untouched', () => {
  const ids = [randomBytes(16), randomBytes(16), randomBytes(16)];
  const input = tracesOf(ids, 4);
  const parts = splitByRoutingKey('traceID', 'traces', input);
  expect([...parts.keys()].sort()).toEqual(ids.map((i) => i.toString('hex')).sort());
  for (const [k, p] of parts) {
    expect(p.resourceSpans).toHaveLength(1);
    expect(p.resourceSpans[0].resource).toEqual(input.resourceSpans[0].resource);
    expect(p.resourceSpans[0].scopeSpans[0].scope).toEqual({ name: 's' });
    expect(p.resourceSpans[0].scopeSpans[0].spans.map((s) => Buffer.from(s.traceId).toString('hex'))).toEqual([k, k, k, k]);
  }
  expect(input.resourceSpans[0].scopeSpans[0].spans).toHaveLength(12);
  const byService = splitByRoutingKey('service', 'traces', input);
  expect([...byService.keys()]).toEqual(['svc']);
});

test('every span of a trace reaches one backend; adding a backend moves about 1/N of the traces, all to it', async () => {
  const backends = new Map<string, RecordingBackend>();
  const lb = new LoadBalancer('traceID', (e) => {
    const b = new RecordingBackend();
    backends.set(e, b);
    return b;
  }, logger);
  lb.setEndpoints(['b1:4317', 'b2:4317', 'b3:4317']);
  const ids = Array.from({ length: 3000 }, () => randomBytes(16));
  await lb.consume('traces', tracesOf(ids, 3), undefined);
  const where = new Map<string, Set<string>>();
  for (const [e, b] of backends) for (const t of b.got) for (const s of t.resourceSpans[0].scopeSpans[0].spans) {
    const k = Buffer.from(s.traceId).toString('hex');
    (where.get(k) ?? where.set(k, new Set()).get(k)!).add(e);
  }
  expect(where.size).toBe(3000);
  expect([...where.values()].every((s) => s.size === 1)).toBe(true);
  // Spread: each of 3 backends holds a fair share (within +-20% of 1000 traces).
  const per = [...backends.values()].map((b) => b.got.reduce((n, t) => n + t.resourceSpans[0].scopeSpans[0].spans.length, 0) / 3);
  for (const n of per) expect(Math.abs(n - 1000)).toBeLessThan(200);

  const before = new Map(ids.map((i) => [i.toString('hex'), lb.endpointFor(i.toString('hex'))]));
  lb.setEndpoints(['b1:4317', 'b2:4317', 'b3:4317', 'b4:4317']);
  let moved = 0;
  for (const [k, e] of before) {
    const now = lb.endpointFor(k);
    if (now !== e) {
      moved++;
      expect(now).toBe('b4:4317');
    }
  }
  expect(moved / ids.length).toBeGreaterThan(0.15);
  expect(moved / ids.length).toBeLessThan(0.35);
  // Removing it moves those traces back where they were; its exporter is stopped.
  lb.setEndpoints(['b1:4317', 'b2:4317', 'b3:4317']);
  for (const [k, e] of before) expect(lb.endpointFor(k)).toBe(e);
  expect(backends.get('b4:4317')!.stopped).toBe(true);
});

test('no backends yet: the data is refused with the reason; a refusing backend fails the request', async () => {
  const lb = new LoadBalancer('traceID', () => ({ send: () => Promise.reject(new Error('down')), stop: async () => {} }), logger);
  await expect(lb.consume('traces', tracesOf([randomBytes(16)], 1), undefined)).rejects.toThrow(/no backends/);
  lb.setEndpoints(['x:1']);
  await expect(lb.consume('traces', tracesOf([randomBytes(16)], 1), undefined)).rejects.toThrow(/1 of 1 backends refused the data: down/);
});

test('static hostnames get the default port; DNS lists every address and keeps the last good list on failure', async () => {
  expect(withDefaultPort('backend')).toBe('backend:4317');
  expect(withDefaultPort('backend:55690')).toBe('backend:55690');
  const got: string[][] = [];
  new StaticResolver(['a', 'b:1']).start((e) => got.push(e));
  expect(got).toEqual([['a:4317', 'b:1']]);

  let answer: string[] | Error = ['127.0.0.2', '127.0.0.3'];
  const lists: string[][] = [];
  const r = new DnsResolver({ hostname: 'otel.example', port: '4317', interval: 20, timeout: 1000 }, logger, async () => {
    if (answer instanceof Error) throw answer;
    return answer;
  });
  r.start((e) => lists.push(e));
  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((res) => setTimeout(res, 10));
  };
  await until(() => lists.length >= 1);
  expect(lists[0]).toEqual(['127.0.0.2:4317', '127.0.0.3:4317']);
  answer = new Error('SERVFAIL');
  const n = lists.length;
  await new Promise((res) => setTimeout(res, 80));
  expect(lists.length).toBe(n);
  answer = ['::1'];
  await until(() => lists.length > n);
  r.stop();
  expect(lists[lists.length - 1]).toEqual(['[::1]:4317']);
});

test('clustering resolver: the participants at their gossip hosts, updated on membership change', () => {
  let peers: Peer[] = [
    { name: 'a', address: '127.0.0.2:7946', state: 'participant', isSelf: true },
    { name: 'b', address: '127.0.0.3:7946', state: 'participant', isSelf: false },
    { name: 'c', address: '127.0.0.4:7946', state: 'viewer', isSelf: false },
  ];
  let notify = () => {};
  const cluster = { enabled: true, self: 'a', ownerOf: () => 'a', owns: () => true, peers: () => peers, onChange: (l: () => void) => ((notify = l), () => {}) } as ClusterOwnership;
  const lists: string[][] = [];
  new ClusterResolver(cluster, '4317').start((e) => lists.push(e));
  expect(lists).toEqual([['127.0.0.2:4317', '127.0.0.3:4317']]);
  peers = [...peers.slice(0, 2), { name: 'd', address: '127.0.0.5:7946', state: 'participant', isSelf: false }];
  notify();
  expect(lists[1]).toEqual(['127.0.0.2:4317', '127.0.0.3:4317', '127.0.0.5:4317']);
});

test('kubernetes endpoints: ready addresses times ports, or hostnames; bare service names take the own namespace', () => {
  const obj = { subsets: [{ addresses: [{ ip: '10.0.0.1', hostname: 'gw-0' }, { ip: '10.0.0.2', hostname: 'gw-1' }] }] };
  expect(kubernetesEndpoints(obj, [4317, 4318], false)).toEqual(['10.0.0.1:4317', '10.0.0.1:4318', '10.0.0.2:4317', '10.0.0.2:4318']);
  expect(kubernetesEndpoints(obj, [4317], true)).toEqual(['gw-0:4317', 'gw-1:4317']);
  expect(parseService('gw.observability')).toEqual({ name: 'gw', namespace: 'observability' });
  expect(parseService('gw', () => 'mine')).toEqual({ name: 'gw', namespace: 'mine' });
  expect(parseService('gw', () => undefined)).toEqual({ name: 'gw', namespace: 'default' });
});

test('metric and resource routing keys cut metrics by name and by resource', () => {
  const gauge = (name: string) => ({ name, gauge: { dataPoints: [{ asDouble: 1 }] } });
  const res = (svc: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: svc } }] });
  const data = { resourceMetrics: [{ resource: res('a'), scopeMetrics: [{ metrics: [gauge('up'), gauge('rss')] }] }, { resource: res('b'), scopeMetrics: [{ metrics: [gauge('up')] }] }] };
  const byName = splitByRoutingKey('metric', 'metrics', data as never);
  expect([...byName.keys()].sort()).toEqual(['rss', 'up']);
  expect((byName.get('up') as any).resourceMetrics).toHaveLength(2);
  const byResource = splitByRoutingKey('resource', 'metrics', data as never);
  expect(byResource.size).toBe(2);
  for (const part of byResource.values()) expect((part as any).resourceMetrics).toHaveLength(1);
});
