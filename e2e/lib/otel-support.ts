// Test support for otelcol pipelines: a `testing.otel_recorder` component that
// records what its `input` receives (the end of a pipeline under test), a
// Controller factory, and a reader for counters of the controller's /metrics.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import '../../src/components/index.js';
import { StandaloneOwnership } from '../../src/clustering/ownership.js';
import { otelConsumer, OTELCOL_CONSUMER, type Logs, type Metrics, type OtelContext, type Traces } from '../../src/pipeline/otel.js';
import { getComponent, registerComponent } from '../../src/runtime/registry.js';
import { t } from '../../src/runtime/types.js';
import { Controller } from '../../src/runtime/controller.js';

export interface Recorded {
  traces: { data: Traces; ctx?: OtelContext }[];
  metrics: { data: Metrics; ctx?: OtelContext }[];
  logs: { data: Logs; ctx?: OtelContext }[];
  /** When set, every consume call rejects with this message (a refusing downstream). */
  refuse?: string;
  /** Milliseconds each consume call takes (a slow downstream). */
  delay?: number;
}

/** Recorders by component label; a test reads `recorders.get("r")`. */
export const recorders = new Map<string, Recorded>();

if (!getComponent('testing.otel_recorder')) {
  registerComponent({
    name: 'testing.otel_recorder',
    args: { attrs: { refuse: { type: t.string() }, delay: { type: t.duration() } } },
    exports: { input: t.capsule(OTELCOL_CONSUMER) },
    build(ctx, args: { refuse?: string; delay?: number }) {
      const rec: Recorded = { traces: [], metrics: [], logs: [], refuse: args.refuse, delay: args.delay };
      recorders.set(ctx.label ?? '', rec);
      const take = async <K extends 'traces' | 'metrics' | 'logs'>(k: K, data: Recorded[K][number]['data'], c?: OtelContext) => {
        if (rec.delay) await new Promise((r) => setTimeout(r, rec.delay));
        if (rec.refuse) throw new Error(rec.refuse);
        (rec[k] as { data: unknown; ctx?: OtelContext }[]).push({ data, ctx: c });
      };
      ctx.setExports({ input: otelConsumer({ consumeTraces: (d, c) => take('traces', d, c), consumeMetrics: (d, c) => take('metrics', d, c), consumeLogs: (d, c) => take('logs', d, c) }) });
      return { update: (a: { refuse?: string; delay?: number }) => void Object.assign(rec, { refuse: a.refuse, delay: a.delay }) };
    },
  });
}

export function otelController(o: { metrics?: Registry; logLevel?: string } = {}): { controller: Controller; metrics: Registry } {
  const storagePath = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-otel-'));
  const metrics = o.metrics ?? new Registry();
  const controller = new Controller({ logger: pino({ level: o.logLevel ?? 'silent' }), metrics, storagePath, cluster: new StandaloneOwnership('n1') });
  return { controller, metrics };
}

/** Sum over the running components' series of a metric whose labels include `labels` (0 when absent). */
export async function counterValue(controller: Controller, name: string, labels: Record<string, string> = {}): Promise<number> {
  let sum = 0;
  for (const registry of controller.componentRegistries()) {
    const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
    if (!m) continue;
    for (const v of (m as unknown as { values: { value: number; labels: Record<string, string | number> }[] }).values) {
      if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) sum += v.value;
    }
  }
  return sum;
}

export const spanIds = (rec: Recorded): string[] =>
  rec.traces.flatMap((r) => r.data.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => `${Buffer.from(s.traceId).toString('hex')}/${Buffer.from(s.spanId).toString('hex')}`))));
