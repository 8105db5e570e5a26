// A scrape result in a compact, transferable shape: samples as parallel typed
// arrays of series refs, values and timestamps; label sets travel once per
// series (when a ref is new) and refs are released explicitly. This keeps the
// worker -> main thread message small and cheap to clone (Prometheus's
// series-ref idea, applied to a thread boundary).
import type { LabelPairs, MetricTypeName, NativeHistogram } from '../pipeline/metrics.js';

/**
 * Native histograms, exemplars and metadata of a scrape, next to the float
 * columns: histograms and exemplars name their series by ref (the same refs,
 * registered and released with the floats), metadata by family.
 */
export interface WireExtras {
  histograms: { ref: number; t: number; h: NativeHistogram }[];
  exemplars: { ref: number; labels: LabelPairs; value: number; t: number }[];
  /** Families whose metadata is new or changed since the target's last scrape. */
  metadata: { family: string; type: MetricTypeName; help: string; unit: string }[];
}

export interface ScrapeStats {
  total: number;
  added: number;
  seriesAdded: number;
  /** Uncompressed body size; -1 when body_size_limit was exceeded. */
  bodyBytes: number;
  /** Samples of a series already appended in this scrape: dropped, the first one kept (as Prometheus does). */
  duplicates?: number;
  error?: string;
}

/** The plain (postMessage-able) form. Typed arrays are sliced to length, their buffers transferable. */
export interface WireBatch {
  newRefs: Int32Array;
  newLabels: LabelPairs[];
  refs: Int32Array;
  values: Float64Array;
  ts: Float64Array;
  freed: Int32Array;
  stats: ScrapeStats;
  /** Only when the scrape had any. */
  extras?: WireExtras;
}

export class BatchBuilder {
  private refs = new Int32Array(256);
  private values = new Float64Array(256);
  private ts = new Float64Array(256);
  length = 0;
  newRefs: number[] = [];
  newLabels: LabelPairs[] = [];
  freed: number[] = [];
  extras: WireExtras | undefined;

  /** The extras of this batch, created on first use (float-only scrapes carry none). */
  x(): WireExtras {
    return (this.extras ??= { histograms: [], exemplars: [], metadata: [] });
  }

  push(ref: number, v: number, t: number): void {
    if (this.length === this.refs.length) this.grow();
    const i = this.length++;
    this.refs[i] = ref;
    this.values[i] = v; // typed-array stores keep NaN payloads (the stale marker) intact
    this.ts[i] = t;
  }

  private grow(): void {
    const n = this.refs.length * 2;
    const r = new Int32Array(n);
    r.set(this.refs);
    const v = new Float64Array(n);
    v.set(this.values);
    const t = new Float64Array(n);
    t.set(this.ts);
    this.refs = r;
    this.values = v;
    this.ts = t;
  }

  finish(stats: ScrapeStats): WireBatch {
    return {
      newRefs: Int32Array.from(this.newRefs),
      newLabels: this.newLabels,
      refs: this.refs.slice(0, this.length),
      values: this.values.slice(0, this.length),
      ts: this.ts.slice(0, this.length),
      freed: Int32Array.from(this.freed),
      stats,
      ...(this.extras ? { extras: this.extras } : {}),
    };
  }
}

export function transferList(b: WireBatch): ArrayBuffer[] {
  return [b.newRefs.buffer, b.refs.buffer, b.values.buffer, b.ts.buffer, b.freed.buffer] as ArrayBuffer[];
}
