// otelcol.exporter.loadbalancing with resolver > clustering on a real cluster
// (issue 19, clustering bullet): three in-process cluster nodes gossiping on
// 127.0.0.2-4, each running its own config (a front otelcol.receiver.otlp ->
// loadbalancing, and a member receiver on its gossip host). The spans of one
// trace are sent to different members' fronts on purpose: every member's ring
// is built from the same participant list, so every span of a trace still
// reaches one member, the one the clustering ring names. When a member leaves,
// the survivors rebalance over the two that remain.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Cluster } from '../../src/clustering/cluster.js';
import { Ring } from '../../src/clustering/ring.js';
import { encodeRequest } from '../../src/otel/proto.js';
import type { Traces } from '../../src/pipeline/otel.js';
import { Controller } from '../../src/runtime/controller.js';
import { startTestNode } from '../lib/cluster-nodes.js';
import { freePort, freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, recorders, spanIds } from '../lib/otel-support.js';

const HOSTS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const TRACES = 60;
const SPANS = 3;

interface Member { node: Cluster; controller: Controller; front: number; label: string; stopped?: boolean }

function config(i: number, front: number, otlpPort: number): string {
  return `
otelcol.receiver.otlp "member" {
  grpc { endpoint = "${HOSTS[i]}:${otlpPort}" }
  output { traces = [testing.otel_recorder.m${i}.input] }
}
testing.otel_recorder "m${i}" { }

otelcol.receiver.otlp "front" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.loadbalancing.lb.input] }
}

otelcol.exporter.loadbalancing "lb" {
  resolver {
    clustering { port = "${otlpPort}" }
  }
  protocol {
    otlp {
      client {
        tls { insecure = true }
      }
    }
  }
}
`;
}

function post(port: number, body: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * TRACES traces of SPANS spans; span s of trace t goes to the front of member
 * (t + s) % fronts.length, so every trace is split over several members' fronts.
 * Returns the "traceid/spanid" of every span sent.
 */
async function sendSplit(fronts: number[]): Promise<string[]> {
  const perFront: Traces['resourceSpans'][number]['scopeSpans'][number]['spans'][] = fronts.map(() => []);
  const ids: string[] = [];
  for (let t = 0; t < TRACES; t++) {
    const traceId = randomBytes(16);
    for (let s = 0; s < SPANS; s++) {
      const spanId = randomBytes(8);
      ids.push(`${traceId.toString('hex')}/${spanId.toString('hex')}`);
      perFront[(t + s) % fronts.length].push({ traceId, spanId, name: `t${t}-s${s}`, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000', attributes: [] });
    }
  }
  await Promise.all(
    fronts.map(async (port, i) => {
      const body = encodeRequest('traces', { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'lb-cluster' } }] }, scopeSpans: [{ scope: { name: 'e2e' }, spans: perFront[i] }] }] });
      expect(await post(port, body)).toBe(200);
    }),
  );
  return ids;
}

function clearRecorders(): void {
  for (let i = 0; i < HOSTS.length; i++) {
    const r = recorders.get(`m${i}`);
    if (r) r.traces.length = 0;
  }
}

/** Every sent span arrives once; every trace at the one member the ring over `endpoints` names. Returns spans per member. */
async function checkDelivery(sent: string[], endpoints: string[]): Promise<number[]> {
  const recs = HOSTS.map((_, i) => recorders.get(`m${i}`)!);
  await waitFor(`${sent.length} spans at the members`, () => recs.reduce((n, r) => n + spanIds(r).length, 0) >= sent.length, { timeoutMs: 30_000 });
  const got = recs.flatMap(spanIds);
  expect(got.length).toBe(sent.length);
  expect([...got].sort()).toEqual([...sent].sort());
  const ring = new Ring(endpoints);
  const membersOfTrace = new Map<string, Set<string>>();
  recs.forEach((r, i) => {
    for (const id of spanIds(r)) {
      const traceId = id.split('/')[0];
      (membersOfTrace.get(traceId) ?? membersOfTrace.set(traceId, new Set()).get(traceId)!).add(HOSTS[i]);
      expect(ring.ownerOf(traceId)?.split(':')[0]).toBe(HOSTS[i]);
    }
  });
  expect(membersOfTrace.size).toBe(TRACES);
  expect([...membersOfTrace.values()].filter((s) => s.size !== 1)).toEqual([]);
  return recs.map((r) => spanIds(r).length);
}

describe('otelcol.exporter.loadbalancing resolver > clustering on a real three-node cluster', () => {
  const members: Member[] = [];
  let otlpPort = 0;

  afterAll(async () => {
    for (const m of members) {
      if (!m.stopped) await m.controller.stop();
      await m.node.stop();
    }
  });

  test('spans of one trace sent to different members all reach the one member the ring names; a leaving member\'s share moves to the others', async () => {
    otlpPort = await freePort();
    const fronts = await freePorts(HOSTS.length);
    let first: Cluster | undefined;
    for (let i = 0; i < HOSTS.length; i++) {
      const node = await startTestNode({ nodeName: `n${i}`, listenAddr: `${HOSTS[i]}:0`, joinAddresses: first ? [first.advertiseAddress] : [] });
      first ??= node;
      node.setState('participant');
      const controller = new Controller({ logger: pino({ level: 'silent' }), metrics: new Registry(), storagePath: fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-lbc-')), cluster: node });
      members.push({ node, controller, front: fronts[i], label: `m${i}` });
    }
    const participants = (n: Cluster) => n.peers().filter((p) => p.state === 'participant').length;
    await waitFor('every node sees 3 participants', () => members.every((m) => participants(m.node) === 3), { timeoutMs: 15_000, intervalMs: 50 });
    for (let i = 0; i < members.length; i++) await members[i].controller.load(config(i, members[i].front, otlpPort), `lbc-${i}.alloy`);
    const backends = (m: Member) => counterValue(m.controller, 'otelcol_loadbalancer_num_backends', { resolver: 'clustering' });
    await waitFor('every loadbalancer has 3 backends', async () => (await Promise.all(members.map(backends))).every((n) => n === 3), { timeoutMs: 15_000 });

    // The backends are the participants at their gossip hosts and the configured port.
    const endpoints3 = HOSTS.map((h) => `${h}:${otlpPort}`);
    clearRecorders();
    const sent = await sendSplit(members.map((m) => m.front));
    const per = await checkDelivery(sent, endpoints3);
    expect(per.every((n) => n > 0)).toBe(true);
    // Counted end to end: what the fronts accepted is what the members accepted.
    const sum = async (name: string, id: string) => (await Promise.all(members.map((m) => counterValue(m.controller, name, { component_id: id })))).reduce((a, b) => a + b, 0);
    expect(await sum('otelcol_receiver_accepted_spans_total', 'otelcol.receiver.otlp.front')).toBe(TRACES * SPANS);
    await waitFor('members counted every span', async () => (await sum('otelcol_receiver_accepted_spans_total', 'otelcol.receiver.otlp.member')) === TRACES * SPANS);

    // n2 leaves the cluster (its own loadbalancer and member receiver stop with it).
    const leaving = members[2];
    await leaving.node.leave();
    await leaving.controller.stop();
    leaving.stopped = true;
    const survivors = members.slice(0, 2);
    await waitFor('survivors balance over 2 backends', async () => (await Promise.all(survivors.map(backends))).every((n) => n === 2), { timeoutMs: 15_000 });
    clearRecorders();
    const sent2 = await sendSplit(survivors.map((m) => m.front));
    const per2 = await checkDelivery(sent2, endpoints3.slice(0, 2));
    expect(per2[2]).toBe(0);
    expect(per2[0] + per2[1]).toBe(TRACES * SPANS);
    // Each survivor's backend list changed at least twice (3, then 2), every change from a resolution.
    for (const m of survivors) {
      const updates = await counterValue(m.controller, 'otelcol_loadbalancer_num_backend_updates_total', { resolver: 'clustering' });
      expect(updates).toBeGreaterThanOrEqual(2);
      expect(await counterValue(m.controller, 'otelcol_loadbalancer_num_resolutions_total', { resolver: 'clustering', success: 'true' })).toBeGreaterThanOrEqual(updates);
    }
  }, 120_000);
});
