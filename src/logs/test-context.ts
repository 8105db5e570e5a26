// A minimal ComponentContext for unit and e2e tests of the logs components
// (the runtime's own helper may replace it once it exists).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { StandaloneOwnership, type ClusterOwnership } from '../clustering/ownership.js';
import type { ComponentContext, HealthState } from '../runtime/types.js';

export interface TestContext extends ComponentContext {
  exports: Record<string, unknown>;
  health: { state: HealthState; message: string };
  abort(): void;
}

export function makeLogsTestContext(
  id: string,
  opts: { cluster?: ClusterOwnership; dataDir?: string; metrics?: Registry; logLevel?: string } = {},
): TestContext {
  const controller = new AbortController();
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'alloy-logs-'));
  const [name, label] = splitId(id);
  const ctx: TestContext = {
    id,
    name,
    label,
    logger: pino({ level: opts.logLevel ?? process.env.LOG_LEVEL ?? 'silent' }),
    dataPath: () => dir,
    exports: {},
    health: { state: 'unknown', message: '' },
    setExports(e) {
      ctx.exports = e;
    },
    setHealth(state, message = '') {
      ctx.health = { state, message };
    },
    metrics: opts.metrics ?? new Registry(),
    cluster: opts.cluster ?? new StandaloneOwnership('test'),
    signal: controller.signal,
    abort: () => controller.abort(),
  };
  return ctx;
}

function splitId(id: string): [string, string | undefined] {
  const parts = id.split('.');
  if (parts.length <= 2) return [id, undefined];
  return [parts.slice(0, -1).join('.'), parts[parts.length - 1]];
}
