// prometheus.remote_write loaded from Alloy syntax through the real controller.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import '../components/index.js';
import { StandaloneOwnership } from '../clustering/ownership.js';
import { Controller } from '../runtime/controller.js';
import type { MetricsReceiver } from '../pipeline/metrics.js';
import { RemoteWriteReceiver } from '../sandbox/receivers/remote-write-receiver.js';

let storage: string;
let rx: RemoteWriteReceiver;
let c: Controller;

beforeEach(async () => {
  storage = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-config-'));
  rx = await new RemoteWriteReceiver().start();
  c = new Controller({ logger: pino({ level: 'silent' }), metrics: new Registry(), storagePath: storage, cluster: new StandaloneOwnership('n1') });
});
afterEach(async () => {
  await c.stop();
  await rx.stop();
  fs.rmSync(storage, { recursive: true, force: true });
});

it('runs from an Alloy config and keeps its WAL under <storage>/<component id>/wal', async () => {
  await c.load(
    `prometheus.remote_write "default" {
  external_labels = { cluster = "c1" }
  endpoint {
    url  = "${rx.url}"
    name = "rx"
    queue_config {
      batch_send_deadline = "20ms"
      max_backoff         = "1s"
    }
    write_relabel_config {
      source_labels = ["__name__"]
      regex         = "drop_me"
      action        = "drop"
    }
  }
  wal { truncate_frequency = "1h" }
}`,
    'rw.alloy',
  );
  const recv = c.view('prometheus.remote_write.default')!.exports.receiver as MetricsReceiver;
  await recv.append([
    { labels: ['__name__', 'keep_me', 'x', '1'], t: 1000, v: 1 },
    { labels: ['__name__', 'drop_me'], t: 1000, v: 2 },
  ]);
  await rx.waitFor(() => rx.totalSamples() === 1, 10_000, 'one sample');
  expect([...rx.series.values()][0]!.labels).toEqual({ __name__: 'keep_me', x: '1', cluster: 'c1' });
  const dirs = fs.readdirSync(storage, { recursive: true }).map(String);
  expect(dirs.some((d) => d.endsWith(path.join('wal', 'positions', 'rx.json')))).toBe(true);
});

it('rejects an unknown attribute with its position', async () => {
  await expect(c.load('prometheus.remote_write "x" {\n  endpoint {\n    url = "http://127.0.0.1:1/"\n    bogus = 1\n  }\n}', 'bad.alloy')).rejects.toThrow(
    /bogus/,
  );
});
