// "Deploy by hand": the StatefulSet the alloy chart renders with default
// values, run as 3 collector processes with the rendered args and config
// (only what a pod would get from Kubernetes is substituted: $(POD_IP),
// $(POD_NAME), the headless-Service DNS name, the listen addresses, the
// in-cluster API credentials). The API emulator holds the rendered objects
// and 3 annotated pods whose IPs are 127.0.0.x, where tiny exporters listen.
// The cluster must form and scrape each annotated pod exactly once per interval.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { freePort } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { RemoteWriteReceiver } from '../../src/sandbox/receivers/remote-write-receiver.js';
import { withKubeconfig } from './inject.js';
import { configOf, find, renderObjects, workload } from './render.js';

const NS = 'alloy';
const INTERVAL_MS = 2000;
const COLLECTOR_IPS = ['127.0.0.11', '127.0.0.12', '127.0.0.13'];
const POD_IPS = ['127.0.0.21', '127.0.0.22', '127.0.0.23'];

interface Exporter {
  ip: string;
  port: number;
  hits: number[];
  server: http.Server;
}

function startExporter(ip: string): Promise<Exporter> {
  const hits: number[] = [];
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/metrics')) hits.push(Date.now());
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`# TYPE demo_requests_total counter\ndemo_requests_total ${hits.length}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, ip, () => resolve({ ip, port: (server.address() as net.AddressInfo).port, hits, server }));
  });
}

let api: KubeEmulator;
let rw: RemoteWriteReceiver;
let exporters: Exporter[] = [];
let procs: AlloyProcess[] = [];
let tmp: string;

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop().catch(() => undefined)));
  await Promise.all(exporters.map((e) => new Promise((r) => e.server.close(r))));
  await rw?.stop();
  await api?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('3 replicas from the rendered StatefulSet form a cluster and scrape each annotated pod exactly once per interval', async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sts-deploy-'));
  const objs = renderObjects('alloy', { name: 'alloy', namespace: NS });
  const sts = workload(objs);
  expect(sts.kind).toBe('StatefulSet');
  const replicas = sts.spec.replicas as number;
  expect(replicas).toBe(COLLECTOR_IPS.length);

  // The API server holds what `kubectl apply` of the render would create.
  api = await startKubeEmulator({});
  for (const ns of [NS, 'apps']) api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const o of objs) api.apply(o);
  const kubeconfig = path.join(tmp, 'kubeconfig');
  api.writeKubeconfig(kubeconfig);

  exporters = await Promise.all(POD_IPS.map(startExporter));
  exporters.forEach((e, i) => {
    api.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `web-${i}`,
        namespace: 'apps',
        uid: `uid-web-${i}`,
        labels: { 'app.kubernetes.io/name': 'web' },
        annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(e.port), 'k8s.grafana.com/metrics.scrapeInterval': `${INTERVAL_MS / 1000}s`, 'k8s.grafana.com/metrics.scrapeTimeout': '1s' },
      },
      spec: { nodeName: 'node-a', containers: [{ name: 'web', image: 'web:1', ports: [{ name: 'metrics', containerPort: e.port }] }] },
      status: {
        phase: 'Running',
        podIP: e.ip,
        hostIP: '127.0.0.1',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'web:1', imageID: '', containerID: `containerd://web-${i}`, state: { running: {} } }],
      },
    });
  });
  rw = await new RemoteWriteReceiver().start();

  // Container args as rendered, with what Kubernetes would fill in.
  const container = sts.spec.template.spec.containers[0];
  const args = container.args as string[];
  // One port, as rendered: gossip rides on the HTTP port (no --cluster.listen-addr, no gossip port on the Service).
  const httpPort = find(objs, 'Service', sts.spec.serviceName)[0].spec.ports.find((p: any) => p.name === 'http').port;
  expect(find(objs, 'Service', sts.spec.serviceName)[0].spec.ports.some((p: any) => p.name === 'gossip')).toBe(false);
  expect(args.some((a) => a.startsWith('--cluster.listen-addr'))).toBe(false);
  const joinArg = args.find((a) => a.startsWith('--cluster.join-addresses='))!;
  expect(joinArg).toBe(`--cluster.join-addresses=${sts.spec.serviceName}.${NS}.svc.cluster.local:${httpPort}`);
  expect(args).toContain(`--cluster.advertise-address=$(POD_IP):${httpPort}`);
  // Each replica's HTTP address (a free port per loopback IP stands for the pod's port 12345).
  const httpAddr = await Promise.all(COLLECTOR_IPS.map(async (ip) => `${ip}:${await freePort(ip)}`));
  // startAlloyProcess supplies the config path, --server.http.listen-addr (host:0; ours comes later and wins), --storage.path and --log.format=json.
  const owned = ['--server.http.listen-addr=', '--storage.path=', '--log.format='];
  const argsFor = (i: number) => [
    ...args
      .slice(2)
      .filter((a) => !owned.some((p) => a.startsWith(p)))
      .map((a) => {
        if (a === joinArg) return `--cluster.join-addresses=${httpAddr.join(',')}`;
        if (a === `--cluster.advertise-address=$(POD_IP):${httpPort}`) return `--cluster.advertise-address=${httpAddr[i]}`;
        return a.replace('$(POD_IP)', COLLECTOR_IPS[i]).replace('$(POD_NAME)', `alloy-${i}`);
      }),
    `--server.http.listen-addr=${httpAddr[i]}`,
  ];
  expect(argsFor(0)).toEqual(expect.arrayContaining(['--cluster.enabled=true', '--cluster.node-name=alloy-0']));

  const config = withKubeconfig(configOf(objs), kubeconfig);
  const envFor = (i: number): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const e of container.env as any[]) if (typeof e.value === 'string') env[e.name] = e.value;
    return { ...env, POD_NAME: `alloy-${i}`, POD_NAMESPACE: NS, POD_IP: COLLECTOR_IPS[i], REMOTE_WRITE_URL: rw.url };
  };
  procs = await Promise.all(COLLECTOR_IPS.map((ip, i) => startAlloyProcess({ config, host: ip, args: argsFor(i), env: envFor(i), timeoutMs: 60000 })));

  // A cluster of 3 participants, seen alike by every member.
  await waitFor('every replica to see all participants', async () => {
    const views = await Promise.all(procs.map(async (p) => (await (await fetch(`${p.url}/api/v0/web/peers`)).json()) as { name: string; state: string }[]));
    return views.every((v) => v.length === replicas && v.every((peer) => peer.state === 'participant'));
  }, { timeoutMs: 45000, intervalMs: 250 });

  // Each annotated pod is a target of exactly one member.
  const targetsOf = async (p: AlloyProcess) => {
    const info = (await (await fetch(`${p.url}/api/v0/web/components/prometheus.scrape.annotations`)).json()) as { debugInfo?: { targets?: { url: string }[] } };
    return (info.debugInfo?.targets ?? []).map((t) => t.url);
  };
  let split: string[][] = [];
  await waitFor('each annotated pod owned by exactly one member', async () => {
    split = await Promise.all(procs.map(targetsOf));
    const all = split.flat();
    if (all.length === exporters.length && new Set(all).size === exporters.length) return true;
    // Say why, when the scrape component drops targets.
    const dropped = await Promise.all(procs.map(async (p) => {
      const j = (await (await fetch(`${p.url}/api/v0/web/components/prometheus.scrape.annotations`)).json()) as any;
      return [...new Set((j.debugInfo?.dropped_targets ?? []).map((d: any) => d.reason))];
    }));
    throw new Error(`targets per member: ${JSON.stringify(split)}; dropped reasons per member: ${JSON.stringify(dropped)}`);
  }, { timeoutMs: 30000, intervalMs: 250 });
  for (const e of exporters) expect(split.flat().some((u) => u.includes(`${e.ip}:${e.port}`))).toBe(true);

  // Let every target settle into its phase, then watch a window of 6 intervals.
  await new Promise((r) => setTimeout(r, INTERVAL_MS * 1.5));
  const start = Date.now();
  await new Promise((r) => setTimeout(r, INTERVAL_MS * 6));
  const end = Date.now();
  for (const e of exporters) {
    const hits = e.hits.filter((t) => t >= start && t < end);
    const gaps = hits.slice(1).map((t, k) => t - hits[k]);
    expect({ pod: e.ip, scrapes: hits.length >= 5 && hits.length <= 7, gaps: gaps.every((g) => g > INTERVAL_MS * 0.5 && g < INTERVAL_MS * 1.5) }).toEqual({ pod: e.ip, scrapes: true, gaps: true });
  }
  // And the samples reach the remote-write endpoint: `up` = 1 per pod.
  await waitFor('up=1 written for every exporter', () =>
    exporters.every((e) => [...rw.series.values()].some((s) => s.labels.__name__ === 'up' && s.labels.instance === `${e.ip}:${e.port}` && s.samples.some((x) => x.v === 1))), { timeoutMs: 20000, intervalMs: 250 });
}, 110000);
