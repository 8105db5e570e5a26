// prometheus.relabel: a MetricsReceiver that rewrites or drops series with
// relabel rules (Prometheus's metric_relabel_configs as a pipeline stage) and
// forwards the survivors. Results are cached per label set (max_cache_size)
// because the same series come back every scrape.
import { applyRulesToPairs, type CompiledRule, describeRule, RULES_CAPSULE, type RuleBlock, ruleBlockSchema, rulesFromConfig, RuleSet } from '../../relabel/index.js';
import { acceptsBatches, type BatchMetricsReceiver, extrasEmpty, type LabelPairs, METRICS_RECEIVER, type MetricsExtras, metricsReceiver, type MetricsReceiver, type Sample, type SampleBatch } from '../../pipeline/metrics.js';
import { Counter, Gauge, type Registry } from 'prom-client';
import { registerComponent } from '../../runtime/registry.js';
import { BatchRelabeler } from '../../scrape/relabel-batch.js';
import { RelabelCache } from '../../relabel/cache.js';
import { isStaleNaN } from '../../pipeline/staleness.js';
import { pairsText } from '../../pipeline/live-text.js';
import { t, type Component, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';

export interface PrometheusRelabelArgs {
  forward_to: MetricsReceiver[];
  rule: RuleBlock[];
  max_cache_size: number;
  /** Milliseconds; 0 = bounded mode. */
  cache_ttl?: number;
}

interface RelabelMetrics {
  processed: Counter;
  written: Counter;
  hits: Counter;
  misses: Counter;
  size: Gauge;
}

function relabelMetrics(registry: Registry): RelabelMetrics {
  const common = { registers: [registry] };
  return {
    processed: new Counter({ name: 'prometheus_relabel_metrics_processed', help: 'Total number of metrics processed', ...common }),
    written: new Counter({ name: 'prometheus_relabel_metrics_written', help: 'Total number of metrics written', ...common }),
    hits: new Counter({ name: 'prometheus_relabel_cache_hits', help: 'Total number of cache hits', ...common }),
    misses: new Counter({ name: 'prometheus_relabel_cache_misses', help: 'Total number of cache misses', ...common }),
    size: new Gauge({ name: 'prometheus_relabel_cache_size', help: 'Total size of relabel cache', ...common }),
  };
}

class PrometheusRelabel implements Component<PrometheusRelabelArgs> {
  private rules: RuleSet = new RuleSet([]);
  private rulesKey = '';
  private forwardTo: MetricsReceiver[] = [];
  private readonly cache = new RelabelCache(100_000);
  private readonly batches = new BatchRelabeler();
  private readonly metrics: RelabelMetrics;
  private readonly receiver: BatchMetricsReceiver;

  constructor(private readonly ctx: ComponentContext) {
    this.metrics = relabelMetrics(ctx.metrics);
    // One stable receiver object: dependants keep it across rule/forward_to changes.
    const self = this;
    this.receiver = metricsReceiver({
      append: (samples) => this.append(samples),
      appendBatch: (batch) => this.appendBatch(batch),
      appendExtras: (extras) => this.appendExtras(extras),
      // A receiver behind this one that builds typed data (otelcol.receiver.prometheus) gets metadata through it.
      get wantsMetadata() {
        return self.forwardTo.some((r) => r.wantsMetadata);
      },
    });
  }

  update(args: PrometheusRelabelArgs): void {
    const compiled = rulesFromConfig(args.rule);
    const key = JSON.stringify(compiled.map(describeRule));
    const rulesChanged = key !== this.rulesKey || !this.exported;
    if (key !== this.rulesKey) {
      this.rules = new RuleSet(compiled);
      this.rulesKey = key;
      this.cache.clear();
      this.batches.reset();
    }
    this.cache.setTtl(args.cache_ttl ?? 0);
    this.cache.resize(args.max_cache_size);
    this.forwardTo = args.forward_to ?? [];
    // Exports change only with the rules; the receiver object never changes.
    if (rulesChanged) {
      this.exported = true;
      this.ctx.setExports({ receiver: this.receiver, rules: this.rules });
    }
    this.ctx.setHealth('healthy', `${compiled.length} rules`);
  }

  private exported = false;

  private async append(samples: Sample[]): Promise<void> {
    const rules = this.rules.rules;
    const out: Sample[] = [];
    const hits0 = this.cache.hits;
    const misses0 = this.cache.misses;
    const live = this.ctx.liveDebugging?.active() ? this.ctx.liveDebugging : undefined;
    for (const s of samples) {
      const labels = this.cache.relabel(s.labels, rules);
      // Alloy's form: "<labels in> => <labels out>" ({} when dropped), here with the value and time.
      if (live) live.publish('prometheus_metric', 1, () => `${pairsText(s.labels)} => ${pairsText(labels)} ${s.v} ${s.t}`);
      // A stale marker ends the series: its result need not stay cached (Alloy evicts it too).
      if (isStaleNaN(s.v)) this.cache.forget(s.labels);
      if (labels === null) continue;
      out.push(labels === s.labels ? s : { labels, t: s.t, v: s.v });
    }
    this.metrics.processed.inc(samples.length);
    this.metrics.written.inc(out.length);
    this.metrics.hits.inc(this.cache.hits - hits0);
    this.metrics.misses.inc(this.cache.misses - misses0);
    this.metrics.size.set(this.cache.size);
    if (out.length === 0) return;
    await Promise.all(this.forwardTo.map((r) => r.append(out)));
  }

  private async appendBatch(batch: SampleBatch): Promise<void> {
    if (this.ctx.liveDebugging?.active()) this.publishBatch(batch);
    const r = this.batches.relabel(batch, this.rules.rules, this.cache);
    const out = r.batch;
    this.metrics.processed.inc(batch.length);
    this.metrics.written.inc(out.length);
    this.metrics.hits.inc(r.hits);
    this.metrics.misses.inc(r.misses);
    this.metrics.size.set(this.cache.size);
    let samples: Sample[] | undefined;
    // Receivers read labels synchronously (before their first await), so
    // released refs can be forgotten once every receiver has been called.
    const jobs = this.forwardTo.map((recv) => {
      if (acceptsBatches(recv)) return out.length > 0 || out.released.length > 0 ? recv.appendBatch(out) : undefined;
      samples ??= samplesOf(out);
      return samples.length > 0 ? recv.append(samples) : undefined;
    });
    r.release();
    await Promise.all(jobs);
  }

  /** Only while somebody watches: each sample's labels before and after the rules. */
  private publishBatch(batch: SampleBatch): void {
    const live = this.ctx.liveDebugging!;
    const rules = this.rules.rules;
    for (let i = 0; i < batch.length; i++) {
      const labels = batch.labels(batch.refs[i]!);
      if (labels === undefined) continue;
      const out = applyRulesToPairs(labels, rules);
      const v = batch.values[i]!;
      const ts = batch.ts[i]!;
      live.publish('prometheus_metric', 1, () => `${pairsText(labels)} => ${pairsText(out)} ${v} ${ts}`);
    }
  }

  /**
   * Histograms, exemplars and metadata get the same rules as float series
   * (as Alloy's relabel appender does for AppendHistogram, AppendExemplar and
   * UpdateMetadata): relabeled, or dropped with their series.
   */
  private async appendExtras(x: MetricsExtras): Promise<void> {
    const rules = this.rules.rules;
    const relabel = (labels: LabelPairs) => this.cache.relabel(labels, rules);
    const out: MetricsExtras = { histograms: [], exemplars: [], metadata: [] };
    for (const h of x.histograms) {
      const labels = relabel(h.labels);
      if (labels !== null) out.histograms.push(labels === h.labels ? h : { ...h, labels });
    }
    for (const e of x.exemplars) {
      const labels = relabel(e.labels);
      if (labels !== null) out.exemplars.push(labels === e.labels ? e : { ...e, labels });
    }
    for (const m of x.metadata) {
      const labels = relabel(m.labels);
      if (labels !== null) out.metadata.push(labels === m.labels ? m : { ...m, labels });
    }
    this.metrics.processed.inc(x.histograms.length);
    this.metrics.written.inc(out.histograms.length);
    this.metrics.size.set(this.cache.size);
    if (extrasEmpty(out)) return;
    await Promise.all(this.forwardTo.map((r) => r.appendExtras?.(out)));
  }

  debugInfo(): unknown {
    return { rules: this.rules.rules.map(describeRule), cache_size: this.cache.size, cache_hits: this.cache.hits, cache_misses: this.cache.misses };
  }
}

/** A batch as Sample objects, for receivers without the batch interface. */
function samplesOf(b: SampleBatch): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < b.length; i++) {
    const labels = b.labels(b.refs[i]!);
    if (labels !== undefined) out.push({ labels, t: b.ts[i]!, v: b.values[i]! });
  }
  return out;
}

/** Alloy's least cache_ttl: the sweep (every ttl/4) must not dominate the work. */
const MIN_CACHE_TTL_MS = 60_000;

/** Exactly one cache mode: bounded (max_cache_size) or TTL (cache_ttl), as Alloy requires. */
function validateCacheMode(size: number, ttlMs: number): void {
  if (ttlMs < 0) throw new Error('cache_ttl must be >= 0');
  if (size > 0 && ttlMs > 0) {
    throw new Error('max_cache_size and cache_ttl are mutually exclusive: set max_cache_size = 0 to use cache_ttl, or unset cache_ttl to keep the bounded cache');
  }
  if (size === 0 && ttlMs === 0) throw new Error('one of max_cache_size or cache_ttl must be set');
  if (ttlMs > 0 && ttlMs < MIN_CACHE_TTL_MS) throw new Error(`cache_ttl must be at least 1m when set; got ${ttlMs / 1000}s`);
}

export const prometheusRelabel: ComponentDefinition<PrometheusRelabelArgs> = {
  name: 'prometheus.relabel',
  args: {
    attrs: {
      forward_to: { type: t.array(t.capsule(METRICS_RECEIVER)), required: true },
      max_cache_size: { type: t.number(), default: 100_000 },
      cache_ttl: { type: t.duration(), default: 0 },
    },
    blocks: { rule: { schema: ruleBlockSchema, multiple: true } },
    validate: (a: PrometheusRelabelArgs) => {
      if (!Number.isInteger(a.max_cache_size) || a.max_cache_size < 0) throw new Error('max_cache_size must be a non-negative integer');
      validateCacheMode(a.max_cache_size, a.cache_ttl ?? 0);
      rulesFromConfig(a.rule);
    },
  },
  exports: { receiver: t.capsule(METRICS_RECEIVER), rules: t.capsule(RULES_CAPSULE) },
  labelRequired: true,
  liveDebugging: true,
  build(ctx: ComponentContext): Component<PrometheusRelabelArgs> {
    return new PrometheusRelabel(ctx);
  },
};

registerComponent(prometheusRelabel);
