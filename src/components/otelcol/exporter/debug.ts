// otelcol.exporter.debug: writes what its `input` receives to the log (or to
// stdout, stderr or files), for debugging pipelines. Formatting and sampling:
// src/otel/debug-output.ts.
import fs from 'node:fs';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_CONSUMER, otelConsumer, type Signal, type SignalData } from '../../../pipeline/otel.js';
import { debugMetricsSchema } from '../../../otel/config-schema.js';
import { detailed, Sampler, summary } from '../../../otel/debug-output.js';

export interface DebugExporterArgs {
  verbosity: 'basic' | 'normal' | 'detailed';
  sampling_initial: number;
  sampling_thereafter: number;
  use_internal_logger: boolean;
  output_paths: string[];
}

class DebugExporter {
  #a!: DebugExporterArgs;
  #sampler!: Sampler;
  readonly #ctx: ComponentContext;

  constructor(ctx: ComponentContext, args: DebugExporterArgs) {
    this.#ctx = ctx;
    this.update(args);
    const write = async <S extends Signal>(signal: S, data: SignalData[S]) => this.#write(signal, data);
    ctx.setExports({
      input: otelConsumer({ consumeTraces: (d) => write('traces', d), consumeMetrics: (d) => write('metrics', d), consumeLogs: (d) => write('logs', d) }),
    });
  }

  update(a: DebugExporterArgs): void {
    this.#a = a;
    this.#sampler = new Sampler(a.sampling_initial, a.sampling_thereafter);
  }

  #write<S extends Signal>(signal: S, data: SignalData[S]): void {
    if (!this.#sampler.allow()) return;
    const s = summary(signal, data);
    const detail = this.#a.verbosity === 'detailed' ? detailed(signal, data) : undefined;
    if (this.#a.use_internal_logger) {
      this.#ctx.logger.info(s.fields, s.msg);
      if (detail) this.#ctx.logger.info(detail);
      return;
    }
    const text = `${s.msg}\t${JSON.stringify(s.fields)}\n${detail ? `${detail}\n` : ''}`;
    for (const p of this.#a.output_paths) {
      try {
        if (p === 'stdout') process.stdout.write(text);
        else if (p === 'stderr') process.stderr.write(text);
        else fs.appendFileSync(p, text);
      } catch (e) {
        this.#ctx.logger.warn({ path: p, err: (e as Error).message }, 'cannot write debug output');
      }
    }
  }
}

export const debugExporter: ComponentDefinition<DebugExporterArgs> = {
  name: 'otelcol.exporter.debug',
  args: {
    attrs: {
      verbosity: { type: t.string(), default: 'basic' },
      sampling_initial: { type: t.number(), default: 2 },
      sampling_thereafter: { type: t.number(), default: 1 },
      use_internal_logger: { type: t.bool(), default: true },
      output_paths: { type: t.array(t.string()), default: ['stdout'] },
    },
    blocks: { debug_metrics: { schema: debugMetricsSchema } },
    validate: (a: DebugExporterArgs) => {
      if (!['basic', 'normal', 'detailed'].includes(a.verbosity)) throw new Error(`verbosity: ${JSON.stringify(a.verbosity)} (want "basic", "normal" or "detailed")`);
    },
  },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx, args) => new DebugExporter(ctx, args),
};

registerComponent(debugExporter);
