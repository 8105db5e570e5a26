// A bounded memo of relabel results, shared by prometheus.relabel and the scrape batch relabeler.
import type { LabelPairs } from '../pipeline/metrics.js';
import { applyRulesToPairs } from './engine.js';
import type { CompiledRule } from './rule.js';

/** Relabel results by label set; null = dropped. Oldest entries go first when full. */
export class RelabelCache {
  private readonly map = new Map<string, LabelPairs | null>();
  hits = 0;
  misses = 0;
  constructor(private maxSize: number) {}

  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.trim();
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }

  relabel(labels: LabelPairs, rules: readonly CompiledRule[]): LabelPairs | null {
    const key = labels.join('\xff');
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const out = applyRulesToPairs(labels, rules);
    const result = out === null || out.length === 0 ? null : out;
    if (this.maxSize > 0) {
      this.map.set(key, result);
      this.trim();
    }
    return result;
  }

  private trim(): void {
    if (this.map.size <= this.maxSize) return;
    let excess = this.map.size - this.maxSize;
    for (const k of this.map.keys()) {
      if (excess-- <= 0) break;
      this.map.delete(k);
    }
  }
}
