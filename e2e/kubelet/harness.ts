// In-process collector for the kubelet e2e tests: a Controller running an
// Alloy config against the API and kubelet emulators, with helpers to read a
// component's exports and health.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import '../../src/components/index.js';
import { StandaloneOwnership } from '../../src/clustering/ownership.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { Controller } from '../../src/runtime/controller.js';
import type { Health } from '../../src/runtime/types.js';

export interface Collector {
  controller: Controller;
  dir: string;
  targets(id: string): Target[];
  health(id: string): Health;
  stop(): Promise<void>;
}

export async function startCollector(config: string): Promise<Collector> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelet-e2e-'));
  const controller = new Controller({
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    metrics: new Registry(),
    storagePath: path.join(dir, 'data'),
    cluster: new StandaloneOwnership('kubelet-e2e'),
  });
  await controller.load(config, path.join(dir, 'config.alloy'));
  const view = (id: string) => {
    const v = controller.view(id);
    if (!v) throw new Error(`no component ${id}`);
    return v;
  };
  return {
    controller,
    dir,
    targets: (id) => (view(id).exports.targets ?? []) as Target[],
    health: (id) => view(id).health,
    async stop() {
      await controller.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A quoted Alloy string literal. */
export const q = (s: string) => JSON.stringify(s);
