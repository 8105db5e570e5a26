// Test support: a ComponentContext that records exports and health, so a
// component can be unit-tested without the runtime.
import { componentRegistry } from '../../src/runtime/component-metrics.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { StandaloneOwnership, type ClusterOwnership } from '../../src/clustering/ownership.js';
import type { ComponentContext, Health, HealthState } from '../../src/runtime/types.js';

export interface TestContext extends ComponentContext {
  exports: Record<string, unknown>;
  health: Health;
  /** Every setExports call, in order. */
  exportHistory: Record<string, unknown>[];
  /** Resolves on the next setExports call (or rejects after timeoutMs). */
  nextExports(timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves once `pred(exports)` holds (checked on every export), or rejects after timeoutMs. */
  waitForExports(pred: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  abort(): void;
}

export function makeTestContext(opts: { id?: string; cluster?: ClusterOwnership; metrics?: Registry; dataDir?: string } = {}): TestContext {
  const id = opts.id ?? 'test.component.default';
  const parts = id.split('.');
  const controller = new AbortController();
  const waiters: ((e: Record<string, unknown>) => void)[] = [];
  let dir = opts.dataDir;
  const ctx: TestContext = {
    id,
    name: parts.slice(0, -1).join('.'),
    label: parts[parts.length - 1],
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    dataPath: () => {
      dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-test-'));
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
    metrics: opts.metrics ?? componentRegistry(id),
    cluster: opts.cluster ?? new StandaloneOwnership('test-node'),
    signal: controller.signal,
    exports: {},
    exportHistory: [],
    health: { state: 'unknown', message: '', updatedTime: new Date().toISOString() },
    setExports(e) {
      ctx.exports = { ...ctx.exports, ...e };
      ctx.exportHistory.push(ctx.exports);
      for (const w of waiters.splice(0)) w(ctx.exports);
    },
    setHealth(state: HealthState, message = '') {
      ctx.health = { state, message, updatedTime: new Date().toISOString() };
    },
    nextExports(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no exports within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((e) => {
          clearTimeout(timer);
          resolve(e);
        });
      });
    },
    async waitForExports(pred, timeoutMs = 5000) {
      if (pred(ctx.exports)) return ctx.exports;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`exports did not reach the expected state within ${timeoutMs} ms`);
        const e = await ctx.nextExports(left).catch(() => undefined);
        if (e && pred(e)) return e;
      }
    },
    abort: () => controller.abort(),
  };
  return ctx;
}
