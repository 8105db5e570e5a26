// discovery.relabel run through the real controller: Alloy syntax decoding,
// positioned errors for bad rules, exports flowing into a second stage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import '../index.js';
import { StandaloneOwnership } from '../../clustering/ownership.js';
import { Controller } from '../../runtime/controller.js';
import { Diagnostic } from '../../syntax/diagnostic.js';

describe('discovery.relabel in a config', () => {
  let controller: Controller;
  beforeEach(() => {
    const storagePath = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-relabel-'));
    controller = new Controller({ logger: pino({ level: 'silent' }), metrics: new Registry(), storagePath, cluster: new StandaloneOwnership('n1') });
  });
  afterEach(async () => {
    await controller.stop();
  });

  test('rules from Alloy syntax relabel literal targets, chained into a second stage', async () => {
    const src = `
discovery.relabel "first" {
  targets = [
    {"__address__" = "10.0.0.1:9100", "app" = "node"},
    {"__address__" = "10.0.0.2:9100", "app" = "db"},
  ]
  rule {
    source_labels = ["app"]
    regex         = "node|web"
    action        = "keep"
  }
  rule {
    source_labels = ["__address__"]
    regex         = "([^:]+):\\\\d+"
    target_label  = "host"
  }
}

discovery.relabel "second" {
  targets = discovery.relabel.first.output
  rule {
    target_label = "cluster"
    replacement  = "dev"
  }
}
`;
    await controller.load(src, 'relabel.alloy');
    expect(controller.view('discovery.relabel.second')!.exports.output).toEqual([{ __address__: '10.0.0.1:9100', app: 'node', host: '10.0.0.1', cluster: 'dev' }]);
  });

  test('an invalid rule is a positioned diagnostic', async () => {
    const src = `discovery.relabel "bad" {
  targets = []
  rule {
    action       = "hashmod"
    target_label = "shard"
  }
}
`;
    const err = await controller.load(src, 'bad.alloy').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Diagnostic);
    expect(String((err as Error).message)).toMatch(/^bad\.alloy:3:3: .*hashmod requires non-zero modulus/);
  });

  test('an unknown action is a positioned diagnostic', async () => {
    const src = `discovery.relabel "bad" {\n  targets = []\n  rule {\n    action = "Keep"\n  }\n}\n`;
    const err = await controller.load(src, 'bad.alloy').catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/^bad\.alloy:3:3: .*unrecognized action type "Keep"/);
  });
});
