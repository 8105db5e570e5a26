// Main-thread side of one prometheus.scrape component (Prometheus's scrape
// pool): turns discovered targets into scrape targets, keeps one timer per
// target on its hashed phase, ships scrape requests to the worker pool, turns
// the returned batches into Samples (plus the synthetic report series) and
// hands them to forward_to. Targets that go away get staleness markers at
// their next scheduled scrape time (Prometheus's end-of-run staleness);
// targets handed to another cluster member get none.
import { type ClusterOwnership, targetKey } from '../clustering/ownership.js';
import { acceptsBatches, extrasEmpty, type LabelPairs, type MetricsExtras, type MetricsReceiver, type Sample, type SampleBatch } from '../pipeline/metrics.js';
import { STALE_NAN } from '../pipeline/staleness.js';
import { formatDuration } from '../syntax/duration.js';
import type { WireBatch, WireExtras } from './batch.js';
import { StringInterner } from './intern.js';
import { metadataLabels, reportLabels } from './labels.js';
import { logScrapeFailure } from './failure-log.js';
import type { ScrapeMetrics } from './metrics.js';
import { nextScrapeTime, scrapeOffsetMs } from './offset.js';
import type { ScrapeWorkerPool, TargetListener } from './pool.js';
import type { FromWorker, PoolWireConfig } from './protocol.js';
import { populateTarget, type ScrapeTarget, type TargetDefaults } from './target.js';
import { describeExternalText } from '../redact.js';

export interface SchedulerConfig {
  defaults: TargetDefaults;
  wire: PoolWireConfig;
  targetLimit: number;
  extraMetrics: boolean;
  clustering: boolean;
  /** Label names left out of a target's cluster key, besides `__meta_*` (clustering { excluded_labels }). */
  excludedLabels?: readonly string[];
  forwardTo: MetricsReceiver[];
  /** honor_metadata as configured: without it, only receivers that want metadata get it (see MetricsReceiver.wantsMetadata). */
  honorMetadata?: boolean;
  /** scrape_failure_log_file ('' or unset: none). */
  failureLogFile?: string;
}

/** What the scheduler asks of the cluster: ownership of a target key, and who owns it (debug info). */
export type SchedulerCluster = Pick<ClusterOwnership, 'owns' | 'ownerOf' | 'self'>;

export interface TargetDebug {
  job: string;
  url: string;
  health: 'up' | 'down' | 'unknown';
  labels: Record<string, string>;
  discovered_labels: Record<string, string>;
  last_scrape: string | undefined;
  last_scrape_duration: string | undefined;
  last_error: string | undefined;
  series: number;
  /** Samples dropped in the last scrape because their series was already in it (the first one is kept). */
  last_duplicates: number;
  /** The cluster member that scrapes this target (this node when clustering is off for the component). */
  owner: string | undefined;
}

export interface DroppedTarget {
  discovered_labels: Record<string, string>;
  /** Why the target cannot be scraped, worded as Prometheus's PopulateLabels does. */
  reason: string;
}

/** A removed target waiting for its end-of-run staleness markers. */
interface Retiring {
  t: ActiveTarget;
  timer: NodeJS.Timeout | undefined;
  /** Resolves once the markers were forwarded or the retirement was called off. */
  done: Promise<void>;
  finish: () => void;
}

const REPORT_NAMES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];
const EXTRA_NAMES = ['scrape_timeout_seconds', 'scrape_sample_limit', 'scrape_body_size_bytes'];

let nextTid = 1;

/** Shared by every scheduler of the process: label texts repeat across jobs and targets. */
const labelStrings = new StringInterner();

class ActiveTarget implements TargetListener {
  readonly tid = nextTid++;
  readonly refs = new Map<number, LabelPairs>();
  /**
   * Identity of this target's ref space for batch receivers (the worker's
   * series refs; report series use refs -1, -2, ...). Replaced when the
   * worker resets, since its refs start over.
   */
  scope: object = {};
  readonly offsetMs: number;
  timer: NodeJS.Timeout | undefined;
  nextAt = 0;
  seq = 0;
  busy = false;
  lastAppendTime = 0;
  reportSeries: LabelPairs[] = [];
  health: TargetDebug['health'] = 'unknown';
  lastError: string | undefined;
  lastDuplicates = 0;
  lastScrape: number | undefined;
  lastDurationMs: number | undefined;
  stopped = false;

  constructor(
    readonly key: string,
    public target: ScrapeTarget,
    /** targetKey() of the discovered labels: what the cluster ring assigns. */
    public clusterKey: string,
    private readonly sched: ScrapeScheduler,
  ) {
    this.offsetMs = scrapeOffsetMs(target.labels, target.url, target.intervalMs);
  }

  onResult(msg: Extract<FromWorker, { op: 'result' }>): void {
    this.sched.deliver(this, msg);
  }

  onError(message: string): void {
    this.lastError = message;
    this.busy = false;
  }

  onReset(): void {
    this.refs.clear();
    this.scope = {};
    this.busy = false;
  }
}

export class ScrapeScheduler {
  private readonly active = new Map<string, ActiveTarget>();
  private readonly retiring = new Map<string, Retiring>();
  /** Removals in progress that can no longer be called off (hand-offs, markers being written). */
  private readonly removals = new Set<Promise<void>>();
  private dropped: DroppedTarget[] = [];
  private discovered: Record<string, string>[] = [];
  private cfg: SchedulerConfig | undefined;
  private targetLimitError: string | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly poolId: string,
    private readonly pool: ScrapeWorkerPool,
    private readonly metrics: ScrapeMetrics,
    private readonly cluster: SchedulerCluster,
    private readonly log: (msg: string, extra?: Record<string, unknown>) => void,
  ) {}

  /** New arguments and/or targets. Unchanged targets keep their loops, caches and phase. */
  update(cfg: SchedulerConfig, discovered: Record<string, string>[]): void {
    if (this.stopped) return;
    const wireChanged = JSON.stringify(cfg.wire) !== JSON.stringify(this.cfg?.wire);
    this.cfg = cfg;
    this.discovered = discovered;
    if (wireChanged) this.pool.setPoolConfig(this.poolId, cfg.wire);
    this.sync();
  }

  /** Cluster membership changed: drop targets we no longer own (hand-off), add new ones. */
  resync(): void {
    if (this.cfg) this.sync();
  }

  /**
   * Withdraws every target, as if discovery had returned none, and resolves
   * once their removal is complete: end-of-run staleness markers forwarded
   * (about two intervals later, see retire()), or the retirement called off
   * by stop(). Further update() calls bring targets back.
   */
  async drain(): Promise<void> {
    if (this.cfg && !this.stopped) {
      this.discovered = [];
      this.sync();
    }
    await Promise.all([...[...this.retiring.values()].map((r) => r.done), ...this.removals]);
  }

  private sync(): void {
    const cfg = this.cfg!;
    const want = new Map<string, { target: ScrapeTarget; clusterKey: string }>();
    const notOwned = new Set<string>();
    const excluded = cfg.excludedLabels ?? [];
    this.dropped = [];
    let failed = 0;
    for (const d of this.discovered) {
      const r = populateTarget(d, cfg.defaults);
      if ('error' in r) {
        // Prometheus logs "Creating target failed" and counts it; the reason also shows in debug info.
        failed++;
        this.dropped.push({ discovered_labels: d, reason: r.error });
        this.log('creating target failed', { err: r.error, address: d.__address__ });
        continue;
      }
      const key = `${r.target.labels.join('\xff')}\x00${r.target.url}`;
      const clusterKey = targetKey(d, excluded);
      if (cfg.clustering && !this.cluster.owns(clusterKey)) {
        notOwned.add(key);
        continue;
      }
      want.set(key, { target: r.target, clusterKey });
    }
    if (failed > 0) this.metrics.syncFailed.inc({ scrape_job: cfg.defaults.jobName }, failed);
    this.targetLimitError =
      cfg.targetLimit > 0 && want.size > cfg.targetLimit ? `target_limit exceeded (number of targets: ${want.size}, limit: ${cfg.targetLimit})` : undefined;
    if (this.targetLimitError) this.metrics.exceededTargetLimit.inc();

    for (const [key, t] of this.active) {
      if (want.has(key)) continue;
      this.active.delete(key);
      if (notOwned.has(key)) this.handOff(t);
      else this.retire(t);
    }
    // A retiring target now owned by another member: its new owner scrapes it, so no markers from here.
    for (const [key, r] of this.retiring) if (notOwned.has(key)) this.callOff(r, 'handoff');
    for (const [key, { target, clusterKey }] of want) {
      let cur = this.active.get(key);
      let reschedule = false;
      const back = this.retiring.get(key);
      if (!cur && back) {
        // Back before its markers went out: resume the same loop (caches, refs, phase), no markers.
        cur = back.t;
        this.callOff(back, 'revive');
        cur.stopped = false;
        this.active.set(key, cur);
        reschedule = true;
      }
      if (cur) {
        const timing = cur.target.intervalMs !== target.intervalMs || cur.target.timeoutMs !== target.timeoutMs;
        cur.target = target;
        cur.clusterKey = clusterKey;
        cur.reportSeries = this.reportSeriesFor(target);
        if (timing) {
          this.pool.addTarget({ op: 'add', tid: cur.tid, poolId: this.poolId, labels: target.labels, url: target.url, timeoutMs: target.timeoutMs }, cur);
        }
        if (timing || reschedule) this.schedule(cur);
        continue;
      }
      const t = new ActiveTarget(key, target, clusterKey, this);
      t.reportSeries = this.reportSeriesFor(target);
      this.active.set(key, t);
      this.pool.addTarget({ op: 'add', tid: t.tid, poolId: this.poolId, labels: target.labels, url: target.url, timeoutMs: target.timeoutMs }, t);
      this.schedule(t);
    }
    this.metrics.poolTargets.set({ scrape_job: cfg.defaults.jobName }, this.active.size);
  }

  private reportSeriesFor(target: ScrapeTarget): LabelPairs[] {
    const names = this.cfg!.extraMetrics ? [...REPORT_NAMES, ...EXTRA_NAMES] : REPORT_NAMES;
    return names.map((n) => reportLabels(n, target.labels));
  }

  private schedule(t: ActiveTarget): void {
    if (t.timer) clearTimeout(t.timer);
    const now = Date.now();
    t.nextAt = nextScrapeTime(now, t.target.intervalMs, t.offsetMs % t.target.intervalMs);
    t.timer = setTimeout(() => this.tick(t), t.nextAt - now);
  }

  private tick(t: ActiveTarget): void {
    if (t.stopped) return;
    const scheduled = t.nextAt;
    if (t.busy) {
      this.metrics.scrapesSkipped.inc({ scrape_job: this.cfg!.defaults.jobName });
    } else {
      t.busy = true;
      this.pool.scrape(t.tid, ++t.seq, scheduled, this.targetLimitError);
    }
    // Next slot on the grid; if the event loop lagged past it, skip to the next future slot.
    const now = Date.now();
    let next = scheduled + t.target.intervalMs;
    if (next <= now) next = nextScrapeTime(now, t.target.intervalMs, t.offsetMs % t.target.intervalMs);
    t.nextAt = next;
    t.timer = setTimeout(() => this.tick(t), next - now);
  }

  /** Called with a worker result: add report series, forward, then free the target. */
  deliver(t: ActiveTarget, msg: Extract<FromWorker, { op: 'result' }>): void {
    const cfg = this.cfg!;
    const b = msg.batch;
    const st = b.stats;
    const up = st.error === undefined ? 1 : 0;
    const values = [up, msg.durationMs / 1000, st.total, st.added, st.seriesAdded];
    if (cfg.extraMetrics) values.push(t.target.timeoutMs / 1000, cfg.wire.sampleLimit, st.bodyBytes);
    const batch = this.batchOf(t, b, msg.appendTime, values);

    if (t.lastAppendTime > 0) {
      this.metrics.intervalLength.observe({ interval: formatDuration(t.target.intervalMs) }, (msg.appendTime - t.lastAppendTime) / 1000);
    }
    t.lastAppendTime = msg.appendTime;
    t.health = up ? 'up' : 'down';
    t.lastError = st.error ? describeExternalText(st.error, { max: 300 }) : st.error;
    t.lastScrape = msg.appendTime;
    t.lastDurationMs = msg.durationMs;
    t.lastDuplicates = st.duplicates ?? 0;
    if (t.lastDuplicates > 0) this.metrics.duplicateTimestamps.inc(t.lastDuplicates);
    // The collector's sample ceiling counts as sample_limit, its body ceiling as body_size_limit (bodyBytes -1).
    if (st.error === 'sample limit exceeded' || st.error?.startsWith('sample ceiling exceeded')) this.metrics.exceededSampleLimit.inc();
    else if (st.error?.startsWith('label_')) this.metrics.exceededLabelLimits.inc();
    else if (st.bodyBytes === -1) this.metrics.exceededBodySizeLimit.inc();
    if (st.error) {
      this.log('scrape failed', { target: t.target.url, err: st.error });
      if (cfg.failureLogFile) void logScrapeFailure(cfg.failureLogFile, cfg.defaults.jobName, t.target.url, st.error, (m) => this.log(m));
    }

    void this.forward(t, batch, b.extras && this.extrasOf(t, b.extras)).finally(() => {
      t.busy = false;
    });
  }

  /** The worker's histograms, exemplars and metadata with their series' labels (refs resolved now, before release). */
  private extrasOf(t: ActiveTarget, x: WireExtras): MetricsExtras {
    const out: MetricsExtras = { histograms: [], exemplars: [], metadata: [] };
    for (const h of x.histograms) {
      const labels = t.refs.get(h.ref);
      if (labels) out.histograms.push({ labels, t: h.t, h: h.h });
    }
    for (const e of x.exemplars) {
      const labels = t.refs.get(e.ref);
      if (labels) out.exemplars.push({ labels, exemplarLabels: e.labels, value: e.value, t: e.t });
    }
    for (const m of x.metadata) out.metadata.push({ labels: metadataLabels(t.target.labels, m.family), ...m });
    return out;
  }

  /**
   * The worker's columns plus one sample per report series (at `reportTs`
   * with `reportValues`, if given), as a batch in the target's ref scope.
   * New refs from the worker are registered here; freed ones go in forward().
   */
  private batchOf(t: ActiveTarget, b: WireBatch, reportTs: number, reportValues: number[] | 'stale'): SampleBatch {
    for (let i = 0; i < b.newRefs.length; i++) t.refs.set(b.newRefs[i], labelStrings.internAll(b.newLabels[i]));
    const n = b.refs.length;
    const k = reportValues === 'stale' ? t.reportSeries.length : reportValues.length;
    let refs = b.refs;
    let ts = b.ts;
    let values = b.values;
    if (k > 0) {
      refs = new Int32Array(n + k);
      refs.set(b.refs);
      ts = new Float64Array(n + k);
      ts.set(b.ts);
      values = new Float64Array(n + k);
      values.set(b.values); // a typed-array copy keeps stale NaN bits
      for (let i = 0; i < k; i++) {
        refs[n + i] = -1 - i;
        ts[n + i] = reportTs;
        values[n + i] = reportValues === 'stale' ? STALE_NAN : reportValues[i];
      }
    }
    const known = t.refs;
    const report = t.reportSeries;
    return {
      scope: t.scope,
      labels: (ref: number) => (ref < 0 ? report[-1 - ref] : known.get(ref)),
      length: n + k,
      refs,
      ts,
      values,
      released: b.freed,
    };
  }

  private async forward(t: ActiveTarget, batch: SampleBatch, extras?: MetricsExtras): Promise<void> {
    const recv = this.cfg!.forwardTo;
    let samples: Sample[] | undefined;
    let withoutMetadata: MetricsExtras | undefined;
    const jobs = recv.map(async (r) => {
      try {
        // Metadata sent for receivers that want it is not passed to the others unless honor_metadata is set.
        let x = extras;
        if (x && x.metadata.length > 0 && !this.cfg!.honorMetadata && !r.wantsMetadata) x = withoutMetadata ??= { ...x, metadata: [] };
        // Histograms first: a stale marker in the float batch must not precede its series' last histogram.
        if (x && !extrasEmpty(x)) {
          if (r.appendExtras) await r.appendExtras(x);
          else this.log('forward_to receiver takes no native histograms, exemplars or metadata; dropped', { histograms: x.histograms.length });
        }
        // Receivers read labels synchronously (before their first await).
        if (acceptsBatches(r)) {
          if (batch.length > 0 || batch.released.length > 0) await r.appendBatch(batch);
        } else {
          samples ??= toSamples(batch);
          if (samples.length > 0) await r.append(samples);
        }
      } catch (e) {
        this.metrics.appendFailures.inc({ scrape_job: this.cfg!.defaults.jobName });
        this.log('forward_to receiver rejected a batch', { err: (e as Error).message });
      }
    });
    for (let i = 0; i < batch.released.length; i++) t.refs.delete(batch.released[i]);
    await Promise.all(jobs);
  }

  /** Ends a target's loop at once, without markers (hand-off, shutdown, never scraped). */
  private handOff(t: ActiveTarget): void {
    t.stopped = true;
    if (t.timer) clearTimeout(t.timer);
    const p = this.pool.removeTarget(t.tid, 'handoff', Date.now()).then(() => {
      this.removals.delete(p);
    });
    this.removals.add(p);
  }

  /**
   * A target that went away (Prometheus's loop stop + endOfRunStaleness): the
   * markers carry the time of the next scrape the target would have had, and
   * are written one interval after that plus a tenth of the interval, so a
   * target that comes back in the meantime is resumed instead (no markers).
   * A target never scraped has no series: it ends at once.
   */
  private retire(t: ActiveTarget): void {
    t.stopped = true;
    if (t.timer) clearTimeout(t.timer);
    t.timer = undefined;
    if (t.lastScrape === undefined && !t.busy) return this.handOff(t);
    const interval = t.target.intervalMs;
    const now = Date.now();
    const staleAt = t.nextAt > now ? t.nextAt : nextScrapeTime(now, interval, t.offsetMs % interval);
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const r: Retiring = { t, timer: undefined, done, finish };
    r.timer = setTimeout(() => void this.writeEndOfRun(r, staleAt), staleAt + interval + interval / 10 - now);
    this.retiring.set(t.key, r);
  }

  private async writeEndOfRun(r: Retiring, staleAt: number): Promise<void> {
    const t = r.t;
    // From here on the retirement cannot be called off; drain() and stop() still wait for it.
    r.timer = undefined;
    this.retiring.delete(t.key);
    this.removals.add(r.done);
    void r.done.then(() => this.removals.delete(r.done));
    try {
      // An in-flight first scrape has delivered by now (timeout <= interval); none at all: no series, no markers.
      const mode = t.lastScrape === undefined ? 'handoff' : 'stale';
      const batch = await this.pool.removeTarget(t.tid, mode, staleAt);
      if (mode === 'handoff' || this.stopped) return;
      // 'stale': written straight into the Float64Array (a plain array of NaNs would lose the marker's bits).
      const empty = { newRefs: new Int32Array(0), newLabels: [], refs: new Int32Array(0), values: new Float64Array(0), ts: new Float64Array(0), freed: new Int32Array(0), stats: { total: 0, added: 0, seriesAdded: 0, bodyBytes: 0 } };
      await this.forward(t, this.batchOf(t, batch ?? empty, staleAt, 'stale'));
    } finally {
      r.finish();
    }
  }

  /** Calls off a pending retirement: 'revive' keeps the worker state, 'handoff' drops it without markers. */
  private callOff(r: Retiring, how: 'revive' | 'handoff'): void {
    if (r.timer) clearTimeout(r.timer);
    r.timer = undefined;
    this.retiring.delete(r.t.key);
    if (how === 'handoff') this.handOff(r.t);
    r.finish();
  }

  /**
   * Component removed or process stopping. Prometheus writes no staleness
   * markers on shutdown or reload (the series are not known to be gone), so
   * neither do we; pending end-of-run markers are called off too.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.stopped = true;
    for (const t of this.active.values()) this.handOff(t);
    this.active.clear();
    for (const r of [...this.retiring.values()]) this.callOff(r, 'handoff');
    await Promise.all([...[...this.retiring.values()].map((r) => r.done), ...this.removals]);
    this.pool.dropPool(this.poolId);
    if (this.cfg) {
      this.metrics.poolTargets.remove({ scrape_job: this.cfg.defaults.jobName });
      this.metrics.syncFailed.remove({ scrape_job: this.cfg.defaults.jobName });
    }
  }

  debugTargets(): { active: TargetDebug[]; dropped: DroppedTarget[] } {
    const clustering = this.cfg?.clustering === true;
    const active = [...this.active.values()].map((t) => ({
      job: this.cfg!.defaults.jobName,
      url: t.target.url,
      health: t.health,
      labels: pairsToObject(t.target.labels),
      discovered_labels: t.target.discovered,
      last_scrape: t.lastScrape === undefined ? undefined : new Date(t.lastScrape).toISOString(),
      last_scrape_duration: t.lastDurationMs === undefined ? undefined : `${(t.lastDurationMs / 1000).toFixed(6)}s`,
      last_error: t.lastError,
      series: t.refs.size,
      last_duplicates: t.lastDuplicates,
      owner: clustering ? this.cluster.ownerOf(t.clusterKey) : this.cluster.self,
    }));
    return { active, dropped: this.dropped };
  }
}

/** A batch as Sample objects, for receivers without the batch interface. */
function toSamples(b: SampleBatch): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < b.length; i++) {
    const labels = b.labels(b.refs[i]);
    if (labels === undefined) continue; // a ref from before a worker reset
    out.push({ labels, t: b.ts[i], v: b.values[i] }); // an object property keeps the stale NaN
  }
  return out;
}

function pairsToObject(p: LabelPairs): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i < p.length; i += 2) o[p[i]] = p[i + 1];
  return o;
}
