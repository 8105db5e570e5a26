// Everything for one endpoint: a WAL reader from the endpoint's checkpoint,
// series preparation (external labels, write relabeling), shards, sending
// with retries, acknowledgement tracking and dynamic sharding.
import type { Logger } from 'pino';
import { applyRulesToPairs } from '../relabel/index.js';
import type { LabelPairs, MetricsExtras } from '../pipeline/metrics.js';
import type { ResolvedEndpoint } from './args.js';
import { Backoff, retryDelay, sleep } from '../net/backoff.js';
import { Checkpoint } from './checkpoint.js';
import { HttpSender, type HttpSenderOptions, type SendOutcome } from './http-sender.js';
import { Ledger } from './ledger.js';
import type { EndpointMetrics } from './metrics.js';
import { Shard, type QueuedBatch, type ShardHost } from './shard.js';
import { desiredShards } from './sharding.js';
import { snappyCompress, snappyImplementation } from '../compress/snappy.js';
import { RawWriteRequestEncoder, SeriesEntry, WriteRequestEncoder } from './write-request.js';
import { PROTO_V2 } from './args.js';
import { V2RequestEncoder } from './v2/encode.js';
import { MetadataSender, type MetadataStore } from './metadata.js';
import type { Registry } from 'prom-client';
import type { SegmentInfo, Wal, WalReaderHandle } from './wal.js';
import { WalReader } from './wal-reader.js';
import { ExtrasPreparer } from './queue-extras.js';

export interface EndpointQueueOptions {
  ep: ResolvedEndpoint;
  wal: Wal;
  externalLabels: [string, string][];
  checkpointFile: string;
  logger: Logger;
  metrics: EndpointMetrics;
  /** How often the shard count is reconsidered (Prometheus: 10 s). */
  shardUpdateIntervalMs?: number;
  /** The HTTP sender's hooks (round_robin_dns resolver, credential environment). */
  sender?: HttpSenderOptions;
  /** Metric metadata known to the component (metadata_config; 2.0 series metadata). */
  metadata?: MetadataStore;
  /** Where the metadata counters are registered. */
  registry?: Registry;
}

/** Adds external labels the series does not already have; keeps pairs sorted. */
export function withExternalLabels(labels: LabelPairs, ext: readonly [string, string][]): LabelPairs {
  if (ext.length === 0) return labels;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < labels.length || j < ext.length) {
    if (j >= ext.length || (i < labels.length && labels[i]! <= ext[j]![0])) {
      if (j < ext.length && labels[i] === ext[j]![0]) j++; // the series' own value wins
      out.push(labels[i]!, labels[i + 1]!);
      i += 2;
    } else {
      out.push(ext[j]![0], ext[j]![1]);
      j++;
    }
  }
  return out;
}

/** What the queue knows about a WAL series ref. */
interface SeriesSlot {
  /** The labels as defined in the WAL (compared when a segment defines the ref again). */
  raw: LabelPairs;
  /** Segment whose definition is current; samples of other segments cannot use it. */
  seg: number;
  /** null: dropped by write relabeling. */
  entry: SeriesEntry | null;
}

function sameLabels(a: LabelPairs, b: LabelPairs): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Remote write 1.0 bodies: with native snappy, plain protobuf through the
 * compressor (about 2.5x fewer bytes on the wire, see bench/README.md round 4);
 * without it, the structured writer, which is cheaper than pure-JS snappy.
 */
function v1Encoder(): { encode(b: QueuedBatch): Buffer } {
  return snappyImplementation === 'native' ? new RawWriteRequestEncoder(snappyCompress) : new WriteRequestEncoder();
}

export class EndpointQueue implements ShardHost, WalReaderHandle {
  readonly maxSamplesPerSend: number;
  readonly batchDeadlineMs: number;
  private readonly ep: ResolvedEndpoint;
  private readonly wal: Wal;
  private readonly log: Logger;
  private readonly m: EndpointMetrics;
  private readonly sender: HttpSender;
  private readonly checkpoint: Checkpoint;
  private readonly ledger: Ledger;
  private readonly reader: WalReader;
  private readonly abort = new AbortController();
  /** metadata_config with remote write 1.0: metadata requests every send_interval. */
  private readonly metadataSender: MetadataSender | undefined;
  private shards: Shard[] = [];
  // WAL refs are stable for the writing process, so prepared series (labels
  // relabeled and encoded) are kept across segments and reused when a segment
  // defines the same ref with the same labels.
  // Indexed by ref: WAL refs are small dense integers, and an array index is
  // much cheaper than a Map lookup once per sample.
  private series: (SeriesSlot | undefined)[] = [];
  /** Remote write 1.0 or 2.0 bodies, by protobuf_message. */
  private readonly encoder: { encode(b: QueuedBatch): Buffer };
  private readonly extras = new ExtrasPreparer((labels) => this.prepare(labels));
  private readonly metadataStore: MetadataStore | undefined;
  private curSeg = -1;
  private pending = 0;
  private resharding = false;
  private capacityWaiter: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private reshardTimer: NodeJS.Timeout | undefined;
  // Rate measurement for resharding.
  private samplesIn = 0;
  private samplesOut = 0;
  private sendSeconds = 0;
  private failedAt = 0;
  private lastTick = Date.now();
  // Debug info.
  private lastError: { message: string; time: string } | undefined;
  private lastSend: string | undefined;
  private highestSent = 0;

  constructor(private readonly opts: EndpointQueueOptions) {
    this.ep = opts.ep;
    this.wal = opts.wal;
    this.log = opts.logger.child({ remote_name: opts.ep.remoteName, url: opts.ep.url });
    this.m = opts.metrics;
    this.maxSamplesPerSend = opts.ep.queue_config.max_samples_per_send;
    this.batchDeadlineMs = opts.ep.queue_config.batch_send_deadline;
    this.sender = new HttpSender(opts.ep, opts.sender);
    const store = opts.metadata;
    this.metadataStore = store;
    this.encoder =
      opts.ep.protobuf_message === PROTO_V2 ? new V2RequestEncoder({ metadata: store ? (l) => store.forSeries(l) : undefined }) : v1Encoder();
    const md = opts.ep.metadata_config;
    if (store && opts.registry && md.send && opts.ep.protobuf_message !== PROTO_V2) {
      this.metadataSender = new MetadataSender({
        store,
        sender: this.sender,
        sendIntervalMs: md.send_interval,
        maxPerSend: md.max_samples_per_send,
        minBackoffMs: opts.ep.queue_config.min_backoff,
        maxBackoffMs: opts.ep.queue_config.max_backoff,
        registry: opts.registry,
        labels: { remote_name: opts.ep.remoteName, url: opts.ep.url },
        logger: this.log,
      });
    }
    this.checkpoint = new Checkpoint(opts.checkpointFile);
    let start = this.checkpoint.load();
    if (!start) {
      // A new endpoint starts with what is appended from now on; the position
      // is on disk before any sample is acknowledged, so a crash cannot skip data.
      start = { segment: this.wal.headIndex(), offset: 0 };
      this.checkpoint.initSync(start);
    }
    this.ledger = new Ledger(start);
    this.reader = new WalReader(this.wal, start, this.log);
    this.setShards(opts.ep.queue_config.min_shards);
  }

  start(): void {
    this.wal.addReader(this);
    this.loopDone = this.readLoop().catch((e) => {
      this.log.error({ err: e }, 'remote write reader stopped on an unexpected error');
      this.lastError = { message: String((e as Error).message ?? e), time: new Date().toISOString() };
    });
    const every = this.opts.shardUpdateIntervalMs ?? 10_000;
    this.reshardTimer = setInterval(() => this.maybeReshard(every), every);
    this.reshardTimer.unref();
    this.metadataSender?.start();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.metadataSender?.stop();
    if (this.reshardTimer) clearInterval(this.reshardTimer);
    for (const s of this.shards) s.stop();
    this.capacityWaiter?.();
    await this.loopDone;
    await this.reader.close();
    this.wal.removeReader(this);
    this.sender.close();
    await this.checkpoint.save(this.ledger.committed);
    await this.checkpoint.close();
    this.m.remove();
  }

  /** Forgets the endpoint's position (it was removed from the config). */
  async forget(): Promise<void> {
    await this.checkpoint.remove();
  }

  // --- WalReaderHandle -------------------------------------------------

  committedSegment(): number {
    return this.ledger.committed.segment;
  }

  onSegmentDropped(seg: SegmentInfo): void {
    const pos = this.reader.position();
    let unread = 0;
    if (pos.segment < seg.index) unread = seg.samples;
    else if (pos.segment === seg.index) unread = Math.max(0, seg.samples - this.reader.samplesReadInSeg);
    if (unread > 0) {
      this.m.samplesDropped.inc(unread);
      this.log.warn({ segment: seg.index, samples: unread }, 'dropped unsent samples: WAL segment deleted before this endpoint read it');
    }
  }

  // --- reading ----------------------------------------------------------

  private limit(): number {
    return Math.max(this.ep.queue_config.capacity, this.maxSamplesPerSend) * this.shards.length;
  }

  private async readLoop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      while ((this.pending >= this.limit() || this.resharding) && !signal.aborted) {
        await new Promise<void>((r) => (this.capacityWaiter = r));
        this.capacityWaiter = undefined;
      }
      const item = await this.reader.next(signal);
      if (!item) return;
      if (item.seg !== this.curSeg) {
        // Forget series the previous segment did not define (gone, or from an older process).
        const series = this.series;
        let last = -1;
        for (let r = 0; r < series.length; r++) {
          const slot = series[r];
          if (slot === undefined) continue;
          if (slot.seg < this.curSeg) series[r] = undefined;
          else last = r;
        }
        series.length = last + 1;
        this.curSeg = item.seg;
      }
      for (const def of item.rec.series) this.define(item.seg, def.ref, def.labels);
      if (item.replayOnly) continue;
      this.enqueue(item.seg, item.end, item.rec.refs, item.rec.ts, item.rec.vs);
      if (item.rec.extras) this.enqueueExtras(item.seg, item.end, item.rec.extras);
    }
  }

  /**
   * Histograms and exemplars join the shards as items of their series (when
   * send_native_histograms / send_exemplars allow); metadata that survives
   * write relabeling goes to the metadata store, which metadata_config sends
   * (1.0) or the 2.0 encoder puts on each series.
   */
  private enqueueExtras(seg: number, end: number, x: MetricsExtras): void {
    const allowed: MetricsExtras = {
      histograms: this.ep.send_native_histograms === false ? [] : x.histograms,
      exemplars: this.ep.send_exemplars === false ? [] : x.exemplars,
      metadata: x.metadata,
    };
    const { items, dropped, metadata } = this.extras.items(allowed);
    if (metadata.length > 0) this.metadataStore?.update(metadata);
    if (items.length === 0 && dropped === 0) return;
    const e = this.ledger.add(seg, end, items.length);
    const ns = this.shards.length;
    for (const it of items) this.shards[it.s.hash % ns]!.push(it.s, it.t, 0, e, it.field);
    this.pending += items.length;
    this.samplesIn += items.length;
    this.m.samplesPending.set(this.pending);
    if (dropped > 0) this.m.samplesDropped.inc(dropped);
  }

  private define(seg: number, ref: number, labels: LabelPairs): void {
    const slot = this.series[ref];
    if (slot && sameLabels(slot.raw, labels)) {
      slot.seg = seg;
      slot.raw = labels;
      return;
    }
    this.series[ref] = { raw: labels, seg, entry: this.prepare(labels) };
  }

  private prepare(labels: LabelPairs): SeriesEntry | null {
    const out = applyRulesToPairs(withExternalLabels(labels, this.opts.externalLabels), this.ep.rules);
    if (!out || out.length === 0) return null;
    return new SeriesEntry(out);
  }

  private enqueue(seg: number, end: number, refs: Uint32Array, ts: Float64Array, vs: Float64Array): void {
    const n = refs.length;
    if (n === 0) return;
    // Registered for all samples up front; dropped ones are settled right after.
    const e = this.ledger.add(seg, end, n);
    const shards = this.shards;
    const ns = shards.length;
    const series = this.series;
    let kept = 0;
    let highest = 0;
    for (let i = 0; i < n; i++) {
      const t = ts[i]!;
      if (t > highest) highest = t;
      const slot = series[refs[i]!];
      const s = slot !== undefined && slot.seg === seg ? slot.entry : null;
      if (s === null) continue;
      shards[s.hash % ns]!.push(s, t, vs[i]!, e);
      kept++;
    }
    if (highest > 0) this.m.highestTimestamp.set(Math.max(highest, this.wal.highestTimestamp) / 1000);
    this.pending += kept;
    this.samplesIn += kept;
    this.m.samplesPending.set(this.pending);
    if (kept < n) {
      this.m.samplesDropped.inc(n - kept);
      if (this.ledger.done(e, n - kept)) this.saveCheckpoint();
    }
  }

  // --- sending ----------------------------------------------------------

  async sendBatch(batch: QueuedBatch): Promise<boolean> {
    const q = this.ep.queue_config;
    const signal = this.abort.signal;
    // sample_age_limit: as Prometheus, too-old samples are dropped before every attempt, the first included.
    let samples = this.dropTooOld(batch);
    if (samples.length === 0) return true;
    let body = this.encoder.encode(samples);
    // Prometheus's doubling from min_backoff to max_backoff, no jitter.
    const backoff = new Backoff({ minMs: q.min_backoff, maxMs: q.max_backoff });
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) return false;
      const started = performance.now();
      let out: SendOutcome = await this.sender.send(body, signal, attempt);
      const seconds = (performance.now() - started) / 1000;
      if (signal.aborted) return false;
      this.m.batchDuration.observe(seconds);
      if (out.kind === 'ok' && this.ep.protobuf_message === PROTO_V2 && out.written.samples + out.written.histograms + out.written.exemplars === 0) {
        // Remote write 2.0: a 2xx that reports nothing written (or no Written
        // headers at all) is a failure, e.g. a 1.0-only receiver that ignored the Content-Type.
        out = {
          kind: 'drop',
          status: out.status,
          reason: `sent a remote write 2.0 request with ${samples.length} samples; got HTTP ${out.status}, but the response headers report nothing written (the receiver may only support remote write 1.0)`,
        };
      }
      if (out.kind === 'ok') {
        // Partial writes: what the receiver says it did not write counts as failed.
        const unwritten = out.written.confirmed ? samples.length - out.written.samples : 0;
        if (unwritten > 0) {
          this.m.samplesFailed.inc(unwritten);
          this.log.error({ failed_samples: unwritten, status: out.status }, `remote write to ${this.ep.remoteName} answered 2xx but reports ${unwritten} samples not written`);
        }
        this.m.samplesTotal.inc(samples.length);
        this.m.bytesTotal.inc(body.length);
        this.samplesOut += samples.length;
        this.sendSeconds += seconds;
        let hi = this.highestSent;
        for (let i = 0; i < samples.length; i++) if (samples.t[i]! > hi) hi = samples.t[i]!;
        this.highestSent = hi;
        this.m.highestSent.set(hi / 1000);
        this.lastSend = new Date().toISOString();
        return true;
      }
      this.lastError = { message: out.reason, time: new Date().toISOString() };
      if (out.kind === 'drop') {
        this.m.samplesFailed.inc(samples.length);
        this.log.error({ status: out.status, samples: samples.length, err: out.reason },
          `remote write to ${this.ep.remoteName} rejected a batch; dropping it (non-retryable)`);
        return true;
      }
      this.failedAt = Date.now();
      this.m.samplesRetried.inc(samples.length);
      // As in Prometheus, the server's Retry-After is honoured as given (not capped by max_backoff).
      const delay = retryDelay(backoff.next(), out.retryAfterMs);
      if (attempt === 0 || attempt % 10 === 0) {
        this.log.warn({ status: out.status, attempt: attempt + 1, retry_in_ms: delay, err: out.reason },
          `remote write to ${this.ep.remoteName} failed; retrying`);
      }
      await sleep(delay, signal);
      const fresh = this.dropTooOld(samples);
      if (fresh !== samples) {
        samples = fresh;
        if (samples.length === 0) return true;
        body = this.encoder.encode(samples);
      }
    }
  }

  /** The batch without samples older than sample_age_limit (the same batch when none is). */
  private dropTooOld(b: QueuedBatch): QueuedBatch {
    const limit = this.ep.queue_config.sample_age_limit;
    if (limit <= 0) return b;
    const fresh = youngerThan(b, Date.now() - limit);
    if (fresh.length === b.length) return b;
    this.m.samplesDropped.inc(b.length - fresh.length);
    return fresh;
  }

  batchDone(batch: QueuedBatch, handled: boolean): void {
    this.pending -= batch.length;
    this.m.samplesPending.set(Math.max(0, this.pending));
    if (handled) {
      let moved = false;
      // Consecutive samples usually share a record: count them in one step.
      const es = batch.e;
      for (let i = 0; i < batch.length; ) {
        const e = es[i]!;
        let j = i + 1;
        while (j < batch.length && es[j] === e) j++;
        if (this.ledger.done(e, j - i)) moved = true;
        i = j;
      }
      if (moved) this.saveCheckpoint();
    }
    if (this.pending < this.limit()) this.capacityWaiter?.();
  }

  private saveCheckpoint(): void {
    this.checkpoint.save(this.ledger.committed).catch((e) => {
      this.log.error({ err: e }, 'could not save the remote write position');
    });
  }

  // --- sharding ---------------------------------------------------------

  private setShards(n: number): void {
    this.shards = Array.from({ length: n }, () => new Shard(this));
    this.m.shards.set(n);
  }

  /** Reconsiders the shard count from the last interval's rates. */
  private maybeReshard(intervalMs: number): void {
    if (this.resharding || this.abort.signal.aborted) return;
    const now = Date.now();
    const secs = Math.max(0.001, (now - this.lastTick) / 1000);
    const q = this.ep.queue_config;
    const inputs = {
      current: this.shards.length,
      min: q.min_shards,
      max: q.max_shards,
      inRate: this.samplesIn / secs,
      timePerSample: this.samplesOut > 0 ? this.sendSeconds / this.samplesOut : 0,
      backlog: this.pending + this.unreadEstimate(),
      failing: now - this.failedAt < 2 * intervalMs,
    };
    this.samplesIn = 0;
    this.samplesOut = 0;
    this.sendSeconds = 0;
    this.lastTick = now;
    const want = desiredShards(inputs);
    this.m.shardsDesired.set(want);
    if (want !== this.shards.length) void this.reshard(want);
  }

  /** Samples in the WAL this endpoint has not read yet. */
  private unreadEstimate(): number {
    const pos = this.reader.position();
    let n = 0;
    for (const s of this.wal.segments()) {
      if (s.index > pos.segment) n += s.samples;
      else if (s.index === pos.segment) n += Math.max(0, s.samples - this.reader.samplesReadInSeg);
    }
    return n;
  }

  /** Drains every shard (keeping per-series order), then switches to n shards. */
  async reshard(n: number): Promise<void> {
    if (this.resharding) return;
    this.resharding = true;
    this.log.info({ from: this.shards.length, to: n }, 'remote write resharding');
    try {
      await Promise.all(this.shards.map((s) => s.drain()));
      if (this.abort.signal.aborted) return;
      for (const s of this.shards) s.stop();
      this.setShards(n);
    } finally {
      this.resharding = false;
      this.capacityWaiter?.();
    }
  }

  debugInfo(): Record<string, unknown> {
    return {
      name: this.ep.remoteName,
      url: this.ep.url,
      shards: this.shards.length,
      pending: this.pending,
      unread_in_wal: this.unreadEstimate(),
      committed_position: this.ledger.committed,
      read_position: this.reader.position(),
      last_send_time: this.lastSend ?? null,
      last_error: this.lastError ?? null,
      highest_sent_timestamp: this.highestSent ? new Date(this.highestSent).toISOString() : null,
    };
  }
}

/** The samples of a batch with timestamps at or after `cutoff` (sample_age_limit). */
function youngerThan(b: QueuedBatch, cutoff: number): QueuedBatch {
  const out: QueuedBatch = { length: 0, s: [], t: new Float64Array(b.length), v: new Float64Array(b.length), e: [], ...(b.x ? { x: [] } : {}) };
  for (let i = 0; i < b.length; i++) {
    if (b.t[i]! < cutoff) continue;
    const k = out.length++;
    if (b.x) out.x!.push(b.x[i]);
    out.s.push(b.s[i]!);
    out.t[k] = b.t[i]!;
    out.v[k] = b.v[i]!;
    out.e.push(b.e[i]!);
  }
  return out;
}
