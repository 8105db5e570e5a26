// `alloy demo`: the whole pipeline on one machine with no cluster. A sandbox
// Kubernetes API (our emulator) holds annotated workloads whose pod IPs are
// loopback addresses where small exporters listen; three collector replicas
// form a gossip cluster, split the targets on the hash ring, scrape them and
// remote-write into a receiver the demo starts, and tail the pods' logs into
// a Loki receiver. Everything binds to 127.0.0.x.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startAlloy, type RunningAlloy } from '../app.js';
import { flagHelp, parseFlags } from '../cli/flags.js';
import { clusterFactory } from '../cli/cluster.js';
import { getComponent } from '../runtime/registry.js';
import { startKubeEmulator } from '../sandbox/kube/index.js';
import { RemoteWriteReceiver } from '../sandbox/receivers/remote-write-receiver.js';
import { FleetServer } from '../sandbox/fleet/fleet-server.js';
import { startLokiReceiver } from '../sandbox/receivers/loki-receiver.js';
import { RulerReceiver } from '../sandbox/receivers/ruler-receiver.js';
import { packageRoot } from '../package-root.js';
import { parseAllDocuments } from 'yaml';
import { DEMO_PODS, monitoringObjects, namespaceObject, podObject, startExporter } from './workloads.js';
import { demoConfig } from './config.js';

const demoFlags = [
  { name: 'server.http.listen-addr', help: 'HTTP address of the first replica (the others take free ports)', default: '127.0.0.1:12345' },
  { name: 'replicas', help: 'Number of clustered collector replicas', default: '3' },
  { name: 'duration', help: 'Stop after this many seconds (0 = run until Ctrl-C)', default: '0' },
  { name: 'status-interval', help: 'Seconds between status lines', default: '10' },
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function demoCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`Usage: alloy demo [flags]\n\n${flagHelp(demoFlags)}\n`);
    return 0;
  }
  const { flags } = parseFlags(argv, demoFlags);
  // The demo only ever talks to loopback addresses.
  process.env.ALLOY_LOOPBACK_ONLY = '1';
  const replicas = Math.max(1, Number(flags.replicas) || 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-demo-'));
  const say = (s: string) => process.stdout.write(s + '\n');

  // 1. The sandbox cluster.
  const api = await startKubeEmulator({ bookmarkIntervalMs: 5000 });
  const kubeconfig = path.join(dir, 'kubeconfig');
  api.writeKubeconfig(kubeconfig);
  for (const ns of new Set(DEMO_PODS.map((p) => p.namespace))) api.apply(namespaceObject(ns));
  for (const p of DEMO_PODS) api.apply(podObject(p));
  // The monitoring.coreos.com CRDs as users install them, then a ServiceMonitor and a PrometheusRule.
  const crds = fs.readFileSync(path.join(packageRoot(), 'manifests/crds/all.yaml'), 'utf8');
  for (const doc of parseAllDocuments(crds)) {
    const obj = doc.toJS();
    if (obj) api.apply(obj);
  }
  for (const obj of monitoringObjects()) api.apply(obj);
  const exporters = await Promise.all(DEMO_PODS.map(startExporter));
  let logSeq = 0;
  const logTimer = setInterval(() => {
    logSeq++;
    for (const p of DEMO_PODS) api.logs.append(p.namespace, p.name, p.app, [`level=info msg="handled request" app=${p.app} seq=${logSeq}`]);
  }, 1000);

  // 2. The receivers.
  const rw = await new RemoteWriteReceiver().start();
  const loki = await startLokiReceiver();
  const ruler = await new RulerReceiver().start();
  // Fleet management: one pipeline (the unannotated fraud pod, scraped by whichever replica owns it).
  const fleet = await new FleetServer().start();
  const fraud = DEMO_PODS.find((p) => p.app === 'fraud')!;
  fleet.setPipeline(
    'fraud',
    `prometheus.scrape "fleet" {
  targets         = [{"__address__" = "${fraud.ip}:${fraud.port}"}]
  job_name        = "fleet/fraud"
  scrape_interval = "5s"
  scrape_timeout  = "4s"
  forward_to      = [prometheus.remote_write.fleet.receiver]
  clustering {
    enabled = true
  }
}
prometheus.remote_write "fleet" {
  endpoint {
    url = "${rw.url}"
  }
}
`,
    { demo: 'true' },
  );

  // 3. The clustered collectors.
  const configFile = path.join(dir, 'demo.alloy');
  fs.writeFileSync(configFile, demoConfig({ kubeconfig, remoteWriteUrl: rw.url, lokiUrl: loki.url, rulerUrl: ruler.url, fleetUrl: fleet.url, has: (n) => !!getComponent(n) }));
  const gossipPorts = await Promise.all(Array.from({ length: replicas }, () => freePort()));
  // Each replica joins the ones already started (a StatefulSet's headless Service gives all of them; the rejoin heals either way).
  const join = (i: number) => gossipPorts.slice(0, i).map((p) => `127.0.0.1:${p}`).join(',');
  const nodes: RunningAlloy[] = [];
  for (let i = 0; i < replicas; i++) {
    const clustered = replicas > 1;
    nodes.push(
      await startAlloy({
        configFile,
        listenAddr: i === 0 ? String(flags['server.http.listen-addr']) : '127.0.0.1:0',
        storagePath: path.join(dir, `data-${i}`),
        logLevel: 'warn',
        logFormat: 'logfmt',
        uiPathPrefix: '/',
        configWatchIntervalMs: 2000,
        // The targets page asks every replica; tell each one where the others' HTTP servers are.
        uiPeerHttpAddresses: () => nodes.map((n) => n.url),
        cluster: clustered
          ? clusterFactory({
              'cluster.enabled': true,
              'cluster.node-name': `alloy-${i}`,
              'cluster.listen-addr': `127.0.0.1:${gossipPorts[i]}`,
              'cluster.advertise-address': `127.0.0.1:${gossipPorts[i]}`,
              'cluster.join-addresses': join(i),
              'cluster.name': 'alloy-demo',
            })
          : undefined,
      }),
    );
  }

  say('');
  say('alloy demo is running: a sandbox Kubernetes API with annotated workloads, a ServiceMonitor and a PrometheusRule, remote-write, Loki and ruler receivers');
  say(`  UI:          ${nodes[0].url}/`);
  for (let i = 0; i < nodes.length; i++) say(`  replica ${i}:   ${nodes[i].url}  (components: ${nodes[i].url}/api/v0/web/components)`);
  say(`  kube API:    ${api.url}   (kubectl --kubeconfig ${kubeconfig} get pods -A)`);
  say(`  config:      ${configFile}`);
  say(`  fleet:       ${fleet.url}   (remote config: ${nodes[0].url}/#/remotecfg)`);
  say('');

  const status = () => {
    const owners: string[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const info = nodes[i].controller.view('prometheus.scrape.annotated')?.debugInfo as { targets?: { labels?: Record<string, string>; health?: string }[] } | undefined;
      const targets = (info?.targets ?? []).map((t) => t.labels?.instance ?? '?');
      owners.push(`alloy-${i} owns ${targets.length} [${targets.join(' ')}]`);
    }
    let samples = 0;
    for (const s of rw.series.values()) samples += s.samples.length;
    const logLine = getComponent('loki.source.kubernetes') ? ` | log lines received: ${loki.totalEntries()}` : '';
    const rulerNs = [...ruler.state.values()].flatMap((t) => [...t.keys()]);
    const ruleLine = getComponent('mimir.rules.kubernetes') ? ` | ruler namespaces: ${rulerNs.join(', ') || 'none yet'}` : '';
    // The operator's relabeling gives ServiceMonitor series `service` and `endpoint` labels.
    const smSeries = [...rw.series.values()].filter((s) => s.labels.service === 'inventory' && s.labels.endpoint === 'http-metrics');
    say(`[${new Date().toISOString().slice(11, 19)}] series received: ${rw.series.size}, samples: ${samples}${logLine}${ruleLine}`);
    if (smSeries.length) say(`    ServiceMonitor shop/inventory: ${smSeries.length} series (job="${smSeries[0].labels.job}", instance="${smSeries[0].labels.instance}")`);
    const fleetSeries = [...rw.series.values()].filter((s) => s.labels.job === 'fleet/fraud');
    const applied = [...fleet.collectors.values()].filter((c) => c.status?.status === 'APPLIED').length;
    say(`    fleet pipeline: ${fleetSeries.length} series (job="fleet/fraud"), applied on ${applied} of ${fleet.collectors.size} collectors`);
    for (const o of owners) say(`    ${o}`);
  };
  const statusTimer = setInterval(status, Number(flags['status-interval']) * 1000);

  const seconds = Number(flags.duration);
  await new Promise<void>((resolve) => {
    if (seconds > 0) setTimeout(resolve, seconds * 1000);
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  status();
  clearInterval(statusTimer);
  clearInterval(logTimer);
  await Promise.all(nodes.map((n) => n.shutdown()));
  await Promise.all(exporters.map((s) => new Promise((r) => s.close(r))));
  await rw.stop();
  await loki.close();
  await ruler.stop();
  await fleet.stop();
  await api.close();
  return 0;
}
