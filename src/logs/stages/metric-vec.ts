// The series stage.metrics creates: one per label set of the log stream
// that updated it (so the label names are not known in advance, which
// prom-client's own metric types need), each dropped from the exposition
// once it was not updated for max_idle_duration. Registered into a
// prom-client Registry through the metric interface it collects (name,
// help, type, get()).
import type { Registry } from 'prom-client';
import { labelsKey } from './timestamp.js';

export type VecType = 'counter' | 'gauge' | 'histogram';

interface Series {
  labels: Record<string, string>;
  value: number;
  /** Histogram: cumulative-ready per-bucket counts (not cumulative), and sum. */
  counts?: number[];
  sum?: number;
  lastModSec: number;
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** Prometheus label names only, never the reserved "__" ones (as Alloy cleans them). */
function cleanLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) && !k.startsWith('__')) out[k] = v;
  return out;
}

export class ExpiringVec {
  readonly #series = new Map<string, Series>();
  readonly aggregator = 'sum' as const;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: VecType,
    private readonly maxIdleSec: number,
    private readonly now: () => number,
    /** Histogram upper bounds, increasing, without +Inf. */
    private readonly buckets: number[] = [],
  ) {}

  #get(labels: Record<string, string>): Series {
    const key = labelsKey(labels);
    let s = this.#series.get(key);
    if (!s) {
      s = { labels: cleanLabels(labels), value: 0, lastModSec: 0 };
      if (this.type === 'histogram') {
        s.counts = new Array(this.buckets.length + 1).fill(0);
        s.sum = 0;
      }
      this.#series.set(key, s);
    }
    s.lastModSec = Math.floor(this.now() / 1000);
    return s;
  }

  add(labels: Record<string, string>, v: number): void {
    this.#get(labels).value += v;
  }

  set(labels: Record<string, string>, v: number): void {
    this.#get(labels).value = v;
  }

  observe(labels: Record<string, string>, v: number): void {
    const s = this.#get(labels);
    let i = this.buckets.findIndex((b) => v <= b);
    if (i < 0) i = this.buckets.length;
    s.counts![i]++;
    s.sum! += v;
    s.value++;
  }

  clear(): void {
    this.#series.clear();
  }

  register(registry: Registry): void {
    registry.registerMetric(this as never);
  }

  unregister(registry: Registry): void {
    if (registry.getSingleMetric(this.name) === (this as never)) registry.removeSingleMetric(this.name);
  }

  /** prom-client's collect: prunes idle series first, as Alloy does on every scrape. */
  async get(): Promise<{ name: string; help: string; type: VecType; values: MetricValue[]; aggregator: 'sum' }> {
    const nowSec = Math.floor(this.now() / 1000);
    const values: MetricValue[] = [];
    for (const [key, s] of this.#series) {
      if (nowSec - s.lastModSec >= this.maxIdleSec) {
        this.#series.delete(key);
        continue;
      }
      if (this.type !== 'histogram') {
        values.push({ labels: s.labels, value: s.value });
        continue;
      }
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts![i];
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.value });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum! });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.value });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
