// What an endpoint queue does with the histograms, exemplars and metadata it
// reads from the WAL: histograms and exemplars become queue items of their
// series (prepared like float series: external labels, write relabeling),
// carrying their TimeSeries field bytes, so they share the shards (per-series
// order), batching, retries and acknowledgement with the float samples.
// Metadata that write relabeling keeps is handed back for the metadata store
// (metadata.ts), which sends it as Prometheus does.
import type { LabelPairs, MetricMetadata, MetricsExtras } from '../pipeline/metrics.js';
import { exemplarField, histogramField } from './extras-proto.js';
import type { SeriesEntry } from './write-request.js';

export interface ExtraItem {
  s: SeriesEntry;
  t: number;
  /** The TimeSeries field bytes (histograms = 4, exemplars = 3). */
  field: Uint8Array;
}

/** Prepared series are cached by labels: histogram series come back every scrape. */
const MAX_CACHED = 100_000;

export class ExtrasPreparer {
  private readonly cache = new Map<string, SeriesEntry | null>();

  constructor(private readonly prepare: (labels: LabelPairs) => SeriesEntry | null) {}

  private series(labels: LabelPairs): SeriesEntry | null {
    const key = labels.join('\xff');
    let s = this.cache.get(key);
    if (s === undefined) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      s = this.prepare(labels);
      this.cache.set(key, s);
    }
    return s;
  }

  /** The queue items of a record, how many relabeling dropped, and the metadata it kept. */
  items(x: MetricsExtras): { items: ExtraItem[]; dropped: number; metadata: MetricMetadata[] } {
    const items: ExtraItem[] = [];
    const metadata: MetricMetadata[] = [];
    let dropped = 0;
    for (const h of x.histograms) {
      const s = this.series(h.labels);
      if (s) items.push({ s, t: h.t, field: histogramField(h.h, h.t) });
      else dropped++;
    }
    for (const e of x.exemplars) {
      const s = this.series(e.labels);
      if (s) items.push({ s, t: e.t, field: exemplarField(e.exemplarLabels, e.value, e.t) });
      else dropped++;
    }
    for (const m of x.metadata) {
      if (this.series(m.labels) !== null) metadata.push(m); // write relabeling may drop the family
    }
    return { items, dropped, metadata };
  }
}
