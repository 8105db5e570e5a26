// Per-target scrape state, kept in the worker that scrapes the target: the
// series cache keyed by the raw series text (so known series skip label
// parsing and relabeling, like Prometheus's scrape cache), series refs, and
// staleness bookkeeping. It turns one response body into one WireBatch.
import { applyRulesToPairs, type CompiledRule } from '../relabel/index.js';
import type { LabelPairs } from '../pipeline/metrics.js';
import { STALE_NAN } from '../pipeline/staleness.js';
import { BatchBuilder, type ScrapeStats, type WireBatch } from './batch.js';
import { checkLabelLimits, DuplicateLabelError, type LabelLimits, mergeTargetLabels } from './labels.js';
import { type Hashed, labelsHash, SeriesIndex } from './series-index.js';
import { type ExpositionFormat, type ParseExtras, ParseError } from './parse/index.js';
import { BucketLimitError, limitHistogram } from './native-histogram.js';
import { checkLegacyNames, type ClassicPart, FamilyTracker, type FamilyMetadata, NhcbCollector, sortedPairs } from './loop-extras.js';

export interface LoopOptions extends LabelLimits {
  honorLabels: boolean;
  honorTimestamps: boolean;
  trackTimestampsStaleness: boolean;
  sampleLimit: number;
  /** The collector's cap on samples parsed from one body when sample_limit is 0 (see ceilings.ts); 0 or unset = none. */
  sampleCeiling?: number;
  metricRelabel: readonly CompiledRule[];
  /** scrape_native_histograms: parse the native form of protobuf histograms. */
  nativeHistograms: boolean;
  /** scrape_classic_histograms: keep the classic series of a histogram that has a native (or NHCB) form. */
  classicHistograms: boolean;
  /** native_histogram_bucket_limit (0: none). */
  bucketLimit: number;
  /** The schema native_histogram_min_bucket_factor allows (8: no reduction). */
  maxSchema: number;
  /** convert_classic_histograms_to_nhcb. */
  convertClassicToNhcb: boolean;
  /** honor_metadata: send family metadata downstream. */
  honorMetadata: boolean;
  /** enable_type_and_unit_labels: __type__ and __unit__ labels from the family metadata. */
  typeAndUnitLabels: boolean;
  /** metric_name_validation_scheme "legacy": names outside [a-zA-Z_:][a-zA-Z0-9_:]* fail the scrape. */
  legacyNames: boolean;
  /** start_timestamp_zero_ingestion: a zero sample at the created timestamp (protobuf), once per start. */
  startTimestampZero: boolean;
  /** Changes when receivers that need metadata join forward_to: a new value reconfigures the loops, which send all metadata again. */
  metadataEpoch: number;
}

/** Defaults for the options beyond the float path (tests and callers that need none of them). */
export const LOOP_EXTRA_DEFAULTS = {
  nativeHistograms: false,
  classicHistograms: false,
  bucketLimit: 0,
  maxSchema: 8,
  convertClassicToNhcb: false,
  honorMetadata: false,
  typeAndUnitLabels: false,
  legacyNames: true,
  startTimestampZero: false,
  metadataEpoch: 0,
} as const;

/** One series of the target. Its labels went to the main thread with its ref; only their hash stays here. */
interface SeriesEntry extends Hashed {
  ref: number;
  lastIter: number;
  /** Whether the last sample may get a staleness marker (not for explicit timestamps unless tracked). */
  tracked: boolean;
  alive: boolean;
  /** The created timestamp a zero sample was last written for (start_timestamp_zero_ingestion); NaN: none. */
  lastCt: number;
  /** The value appended for it in this scrape (a repeat with another value is counted, as Prometheus counts it). */
  v: number;
}

interface MetEntry {
  /** The raw series text (the key in `met`). */
  text: string;
  /** null: dropped by metric relabeling. */
  series: SeriesEntry | null;
  lastIter: number;
}

/** A failure that fails the whole scrape (limits, missing __name__). */
class AppendError extends Error {}

/** The reason a scrape over the sample ceiling fails with. */
export function sampleCeilingError(ceiling: number): string {
  return `sample ceiling exceeded: more than ${ceiling} samples in one scrape; sample_limit is not set, so the collector's ceiling applies (ALLOY_SCRAPE_SAMPLE_CEILING)`;
}

export class TargetState {
  private readonly met = new Map<string, MetEntry>();
  private readonly series = new SeriesIndex<SeriesEntry>();
  /**
   * Entries in the order of the last complete scrape. Exporters print series
   * in a stable order, so comparing a sample's text with the entry at its
   * position usually finds it without hashing the text (a position hint only:
   * on a mismatch the map decides).
   */
  private order: MetEntry[] = [];
  private nextRef = 1;
  private iter = 0;
  /** Metadata sent downstream, per family (honor_metadata): only changes are sent again. */
  private readonly metadata = new Map<string, FamilyMetadata>();
  /** convert_classic_histograms_to_nhcb: what each series text is to its histogram. */
  private readonly nhcbParts = new Map<string, ClassicPart | null>();

  constructor(
    private targetLabels: LabelPairs,
    private opts: LoopOptions,
  ) {}

  /**
   * New options or target labels: forget the raw-text cache (relabeling or
   * honor_labels may map texts differently); series refs survive, so a series
   * whose final labels stay the same keeps its ref and its staleness state.
   */
  reconfigure(targetLabels: LabelPairs, opts: LoopOptions): void {
    this.targetLabels = targetLabels;
    this.opts = opts;
    this.met.clear();
    this.nhcbParts.clear();
    this.order = [];
    // Receivers may have changed: they get every family's metadata with the next scrape.
    this.metadata.clear();
  }

  get seriesCount(): number {
    return this.series.size;
  }

  /** Processes a body; on any parse or append error the whole scrape fails (up 0, no samples, see failedAppend). */
  apply(body: string | Uint8Array, format: ExpositionFormat, appendTime: number, bodyBytes: number, badUtf8 = false): WireBatch {
    const iter = ++this.iter;
    const o = this.opts;
    const out = new BatchBuilder();
    const pending: SeriesEntry[] = [];
    /** The labels of each pending series (sent with its new ref, then not kept). */
    const pendingLabels: LabelPairs[] = [];
    const hints = this.order;
    const seen: MetEntry[] = [];
    let total = 0;
    let added = 0;
    let seriesAdded = 0;
    let duplicates = 0;
    let limitExceeded = false;
    let bucketLimitExceeded = false;
    /** The series of the sample (or histogram) appended last, for its exemplars; null: dropped. */
    let last: SeriesEntry | null = null;
    let lastT = 0;
    /** The created timestamp of the next series (NaN: none or not asked for). */
    let ct = NaN;
    const families = o.honorMetadata || o.typeAndUnitLabels || o.convertClassicToNhcb ? new FamilyTracker() : undefined;
    const nhcb = o.convertClassicToNhcb ? new NhcbCollector(this.nhcbParts) : undefined;

    const register = (labels: LabelPairs): SeriesEntry => {
      const h = labelsHash(labels);
      let se = this.series.get(h);
      if (!se) {
        se = { hi: h.hi, lo: h.lo, ref: this.nextRef++, lastIter: 0, tracked: false, alive: true, lastCt: NaN, v: 0 };
        this.series.add(se);
        pending.push(se);
        pendingLabels.push(labels);
      }
      return se;
    };

    /** A raw series text's final labels (null: dropped by relabeling); throws on a bad label set. */
    const labelsOf = (text: string, parsed?: string[]): LabelPairs | null => {
      let raw = parsed ?? format.labels(text);
      if (badUtf8) for (let i = 1; i < raw.length; i += 2) if (raw[i].includes('\uFFFD')) throw new ParseError(`invalid UTF-8 label value in ${JSON.stringify(text)}`);
      if (o.legacyNames && format.binary) checkLegacyNames(raw);
      if (families && o.typeAndUnitLabels) raw = families.withTypeAndUnit(raw);
      let lset: LabelPairs | null = mergeTargetLabels(raw, this.targetLabels, o.honorLabels);
      if (o.metricRelabel.length > 0) lset = applyRulesToPairs(lset, o.metricRelabel);
      if (lset === null || lset.length === 0) return null;
      if (!hasName(lset)) throw new AppendError('missing metric name (__name__ label)');
      const why = checkLabelLimits(lset, o);
      if (why) throw new AppendError(why);
      return lset;
    };

    /** A raw series text not in the cache: its entry, with its series registered (series null: dropped by relabeling). */
    const resolve = (text: string, parsed?: string[]): MetEntry => {
      const lset = labelsOf(text, parsed);
      return { text, series: lset === null ? null : register(lset), lastIter: iter };
    };

    const ceiling = o.sampleLimit === 0 ? (o.sampleCeiling ?? 0) : 0;
    /** Counts a parsed sample; past the ceiling the scrape stops at once (there is no point reading on). */
    const count = (): number => {
      if (ceiling > 0 && total >= ceiling) throw new AppendError(sampleCeilingError(ceiling));
      return total++;
    };

    /**
     * Once sample_limit is reached the scrape will fail: a text not in the cache
     * is still relabeled (to count it as Prometheus does) but neither cached nor
     * registered, so a target far over its limit costs no memory for the series
     * past it. A repeat of a series already in this scrape counts as a duplicate when `countsAsDuplicate` says so.
     */
    const overLimit = (text: string, parsed?: string[], countsAsDuplicate: (se: SeriesEntry) => boolean = () => true): void => {
      const lset = labelsOf(text, parsed);
      if (lset === null) return;
      const se = this.series.get(labelsHash(lset));
      if (se !== undefined && se.lastIter === iter) {
        if (countsAsDuplicate(se)) duplicates++;
        return;
      }
      added++;
      limitExceeded = true;
    };
    const limitReached = () => o.sampleLimit > 0 && added >= o.sampleLimit;

    /** The series of a sample, counted against sample_limit; null when dropped or over the limit. */
    const seriesOf = (text: string, ts: number, parsed?: string[]): SeriesEntry | null => {
      const hint = hints[count()];
      let me = hint !== undefined && hint.text === text ? hint : this.met.get(text);
      let miss = false;
      if (me === undefined) {
        if (limitReached()) {
          overLimit(text, parsed);
          return null;
        }
        miss = true;
        me = resolve(text, parsed);
        this.met.set(text, me);
      } else if (me.series !== null && !me.series.alive) {
        // Its series was released (a failed scrape): the labels are not kept, so the text is resolved again.
        me = resolve(text, parsed);
        this.met.set(text, me);
      }
      me.lastIter = iter;
      seen.push(me);
      const se = me.series;
      if (se === null) return null;
      if (se.lastIter === iter) {
        duplicates++;
        return null;
      }
      added++;
      if (o.sampleLimit > 0 && added > o.sampleLimit) {
        limitExceeded = true; // keep counting, as Prometheus does, then fail
        return null;
      }
      const explicit = o.honorTimestamps && ts === ts;
      se.lastIter = iter;
      se.tracked = !explicit || o.trackTimestampsStaleness;
      if (miss) seriesAdded++;
      lastT = explicit ? ts : appendTime;
      return se;
    };

    const extras: ParseExtras = {
      exemplar: (labels, value, ts) => {
        if (last === null) return;
        const pairs = sortedPairs(labels);
        out.x().exemplars.push({ ref: last.ref, labels: pairs, value, t: ts === ts ? ts : lastT });
      },
    };
    if (families) extras.metadata = (family, field, text) => families.set(family, field, text);
    if (o.startTimestampZero) extras.created = (ms) => (ct = ms);
    /** Whether a zero sample at `ct` goes before this sample of `se` (once per start, only when older, as Prometheus's AppendCTZeroSample). */
    const ctZero = (se: SeriesEntry): boolean => {
      if (!(ct < lastT) || se.lastCt === ct) return false;
      se.lastCt = ct;
      return true;
    };
    if (o.nativeHistograms) {
      extras.classicHistograms = o.classicHistograms;
      extras.histogram = (text, h, ts) => {
        last = seriesOf(text, ts);
        if (last === null) return;
        if (ct === ct && ctZero(last)) {
          const zero = { ...h, count: 0, sum: 0, zeroCount: 0, positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [], resetHint: 1 as const };
          out.x().histograms.push({ ref: last.ref, t: ct, h: zero });
        }
        try {
          h = limitHistogram(h, o.bucketLimit, o.maxSchema);
        } catch (e) {
          if (!(e instanceof BucketLimitError)) throw e;
          bucketLimitExceeded = true; // keep parsing for the counts, as Prometheus does
          last = null;
          return;
        }
        out.x().histograms.push({ ref: last.ref, t: lastT, h });
      };
    }

    try {
      format.parse(body, (text, v, ts) => {
        if (nhcb !== undefined && families!.current?.type === 'histogram' && nhcb.take(text, v, ts, format, families!.current.name) && !o.classicHistograms) return;
        const hint = hints[count()];
        let me = hint !== undefined && hint.text === text ? hint : this.met.get(text);
        let miss = false;
        if (me === undefined) {
          if (limitReached()) {
            last = null;
            overLimit(text, undefined, (se) => !Object.is(se.v, v)); // as below: an exact repeat is dropped silently
            return;
          }
          miss = true;
          me = resolve(text);
          this.met.set(text, me);
        } else if (me.series !== null && !me.series.alive) {
          me = resolve(text); // released by a failed scrape: resolved again (its labels are not kept)
          this.met.set(text, me);
        }
        me.lastIter = iter;
        seen.push(me);
        const se = me.series;
        last = null;
        if (se === null) return;
        // The same series twice in one body (or two texts that relabel to one series): the first
        // sample stays; a repeat with another value is counted (Prometheus's duplicate-timestamp error).
        if (se.lastIter === iter) {
          if (!Object.is(se.v, v)) duplicates++;
          return;
        }
        se.v = v;
        added++;
        if (o.sampleLimit > 0 && added > o.sampleLimit) {
          limitExceeded = true; // keep counting, as Prometheus does, then fail
          return;
        }
        const explicit = o.honorTimestamps && ts === ts;
        se.lastIter = iter;
        se.tracked = !explicit || o.trackTimestampsStaleness;
        if (miss) seriesAdded++;
        last = se;
        lastT = explicit ? ts : appendTime;
        if (ct === ct && ctZero(se)) out.push(se.ref, 0, ct);
        out.push(se.ref, v, lastT);
      }, extras);
      if (nhcb !== undefined) {
        for (const c of nhcb.finish()) {
          last = seriesOf(c.key, c.ts, c.raw);
          if (last !== null) out.x().histograms.push({ ref: last.ref, t: lastT, h: c.h });
        }
      }
      if (limitExceeded) throw new AppendError('sample limit exceeded');
      if (bucketLimitExceeded) throw new AppendError('histogram bucket limit exceeded');
    } catch (e) {
      if (!(e instanceof ParseError || e instanceof AppendError || e instanceof DuplicateLabelError)) throw e;
      return this.failedAppend(iter, pending, pendingLabels, appendTime, { total, added, seriesAdded, bodyBytes, ...(duplicates ? { duplicates } : {}), error: e.message });
    }

    // Series seen last time but not now get a staleness marker; their refs are released.
    this.series.forEach((se) => {
      if (se.lastIter === iter) return;
      if (se.tracked) out.push(se.ref, STALE_NAN, appendTime);
      this.release(se, out);
    });
    // Forget raw texts not seen this time (an empty body is a failed scrape: keep them).
    if (body.length > 0) {
      for (const [k, me] of this.met) if (me.lastIter !== iter) this.met.delete(k);
      this.order = seen;
    }
    for (let i = 0; i < pending.length; i++) {
      out.newRefs.push(pending[i]!.ref);
      out.newLabels.push(pendingLabels[i]!);
    }
    if (families && o.honorMetadata) for (const m of families.changedSince(this.metadata)) out.x().metadata.push(m);
    return out.finish({ total, added, seriesAdded, bodyBytes, ...(duplicates ? { duplicates } : {}) });
  }

  /**
   * A scrape that failed partway through (parse error, a limit, a bad label
   * set). Its samples are discarded, as Prometheus rolls the appender back,
   * but the series it had already appended stay current, as in Prometheus's
   * scrape cache (they were tracked before the error; the retry with an empty
   * body only marks what is missing). So: staleness markers only for series
   * of earlier scrapes that this one had not reached; the series it did reach
   * (new ones included) keep their refs and get a marker later if they vanish.
   * Series first seen past the failure point (e.g. beyond sample_limit) are forgotten.
   */
  private failedAppend(iter: number, pending: SeriesEntry[], pendingLabels: LabelPairs[], appendTime: number, stats: ScrapeStats): WireBatch {
    const out = new BatchBuilder();
    for (const se of pending) {
      if (se.lastIter === iter) continue;
      se.alive = false;
      this.series.delete(se);
    }
    this.series.forEach((se) => {
      if (se.lastIter === iter) return;
      if (se.tracked) out.push(se.ref, STALE_NAN, appendTime);
      this.release(se, out);
    });
    for (let i = 0; i < pending.length; i++) {
      const se = pending[i]!;
      if (!se.alive) continue;
      out.newRefs.push(se.ref);
      out.newLabels.push(pendingLabels[i]!);
    }
    return out.finish(stats);
  }

  /** A failed scrape (or a target that went away): stale markers for every series, all refs released. */
  staleAll(appendTime: number, stats: ScrapeStats): WireBatch {
    const out = new BatchBuilder();
    this.series.forEach((se) => {
      if (se.tracked) out.push(se.ref, STALE_NAN, appendTime);
      this.release(se, out);
    });
    return out.finish(stats);
  }

  /** The target moved to another cluster member: release everything, no markers (no gap at hand-off). */
  handOff(): WireBatch {
    const out = new BatchBuilder();
    this.series.forEach((se) => this.release(se, out));
    this.met.clear();
    this.order = [];
    return out.finish({ total: 0, added: 0, seriesAdded: 0, bodyBytes: 0 });
  }

  private release(se: SeriesEntry, out: BatchBuilder): void {
    se.alive = false;
    this.series.delete(se);
    out.freed.push(se.ref);
  }
}

function hasName(pairs: LabelPairs): boolean {
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === '__name__') return true;
  return false;
}
