// Live debugging of the components that support it, through the real
// controller and hub: the text is made only while somebody watches, and says
// what came in and what went out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import './index.js';
import { StandaloneOwnership } from '../clustering/ownership.js';
import { Controller } from '../runtime/controller.js';
import { LiveDebuggingHub, type LiveData } from '../runtime/live-debugging.js';
import { getComponent } from '../runtime/registry.js';
import type { LogsReceiver } from '../pipeline/logs.js';

let hub: LiveDebuggingHub;
let controller: Controller;
beforeEach(() => {
  hub = new LiveDebuggingHub();
  hub.setEnabled(true);
  const storagePath = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-live-'));
  controller = new Controller({ logger: pino({ level: 'silent' }), metrics: new Registry(), storagePath, cluster: new StandaloneOwnership('n1'), liveDebugging: hub });
});
afterEach(() => controller.stop());

test('nothing is rendered unless somebody watches and the block enables it', () => {
  let made = 0;
  const p = hub.publisher('x.y');
  p.publish('target', 1, () => String(++made));
  expect(made).toBe(0);
  const seen: LiveData[] = [];
  const stop = hub.watch('x.y', (d) => seen.push(d));
  expect(p.active()).toBe(true);
  hub.setEnabled(false);
  expect(p.active()).toBe(false);
  p.publish('target', 1, () => String(++made));
  expect(made).toBe(0);
  hub.setEnabled(true);
  p.publish('target', 2, () => String(++made));
  expect(seen).toEqual([{ componentId: 'x.y', type: 'target', count: 2, text: '1' }]);
  stop();
  expect(hub.watchers('x.y')).toBe(0);
  expect(p.active()).toBe(false);
});

test('discovery.relabel shows each target in and out ({} when dropped)', async () => {
  const seen: string[] = [];
  hub.watch('discovery.relabel.r', (d) => seen.push(d.text));
  await controller.load(
    `discovery.relabel "r" {
  targets = [{"__address__" = "127.0.0.1:9100", "app" = "node"}, {"__address__" = "127.0.0.2:9100", "app" = "db"}]
  rule {
    source_labels = ["app"]
    regex         = "db"
    action        = "drop"
  }
  rule {
    target_label = "team"
    replacement  = "infra"
  }
}`,
    'main.alloy',
  );
  expect(seen).toEqual([
    '{__address__="127.0.0.1:9100", app="node"} => {__address__="127.0.0.1:9100", app="node", team="infra"}',
    '{__address__="127.0.0.2:9100", app="db"} => {}',
  ]);
});

test('loki.process shows each line as it came in and as it left the stages', async () => {
  const seen: LiveData[] = [];
  hub.watch('loki.process.p', (d) => seen.push(d));
  await controller.load(
    `loki.process "p" {
  forward_to = []
  stage.static_labels {
    values = {"env" = "dev"}
  }
}`,
    'main.alloy',
  );
  const receiver = controller.view('loki.process.p')!.exports.receiver as LogsReceiver;
  await receiver.append([{ labels: { app: "a" }, ts: 1_700_000_000_123_456_789n, line: 'hello' }]);
  expect(seen.map((d) => d.text)).toEqual([
    '[IN]: timestamp: 2023-11-14T22:13:20.123456789Z, entry: hello, labels: {app="a"}, structured_metadata: {}',
    '[OUT]: timestamp: 2023-11-14T22:13:20.123456789Z, entry: hello, labels: {app="a", env="dev"}, structured_metadata: {}',
  ]);
  expect(seen.map((d) => [d.type, d.count])).toEqual([['loki_log', 0], ['loki_log', 1]]);
});

test('the components that support it say so in their definitions', () => {
  expect(['prometheus.relabel', 'discovery.relabel', 'loki.process'].every((n) => getComponent(n)?.liveDebugging === true)).toBe(true);
  expect(getComponent('prometheus.scrape')?.liveDebugging).toBeFalsy();
});

test('otelcol processors and receivers publish what they pass on, as the debug exporter prints it', async () => {
  const seen: LiveData[] = [];
  hub.watch('otelcol.processor.transform.t', (d) => seen.push(d));
  await controller.load(
    `otelcol.processor.transform "t" {
  trace_statements {
    context    = "span"
    statements = ["set(attributes[\\"team\\"], \\"platform\\")"]
  }
  output {
    traces = [otelcol.exporter.debug.d.input]
  }
}
otelcol.exporter.debug "d" {
  verbosity = "basic"
}`,
    'main.alloy',
  );
  const input = controller.view('otelcol.processor.transform.t')!.exports.input as { consumeTraces(d: unknown): Promise<void> };
  const span = { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: 'GET /checkout', attributes: [] };
  await input.consumeTraces({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] }, scopeSpans: [{ spans: [span] }] }] });
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ type: 'otel_trace', count: 1 });
  expect(seen[0].text).toContain('GET /checkout');
  expect(seen[0].text).toContain('team: Str(platform)');
  expect(seen[0].text).toContain('service.name: Str(shop)');
  expect(['otelcol.receiver.otlp', 'otelcol.processor.batch', 'otelcol.processor.filter', 'otelcol.processor.attributes'].every((n) => getComponent(n)?.liveDebugging === true)).toBe(true);
});
