// otelcol.processor.k8sattributes end to end: the sandbox Kubernetes API holds
// pods at 127.0.0.x with owners; the OpenTelemetry JS SDK sends spans over
// OTLP/HTTP from a bound 127.0.0.x source address (the connection association)
// or with a k8s.pod.ip resource attribute; otelcol.receiver.otlp ->
// k8sattributes -> a recorder checks the attributes. A discovery.kubernetes
// with the same client shares the one pod watch.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { Controller } from '../../src/runtime/controller.js';
import { k8sAttributesProcessor } from '../../src/components/otelcol/processor/k8sattributes.js';
import { makeTestContext } from '../lib/component-context.js';
import { freePort } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { otelController, recorders } from '../lib/otel-support.js';
import { loadKubeClient } from '../../src/kube/client.js';

// Components are built here without the controller, which would load the client first.
beforeAll(() => loadKubeClient());

const NS = 'shop';

function pod(name: string, ip: string, owner: { kind: string; name: string; apiVersion: string }, labels: Record<string, string>): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels, annotations: { 'git.sha': `sha-${name}` }, ownerReferences: [{ ...owner, uid: `uid-of-${owner.name}`, controller: true }] },
    spec: { nodeName: 'node-a', containers: [{ name: 'app', image: `registry.local/${name.split('-')[0]}:3.1` }] },
    status: { phase: 'Running', podIP: ip, containerStatuses: [{ name: 'app', containerID: `containerd://${name}-app` }] },
  };
}

/** Sends one span with these resource attributes, from `localAddress` (a 127.0.0.x source) to the receiver. */
async function sendSpan(port: number, localAddress: string, attrs: Record<string, string>): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces`, httpAgentOptions: { localAddress, keepAlive: false } });
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(attrs), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.getTracer('k8sattributes-e2e').startSpan('op').end();
  await provider.forceFlush();
  await provider.shutdown();
}

function resourcesWith(service: string): Record<string, string>[] {
  return recorders
    .get('r')!
    .traces.flatMap((t) => t.data.resourceSpans.map((rs) => Object.fromEntries((rs.resource?.attributes ?? []).map((a) => [a.key, a.value?.stringValue ?? '']))))
    .filter((a) => a['service.name'] === service);
}

describe('otelcol.processor.k8sattributes with the sandbox API', () => {
  let emu: KubeEmulator;
  let controller: Controller;
  let port: number;
  let dir: string;
  const savedKubeconfig = process.env.KUBECONFIG;

  beforeAll(async () => {
    emu = await startKubeEmulator();
    emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { team: 'payments' } } });
    emu.apply(pod('web-5f6d8c9b7-x2k4q', '127.0.0.5', { kind: 'ReplicaSet', name: 'web-5f6d8c9b7', apiVersion: 'apps/v1' }, { app: 'web' }));
    emu.apply(pod('db-0', '127.0.0.6', { kind: 'StatefulSet', name: 'db', apiVersion: 'apps/v1' }, { app: 'db' }));
    emu.apply(pod('agent-zz9', '127.0.0.7', { kind: 'DaemonSet', name: 'agent', apiVersion: 'apps/v1' }, { app: 'agent' }));
    emu.apply(pod('nightly-29000000-abcde', '127.0.0.8', { kind: 'Job', name: 'nightly-29000000', apiVersion: 'batch/v1' }, { app: 'nightly' }));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8sattr-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    emu.writeKubeconfig(kubeconfig);
    process.env.KUBECONFIG = kubeconfig;
    port = await freePort();
    ({ controller } = otelController());
    await controller.load(
      `
discovery.kubernetes "pods" {
  role            = "pod"
  kubeconfig_file = ${JSON.stringify(kubeconfig)}
}

otelcol.receiver.otlp "in" {
  http { endpoint = "127.0.0.1:${port}" }
  output { traces = [otelcol.processor.k8sattributes.k.input] }
}

otelcol.processor.k8sattributes "k" {
  auth_type         = "kubeConfig"
  wait_for_metadata = true
  extract {
    metadata = ["k8s.namespace.name", "k8s.pod.name", "k8s.pod.uid", "k8s.pod.start_time", "k8s.node.name", "k8s.deployment.name", "k8s.replicaset.name", "k8s.statefulset.name", "k8s.daemonset.name", "k8s.job.name", "k8s.cronjob.name", "k8s.container.name", "container.image.name", "container.image.tag", "container.id"]
    label {
      key = "app"
    }
    label {
      from = "namespace"
      key  = "team"
      tag_name = "team"
    }
    annotation {
      key      = "git.sha"
      tag_name = "vcs.sha"
    }
  }
  output { traces = [testing.otel_recorder.r.input] }
}

testing.otel_recorder "r" { }
`,
      'k8sattributes.alloy',
    );
  }, 60_000);

  afterAll(async () => {
    await controller?.stop();
    await emu?.close();
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a span sent from 127.0.0.5 gets the Deployment pod\'s metadata (connection association)', async () => {
    await sendSpan(port, '127.0.0.5', { 'service.name': 'web-svc' });
    const [attrs] = await waitFor('the web span', () => resourcesWith('web-svc').length > 0 && resourcesWith('web-svc'));
    const webPod = emu.get('v1', 'Pod', NS, 'web-5f6d8c9b7-x2k4q') as { metadata: { uid: string; creationTimestamp: string } };
    expect(attrs).toEqual({
      'service.name': 'web-svc',
      'k8s.pod.ip': '127.0.0.5',
      'k8s.namespace.name': NS,
      'k8s.pod.name': 'web-5f6d8c9b7-x2k4q',
      'k8s.pod.uid': webPod.metadata.uid,
      'k8s.pod.start_time': webPod.metadata.creationTimestamp,
      'k8s.node.name': 'node-a',
      'k8s.replicaset.name': 'web-5f6d8c9b7',
      'k8s.deployment.name': 'web',
      'k8s.pod.labels.app': 'web',
      team: 'payments',
      'vcs.sha': 'sha-web-5f6d8c9b7-x2k4q',
    });
  }, 30_000);

  test('k8s.pod.ip as a resource attribute, and the container by k8s.container.name', async () => {
    await sendSpan(port, '127.0.0.1', { 'service.name': 'db-svc', 'k8s.pod.ip': '127.0.0.6', 'k8s.container.name': 'app' });
    const [attrs] = await waitFor('the db span', () => resourcesWith('db-svc').length > 0 && resourcesWith('db-svc'));
    expect(attrs).toMatchObject({ 'k8s.pod.name': 'db-0', 'k8s.statefulset.name': 'db', 'container.image.name': 'registry.local/db', 'container.image.tag': '3.1', 'container.id': 'db-0-app' });
    expect(attrs['k8s.deployment.name']).toBeUndefined();
  }, 30_000);

  test('DaemonSet and CronJob owners; an unknown source address adds only k8s.pod.ip', async () => {
    await sendSpan(port, '127.0.0.7', { 'service.name': 'agent-svc' });
    await sendSpan(port, '127.0.0.8', { 'service.name': 'nightly-svc' });
    await sendSpan(port, '127.0.0.9', { 'service.name': 'stranger' });
    const [agent] = await waitFor('agent span', () => resourcesWith('agent-svc').length > 0 && resourcesWith('agent-svc'));
    const [nightly] = await waitFor('nightly span', () => resourcesWith('nightly-svc').length > 0 && resourcesWith('nightly-svc'));
    const [stranger] = await waitFor('stranger span', () => resourcesWith('stranger').length > 0 && resourcesWith('stranger'));
    expect(agent).toMatchObject({ 'k8s.daemonset.name': 'agent', 'k8s.pod.name': 'agent-zz9' });
    expect(nightly).toMatchObject({ 'k8s.job.name': 'nightly-29000000', 'k8s.cronjob.name': 'nightly' });
    expect(stranger).toEqual({ 'service.name': 'stranger', 'k8s.pod.ip': '127.0.0.9' });
  }, 30_000);

  test('a pod created later is found once the watch delivers it', async () => {
    emu.apply(pod('late-77f9c-qq1', '127.0.0.10', { kind: 'ReplicaSet', name: 'late-77f9c', apiVersion: 'apps/v1' }, { app: 'late' }));
    let n = 0;
    await waitFor(
      'the late pod in the attributes',
      async () => {
        await sendSpan(port, '127.0.0.10', { 'service.name': `late-${n}` });
        return resourcesWith(`late-${n++}`).some((a) => a['k8s.deployment.name'] === 'late');
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
  }, 30_000);

  test('discovery.kubernetes and k8sattributes share one pod list and one pod watch', async () => {
    const pods = emu.requests.filter((r) => r.resource === 'pods');
    expect(pods.filter((r) => r.verb === 'watch')).toHaveLength(1);
    expect(pods.filter((r) => r.verb === 'list')).toHaveLength(1);
  });
});

describe('otelcol.processor.k8sattributes options against the sandbox API', () => {
  let emu: KubeEmulator;
  let dir: string;
  let controller: Controller | undefined;
  const savedKubeconfig = process.env.KUBECONFIG;

  beforeEach(async () => {
    emu = await startKubeEmulator();
    emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    emu.apply({ ...(pod('web-5f6d8c9b7-x2k4q', '127.0.0.5', { kind: 'ReplicaSet', name: 'web-5f6d8c9b7', apiVersion: 'apps/v1' }, { app: 'web' }) as object), metadata: { name: 'web-5f6d8c9b7-x2k4q', namespace: NS, annotations: { 'resource.opentelemetry.io/service.version': '9.9' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5f6d8c9b7', apiVersion: 'apps/v1', uid: 'u1' }] } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8sattr-opt-'));
    emu.writeKubeconfig(path.join(dir, 'kubeconfig'));
    process.env.KUBECONFIG = path.join(dir, 'kubeconfig');
  });
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    await emu.close();
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function run(body: string): Promise<number> {
    const port = await freePort();
    ({ controller } = otelController());
    await controller.load(
      `
otelcol.receiver.otlp "in" {
  http { endpoint = "127.0.0.1:${port}" }
  output { traces = [otelcol.processor.k8sattributes.k.input] }
}
otelcol.processor.k8sattributes "k" {
  auth_type = "kubeConfig"
  ${body}
  output { traces = [testing.otel_recorder.r.input] }
}
testing.otel_recorder "r" { }
`,
      'k8sattributes-options.alloy',
    );
    return port;
  }

  test('passthrough: only k8s.pod.ip from the connection, and no request to the API', async () => {
    const port = await run('passthrough = true');
    await sendSpan(port, '127.0.0.5', { 'service.name': 'pass' });
    const [attrs] = await waitFor('the span', () => resourcesWith('pass').length > 0 && resourcesWith('pass'));
    expect(attrs).toEqual({ 'service.name': 'pass', 'k8s.pod.ip': '127.0.0.5' });
    expect(emu.requests.filter((r) => r.resource === 'pods')).toEqual([]);
  }, 30_000);

  test('filter { node } narrows the pod list and watch at the API server; otel_annotations become attributes', async () => {
    const port = await run('wait_for_metadata = true\n  extract {\n    otel_annotations = true\n  }\n  filter {\n    node = "node-a"\n  }');
    await sendSpan(port, '127.0.0.5', { 'service.name': 'filtered' });
    const [attrs] = await waitFor('the span', () => resourcesWith('filtered').length > 0 && resourcesWith('filtered'));
    expect(attrs).toMatchObject({ 'k8s.pod.name': 'web-5f6d8c9b7-x2k4q', 'service.version': '9.9' });
    const pods = emu.requests.filter((r) => r.resource === 'pods');
    expect(pods.length).toBeGreaterThan(0);
    expect(pods.every((r) => r.query.fieldSelector === 'spec.nodeName=node-a')).toBe(true);
  }, 30_000);

  test('wait_for_metadata with an API that never answers: the component fails after wait_for_metadata_timeout with the reason', async () => {
    // A kubeconfig pointing at a closed port: the list never succeeds.
    const closed = await freePort();
    const kc = path.join(dir, 'dead-kubeconfig');
    fs.writeFileSync(kc, fs.readFileSync(path.join(dir, 'kubeconfig'), 'utf8').replace(emu.url, `http://127.0.0.1:${closed}`));
    process.env.KUBECONFIG = kc;
    const ctx = makeTestContext({ id: 'otelcol.processor.k8sattributes.wait' });
    const comp = k8sAttributesProcessor.build(ctx, {} as never);
    const args = { auth_type: 'kubeConfig', passthrough: false, wait_for_metadata: true, wait_for_metadata_timeout: 300, watch_sync_period: 300_000, pod_delete_grace_period: 120_000, output: {} };
    const started = Date.now();
    await expect(comp.update(args as never)).rejects.toThrow(/not synced within wait_for_metadata_timeout \(300 ms\)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await comp.stop?.();
  }, 30_000);
});
