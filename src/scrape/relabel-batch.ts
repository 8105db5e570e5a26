// The columnar path through prometheus.relabel: results are kept per upstream
// series ref (computed once, when the ref first shows up), so a steady
// scrape costs one Map lookup per sample and no label work at all. The
// output keeps the upstream refs in an output scope of its own (the labels
// behind a ref differ from upstream's); dropped series leave the columns.
import type { CompiledRule } from '../relabel/index.js';
import type { LabelPairs, SampleBatch } from '../pipeline/metrics.js';
import type { RelabelCache } from '../relabel/cache.js';

interface ScopeState {
  /** Identity of the output ref space. */
  readonly out: object;
  /** Relabeled labels per upstream ref; null = dropped. */
  readonly byRef: Map<number, LabelPairs | null>;
}

export interface RelabeledBatch {
  batch: SampleBatch;
  /** Samples whose series were already known / first seen (for the cache metrics). */
  hits: number;
  misses: number;
  /** Forget released refs; call after receivers have read labels (synchronously). */
  release(): void;
}

export class BatchRelabeler {
  // Weak: a producer's ref space goes away with its scope object.
  private scopes = new WeakMap<object, ScopeState>();

  /** Rules changed: every ref's result is void; new output scopes follow. */
  reset(): void {
    this.scopes = new WeakMap();
  }

  relabel(b: SampleBatch, rules: readonly CompiledRule[], cache: RelabelCache): RelabeledBatch {
    let st = this.scopes.get(b.scope);
    if (!st) {
      st = { out: {}, byRef: new Map() };
      this.scopes.set(b.scope, st);
    }
    const byRef = st.byRef;
    const n = b.length;
    const refs = new Int32Array(n);
    const ts = new Float64Array(n);
    const values = new Float64Array(n);
    let k = 0;
    let hits = 0;
    let misses = 0;
    for (let i = 0; i < n; i++) {
      const r = b.refs[i]!;
      let res = byRef.get(r);
      if (res === undefined) {
        const labels = b.labels(r);
        if (labels === undefined) continue; // unknown upstream (e.g. from before a producer reset)
        res = cache.relabel(labels, rules);
        byRef.set(r, res);
        misses++;
      } else {
        hits++;
      }
      if (res === null) continue;
      refs[k] = r;
      ts[k] = b.ts[i]!;
      values[k] = b.values[i]!; // typed-array copy keeps the stale NaN's bits
      k++;
    }
    const released = b.released;
    const batch: SampleBatch = {
      scope: st.out,
      labels: (ref) => byRef.get(ref) ?? undefined,
      length: k,
      refs: k === n ? refs : refs.subarray(0, k),
      ts: k === n ? ts : ts.subarray(0, k),
      values: k === n ? values : values.subarray(0, k),
      released,
    };
    return {
      batch,
      hits,
      misses,
      release: () => {
        for (let i = 0; i < released.length; i++) byRef.delete(released[i]!);
      },
    };
  }
}
