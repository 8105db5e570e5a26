// What an endpoint queue does with the histograms, exemplars and metadata it
// reads from the WAL: histograms and exemplars become queue items of their
// series (prepared like float series: external labels, write relabeling),
// carrying their TimeSeries field bytes, so they share the shards (per-series
// order), batching, retries and acknowledgement with the float samples.
// Metadata is kept per family and sent in metadata-only WriteRequests
// (field 3), as Prometheus sends it, batched per batch_send_deadline.
import type { LabelPairs, MetricsExtras } from '../pipeline/metrics.js';
import { exemplarField, histogramField, metadataField } from './extras-proto.js';
import { compress } from './snappy.js';
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
  /** Metadata fields (WriteRequest field 3) not sent yet, by family. */
  private readonly unsent = new Map<string, Uint8Array>();

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

  /** The queue items of a record; its metadata is kept for the next metadata request. Returns the items and how many were dropped by relabeling. */
  items(x: MetricsExtras): { items: ExtraItem[]; dropped: number } {
    const items: ExtraItem[] = [];
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
      if (this.series(m.labels) === null) continue; // write relabeling drops the family
      this.unsent.set(m.family, metadataField(m));
    }
    return { items, dropped };
  }

  get metadataPending(): number {
    return this.unsent.size;
  }

  /** A snappy-compressed metadata-only WriteRequest of everything unsent (then forgotten), or undefined. */
  takeMetadataRequest(max: number): { body: Uint8Array; count: number } | undefined {
    if (this.unsent.size === 0) return undefined;
    const parts: Uint8Array[] = [];
    for (const [family, field] of this.unsent) {
      if (parts.length >= max) break;
      parts.push(field);
      this.unsent.delete(family);
    }
    return { body: compress(Buffer.concat(parts)), count: parts.length };
  }
}
