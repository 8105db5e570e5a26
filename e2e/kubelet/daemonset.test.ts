// The DaemonSet pipeline as a real `alloy run` process: discovery.kubelet ->
// discovery.annotations -> prometheus.scrape -> prometheus.remote_write into a
// remote-write receiver, against the API and kubelet emulators. It runs for
// about 65 s: node-local annotated pods (127.0.0.x exporters of this test) are
// scraped, pod changes follow, the API server gets ZERO requests, the kubelet
// sees one /pods poll per refresh_interval (its request log, against the
// component's poll counter), and the kubelet faults (down, wrong token, CA
// mismatch) are clear health messages that heal by themselves while scraping
// of known targets goes on.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { sleep, waitFor } from '../lib/wait.js';
import { startKubeEmulator, startKubeletEmulator, type KubeEmulator, type KubeletEmulator } from '../../src/sandbox/kube/index.js';
import { RemoteWriteReceiver } from '../../src/sandbox/receivers/remote-write-receiver.js';

const NODE = 'node-1';
const RUN_MS = 65_000;
const COMPONENT = 'discovery.kubelet.local';

interface Exporter {
  ip: string;
  port: number;
  hits: number;
  server: http.Server;
}

async function startExporter(ip: string): Promise<Exporter> {
  const e = { ip, port: 0, hits: 0 } as Exporter;
  e.server = http.createServer((_req, res) => {
    e.hits++;
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(`# TYPE kl_test_scrapes_total counter\nkl_test_scrapes_total{exporter="${ip}"} ${e.hits}\n`);
  });
  await new Promise<void>((r) => e.server.listen(0, ip, r));
  e.port = (e.server.address() as AddressInfo).port;
  return e;
}

function pod(name: string, node: string, ex: { ip: string; port: number }, scrape: boolean): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name }, annotations: scrape ? { 'prometheus.io/scrape': 'true' } : {} },
    spec: { nodeName: node, containers: [{ name: 'exporter', image: 'exporter:1', ports: [{ name: 'metrics', containerPort: ex.port, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: ex.ip, hostIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

let api: KubeEmulator;
let kubelet: KubeletEmulator;
let otherCa: KubeletEmulator;
let receiver: RemoteWriteReceiver;
let alloy: AlloyProcess | undefined;
let dir: string;
const exporters: Exporter[] = [];

async function health(): Promise<{ state: string; message: string }> {
  const r = await fetch(`${alloy!.url}/api/v0/web/components/${COMPONENT}`);
  return ((await r.json()) as { health: { state: string; message: string } }).health;
}

async function waitHealth(state: string, re: RegExp | undefined, what: string): Promise<string> {
  const h = await waitFor(
    `${what}: health ${state}`,
    async () => {
      const h = await health();
      return h.state === state && (!re || re.test(h.message)) ? h : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  ).catch(async (e) => {
    throw new Error(`${what}: ${(e as Error).message}; now ${JSON.stringify(await health())}`);
  });
  return h!.message;
}

/** Instances with an `up` sample of 1 received after `since` (ms). */
function upInstances(since: number): Set<string> {
  const out = new Set<string>();
  for (const s of receiver.series.values()) {
    if (s.labels.__name__ !== 'up') continue;
    if (s.samples.some((x) => x.t >= since && x.v === 1)) out.add(s.labels.instance);
  }
  return out;
}

const REFRESH_MS = 1_000;

/** The kubelet's log of /pods requests. */
const podPolls = (k: KubeletEmulator) => k.requests.filter((r) => r.path === '/pods');

/** alloy_kubelet_polls_total of the component, by outcome. */
function pollsByOutcome(metrics: string): Record<string, number> {
  const out: Record<string, number> = { success: 0, unauthorized: 0, network: 0, tls: 0 };
  const re = new RegExp(`^alloy_kubelet_polls_total\\{([^}]*)\\} (\\S+)$`, 'gm');
  for (const m of metrics.matchAll(re)) {
    if (!m[1].includes(`component_id="${COMPONENT}"`)) continue;
    const outcome = /outcome="([^"]+)"/.exec(m[1])?.[1];
    if (outcome) out[outcome] = Number(m[2]);
  }
  return out;
}

const apiPodRequests = () => api.requests.filter((r) => r.resource === 'pods' && (r.verb === 'list' || r.verb === 'watch'));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelet-ds-'));
  api = await startKubeEmulator();
  kubelet = await startKubeletEmulator({ api, nodeName: NODE, token: 'node-token' });
  otherCa = await startKubeletEmulator({ api, nodeName: 'unrelated', token: 'x' });
  receiver = await new RemoteWriteReceiver().start();
  for (const ip of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6']) exporters.push(await startExporter(ip));
});

afterAll(async () => {
  await alloy?.kill();
  for (const e of exporters) {
    e.server.closeAllConnections();
    await new Promise((r) => e.server.close(r));
  }
  await receiver?.stop();
  await otherCa?.close();
  await kubelet?.close();
  await api?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('DaemonSet config: node-local pods scraped for ~65 s with no API requests; kubelet faults heal', async () => {
  const [a, b, quiet, far, late] = exporters;
  api.apply(pod('app-a', NODE, a, true));
  api.apply(pod('app-b', NODE, b, true));
  api.apply(pod('unannotated', NODE, quiet, false)); // on the node but not asking to be scraped
  api.apply(pod('elsewhere', 'node-2', far, true)); // annotated, other node: another DaemonSet pod's job

  const tokenFile = path.join(dir, 'token');
  const caFile = path.join(dir, 'kubelet-ca.crt');
  fs.writeFileSync(tokenFile, 'node-token\n');
  fs.copyFileSync(kubelet.caCertPath, caFile);
  const started = Date.now();
  alloy = await startAlloyProcess({
    config: `
discovery.kubelet "local" {
  url               = sys.env("KUBELET_URL")
  bearer_token_file = sys.env("KUBELET_TOKEN_FILE")
  refresh_interval  = "${REFRESH_MS / 1000}s"
  tls_config {
    ca_file = sys.env("KUBELET_CA_FILE")
  }
}

discovery.annotations "pods" {
  targets = discovery.kubelet.local.targets
}

prometheus.scrape "pods" {
  targets         = discovery.annotations.pods.output
  forward_to      = [prometheus.remote_write.default.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "900ms"
}

prometheus.remote_write "default" {
  endpoint {
    url = sys.env("REMOTE_WRITE_URL")
    queue_config {
      batch_send_deadline = "500ms"
    }
  }
}
`,
    env: { KUBELET_URL: kubelet.url, KUBELET_TOKEN_FILE: tokenFile, KUBELET_CA_FILE: caFile, REMOTE_WRITE_URL: receiver.url, HOSTNAME: NODE },
  });

  // 1. the node's annotated pods are scraped and written; nothing else is
  await waitHealth('healthy', /3 pods, 3 targets/, 'first poll');
  const addr = (e: Exporter) => `${e.ip}:${e.port}`;
  await waitFor('pods a and b scraped up', () => upInstances(started).has(addr(a)) && upInstances(started).has(addr(b)), { timeoutMs: 20_000, intervalMs: 200 });
  const written = [...receiver.series.values()].find((s) => s.labels.__name__ === 'kl_test_scrapes_total' && s.labels.exporter === a.ip)!;
  expect(written.labels).toMatchObject({ namespace: 'default', pod: 'app-a', container: 'exporter', job: 'app-a', instance: addr(a) });

  // 2. pod changes: a new pod is picked up, a deleted one is no longer scraped
  api.apply(pod('app-late', NODE, late, true));
  const lateSeen = Date.now();
  await waitFor('the late pod scraped up', () => upInstances(lateSeen).has(addr(late)), { timeoutMs: 15_000, intervalMs: 200 });
  api.remove('v1', 'Pod', 'default', 'app-b');
  await waitHealth('healthy', /3 pods, 3 targets/, 'after delete');
  // give the scrape loop a moment to stop (one scrape may be in flight), then b must stay quiet
  await waitFor('pod b no longer scraped', async () => {
    const h = b.hits;
    await sleep(2500);
    return b.hits === h;
  }, { timeoutMs: 10_000, intervalMs: 0 });
  const bHitsAfterDelete = b.hits;

  // 3. faults; each keeps the last targets (scraping goes on) and heals by itself
  const faultWindows: Record<string, [number, number]> = {};
  const during = async (label: string, inject: () => Promise<void> | void, re: RegExp, restore: () => Promise<void> | void) => {
    const before = a.hits;
    const from = Date.now();
    await inject();
    const msg = await waitHealth('unhealthy', re, `${label}: unhealthy`);
    expect(alloy!.proc.exitCode).toBeNull();
    await restore();
    await waitHealth('healthy', /3 pods/, `${label}: recovery`);
    faultWindows[label] = [from, Date.now()];
    expect(a.hits).toBeGreaterThan(before); // known targets were scraped throughout
    return msg;
  };
  const downMsg = await during(
    'kubelet down',
    async () => {
      kubelet.setDown(true);
      await kubelet.settled();
    },
    /the kubelet at https:\/\/127\.0\.0\.1:\d+ is not reachable: ECONNREFUSED/,
    async () => {
      kubelet.setDown(false);
      await kubelet.settled();
    },
  );
  const tokenMsg = await during(
    'wrong token',
    () => fs.writeFileSync(tokenFile, 'stolen-or-stale'),
    /401 Unauthorized; the kubelet rejected the credentials: bearer_token_file /,
    () => fs.writeFileSync(tokenFile, 'node-token\n'),
  );
  const tlsMsg = await during(
    'CA mismatch',
    () => fs.copyFileSync(otherCa.caCertPath, caFile),
    /TLS: the certificate of https:\/\/127\.0\.0\.1:\d+ is not signed by a trusted CA .*set tls_config\.ca_file or ca_pem/,
    () => fs.copyFileSync(kubelet.caCertPath, caFile),
  );

  // 4. keep running for the rest of RUN_MS, then check the whole run
  const left = RUN_MS - (Date.now() - started);
  if (left > 0) await new Promise((r) => setTimeout(r, left));
  const elapsedS = (Date.now() - started) / 1000;
  expect(alloy.proc.exitCode).toBeNull();
  expect(await health()).toMatchObject({ state: 'healthy' });
  expect((await fetch(`${alloy.url}/-/healthy`)).status).toBe(200);

  // the DaemonSet never asked the API server for anything, least of all pods
  expect(apiPodRequests()).toEqual([]);
  expect(api.requests).toEqual([]);

  // a was scraped about once a second for the whole run; the far and quiet pods never
  expect(a.hits).toBeGreaterThan(elapsedS * 0.7);
  expect(far.hits).toBe(0);
  expect(quiet.hits).toBe(0);
  expect(b.hits).toBe(bHitsAfterDelete);
  const aSamples = [...receiver.series.values()].find((s) => s.labels.__name__ === 'kl_test_scrapes_total' && s.labels.exporter === a.ip)!.samples;
  expect(aSamples.length).toBeGreaterThan(elapsedS * 0.6);

  // The kubelet's view: one GET /pods per refresh_interval (1 s), never more often, none missed
  // outside the faults that keep requests from reaching it (port down, untrusted certificate).
  const metricsText = await (await fetch(`${alloy.url}/metrics`)).text();
  const polls = podPolls(kubelet);
  const arrivals = polls.map((r) => Date.parse(r.time));
  const spanMs = Date.now() - arrivals[0];
  const unreachableMs = faultWindows['kubelet down'][1] - faultWindows['kubelet down'][0] + faultWindows['CA mismatch'][1] - faultWindows['CA mismatch'][0];
  const attempts = pollsByOutcome(metricsText);
  const attemptsTotal = Object.values(attempts).reduce((n, v) => n + v, 0);
  expect(attemptsTotal).toBeLessThanOrEqual(spanMs / REFRESH_MS + 2);
  expect(attemptsTotal).toBeGreaterThanOrEqual((spanMs / REFRESH_MS) * 0.8);
  expect(polls.length).toBeLessThanOrEqual(attemptsTotal + 1);
  expect(polls.length).toBeGreaterThanOrEqual(((spanMs - unreachableMs) / REFRESH_MS) * 0.8);
  const gaps = arrivals.slice(1).map((t, i) => ({ from: arrivals[i], ms: t - arrivals[i] }));
  // The next poll starts refresh_interval after the previous answer: never sooner (a few ms of timer slack).
  expect(Math.min(...gaps.map((g) => g.ms))).toBeGreaterThanOrEqual(REFRESH_MS - 50);
  const inFault = (g: { from: number; ms: number }) => Object.values(faultWindows).some(([f, t]) => g.from < t && g.from + g.ms > f);
  expect(Math.max(...gaps.filter((g) => !inFault(g)).map((g) => g.ms))).toBeLessThan(5 * REFRESH_MS);
  // Every request is the component's: GET /pods with a bearer token, refused only while the token was wrong.
  expect(kubelet.requests.every((r) => r.method === 'GET' && r.path === '/pods' && r.authScheme === 'Bearer')).toBe(true);
  const unauthorized = polls.filter((r) => r.status === 401);
  expect(unauthorized.length).toBeGreaterThan(0);
  expect(unauthorized.every((r) => !r.tokenOk)).toBe(true);
  const [tokenFrom, tokenTo] = faultWindows['wrong token'];
  expect(unauthorized.every((r) => Date.parse(r.time) >= tokenFrom && Date.parse(r.time) <= tokenTo)).toBe(true);
  expect(polls.filter((r) => r.status !== 401 && r.status !== 0).every((r) => r.tokenOk && r.status === 200)).toBe(true);
  // The component counted what the kubelet saw (the last request may still be in flight).
  expect(attempts.unauthorized).toBe(unauthorized.length);
  expect(Math.abs(attempts.success - polls.filter((r) => r.status === 200).length)).toBeLessThanOrEqual(1);
  expect(attempts.network).toBeGreaterThan(0);
  expect(attempts.tls).toBeGreaterThan(0);

  const rss = /process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/.exec(await (await fetch(`${alloy.url}/metrics`)).text())?.[1];
  // Figures for the report (visible with --verbose).
  console.log(
    JSON.stringify({
      run_s: Math.round(elapsedS),
      kubelet_polls: polls.length,
      poll_attempts: attempts,
      poll_gap_ms: { min: Math.min(...gaps.map((g) => g.ms)), max_outside_faults: Math.max(...gaps.filter((g) => !inFault(g)).map((g) => g.ms)) },
      exporter_a_scrapes: a.hits,
      samples_written_for_a: aSamples.length,
      receiver_samples: receiver.totalSamples(),
      api_requests: api.requests.length,
      rss_mb: rss ? Math.round(Number(rss) / 1e6) : undefined,
      health_messages: { down: downMsg, token: tokenMsg, tls: tlsMsg },
    }),
  );
}, 150_000);
