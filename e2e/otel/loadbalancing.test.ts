// otelcol.exporter.loadbalancing end to end: the OpenTelemetry JS SDK sends
// many traces (batched, so one request mixes traces) to a front
// otelcol.receiver.otlp -> loadbalancing -> three receiving
// otelcol.receiver.otlp backends (OTLP/gRPC), each recording what it gets.
// Every span of each trace must land at exactly one backend and the counts
// must be identical end to end; with the clustering resolver the backends are
// the cluster's participants.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClusterOwnership, Peer } from '../../src/clustering/ownership.js';
import { Ring } from '../../src/clustering/ring.js';
import { buildLoadBalancing } from '../../src/components/otelcol/exporter/loadbalancing.js';
import { makeKubeConfig } from '../../src/kube/client.js';
import type { OtelConsumer } from '../../src/pipeline/otel.js';
import { startKubeEmulator } from '../../src/sandbox/kube/index.js';
import { makeTestContext } from '../lib/component-context.js';
import { Controller } from '../../src/runtime/controller.js';
import { freePort, freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, recorders, type Recorded } from '../lib/otel-support.js';
import { loadKubeClient } from '../../src/kube/client.js';

// Components are built here without the controller, which would load the client first.
beforeAll(() => loadKubeClient());

const TRACES = 150;
const SPANS = 4;

/** Sends TRACES traces of SPANS spans each in batches of 64; returns "traceid/spanid" of every span. */
async function sendTraces(port: number): Promise<string[]> {
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` });
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'lb-e2e' }), spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 64, scheduledDelayMillis: 50, maxQueueSize: 10_000 })] });
  const tracer = provider.getTracer('lb-e2e');
  const ids: string[] = [];
  for (let t = 0; t < TRACES; t++) {
    const root = tracer.startSpan('root');
    const ctx = trace.setSpan(context.active(), root);
    for (let s = 0; s < SPANS - 1; s++) {
      const child = tracer.startSpan(`child-${s}`, {}, ctx);
      ids.push(`${child.spanContext().traceId}/${child.spanContext().spanId}`);
      child.end();
    }
    ids.push(`${root.spanContext().traceId}/${root.spanContext().spanId}`);
    root.end();
  }
  await provider.forceFlush();
  await provider.shutdown();
  return ids;
}

const spanIdsOf = (rec: Recorded): string[] =>
  rec.traces.flatMap((r) => r.data.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => `${Buffer.from(s.traceId).toString('hex')}/${Buffer.from(s.spanId).toString('hex')}`))));

function backendsConfig(hosts: { host: string; port: number }[]): string {
  return hosts
    .map(
      ({ host, port }, i) => `
otelcol.receiver.otlp "b${i}" {
  grpc { endpoint = "${host}:${port}" }
  output { traces = [testing.otel_recorder.b${i}.input] }
}
testing.otel_recorder "b${i}" { }
`,
    )
    .join('');
}

function frontConfig(front: number, resolver: string): string {
  return `
otelcol.receiver.otlp "front" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.loadbalancing.lb.input] }
}

otelcol.exporter.loadbalancing "lb" {
  routing_key = "traceID"
  resolver {
    ${resolver}
  }
  protocol {
    otlp {
      client {
        compression = "gzip"
        tls { insecure = true }
      }
    }
  }
}
`;
}

function makeController(cluster?: ClusterOwnership): Controller {
  const storagePath = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-lb-'));
  const c: Record<string, unknown> = { logger: pino({ level: 'silent' }), metrics: new Registry(), storagePath };
  if (cluster) c.cluster = cluster;
  else c.cluster = { enabled: false, self: 'n1', ownerOf: () => 'n1', owns: () => true, onChange: () => () => {}, peers: () => [] };
  return new Controller(c as never);
}

/** Checks that every sent span arrived exactly once and each trace at one backend; returns spans per backend. */
async function checkDelivery(sent: string[], labels: string[]): Promise<number[]> {
  const recs = labels.map((l) => recorders.get(l)!);
  await waitFor(`${sent.length} spans at the backends`, () => recs.reduce((n, r) => n + spanIdsOf(r).length, 0) >= sent.length, { timeoutMs: 30_000 });
  const all = recs.flatMap(spanIdsOf);
  expect(all.length).toBe(sent.length);
  expect([...all].sort()).toEqual([...sent].sort());
  const backendsOfTrace = new Map<string, Set<number>>();
  recs.forEach((r, i) => {
    for (const id of spanIdsOf(r)) {
      const t = id.split('/')[0];
      (backendsOfTrace.get(t) ?? backendsOfTrace.set(t, new Set()).get(t)!).add(i);
    }
  });
  expect(backendsOfTrace.size).toBe(TRACES);
  expect([...backendsOfTrace.values()].filter((s) => s.size !== 1)).toEqual([]);
  return recs.map((r) => spanIdsOf(r).length);
}

describe('otelcol.exporter.loadbalancing', () => {
  test('static resolver: three backends, every trace whole at one of them, counts identical end to end', async () => {
    const [front, p0, p1, p2] = await freePorts(4);
    const backends = [p0, p1, p2].map((port) => ({ host: '127.0.0.1', port }));
    const controller = makeController();
    try {
      await controller.load(backendsConfig(backends) + frontConfig(front, `static { hostnames = ${JSON.stringify(backends.map((b) => `${b.host}:${b.port}`))} }`), 'lb.alloy');
      for (const l of ['b0', 'b1', 'b2']) recorders.get(l)!.traces.length = 0;
      const sent = await sendTraces(front);
      expect(new Set(sent).size).toBe(TRACES * SPANS);
      const per = await checkDelivery(sent, ['b0', 'b1', 'b2']);
      // With 150 traces on a 3-member ring every backend gets some.
      expect(per.every((n) => n > 0)).toBe(true);
      expect(await counterValue(controller, 'otelcol_receiver_accepted_spans_total', { component_id: 'otelcol.receiver.otlp.front' })).toBe(TRACES * SPANS);
      await waitFor('exporter sent count', async () => (await counterValue(controller, 'otelcol_exporter_sent_spans_total', { component_id: 'otelcol.exporter.loadbalancing.lb' })) === TRACES * SPANS);
      expect(await counterValue(controller, 'otelcol_loadbalancer_num_backends', { resolver: 'static' })).toBe(3);
    } finally {
      await controller.stop();
    }
  }, 60_000);

  test('top-level retry_on_failure routes a refused request again until a backend takes it', async () => {
    const [front, p0] = await freePorts(2);
    const controller = makeController();
    try {
      await controller.load(
        backendsConfig([{ host: '127.0.0.1', port: p0 }]) +
          `
otelcol.receiver.otlp "front" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.loadbalancing.lb.input] }
}
otelcol.exporter.loadbalancing "lb" {
  resolver {
    static { hostnames = ["127.0.0.1:${p0}"] }
  }
  protocol {
    otlp {
      queue { enabled = false }
      retry { enabled = false }
      client {
        tls { insecure = true }
      }
    }
  }
  sending_queue { enabled = true }
  retry_on_failure {
    enabled          = true
    initial_interval = "100ms"
    max_interval     = "200ms"
  }
}
`,
        'lb-retry.alloy',
      );
      const rec = recorders.get('b0')!;
      rec.traces.length = 0;
      rec.refuse = 'backend busy';
      const sent = await sendTraces(front);
      // The backend refuses everything for a while; the top-level queue holds and retries.
      await waitFor('the backend saw refused attempts', async () => (await counterValue(controller, 'otelcol_receiver_refused_spans_total', { component_id: 'otelcol.receiver.otlp.b0' })) > 0);
      expect(spanIdsOf(rec)).toEqual([]);
      rec.refuse = undefined;
      await checkDelivery(sent, ['b0']);
    } finally {
      await controller.stop();
    }
  }, 60_000);

  test('clustering resolver: the backends are the participants at their gossip hosts; a member joining takes over only its share', async () => {
    const port = await freePort();
    const front = await freePort();
    const hosts = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'].map((host) => ({ host, port }));
    let peers: Peer[] = hosts.slice(0, 3).map((h, i) => ({ name: `n${i}`, address: `${h.host}:7946`, state: 'participant', isSelf: i === 0 }));
    const listeners = new Set<() => void>();
    const cluster: ClusterOwnership = {
      enabled: true,
      self: 'n0',
      ownerOf: () => 'n0',
      owns: () => true,
      peers: () => peers,
      onChange: (l) => (listeners.add(l), () => listeners.delete(l)),
    };
    const controller = makeController(cluster);
    try {
      await controller.load(backendsConfig(hosts) + frontConfig(front, `clustering { port = "${port}" }`), 'lb-cluster.alloy');
      for (const l of ['b0', 'b1', 'b2', 'b3']) recorders.get(l)!.traces.length = 0;
      const first = await sendTraces(front);
      const per = await checkDelivery(first, ['b0', 'b1', 'b2', 'b3']);
      expect(per[3]).toBe(0);
      expect(per.slice(0, 3).every((n) => n > 0)).toBe(true);

      // A fourth participant joins: new traces spread over four; it owns part of the keys.
      peers = [...peers, { name: 'n3', address: `${hosts[3].host}:7946`, state: 'participant', isSelf: false }];
      for (const l of listeners) l();
      await waitFor('four backends', async () => (await counterValue(controller, 'otelcol_loadbalancer_num_backends', { resolver: 'clustering' })) === 4);
      for (const l of ['b0', 'b1', 'b2', 'b3']) recorders.get(l)!.traces.length = 0;
      const second = await sendTraces(front);
      const per2 = await checkDelivery(second, ['b0', 'b1', 'b2', 'b3']);
      expect(per2[3]).toBeGreaterThan(0);
      // Consistent hashing: a trace not taken by the new member stays where the three-member ring put it.
      const three = new Ring(hosts.slice(0, 3).map((h) => `${h.host}:${port}`));
      let stayed = 0;
      hosts.slice(0, 3).forEach((h, i) => {
        for (const id of spanIdsOf(recorders.get(`b${i}`)!)) {
          expect(three.ownerOf(id.split('/')[0])).toBe(`${h.host}:${port}`);
          stayed++;
        }
      });
      expect(stayed + per2[3]).toBe(TRACES * SPANS);
    } finally {
      await controller.stop();
    }
  }, 90_000);
});

describe('otelcol.exporter.loadbalancing resolver > kubernetes', () => {
  test('the ready addresses of the Service\'s Endpoints (sandbox API), followed as they change', async () => {
    const emu = await startKubeEmulator();
    const port = await freePort();
    const hosts = ['127.0.0.2', '127.0.0.3'].map((host) => ({ host, port }));
    const controller = makeController();
    const ctx = makeTestContext({ id: 'otelcol.exporter.loadbalancing.k8s' });
    const comp = buildLoadBalancing(ctx, { kubeConfig: () => makeKubeConfig({ api_server: emu.url }) });
    try {
      await controller.load(backendsConfig(hosts), 'lb-k8s-backends.alloy');
      emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'obs' } });
      const endpoints = (ips: string[]) => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'gateway', namespace: 'obs' }, subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 4317 }] }] });
      emu.apply(endpoints(['127.0.0.2']));
      await comp.update({
        routing_key: 'traceID',
        timeout: 0,
        resolver: { kubernetes: { service: 'gateway.obs', ports: [port], timeout: 10_000, return_hostnames: false } },
        protocol: { otlp: { timeout: 5_000, client: { compression: 'gzip', headers: {}, balancer_name: 'round_robin', wait_for_ready: false, tls: { insecure: true } } } },
      } as never);
      await waitFor('one backend from the Endpoints', () => JSON.stringify((comp.debugInfo() as { backends: string[] }).backends) === JSON.stringify([`127.0.0.2:${port}`]));
      emu.apply(endpoints(['127.0.0.2', '127.0.0.3']));
      await waitFor('two backends', () => (comp.debugInfo() as { backends: string[] }).backends.length === 2);
      const input = ctx.exports.input as OtelConsumer;
      const ids = Array.from({ length: 60 }, (_, i) => Buffer.from(`${String(i).padStart(4, '0')}abcdefabcdef`, 'utf8').subarray(0, 16));
      await input.consumeTraces({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: ids.flatMap((t) => [0, 1].map((j) => ({ traceId: t, spanId: Buffer.from([j, 1, 2, 3, 4, 5, 6, 7]), name: 'x', attributes: [] }))) }] }] });
      const recs = ['b0', 'b1'].map((l) => recorders.get(l)!);
      await waitFor('120 spans at the two backends', () => recs.reduce((n, r) => n + spanIdsOf(r).length, 0) === 120, { timeoutMs: 30_000 });
      expect(recs.every((r) => spanIdsOf(r).length > 0)).toBe(true);
    } finally {
      await comp.stop();
      await controller.stop();
      await emu.close();
    }
  }, 60_000);
});

describe('otelcol.exporter.loadbalancing resolver metrics', () => {
  test('resolver > dns: resolutions counted by outcome, backend updates only when the list changes', async () => {
    // The lookup answers one address, then fails (the last good list stays), then the same address, then two.
    const answers: (string[] | Error)[] = [['127.0.0.2'], new Error('SERVFAIL'), ['127.0.0.2'], ['127.0.0.2', '127.0.0.3']];
    let calls = 0;
    const lookup = async (): Promise<string[]> => {
      const a = answers[Math.min(calls++, answers.length - 1)];
      if (a instanceof Error) throw a;
      return a;
    };
    const metrics = new Registry();
    const ctx = makeTestContext({ id: 'otelcol.exporter.loadbalancing.dns', metrics });
    const comp = buildLoadBalancing(ctx, { lookup });
    const value = async (name: string, labels: Record<string, string>) =>
      ((await metrics.getSingleMetric(name)?.get())?.values ?? []).filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)).reduce((s, v) => s + v.value, 0);
    try {
      await comp.update({
        routing_key: 'traceID',
        timeout: 0,
        resolver: { dns: { hostname: 'gateway.obs', port: '4317', interval: 50, timeout: 1_000 } },
        protocol: { otlp: { timeout: 5_000, client: { compression: 'gzip', headers: {}, balancer_name: 'round_robin', wait_for_ready: false, tls: { insecure: true } } } },
      } as never);
      await waitFor('two backends', () => (comp.debugInfo() as { backends: string[] }).backends.length === 2, { timeoutMs: 10_000 });
      expect(await value('otelcol_loadbalancer_num_resolutions_total', { resolver: 'dns', success: 'false' })).toBe(1);
      expect(await value('otelcol_loadbalancer_num_resolutions_total', { resolver: 'dns', success: 'true' })).toBeGreaterThanOrEqual(3);
      // [127.0.0.2] once, then [127.0.0.2, 127.0.0.3]: the failure and the repeated answer change nothing.
      expect(await value('otelcol_loadbalancer_num_backend_updates_total', { resolver: 'dns' })).toBe(2);
      expect(await value('otelcol_loadbalancer_num_backends', { resolver: 'dns' })).toBe(2);
    } finally {
      await comp.stop();
    }
  });
});
