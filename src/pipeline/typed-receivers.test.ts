// The decoder refuses a receiver of the wrong kind, in both directions, with
// file:line:col and both capsule type names; the right kind is accepted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import '../components/index.js';
import { StandaloneOwnership } from '../clustering/ownership.js';
import { Controller } from '../runtime/controller.js';

function controller(): Controller {
  const storagePath = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-typed-'));
  return new Controller({ logger: pino({ level: 'silent' }), metrics: new Registry(), storagePath, cluster: new StandaloneOwnership('n') });
}

const sinks = `loki.write "l" { }
prometheus.remote_write "r" { }
`;

describe('typed receivers', () => {
  it('refuses a logs receiver in a metrics forward_to', async () => {
    const c = controller();
    const cfg = `${sinks}prometheus.scrape "s" {
  targets    = []
  forward_to = [loki.write.l.receiver]
}
`;
    await expect(c.load(cfg, 'typed.alloy')).rejects.toThrow(
      'typed.alloy:5:16: forward_to[0]: expected capsule("storage.Appendable"), got capsule("loki.LogsReceiver")',
    );
    await c.stop();
  });

  it('refuses a metrics receiver in a logs forward_to', async () => {
    const c = controller();
    const cfg = `${sinks}loki.process "p" {
  forward_to = [prometheus.remote_write.r.receiver]
}
`;
    await expect(c.load(cfg, 'typed.alloy')).rejects.toThrow(
      'typed.alloy:4:16: forward_to[0]: expected capsule("loki.LogsReceiver"), got capsule("storage.Appendable")',
    );
    await c.stop();
  });

  it('refuses plain objects and relabel rules where a receiver is wanted', async () => {
    const c = controller();
    await expect(c.load(`prometheus.relabel "x" {\n  forward_to = [{}]\n}\n`, 'typed.alloy')).rejects.toThrow(/typed\.alloy:2:16: forward_to\[0\]: expected capsule\("storage\.Appendable"\), got object/);
    const rules = `discovery.relabel "d" {\n  targets = []\n}\nprometheus.relabel "x" {\n  forward_to = [discovery.relabel.d.rules]\n}\n`;
    await expect(c.load(rules, 'typed.alloy')).rejects.toThrow(/got capsule\("relabel\.Rules"\)/);
    await c.stop();
  });

  it('accepts receivers of the right kind', async () => {
    const c = controller();
    const cfg = `${sinks}prometheus.scrape "s" {
  targets    = []
  forward_to = [prometheus.remote_write.r.receiver]
}
loki.process "p" {
  forward_to = [loki.write.l.receiver]
}
`;
    await c.load(cfg, 'typed.alloy');
    expect(c.list().map((n) => n.health.state)).not.toContain('unhealthy');
    await c.stop();
  });
});
