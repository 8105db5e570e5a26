// discovery.annotations through the real controller: defaults from the
// schema, literal targets in Alloy syntax, positioned argument errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import '../index.js';
import { StandaloneOwnership } from '../../clustering/ownership.js';
import { Controller } from '../../runtime/controller.js';

let controller: Controller;
beforeEach(() => {
  const storagePath = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-annotations-'));
  controller = new Controller({ logger: pino({ level: 'silent' }), metrics: new Registry(), storagePath, cluster: new StandaloneOwnership('n1') });
});
afterEach(async () => {
  await controller.stop();
});

const pod = (name: string, annotation: string) => `{
    "__address__" = "10.0.0.5:9000",
    "__meta_kubernetes_namespace" = "ns",
    "__meta_kubernetes_pod_name" = "${name}",
    "__meta_kubernetes_pod_phase" = "Running",
    "__meta_kubernetes_pod_ready" = "true",
    "__meta_kubernetes_pod_container_init" = "false",
    "__meta_kubernetes_pod_container_name" = "app",
    "__meta_kubernetes_pod_container_port_number" = "9000",
    "${annotation}" = "true",
  }`;

test('both conventions by default', async () => {
  const src = `discovery.annotations "pods" {
  targets = [
    ${pod('a', '__meta_kubernetes_pod_annotation_prometheus_io_scrape')},
    ${pod('b', '__meta_kubernetes_pod_annotation_k8s_grafana_com_scrape')},
    ${pod('c', '__meta_kubernetes_pod_annotation_example_com_scrape')},
  ]
}
`;
  await controller.load(src, 'a.alloy');
  const out = controller.view('discovery.annotations.pods')!.exports.output as Record<string, string>[];
  expect(out.map((t) => [t.pod, t.job, t.namespace])).toEqual([
    ['a', 'app', 'ns'],
    ['b', 'app', 'ns'],
  ]);
});

test('an unknown convention is a positioned error', async () => {
  const src = `discovery.annotations "pods" {\n  targets     = []\n  conventions = ["prometheus.io", "example.com"]\n}\n`;
  const err = await controller.load(src, 'bad.alloy').catch((e: unknown) => e);
  expect(String((err as Error).message)).toMatch(/^bad\.alloy:1:1: unknown annotation convention "example\.com"/);
});
