// The OTLP preset of charts/alloy-annotations, run (issue 19, charts bullet):
// the config the chart renders with alloy.features.otlp.enabled is loaded as
// is (Kubernetes clients pointed at the sandbox API, listen address and OTLP
// ports on loopback through chart values); the OpenTelemetry JS SDK sends a
// span from a pod's address (127.0.0.5) to the chart's OTLP/HTTP port, and a
// second receiver behind the chart's exporter endpoint gets it enriched with
// that pod's metadata by the preset's otelcol.processor.k8sattributes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Controller } from '../../src/runtime/controller.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { otelController, recorders } from '../lib/otel-support.js';
import { withKubeconfig } from './inject.js';
import { configOf, renderObjects, workload } from './render.js';

const NS = 'shop';

describe('charts/alloy-annotations OTLP preset, run against the sandbox API', () => {
  let emu: KubeEmulator;
  let chart: Controller;
  let back: Controller;
  let httpPort = 0;
  let dir = '';
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    emu = await startKubeEmulator();
    emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    emu.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'checkout', namespace: NS, uid: 'uid-deploy' }, spec: { selector: { matchLabels: { app: 'checkout' } }, template: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'app', image: 'registry.local/checkout:1.0' }] } } } });
    emu.apply({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'checkout-6c9f7d', namespace: NS, uid: 'uid-rs', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', uid: 'uid-deploy', controller: true }] }, spec: { selector: { matchLabels: { app: 'checkout' } } } });
    emu.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'checkout-6c9f7d-abcde', namespace: NS, labels: { app: 'checkout' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-6c9f7d', uid: 'uid-rs', controller: true }] },
      spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'registry.local/checkout:1.0' }] },
      status: { phase: 'Running', podIP: '127.0.0.5', containerStatuses: [{ name: 'app', containerID: 'containerd://c1' }] },
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otlp-chart-run-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    emu.writeKubeconfig(kubeconfig);

    const [grpcPort, hp, backPort] = await freePorts(3);
    httpPort = hp;
    ({ controller: back } = otelController());
    await back.load(`otelcol.receiver.otlp "back" {\n  grpc { endpoint = "127.0.0.1:${backPort}" }\n  output { traces = [testing.otel_recorder.chartback.input] }\n}\ntesting.otel_recorder "chartback" { }\n`, 'back.alloy');

    const objs = renderObjects('alloy-annotations', {
      name: 'alloy-annotations',
      namespace: 'alloy',
      set: [
        'alloy.features.otlp.enabled=true',
        `alloy.features.otlp.endpoint=127.0.0.1:${backPort}`,
        'alloy.features.otlp.insecure=true',
        'alloy.alloy.listenAddr=127.0.0.1',
        `alloy.otlp.grpcPort=${grpcPort}`,
        `alloy.otlp.httpPort=${httpPort}`,
      ],
    });
    // The container's environment: its literal values, remote write to a closed loopback port (not under test).
    const env: Record<string, string> = { POD_NAMESPACE: 'alloy', POD_NAME: 'alloy-annotations-0', POD_IP: '127.0.0.1', KUBECONFIG: kubeconfig, REMOTE_WRITE_URL: 'http://127.0.0.1:9/api/v1/write' };
    for (const e of workload(objs).spec.template.spec.containers[0].env as { name: string; value?: unknown }[]) if (typeof e.value === 'string') env[e.name] = e.value;
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    const config = configOf(objs);
    expect(config).toContain(`endpoint = "127.0.0.1:${httpPort}"`);
    ({ controller: chart } = otelController());
    await chart.load(withKubeconfig(config, kubeconfig), 'chart.alloy');
  }, 60_000);

  afterAll(async () => {
    await chart?.stop();
    await back?.stop();
    await emu?.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a span from the pod at 127.0.0.5 reaches the exporter endpoint with the pod, namespace, node and Deployment', async () => {
    const rec = recorders.get('chartback')!;
    const attrsOf = () => rec.traces.flatMap((t) => t.data.resourceSpans.map((rs) => Object.fromEntries((rs.resource?.attributes ?? []).map((a) => [a.key, a.value?.stringValue ?? '']))));
    // The pod and ReplicaSet lists may land after the first span (the preset does not wait_for_metadata):
    // send until one arrives with the Deployment, found through the ReplicaSet's owner (bounded).
    let sent = 0;
    await waitFor(
      'an enriched span at the back receiver',
      async () => {
        if (attrsOf().some((a) => a['k8s.deployment.name'])) return true;
        const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${httpPort}/v1/traces`, httpAgentOptions: { localAddress: '127.0.0.5', keepAlive: false } });
        const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'checkout' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
        provider.getTracer('chart-run').startSpan('pay').end();
        await provider.forceFlush();
        await provider.shutdown();
        sent++;
        return false;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(sent).toBeGreaterThan(0);
    const enriched = attrsOf().find((a) => a['k8s.deployment.name'])!;
    expect(enriched).toMatchObject({
      'service.name': 'checkout',
      'k8s.pod.ip': '127.0.0.5',
      'k8s.pod.name': 'checkout-6c9f7d-abcde',
      'k8s.namespace.name': NS,
      'k8s.node.name': 'node-a',
      'k8s.deployment.name': 'checkout',
    });
  }, 60_000);
});
