// Test support for the module tests: a component with state that would be
// lost on a rebuild (it counts builds and exports what it was given), and a
// controller on a temp storage dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import '../../src/components/index.js';
import { StandaloneOwnership } from '../../src/clustering/ownership.js';
import { Controller } from '../../src/runtime/controller.js';
import { getComponent, registerComponent } from '../../src/runtime/registry.js';
import { t, type ComponentContext } from '../../src/runtime/types.js';

export const builds: Record<string, number> = {};

export function registerTestComponents(): void {
  if (getComponent('testing.value')) return;
  registerComponent({
    name: 'testing.value',
    args: { attrs: { value: { type: t.any(), required: true } } },
    exports: { output: t.any() },
    build(ctx: ComponentContext) {
      builds[ctx.id] = (builds[ctx.id] ?? 0) + 1;
      const state = { instance: Math.random() };
      const updates = new Counter({ name: 'testing_value_updates_total', help: 'updates', registers: [ctx.metrics] });
      return {
        update(args: { value: unknown }) {
          updates.inc();
          ctx.setExports({ output: args.value });
        },
        debugInfo: () => state,
      };
    },
  });
}

/** A controller that allows experimental features (foreach): the stability tests check the refusals. */
export function newController(): Controller {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-mod-'));
  return new Controller({
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    storagePath: storage,
    cluster: new StandaloneOwnership('n1'),
    minStability: 'experimental',
  });
}

/** Loads a config expected to fail and returns the error message. */
export async function loadError(src: string, filename = 'bad.alloy'): Promise<string> {
  const c = newController();
  try {
    await c.load(src, filename);
  } catch (e) {
    return (e as Error).message;
  } finally {
    await c.stop();
  }
  throw new Error('config was accepted');
}
